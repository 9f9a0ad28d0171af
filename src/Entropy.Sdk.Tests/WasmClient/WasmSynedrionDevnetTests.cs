using Entropy.Crypto;
using Entropy.Protocol;
using Entropy.Simulator;
using Entropy.Simulator.ThresholdServers;
using Entropy.Tests.Protocol;
using Entropy.Tests.Registration;

namespace Entropy.Tests.WasmClient;

/// <summary>
/// Entropy's published wasm client and the SDK, each as the user of a Private-mode registration on one devnet whose servers (2 subgroups
/// × 2 validators) run synedrion 0.1.0 key generation (<see cref="SynedrionServerDkg"/>, ProductionParams, the devnet default) in the
/// wasm's envelope; the shares cross-load between the SDK and the wasm.
/// </summary>
/// <remarks>The servers and the SDK take their Paillier primes from the repository's fixture list (the suite default); the wasm searches its own.</remarks>
[Category("WasmClient")]
[Parallelizable(ParallelScope.Self)] // Its two registrations run one after the other; the fixture runs beside wait-bound ones (OutOfProcessFaultTests).
public class WasmSynedrionDevnetTests
{
    private static readonly TimeSpan KeyGenerationTimeout = TimeSpan.FromMinutes(8);
    private readonly System.Collections.Concurrent.ConcurrentQueue<CapturedFrame> _frames = new();
    private bool _capture;
    private EntropyDevnet _devnet = null!;
    private EntropyClient _client = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _capture = Environment.GetEnvironmentVariable("ENTROPY_CAPTURE_SYNEDRION") == "1";
        var options = new EntropyDevnetOptions
        {
            BlockInterval = TimeSpan.FromMilliseconds(500),
            KeyStoreScryptCost = 1 << 10,
            DkgTimeout = KeyGenerationTimeout,
            Subgroups = 2,
            ValidatorsPerSubgroup = 2,
            ProtocolEnvelope = ProtocolEnvelope.SessionBlockNumber20240403,
            ServerDkg = !_capture ? null : new SynedrionServerDkg
            {
                // Every frame between the user and a committee server, each once: as the server received or sent it.
                Observe = (server, message, received) => _frames.Enqueue(new CapturedFrame(message.From.ToArray(), message.To.ToArray(), message.ToBincode())),
                SafePrimes = TestSafePrimes.Source(),
            },
        };
        _devnet = new EntropyDevnet(options);
        await _devnet.StartAsync();
        _client = await EntropyClient.ConnectAsync(_devnet.Endpoint, new EntropyClientOptions
        {
            PollingInterval = TimeSpan.FromMilliseconds(100),
            RegistrationTimeout = KeyGenerationTimeout,
            KeyGenerationTimeout = KeyGenerationTimeout,
            ProtocolEnvelope = ProtocolEnvelope.SessionBlockNumber20240403,
            SafePrimeSource = TestSafePrimes.Source(),
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _client.DisposeAsync();
        await _devnet.DisposeAsync();
    }

    [Test]
    public async Task WasmClient_PrivateRegistration_KeyGenerationCompletes_VerifyingKeyIsTheChainsAndServerSharesLoadInTheWasm()
    {
        var capture = _capture;
        var frames = _frames;
        var devnet = _devnet;
        var client = _client;
        using var user = Sr25519KeyPair.Generate();

        var (answer, committee, account, block) = await WasmDevnetTests.RegisterAndRunWasmAsync(devnet, client, user, KeyGenerationTimeout);
        TestContext.Out.WriteLine($"wasm client: ok={answer.Ok} in {answer.ElapsedMilliseconds} ms wall, {answer.CpuMilliseconds} ms CPU (node process); {answer.Error}");
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

        // The wasm's share in the SDK: it loads, gives the chain's key and the user's index, and exports the same bytes.
        using (var imported = PrivateKeyShare.ImportKeyShare(account, block, answer.KeyShare))
        {
            Assert.Multiple(() =>
            {
                Assert.That(imported.VerifyingKey, Is.EqualTo(registration.VerifyingKey));
                Assert.That(imported.PartyIndex, Is.EqualTo(2));
                Assert.That(imported.ExportKeyShare(), Is.EqualTo(answer.KeyShare), "ExportKeyShare gives back the wasm's toBytes()");
            });
        }

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

    [Test]
    public async Task SdkClient_PrivateRegistration_ItsKeyShareLoadsInTheWasmWithTheChainsKeyAndTheServersCompleteIt()
    {
        using var user = Sr25519KeyPair.Generate();
        using var signer = Sr25519Signer.FromKeyPair(user);
        await RegistrationAudit.FundAsync(_client, signer.AccountId);
        using var x25519 = X25519KeyPair.Generate();
        var started = System.Diagnostics.Stopwatch.StartNew();
        var program = await TestPrograms.DeployAsync(_client);
        var operation = await _client.RegisterAsync(WaitUntil.Completed, new RegisterRequest(signer) { AccessMode = AccessMode.Private, UserX25519KeyPair = x25519, Programs = { new ProgramInstance(program, []) } });
        TestContext.Out.WriteLine($"SDK Private-mode registration (synedrion user party, fixture primes): {started.ElapsedMilliseconds} ms wall");
        using var share = operation.KeyShare!;
        var registration = operation.Value;
        var committee = await _client.GetDkgCommitteeAsync(share.RegisterBlockNumber + 1);

        var exported = share.ExportKeyShare();
        var loaded = await WasmClientProcess.LoadKeyShareAsync(exported);
        var stored = await RegistrationAudit.ReadSharesAsync(_devnet, signer.AccountId);
        var serverSecrets = stored.Where(s => s is not null).Select(s => ThresholdServerHost.ParseShare(s!).Secret).DistinctBy(Convert.ToHexString).ToList();
        var userSecret = new byte[PrivateKeyShare.SecretLength];
        share.ExportSecret(userSecret);
        Assert.Multiple(() =>
        {
            Assert.That(loaded.Ok, Is.True, loaded.Error);
            Assert.That(loaded.VerifyingKey, Is.EqualTo(registration.VerifyingKey.ToArray()), "the wasm's KeyShare.fromBytes(SDK share).verifyingKey() is the chain's key");
            Assert.That(loaded.PartyIndex, Is.EqualTo(2), "the user is the last party, after the committee");
            Assert.That(loaded.NumParties, Is.EqualTo(3));
            Assert.That(loaded.KeyShare, Is.EqualTo(exported), "the wasm's toBytes() gives back the SDK's bytes");
            Assert.That(share.VerifyingKey, Is.EqualTo(registration.VerifyingKey));
            Assert.That(share.PartyIndex, Is.EqualTo(2));
            Assert.That(share.Parties, Is.EqualTo(committee.Select(c => c.TssAccount).Append(signer.AccountId).ToList()), "synedrion's party order: the committee, then the user");
            Assert.That(serverSecrets, Has.Count.EqualTo(2), "one share per subgroup");
            Assert.That(KeyShareMath.CombineShares([.. serverSecrets, userSecret]), Is.EqualTo(registration.VerifyingKey.ToArray()), "the servers' shares and the user's add up to the key");
        });
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(exported);
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
