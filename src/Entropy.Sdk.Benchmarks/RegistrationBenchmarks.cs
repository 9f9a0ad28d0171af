using System.Diagnostics;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Entropy.Crypto;
using Entropy.Extrinsics;
using Entropy.Hashing;
using Entropy.Simulator;
using Sr25519Signer = Entropy.Crypto.Sr25519Signer;

namespace Entropy.Benchmarks;

/// <summary>Deterministic, endowed signers for registration benchmarks (each account registers once).</summary>
internal static class BenchmarkSigners
{
    public static Sr25519Signer[] Create(string label, int count) =>
        Enumerable.Range(0, count)
            .Select(i => Sr25519Signer.FromSecretUri("0x" + Convert.ToHexStringLower(Blake2b.Hash256(Encoding.UTF8.GetBytes($"{label}/{i}")))))
            .ToArray();

    public static void Endow(IList<KeyValuePair<byte[], UInt128>> endowed, IEnumerable<Sr25519Signer> signers)
    {
        foreach (var signer in signers)
        {
            endowed.Add(KeyValuePair.Create(signer.AccountId.AsSpan().ToArray(), (UInt128)1_000_000_000_000_000_000UL));
        }
    }

    /// <summary>Deploys "(module)", the smallest valid WebAssembly module, from //Alice: a chain of this design starts without programs.</summary>
    public static async Task<ProgramPointer> DeployProgramAsync(EntropyClient client)
    {
        using var alice = Sr25519Signer.FromSecretUri("//Alice");
        var operation = await client.DeployProgramAsync(WaitUntil.Completed, alice, new byte[] { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00 });
        return operation.Pointer!.Value;
    }
}

/// <summary>In process (no generated project), 8 iterations of 64 calls: each call registers a fresh account, so the count is fixed.</summary>
internal sealed class InProcessConfig : ManualConfig
{
    public InProcessConfig() =>
        AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(8).WithInvocationCount(64).WithUnrollFactor(1));
}

/// <summary>In process, one registration per iteration (monitoring: each takes blocks, not microseconds).</summary>
internal sealed class EndToEndConfig : ManualConfig
{
    public EndToEndConfig() =>
        AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(10));
}

/// <summary>
/// The client-side overhead of <c>RegisterAsync</c> (target ≤ 1 ms, chain time excluded). <see cref="BuildAndSign"/> and
/// <see cref="DecodeEvents"/> are the client's own work; <see cref="RegisterStarted"/> is the whole <c>RegisterAsync(WaitUntil.Started)</c>
/// against an in-process simulator that authors a block per transaction, so it also contains the node's validation, authoring and
/// about ten loopback JSON-RPC round trips (pre-flight reads, nonce, era, fee, submit and watch).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessConfig))]
public class RegistrationBenchmarks
{
    private const int Accounts = 1200;
    private Sr25519Signer[] _signers = [];
    private SimulatedChain _chain = null!;
    private EntropyClient _client = null!;
    private byte[] _eventsBytes = [];
    private ProgramPointer _program;
    private int _next;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _signers = BenchmarkSigners.Create("entropy-bench-register", Accounts);
        var options = new SimulatedChainOptions { BlockProduction = BlockProductionMode.Instant };
        BenchmarkSigners.Endow(options.EndowedAccounts, _signers);
        _chain = new SimulatedChain(options);
        await _chain.StartAsync();
        _client = await EntropyClient.ConnectAsync(_chain.WebSocketEndpoint);
        _program = await BenchmarkSigners.DeployProgramAsync(_client);

        // One registration to take the events of its block.
        var operation = await _client.RegisterAsync(WaitUntil.Started, NextSigner(), _program);
        var hash = await _client.Session.GetBlockHashAsync(operation.RegisterBlockNumber!.Value, CancellationToken.None);
        _eventsBytes = (await _client.Session.GetStorageAsync(_client.Session.Metadata.StorageKey("System", "Events"), hash, CancellationToken.None))!;
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _client.DisposeAsync();
        await _chain.DisposeAsync();
        foreach (var signer in _signers)
        {
            signer.Dispose();
        }
    }

    /// <summary>Encode the <c>register</c> call and build + sign the extrinsic (client CPU only).</summary>
    [Benchmark]
    public async Task<object> BuildAndSign()
    {
        var session = _client.Session;
        var call = session.Runtime.EncodeRegister(_signers[0].AccountId, AccessMode.Public, default, [new ProgramInstance(_program, [])]);
        return await session.Builder.SignAsync(call, _signers[0], TransactionParameters.Immortal(0));
    }

    /// <summary>Decode the block's <c>System.Events</c> and find <c>SignalRegister</c> (client CPU only).</summary>
    [Benchmark]
    public bool DecodeEvents() => _client.Session.Metadata.DecodeEvents(_eventsBytes).Any(e => e.Name == "SignalRegister");

    /// <summary>The whole <c>RegisterAsync(WaitUntil.Started)</c> against an instant-block simulator (upper bound of the client overhead).</summary>
    [Benchmark]
    public async Task<uint?> RegisterStarted() => (await _client.RegisterAsync(WaitUntil.Started, NextSigner(), _program)).RegisterBlockNumber;

    private Sr25519Signer NextSigner()
    {
        var i = Interlocked.Increment(ref _next);
        return i < _signers.Length
            ? _signers[i]
            : throw new InvalidOperationException($"All {Accounts} benchmark accounts have registered; run fewer invocations.");
    }
}

