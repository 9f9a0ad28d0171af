using Entropy.Protocol;
using System.Net;
using System.Net.Sockets;
using Entropy.Rpc;
using Entropy.Simulator.KeyStore;
using Entropy.Simulator.ThresholdServers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Entropy.Simulator;

/// <summary>Settings of an <see cref="EntropyDevnet"/>.</summary>
public sealed class EntropyDevnetOptions
{
    /// <summary>Creates the default settings.</summary>
    public EntropyDevnetOptions() => TestDefaults?.Invoke(this);

    /// <summary>Gets or sets what every new <see cref="EntropyDevnetOptions"/> starts from before its initializer runs. Test-only: the
    /// repository's test assembly sets it once (a <c>[SetUpFixture]</c>) to make <see cref="DevnetKeyGeneration.FastStandIn"/> and the fixture safe
    /// primes its suite's default, while single tests still choose otherwise; production code never sets it.</summary>
    internal static Action<EntropyDevnetOptions>? TestDefaults { get; set; }

    /// <summary>Gets or sets the chain's JSON-RPC port; 0 picks a free one.</summary>
    /// <value>The default value is 0.</value>
    public int Port { get; set; }

    /// <summary>Gets or sets how blocks are produced.</summary>
    /// <value>The default value is <see cref="BlockProductionMode.Interval"/>.</value>
    public BlockProductionMode BlockProduction { get; set; } = BlockProductionMode.Interval;

    /// <summary>Gets or sets the block time in <see cref="BlockProductionMode.Interval"/> mode.</summary>
    /// <value>The default value is 500 ms (Entropy uses 6 s; the simulator runs faster).</value>
    public TimeSpan BlockInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets how many blocks finality trails the best block (0 finalizes every block at once).</summary>
    /// <value>The default value is 2, like a GRANDPA chain: a transaction is reported <c>inBlock</c> first and <c>finalized</c> two blocks later.</value>
    public int FinalityLag { get; set; } = 2;

    /// <summary>Gets or sets the first threshold server's port (validator <c>i</c> listens on this + <c>i</c>); 0 picks free ports.</summary>
    /// <value>The default value is 0.</value>
    public int ThresholdServerBasePort { get; set; }

    /// <summary>Gets or sets which runtime the chain simulates.</summary>
    /// <value>The default value is <see cref="SimulatedRuntime.V0010"/>.</value>
    public SimulatedRuntime Runtime { get; set; } = SimulatedRuntime.V0010;

    /// <summary>Gets or sets the folder the servers keep their encrypted key stores in; <see langword="null"/> uses a fresh temporary folder, deleted on dispose.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? KeyStoreDirectory { get; set; }

    /// <summary>Gets or sets the key stores' password.</summary>
    /// <value>The default value is <c>entropy_unsafe_password</c>, what dev servers use (PROTOCOL.md §7).</value>
    public string KeyStorePassword { get; set; } = "entropy_unsafe_password";

    /// <summary>Gets or sets the scrypt cost of the key stores (log2 N is 15 on real servers; lower is faster for tests).</summary>
    /// <value>The default value is 2^15.</value>
    public long KeyStoreScryptCost { get; set; } = 1L << 15;

    /// <summary>Gets or sets how long a DKG may take before it fails, naming the silent parties (and how long a server waits for the
    /// other parties to connect).</summary>
    /// <value>The default value is 2 minutes: in Private mode the servers wait for the user's client, which searches its two 1024-bit
    /// safe primes before its first message.</value>
    public TimeSpan DkgTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets the key generation the threshold servers run for Public-mode registrations (Private mode always runs synedrion).</summary>
    /// <value>The default value is <see cref="DevnetKeyGeneration.Synedrion"/>, what Entropy's servers run.
    /// <see cref="DevnetKeyGeneration.FastStandIn"/> is for test suites that need speed; its shares are not interoperable.</value>
    public DevnetKeyGeneration PublicModeKeyGeneration { get; set; } = DevnetKeyGeneration.Synedrion;

    /// <summary>Gets or sets pre-generated safe primes the servers take their Paillier primes from, in turn, instead of the background
    /// pool. Test-only (public fixture primes give no secrecy); null, the production setting, generates fresh primes.</summary>
    internal IReadOnlyList<System.Numerics.BigInteger>? TestSafePrimes { get; set; }

    /// <summary>Reads a list for <see cref="TestSafePrimes"/>: 1024-bit primes in hexadecimal, one a line (testdata/synedrion/safe-primes-1024.txt).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The primes.</returns>
    /// <exception cref="FormatException">A line is not a 1024-bit odd number in hexadecimal, or there are fewer than two.</exception>
    internal static IReadOnlyList<System.Numerics.BigInteger> ParseTestSafePrimes(string text) =>
        Synedrion.SafePrimeList.Parse(text, Synedrion.SynedrionParams.Production.PrimeBits);

