using Entropy.Crypto;
using Entropy.Protocol;
using Entropy.Protocol.Noise;
using Entropy.Simulator;
using Entropy.Tests.Simulator;

namespace Entropy.Tests.WasmClient;

/// <summary>
/// Entropy's published wasm client as the user of a Private-mode registration on the devnet (2 subgroups × 2 validators, so the
/// committee of block N+1 matters) against servers speaking v0.0.10's envelope; with the wasm's envelope it completes the key
/// generation (<see cref="WasmSynedrionDevnetTests"/>).
/// </summary>
[Category("WasmClient")]
public class WasmDevnetTests
{
    [Test]
    public async Task WasmClient_ServersSpeakV0010_AreRefusedAtOnceWithTheEnvelopeNamed()
    {
        await using var running = await DevnetFixture.StartAsync(
            options =>
            {
                options.BlockInterval = TimeSpan.FromMilliseconds(500);
                options.DkgTimeout = TimeSpan.FromSeconds(15);
                options.Subgroups = 2;
                options.ValidatorsPerSubgroup = 2;
            },
            options => options.RegistrationTimeout = TimeSpan.FromSeconds(120));
        var (devnet, client) = (running.Devnet, running.Client);
        using var user = Sr25519KeyPair.Generate();
        var (answer, _, _, _) = await RegisterAndRunWasmAsync(devnet, client, user);
        Assert.Multiple(() =>
        {
            Assert.That(answer.Ok, Is.False);
            Assert.That(answer.TimedOut, Is.False);
            Assert.That(answer.Error, Does.Contain("Bad Subscribe Message"));
            Assert.That(answer.Error, Does.Contain("It is a subscribe message of the SessionBlockNumber20240403 envelope"));
        });
    }

    /// <summary>Submits a Private-mode <c>register</c> (block N) for a fresh endowed account, then runs the wasm client with N and the committee of N+1.</summary>
    internal static async Task<(WasmAnswer Answer, IReadOnlyList<ThresholdServer> Committee, AccountId Account, uint Block)> RegisterAndRunWasmAsync(
        EntropyDevnet devnet, EntropyClient client, Sr25519KeyPair user, TimeSpan? wasmTimeout = null)
    {
        var x25519Secret = NoiseCrypto.GeneratePrivateKey();
        using var signer = Sr25519Signer.FromKeyPair(user);
        await Entropy.Tests.Registration.RegistrationAudit.FundAsync(client, signer.AccountId);
        var program = await TestPrograms.DeployAsync(client);
        var session = client.Session;
        var call = session.Runtime.EncodeRegister(signer.AccountId, AccessMode.Private, NoiseCrypto.PublicKeyOf(x25519Secret), [new ProgramInstance(program, [])]);
        var extrinsic = await session.SignAsync(call, signer, 0, 64, CancellationToken.None);
        var result = await session.SubmitAndWatchAsync(extrinsic, signer.AccountId, null, CancellationToken.None);
        var block = checked((uint)result.BlockNumber);
        var committee = await client.GetDkgCommitteeAsync(block + 1);

        var secret = new byte[Sr25519KeyPair.SecretKeyLength];
        user.ExportSecretKey(secret);
        var validators = committee.Select(c => new WasmValidator(c.X25519PublicKey.ToArray(), c.Endpoint, c.TssAccount.ToArray())).ToList();
        var answer = await WasmClientProcess.RunDkgAsync(validators, secret, x25519Secret, block, wasmTimeout ?? TimeSpan.FromSeconds(60));
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(secret);
        return (answer, committee, signer.AccountId, block);
    }
}