/// <summary>
/// Issues 6 and 7: one registration end to end (<c>RegisterAsync(WaitUntil.Completed)</c>) on the devnet (chain + 2 threshold servers +
/// off-chain worker, real DKG over Noise WebSockets) at 100 ms and 1 s blocks. The target is registered at block N+2 where N holds
/// <c>register</c>, i.e. ≤ 3 block times from the call. Each iteration is one registration; the blocks are printed at cleanup
/// ("register→registered blocks"). <see cref="PrivateRegistrationEndToEndBenchmarks"/> runs the same in Private mode.
/// </summary>
[Config(typeof(EndToEndConfig))]
public class RegistrationEndToEndBenchmarks
{
    private readonly List<(uint Blocks, uint FromHead, double Ms)> _results = [];
    private Sr25519Signer[] _signers = [];
    private RunningDevnet _running = null!;
    private ProgramPointer _program;
    private int _next = -1;

    /// <summary>Gets or sets the block time in milliseconds.</summary>
    [Params(100, 1000)]
    public int BlockMs { get; set; }

    /// <summary>Gets the access mode registered with (Private: the client joins the DKG with a fresh x25519 key pair per registration).</summary>
    protected virtual AccessMode Mode => AccessMode.Public;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _signers = BenchmarkSigners.Create(Mode == AccessMode.Public ? "entropy-bench-e2e" : "entropy-bench-e2e-private", 64);
        // Public mode measures the chain, the OCW and the servers' plumbing with the fast stand-in DKG (figures comparable across
        // sessions); Private mode always runs synedrion (the client is a party), its servers taking primes from the devnet's pool.
        // The test devnet's defaults, with the SDK's default DKG and registration timeouts (a synedrion run costs seconds of CPU per party).
        _running = await TestDevnet.StartAsync(
            options =>
            {
                options.BlockInterval = TimeSpan.FromMilliseconds(BlockMs);
                options.PublicModeKeyGeneration = DevnetKeyGeneration.FastStandIn;
                options.DkgTimeout = new EntropyDevnetOptions().DkgTimeout;
                BenchmarkSigners.Endow(options.EndowedAccounts, _signers);
            },
            options =>
            {
                options.PollingInterval = TimeSpan.FromMilliseconds(BlockMs);
                options.RegistrationTimeout = new EntropyClientOptions().RegistrationTimeout;
            });
        _program = await BenchmarkSigners.DeployProgramAsync(Client);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        var measured = _results.Skip(1).ToList(); // the first one is BenchmarkDotNet's warm-up
        if (measured.Count > 0)
        {
            string Row(IEnumerable<double> values)
            {
                var sorted = values.Order().ToArray();
                return string.Create(CultureInfo.InvariantCulture, $"min {sorted[0]:F0} median {sorted[sorted.Length / 2]:F0} max {sorted[^1]:F0}");
            }

            Console.WriteLine($"// {(Mode == AccessMode.Public ? "" : "Private")}RegistrationEndToEnd at {BlockMs} ms blocks, {measured.Count} registrations: register→registered blocks {Row(measured.Select(r => (double)r.Blocks))}; " +
                $"head at call→registered blocks {Row(measured.Select(r => (double)r.FromHead))}; wall ms {Row(measured.Select(r => r.Ms))}");
        }

        await _running.DisposeAsync();
        foreach (var signer in _signers)
        {
            signer.Dispose();
        }
    }

    private EntropyDevnet Devnet => _running.Devnet;

    private EntropyClient Client => _running.Client;

    /// <summary>One registration, from the call to the client seeing <c>Registered</c>.</summary>
    [Benchmark]
    public async Task<Registration> RegisterCompleted()
    {
        var i = Interlocked.Increment(ref _next);
        var head = Devnet.Chain.BestBlockNumber;
        using var x25519 = Mode == AccessMode.Private ? X25519KeyPair.Generate() : null;
        var request = new RegisterRequest(_signers[i]) { AccessMode = Mode, UserX25519KeyPair = x25519 };
        request.Programs.Add(new ProgramInstance(_program, []));
        var started = Stopwatch.GetTimestamp();
        var operation = await Client.RegisterAsync(WaitUntil.Completed, request);
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        operation.KeyShare?.Dispose();
        var registeredAt = FindRegisteredBlock(operation.RegisterBlockNumber!.Value, _signers[i].AccountId);
        _results.Add((registeredAt - operation.RegisterBlockNumber!.Value, registeredAt - head, ms));
        return operation.Value;
    }

    /// <summary>The block whose events hold <c>AccountRegistered</c> for the account (the client may notice a block later).</summary>
    private uint FindRegisteredBlock(uint from, AccountId account)
    {
        var session = Client.Session;
        for (var n = from; ; n++)
        {
            var hash = session.GetBlockHashAsync(n, CancellationToken.None).GetAwaiter().GetResult() ?? throw new InvalidOperationException($"No AccountRegistered for {account} after #{from}.");
            if (session.GetEventsAsync(hash, CancellationToken.None).GetAwaiter().GetResult()
                .Any(e => e.Name == "AccountRegistered" && e.Fields[0].TryGetBytes(out var who) && who.AsSpan().SequenceEqual(account.AsSpan())))
            {
                return n;
            }
        }
    }
}

/// <summary>
/// <see cref="RegistrationEndToEndBenchmarks"/> in Private access mode: <c>RegisterAsync(WaitUntil.Completed)</c> with the user's x25519
/// key pair, so the client joins the DKG as the extra party and gets its <see cref="PrivateKeyShare"/> (disposed at once). Printed at
/// cleanup as "// PrivateRegistrationEndToEnd at …".
/// </summary>
public class PrivateRegistrationEndToEndBenchmarks : RegistrationEndToEndBenchmarks
{
    /// <inheritdoc/>
    protected override AccessMode Mode => AccessMode.Private;
}