    /// <summary>Gets or sets the entropy-protocol envelope the threshold servers speak (session id layout, shared randomness).</summary>
    /// <value>The default value, <see langword="null"/>, is what the runtime flavour shipped with: <see cref="ProtocolEnvelope.V0010"/> for
    /// <see cref="SimulatedRuntime.V0010"/>, <see cref="ProtocolEnvelope.Registry20240321"/> for <see cref="SimulatedRuntime.Registry20240321"/>.
    /// <see cref="ProtocolEnvelope.SessionBlockNumber20240403"/> is the one Entropy's published wasm client speaks.</value>
    public ProtocolEnvelope? ProtocolEnvelope { get; set; }

    /// <summary>Gets or sets the key generation the threshold servers run for every registration (tests, e.g. a capture hook); null
    /// follows <see cref="PublicModeKeyGeneration"/>.</summary>
    internal IServerDkg? ServerDkg { get; set; }

    /// <summary>Gets or sets how the threshold servers handle a block's registrations: robustly (the default), or as the real v0.0.10 servers.</summary>
    /// <value>The default value is <see cref="ThresholdServerBehavior.Robust"/>.</value>
    public ThresholdServerBehavior ServerBehavior { get; set; } = ThresholdServerBehavior.Robust;

    /// <summary>Gets or sets the number of signing subgroups (<c>SIGNING_PARTY_SIZE</c>); the DKG committee has one server per subgroup.</summary>
    /// <value>The default value is 2, as in v0.0.10.</value>
    public int Subgroups { get; set; } = 2;

    /// <summary>Gets or sets the number of validators (each with its threshold server) in every subgroup; they all hold the same share.</summary>
    /// <value>The default value is 1 (the dev spec: Alice in subgroup 0, Bob in subgroup 1).</value>
    public int ValidatorsPerSubgroup { get; set; } = 1;

    /// <summary>Gets the extra accounts endowed at genesis, as 32-byte account ids with their free balance in planck (for example many signers for a load test).</summary>
    /// <value>The default value is an empty list; the dev accounts of PROTOCOL.md §10 are always endowed.</value>
    public IList<KeyValuePair<byte[], UInt128>> EndowedAccounts { get; } = [];

    /// <summary>
    /// Gets or sets the clock of the devnet's timers: the chain's (block timestamps, <see cref="BlockProductionMode.Interval"/> authoring,
    /// node restarts' downtime) and the threshold servers' protocol timeouts (<see cref="DkgTimeout"/> for the parties to connect and for
    /// the rounds, a <c>/ws</c> subscription's wait for its session, <see cref="ThresholdServerFaults.DelayMessages"/>). A
    /// <c>FakeTimeProvider</c> makes these fire when a test advances it; with <see cref="BlockProductionMode.Manual"/> the test then
    /// drives both the blocks and the timeouts.
    /// </summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    /// <remarks>
    /// Real time still bounds what happens on sockets: the off-chain worker's 2 s deadline for a server's <c>/user/new</c> answer and
    /// the servers' <c>/user/receive_key</c> requests (<see cref="HttpClient.Timeout"/>), the encrypted channels' handshake and send
    /// timeouts, a successful DKG's 2 s linger before its channels close, the wait of a replicated share for its block's
    /// <c>/user/new</c> (2 s), and the servers' and the JSON-RPC clients' reconnect and stop waits. Telemetry durations are measured
    /// in real time.
    /// </remarks>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets the logger factory.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public ILoggerFactory? LoggerFactory { get; set; }
}

/// <summary>
/// A local Entropy network in one process: the simulated chain (v0.0.10 dev setup, by default 2 subgroups × 1 validator) plus one
/// threshold server per validator, on free loopback ports, with the off-chain worker that starts each registration's DKG.
/// </summary>
public sealed class EntropyDevnet : IAsyncDisposable
{
    private readonly EntropyDevnetOptions _options;
    private readonly List<ThresholdServerHost> _servers = [];
    private readonly ILogger _logger;
    private readonly bool _ownsKeyStoreDirectory;
    private SimulatedChain? _chain;
    private RpcClient? _ocwRpc;
    private OffchainWorker? _ocw;
    private CancellationTokenSource? _stop;
    private Synedrion.SafePrimePool? _primePool;
    private ComputeThreads? _computeThreads;

