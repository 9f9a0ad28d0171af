using Entropy.Crypto;

namespace Entropy.Tests;

/// <summary>
/// The program the tests register with: <c>testdata/programs/allow-all.wasm</c> (a valid WebAssembly module assembled from
/// <c>allow-all.wat</c>). A chain of the v0.0.10 design stores no program at genesis, so every test that registers deploys
/// one first (<c>Programs.set_program</c>, signed by //Alice) — exactly what a dApp does on a fresh chain.
/// </summary>
internal static class TestPrograms
{
    /// <summary>Gets the bytecode of the allow-all program.</summary>
    public static byte[] AllowAll { get; } = File.ReadAllBytes(TestData.Path("programs", "allow-all.wasm"));

    /// <summary>Gets the pointer of the allow-all program with an empty configuration interface.</summary>
    public static ProgramPointer AllowAllPointer { get; } = ProgramPointer.Compute(AllowAll, []);

    /// <summary>Deploys the allow-all program (signed by //Alice) unless it is already on chain, and returns its pointer.</summary>
    /// <param name="client">A connected client.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The pointer the program is stored under.</returns>
    public static async Task<ProgramPointer> DeployAsync(EntropyClient client, CancellationToken cancellationToken = default)
    {
        using var alice = Sr25519Signer.FromSecretUri("//Alice");
        try
        {
            var operation = await client.DeployProgramAsync(WaitUntil.Completed, alice, AllowAll, cancellationToken: cancellationToken);
            Assert.That(operation.Pointer, Is.EqualTo(AllowAllPointer));
        }
        catch (ProgramPreflightException e) when (e.Failure == ProgramPreflightFailure.AlreadySet)
        {
            // Already deployed on this chain (by an earlier test or a client before a restart).
        }
        catch (Entropy.Extrinsics.DispatchException e) when (e.Error == "ProgramAlreadySet")
        {
            // Deployed concurrently by another test on the same chain.
        }

        return AllowAllPointer;
    }
}
