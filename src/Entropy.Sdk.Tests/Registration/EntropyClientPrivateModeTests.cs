using Entropy.Tests.Protocol;
using Entropy.Crypto;
using Entropy.Simulator;
using Entropy.Simulator.ThresholdServers;
using Entropy.Tests.Simulator;

namespace Entropy.Tests.Registration;

/// <summary>
/// EntropyClient in the Private access mode against the devnet: the SDK joins the DKG as the user and returns its share. One
/// synedrion registration per simulated runtime (each costs tens of seconds of CPU): v0.0.10 with one validator per subgroup,
/// d7a7f3c2 (<c>Registry</c>) with three.
/// </summary>
[TestFixture(1, SimulatedRuntime.V0010)]
[TestFixture(3, SimulatedRuntime.Registry20240321)]
public class EntropyClientPrivateModeTests(int validatorsPerSubgroup, SimulatedRuntime runtime) : DevnetFixture
{
    /// <inheritdoc/>
    protected override void ConfigureDevnet(EntropyDevnetOptions options)
    {
        options.ValidatorsPerSubgroup = validatorsPerSubgroup;
        options.Runtime = runtime;
        options.DkgTimeout = PrivateModeBudget.KeyGeneration;
    }

    /// <inheritdoc/>
    protected override void ConfigureClient(EntropyClientOptions options)
    {
        options.RegistrationTimeout = PrivateModeBudget.Registration;
        options.KeyGenerationTimeout = PrivateModeBudget.KeyGeneration;
        options.SafePrimeSource = TestSafePrimes.Source();
    }

    [Test]
    public async Task RegisterAsync_Private_RegistersAndTheUserShareCompletesTheVerifyingKey()
    {
        using var user = Sr25519Signer.FromSecretUri("//Alice");
        using var x25519 = X25519KeyPair.Generate();
        var stages = new List<RegistrationStage>();
        var request = new RegisterRequest(user)
        {
            AccessMode = AccessMode.Private,
            UserX25519KeyPair = x25519,
        };
        request.Programs.Add(new ProgramInstance(TestPrograms.AllowAllPointer, []));

        var operation = await Client.RegisterAsync(WaitUntil.Completed, request, new SyncProgress(p => stages.Add(p.Stage)));
        using var share = operation.KeyShare;
        var registration = operation.Value;

        Assert.That(share, Is.Not.Null);
        var userSecret = new byte[PrivateKeyShare.SecretLength];
        share!.ExportSecret(userSecret);

        // Every subgroup member holds its subgroup's share; the committee's distinct shares plus the user's make the key.
        var serverSecrets = new List<byte[]>();
        foreach (var server in Devnet.Servers)
        {
            var stored = await server.Store.GetAsync(user.AccountId.ToSs58());
            Assert.That(stored, Is.Not.Null, $"{server.Name} holds no share");
            var secret = ThresholdServerHost.ParseShare(stored!).Secret;
            if (!serverSecrets.Any(s => s.AsSpan().SequenceEqual(secret)))
            {
                serverSecrets.Add(secret);
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(registration.AccessMode, Is.EqualTo(AccessMode.Private));
            Assert.That(share.VerifyingKey, Is.EqualTo(registration.VerifyingKey));
            Assert.That(share.Parties, Has.Count.EqualTo(3));
            Assert.That(share.Parties[^1], Is.EqualTo(user.AccountId), "synedrion's party order: the committee, then the user");
            Assert.That(share.PartyIndex, Is.EqualTo(2));
            Assert.That(serverSecrets, Has.Count.EqualTo(2), "one share per subgroup");
            Assert.That(serverSecrets, Has.None.EqualTo(userSecret), "a server holds the user's share");
            Assert.That(KeyShareMath.CombineShares([.. serverSecrets, userSecret]), Is.EqualTo(registration.VerifyingKey.ToArray()));
            Assert.That(KeyShareMath.CombineShares([userSecret]), Is.EqualTo(share.VerificationShare.ToArray()));
            Assert.That(stages.IndexOf(RegistrationStage.KeyGenerated), Is.GreaterThan(stages.IndexOf(RegistrationStage.CommitteeSelected)).And.GreaterThan(0));
            Assert.That(stages[^1], Is.EqualTo(RegistrationStage.Registered));
        });

        // The exported synedrion KeyShare loads back with the same key, index and bytes (loading it in Entropy's wasm client: WasmSynedrionDevnetTests).
        var exported = share.ExportKeyShare();
        using (var imported = PrivateKeyShare.ImportKeyShare(user.AccountId, share.RegisterBlockNumber, exported))
        {
            Assert.Multiple(() =>
            {
                Assert.That(imported.VerifyingKey, Is.EqualTo(registration.VerifyingKey));
                Assert.That(imported.PartyIndex, Is.EqualTo(2));
                Assert.That(imported.VerificationShare.ToArray(), Is.EqualTo(share.VerificationShare.ToArray()));
                Assert.That(imported.ExportKeyShare(), Is.EqualTo(exported));
            });
        }

        System.Security.Cryptography.CryptographicOperations.ZeroMemory(exported);

        // The share never prints its secret, and Dispose zeroes it.
        var hex = Convert.ToHexStringLower(userSecret);
        Assert.That(share.ToString(), Does.Not.Contain(hex).And.Contain(user.AccountId.ToSs58()));
        share.Dispose();
        Assert.Multiple(() =>
        {
            Assert.That(share.SecretBuffer.ToArray(), Is.All.EqualTo(0));
            Assert.Throws<ObjectDisposedException>(() => share.ExportSecret(new byte[32]));
            Assert.That(share.ToString(), Does.Contain("disposed"));
            Assert.That(typeof(PrivateKeyShare).GetCustomAttributes(typeof(System.Diagnostics.DebuggerDisplayAttribute), false).Cast<System.Diagnostics.DebuggerDisplayAttribute>().Single().Value, Is.EqualTo("{ToString(),nq}"));
        });
    }