    /// <summary>Creates a devnet; call <see cref="StartAsync"/>.</summary>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    public EntropyDevnet(EntropyDevnetOptions? options = null)
    {
        _options = options ?? new EntropyDevnetOptions();
        _logger = _options.LoggerFactory?.CreateLogger<EntropyDevnet>() ?? (ILogger)NullLogger.Instance;
        _ownsKeyStoreDirectory = _options.KeyStoreDirectory is null;
        KeyStoreDirectory = _options.KeyStoreDirectory ?? Path.Combine(Path.GetTempPath(), "entropy-devnet-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>Gets the chain's WebSocket JSON-RPC endpoint.</summary>
    /// <exception cref="InvalidOperationException">The devnet is not started.</exception>
    public Uri Endpoint => Chain.WebSocketEndpoint;

    /// <summary>Gets the simulated chain.</summary>
    /// <exception cref="InvalidOperationException">The devnet is not started.</exception>
    public SimulatedChain Chain => _chain ?? throw new InvalidOperationException("The devnet is not started; call StartAsync.");

    /// <summary>Gets the folder holding the servers' key stores.</summary>
    public string KeyStoreDirectory { get; }

    /// <summary>Gets the threshold servers' endpoints (<c>host:port</c>), in validator order.</summary>
    public IReadOnlyList<string> ThresholdServerEndpoints => _servers.Select(s => s.Endpoint).ToArray();

    internal IReadOnlyList<ThresholdServerHost> Servers => _servers;

    /// <summary>Gets the background safe-prime pool of the servers' synedrion runs, when there is one (production path; tests look at it).</summary>
    internal Synedrion.SafePrimePool? SafePrimePool => _primePool;

    /// <summary>Gets the threads the servers' synedrion steps run on (tests look at them).</summary>
    internal ComputeThreads? ComputeThreads => _computeThreads;

    /// <summary>Gets the off-chain worker (tests hook into it).</summary>
    internal OffchainWorker OffchainWorker => _ocw ?? throw new InvalidOperationException("The devnet is not started; call StartAsync.");

    /// <summary>Starts the chain and the threshold servers.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when everything listens.</returns>
    /// <exception cref="InvalidOperationException">The devnet was already started.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_chain is not null)
        {
            throw new InvalidOperationException("The devnet is already started.");
        }

        var basePort = _options.ThresholdServerBasePort > 0 ? _options.ThresholdServerBasePort : FindFreePortRange(_options.Subgroups * _options.ValidatorsPerSubgroup);
        var chainOptions = new SimulatedChainOptions
        {
            Port = _options.Port,
            Runtime = _options.Runtime,
            BlockProduction = _options.BlockProduction,
            BlockInterval = _options.BlockInterval,
            FinalityLag = _options.FinalityLag,
            ThresholdServerBasePort = basePort,
            Subgroups = _options.Subgroups,
            ValidatorsPerSubgroup = _options.ValidatorsPerSubgroup,
            LoggerFactory = _options.LoggerFactory,
            TimeProvider = _options.TimeProvider,
        };
        foreach (var account in _options.EndowedAccounts)
        {
            chainOptions.EndowedAccounts.Add(account);
        }

        _computeThreads = new ComputeThreads(Math.Max(2, Environment.ProcessorCount), "devnet key generation");
        var synedrion = new SynedrionServerDkg { SafePrimes = CreateSafePrimeSource(), ComputeScheduler = _computeThreads };
        var chain = new SimulatedChain(chainOptions);
        await chain.StartAsync(cancellationToken).ConfigureAwait(false);
        _chain = chain;
        if (_primePool is not null)
        {
            Diagnostics.DevnetTelemetry.Track(_primePool, chain.WebSocketEndpoint.Port);
        }

        try
        {
            foreach (var validator in chain.Node.Validators)
            {
                var port = int.Parse(validator.Endpoint.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
                var server = new ThresholdServerHost($"{validator.Name}-TSS", validator.CreateTssKeyPair(), validator.Stash, validator.Subgroup, port, _options.DkgTimeout, _options.LoggerFactory)
                {
                    Behavior = _options.ServerBehavior,
                    TimeProvider = _options.TimeProvider,
                };
                server.Envelope = _options.ProtocolEnvelope
                    ?? (_options.Runtime == SimulatedRuntime.Registry20240321 ? Protocol.ProtocolEnvelope.Registry20240321 : Protocol.ProtocolEnvelope.V0010);
                server.Dkg = _options.ServerDkg ?? synedrion;
                if (_options.ServerDkg is null && _options.PublicModeKeyGeneration == DevnetKeyGeneration.FastStandIn)
                {
                    server.PublicModeDkg = PedersenServerDkg.Instance;
                }

                _servers.Add(server);
                await StartServerAsync(server, cancellationToken).ConfigureAwait(false);
            }

            // The off-chain worker runs inside the node and reads its state directly: a restart of the node's JSON-RPC server (or
            // dropped connections) must not delay it, or it would post /user/new after the next block and the servers would find it stale.
            _ocwRpc = await RpcClient.ConnectAsync(Endpoint, new RpcClientOptions { Transport = chain.CreateInProcessTransport() }, cancellationToken).ConfigureAwait(false);
            _ocw = new OffchainWorker(await ServerChain.OpenAsync(_ocwRpc, ownsRpc: false, cancellationToken).ConfigureAwait(false), _servers, _options.LoggerFactory?.CreateLogger<OffchainWorker>() ?? (ILogger)NullLogger.Instance);
            _stop = new CancellationTokenSource();
            var ocw = _ocw;
            chain.Node.AddBlockObserver((block, ct) => ocw.OnBlockAsync(block.Number, block.HashHex, ct));
            _logger.LogInformation("Entropy devnet: chain at {Endpoint}, threshold servers at {Servers}", Endpoint, string.Join(", ", ThresholdServerEndpoints));
        }
        catch
        {
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops one threshold server (its key store stays on disk), to simulate a crash.</summary>
    /// <param name="index">The validator's index.</param>
    /// <returns>A task that completes when the server is down.</returns>
    public Task StopServerAsync(int index) => _servers[index].StopAsync();

    /// <summary>Restarts a stopped threshold server; it reopens its key store with the password.</summary>
    /// <param name="index">The validator's index.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the server listens again.</returns>
    public Task RestartServerAsync(int index, CancellationToken cancellationToken = default) => StartServerAsync(_servers[index], cancellationToken);

    /// <summary>Gets the fault switches of one threshold server.</summary>
    /// <param name="index">The validator's index.</param>
    /// <returns>The switches.</returns>
    public ThresholdServerFaults Faults(int index) => _servers[index].Faults;

    /// <summary>Stops everything and deletes a temporary key-store folder.</summary>
    /// <returns>A task that completes when everything is down.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_stop is not null)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        foreach (var server in _servers)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }

        _servers.Clear();
        if (_ocw is not null)
        {
            await _ocw.DisposeAsync().ConfigureAwait(false);
        }
        if (_ocwRpc is not null)
        {
            await _ocwRpc.DisposeAsync().ConfigureAwait(false);
        }

        if (_chain is not null)
        {
            await _chain.DisposeAsync().ConfigureAwait(false);
        }

        _stop?.Dispose();
        if (_primePool is not null)
        {
            Diagnostics.DevnetTelemetry.Untrack(_primePool);
            _primePool.Dispose();
        }

        _computeThreads?.Dispose();

        if (_ownsKeyStoreDirectory && Directory.Exists(KeyStoreDirectory))
        {
            Directory.Delete(KeyStoreDirectory, recursive: true);
        }
    }

    /// <summary>
    /// Where the servers' synedrion runs take their Paillier safe primes (two per server and run). The test-only list when given; else, when
    /// Public mode runs synedrion, one background pool for the whole devnet (all its servers live in this process) that keeps two runs per
    /// server ready, so a registration does not wait for the prime search (seconds to tens of seconds per prime); with the fast stand-in
    /// only Private-mode runs need primes, and they search inline rather than keep a core busy in the background.
    /// </summary>
    private Func<int, System.Numerics.BigInteger>? CreateSafePrimeSource()
    {
        if (_options.TestSafePrimes is { } fixture)
        {
            return Synedrion.SafePrimeList.Cycle(fixture);
        }

        if (_options.PublicModeKeyGeneration != DevnetKeyGeneration.Synedrion || _options.ServerDkg is not null)
        {
            return null;
        }

        _primePool = new Synedrion.SafePrimePool(Synedrion.SynedrionParams.Production.PrimeBits, capacity: Math.Clamp(4 * _options.Subgroups * _options.ValidatorsPerSubgroup, 4, 32),
            fillerStarted: ThresholdServers.BackgroundThreadPriority.LowerCurrentThread);
        return _primePool.AsSource();
    }

    private Task StartServerAsync(ThresholdServerHost server, CancellationToken cancellationToken) =>
        server.StartAsync(
            Endpoint,
            Path.Combine(KeyStoreDirectory, server.Name),
            _options.KeyStorePassword,
            new KeyStoreOptions { ScryptCost = _options.KeyStoreScryptCost },
            cancellationToken);

    /// <summary>Finds <paramref name="count"/> consecutive free loopback ports (the chain spec lists the servers as base port + index).</summary>
    private static int FindFreePortRange(int count)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var start = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            if (start + count > 65535)
            {
                continue;
            }

            var listeners = new List<TcpListener>();
            try
            {
                for (var i = 0; i < count; i++)
                {
                    var l = new TcpListener(IPAddress.Loopback, start + i);
                    l.Start();
                    listeners.Add(l);
                }

                return start;
            }
            catch (SocketException)
            {
                // Taken: try another range.
            }
            finally
            {
                foreach (var l in listeners)
                {
                    l.Stop();
                }
            }
        }

        throw new InvalidOperationException("Could not find free loopback ports for the threshold servers.");
    }
}
