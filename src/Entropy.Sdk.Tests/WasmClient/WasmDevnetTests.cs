using System.Collections.Concurrent;
using Entropy.Crypto;
using Entropy.Protocol;
using Entropy.Protocol.Noise;
using Entropy.Simulator;

namespace Entropy.Tests.WasmClient;

/// <summary>
/// Entropy's published wasm client as the user of a Private-mode registration on the devnet (2 subgroups × 2 validators, so the
/// committee of block N+1 matters), against servers speaking the wasm's envelope and against servers speaking v0.0.10's.
/// </summary>
[Category("WasmClient")]
public class WasmDevnetTests
{
    [Test]
    public async Task WasmClient_ServersSpeakTheBlockNumberEnvelope_EveryCommitteeServerAcceptsTheUsersSubscription()
    {
        await using var devnet = await StartDevnetAsync(ProtocolEnvelope.SessionBlockNumber20240403);
        await using var client = await ConnectAsync(devnet);
        var started = new ConcurrentDictionary<string, AccountId>();
        foreach (var server in devnet.Servers)
        {
            // Called when a server's DKG receives its first message: its session only starts once every party, the user included, subscribed.
            server.Faults.FirstDkgMessageReceived = (account, _) =>
            {
                started[server.Name] = account;
                return Task.CompletedTask;
            };
        }

        using var user = Sr25519KeyPair.Generate();
        // Past the subscription the wasm client first generates its Paillier safe primes (production size, minutes on a loaded
        // 2-core machine) before it reads the servers' messages and fails on them: give it the key-generation time.
        var (answer, committee, account, _) = await RegisterAndRunWasmAsync(devnet, client, user, TimeSpan.FromMinutes(5));

        TestContext.Out.WriteLine($"wasm client after the subscription (the servers run the Pedersen stand-in): ok={answer.Ok}, {answer.Error}");
        Assert.That(committee, Has.Count.EqualTo(2));
        var members = devnet.Servers.Where(s => committee.Any(c => c.TssAccount == s.Account)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(members.Select(m => m.Name), Is.SubsetOf(started.Keys), "every committee server's DKG session started, so the user's subscription was accepted");
            Assert.That(started.Values, Is.All.EqualTo(account));
            Assert.That(answer.Error ?? string.Empty, Does.Not.Contain("Subscribe"), "the subscribe stage passed");

            // Past the subscription the client expects synedrion messages; the Pedersen stand-in's are not, so its message loops end.
            Assert.That(answer.Error, Does.Contain("Incoming message stream error"));
        });
    }

    [Test]
    public async Task WasmClient_ServersSpeakV0010_AreRefusedAtOnceWithTheEnvelopeNamed()
    {
        await using var devnet = await StartDevnetAsync(null);
        await using var client = await ConnectAsync(devnet);
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

    internal static async Task<EntropyDevnet> StartDevnetAsync(ProtocolEnvelope? envelope, TimeSpan? dkgTimeout = null)
    {
        var options = new EntropyDevnetOptions
        {
            BlockInterval = TimeSpan.FromMilliseconds(500),
            KeyStoreScryptCost = 1 << 10,
            DkgTimeout = dkgTimeout ?? TimeSpan.FromSeconds(15),
            Subgroups = 2,
            ValidatorsPerSubgroup = 2,
            ProtocolEnvelope = envelope,
        };
        var devnet = new EntropyDevnet(options);
        await devnet.StartAsync();
        return devnet;
    }

    internal static Task<EntropyClient> ConnectAsync(EntropyDevnet devnet) =>
        EntropyClient.ConnectAsync(devnet.Endpoint, new EntropyClientOptions { PollingInterval = TimeSpan.FromMilliseconds(100), RegistrationTimeout = TimeSpan.FromSeconds(120) });

    /// <summary>Submits a Private-mode <c>register</c> (block N) for a fresh endowed account, then runs the wasm client with N and the committee of N+1.</summary>
    internal static async Task<(WasmAnswer Answer, IReadOnlyList<ThresholdServer> Committee, AccountId Account, uint Block)> RegisterAndRunWasmAsync(
        EntropyDevnet devnet, EntropyClient client, Sr25519KeyPair user, TimeSpan? wasmTimeout = null)
    {
        var x25519Secret = NoiseCrypto.GeneratePrivateKey();
        using var signer = Sr25519Signer.FromKeyPair(user);
        await Entropy.Tests.Registration.RegistrationAudit.FundAsync(client, signer.AccountId);
        var session = client.Session;
        var call = session.Runtime.EncodeRegister(signer.AccountId, AccessMode.Private, NoiseCrypto.PublicKeyOf(x25519Secret), [new ProgramInstance(ProgramPointer.DeviceKeyProxy, [])]);
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