    [Test]
    public async Task RegisterAsync_PrivateCommitteeServerDown_ThrowsNamingTheServer()
    {
        using var user = Sr25519Signer.FromSecretUri("//Bob");
        using var x25519 = X25519KeyPair.Generate();

        // Stop every server of subgroup 1, so whichever member the committee picks is down.
        var down = Enumerable.Range(0, Devnet.Servers.Count).Where(i => Devnet.Servers[i].Subgroup == 1).ToList();
        foreach (var index in down)
        {
            await Devnet.StopServerAsync(index);
        }

        try
        {
            var request = new RegisterRequest(user) { AccessMode = AccessMode.Private, UserX25519KeyPair = x25519 };
            request.Programs.Add(new ProgramInstance(TestPrograms.AllowAllPointer, []));
            var e = Assert.ThrowsAsync<PrivateKeyGenerationException>(() => Client.RegisterAsync(WaitUntil.Completed, request));
            Assert.Multiple(() =>
            {
                Assert.That(e!.Failure, Is.EqualTo(PrivateKeyGenerationFailure.ServerUnreachable));
                Assert.That(e.Server.Subgroup, Is.EqualTo(1));
                Assert.That(e.Message, Does.Contain(e.Server.Endpoint));
                Assert.That(down.Select(i => Devnet.Servers[i].Endpoint), Does.Contain(e.Server.Endpoint));
            });
            await Client.PruneRegistrationAsync(user);
        }
        finally
        {
            foreach (var index in down)
            {
                await Devnet.RestartServerAsync(index);
            }
        }
    }

    [Test]
    public void RegisterAsync_PrivateWithoutTheKeyPair_IsRefusedBeforeSigning()
    {
        using var user = Sr25519Signer.FromSecretUri("//Charlie");
        var request = new RegisterRequest(user) { AccessMode = AccessMode.Private };
        request.Programs.Add(new ProgramInstance(TestPrograms.AllowAllPointer, []));

        var e = Assert.ThrowsAsync<RegistrationPreflightException>(() => Client.RegisterAsync(WaitUntil.Completed, request));

        Assert.That(e!.Failure, Is.EqualTo(RegistrationPreflightFailure.MissingX25519Key));
        Assert.That(e.Message, Does.Contain("UserX25519KeyPair"));
    }

    private sealed class SyncProgress(Action<RegistrationProgress> report) : IProgress<RegistrationProgress>
    {
        public void Report(RegistrationProgress value) => report(value);
    }
}
