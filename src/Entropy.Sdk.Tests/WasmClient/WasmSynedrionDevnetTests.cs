using Entropy.Crypto;
using Entropy.Protocol;
using Entropy.Simulator;
using Entropy.Simulator.ThresholdServers;
using Entropy.Tests.Registration;

namespace Entropy.Tests.WasmClient;

/// <summary>
/// Entropy's published wasm client as the user of a Private-mode registration, with the devnet's servers (2 subgroups × 2
/// validators) running synedrion 0.1.0 key generation (<see cref="SynedrionServerDkg"/>, ProductionParams) in the wasm's envelope.
/// </summary>
[Category("WasmClient")]
public class WasmSynedrionDevnetTests
{
    private static readonly TimeSpan KeyGenerationTimeout = TimeSpan.FromMinutes(8);

    [Test]
    public async Task WasmClient_PrivateRegistration_KeyGenerationCompletes_VerifyingKeyIsTheChainsAndServerSharesLoadInTheWasm()
    {
        var capture = Environment.GetEnvironmentVariable("ENTROPY_CAPTURE_SYNEDRION") == "1";
        var frames = new System.Collections.Concurrent.ConcurrentQueue<CapturedFrame>();
        var options = new EntropyDevnetOptions
        {
            BlockInterval = TimeSpan.FromMilliseconds(500),
            KeyStoreScryptCost = 1 << 10,
            DkgTimeout = KeyGenerationTimeout,
            Subgroups = 2,
            ValidatorsPerSubgroup = 2,
            ProtocolEnvelope = ProtocolEnvelope.SessionBlockNumber20240403,
            ServerDkg = !capture ? SynedrionServerDkg.Instance : new SynedrionServerDkg
            {
                // Every frame between the user and a committee server, each once: as the server received or sent it.
                Observe = (server, message, received) => frames.Enqueue(new CapturedFrame(message.From.ToArray(), message.To.ToArray(), message.ToBincode())),
            },
        };
        await using var devnet = new EntropyDevnet(options);
        await devnet.StartAsync();
        await using var client = await WasmDevnetTests.ConnectAsync(devnet);
        using var user = Sr25519KeyPair.Generate();

        var (answer, committee, account, block) = await WasmDevnetTests.RegisterAndRunWasmAsync(devnet, client, user, KeyGenerationTimeout);
        TestContext.Out.WriteLine($"wasm client: ok={answer.Ok} in {answer.ElapsedMilliseconds} ms; {answer.Error}");
        Assert.That(answer.Ok, Is.True, answer.Error);

        var registration = await WaitForRegistrationAsync(client, account);
        Assert.Multiple(() =>
        {
            Assert.That(answer.VerifyingKey, Is.EqualTo(registration.VerifyingKey.ToArray()), "the wasm's KeyShare.verifyingKey() is the key the chain registered");
            Assert.That(answer.NumParties, Is.EqualTo(3));
            Assert.That(answer.PartyIndex, Is.EqualTo(2), "the user is the last party");
        });

        var shares = await RegistrationAudit.ReadSharesAsync(devnet, account);
        var indices = new HashSet<int>();
        for (int i = 0; i < devnet.Servers.Count; i++)
        {
            var stored = shares[i];
            Assert.That(stored, Is.Not.Null, $"{devnet.Servers[i].Name} holds no share (committee member or subgroup replica)");
            var loaded = await WasmClientProcess.LoadKeyShareAsync(stored!);
            Assert.Multiple(() =>
            {
                Assert.That(loaded.Ok, Is.True, loaded.Error);
                Assert.That(loaded.VerifyingKey, Is.EqualTo(registration.VerifyingKey.ToArray()), $"{devnet.Servers[i].Name}'s share in KeyShare.fromBytes");
                Assert.That(loaded.KeyShare, Is.EqualTo(stored), "toBytes() gives back the stored bytes");
            });
            indices.Add(loaded.PartyIndex);
        }

        Assert.That(indices, Is.EquivalentTo(new[] { 0, 1 }), "the two subgroups hold the two server party indices; the replicas the same as their committee member");
        Assert.That(committee.Select(c => c.Subgroup).Distinct().Count(), Is.EqualTo(2));

        if (capture)
        {
            var userId = user.PublicKey.ToArray();
            new WasmCapture
            {
                Client = "@entropyxyz/entropy-protocol-nodejs@0.2.0",
                Envelope = ProtocolEnvelope.SessionBlockNumber20240403,
                User = userId,
                BlockNumber = block,
                Parties = [.. committee.Select(c => c.TssAccount.ToArray()), userId],
                Subscribes = [],
                Messages = frames.Where(f => f.From.AsSpan().SequenceEqual(userId) || f.To.AsSpan().SequenceEqual(userId)).ToList(),
                VerifyingKey = answer.VerifyingKey,
            }.Save(Path.Combine(TestData.RepositoryRoot, "testdata", "synedrion", WasmCaptureTests.KeyGenCapture));
        }
    }

    private static async Task<Entropy.Registration> WaitForRegistrationAsync(EntropyClient client, AccountId account)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (true)
        {
            if (await client.GetRegistrationAsync(account, timeout.Token) is { } registration)
            {
                return registration;
            }

            await Task.Delay(200, timeout.Token);
        }
    }
}
