// Load test: many registrations against the embedded devnet (chain + threshold servers + off-chain worker, loopback only).
//   dotnet run -c Release --project samples/LoadTest -- --accounts 1000 --clients 10 --concurrency 100 --block-ms 1000 --subgroups 2 --validators 3
//   dotnet run -c Release --project samples/LoadTest -- --burst 100 --block-ms 1000        (N registrations submitted in one block)
//   dotnet run -c Release --project samples/LoadTest -- --accounts 20 --concurrency 1 --block-ms 100   (one registration at a time)
// Prints registrations/s, latency percentiles in blocks and ms, errors by type and memory. Bounded by --accounts and --max-seconds.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Entropy;
using Entropy.Crypto;
using Entropy.Simulator;
using LoadTest;

var settings = LoadSettings.Parse(args);
if (settings is null)
{
    return 2;
}

using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(settings.MaxSeconds));
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
try
{
    var report = await LoadRunner.RunAsync(settings, Console.Out, cancel.Token);
    return report.Lost == 0 && report.Errors.Count == 0 && report.Completed == report.Requested ? 0 : 1;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine($"Stopped after {settings.MaxSeconds} s (--max-seconds).");
    return 1;
}
finally
{
    if (settings.KeyStore is not null && Directory.Exists(settings.KeyStore))
    {
        Directory.Delete(settings.KeyStore, recursive: true);
    }
}

namespace LoadTest
{
    /// <summary>The command line.</summary>
    internal sealed record LoadSettings
    {
        public int Accounts { get; init; } = 1000;

        public int Clients { get; init; } = 10;

        public int Concurrency { get; init; } = 100;

        public int BlockMs { get; init; } = 1000;

        public int Subgroups { get; init; } = 2;

        public int Validators { get; init; } = 3;

        public int ScryptLog2 { get; init; } = 10;

        public int MaxSeconds { get; init; } = 600;

        public int Burst { get; init; }

        public int Warmup { get; init; }

        public DevnetKeyGeneration KeyGeneration { get; init; } = DevnetKeyGeneration.FastStandIn;

        public string? KeyStore { get; init; }

        public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.None;

        public static LoadSettings? Parse(string[] args)
        {
            var s = new LoadSettings();
            for (var i = 0; i < args.Length; i++)
            {
                if (args[i] is "--help" or "-h")
                {
                    Console.WriteLine("""
                        LoadTest: registrations against the embedded Entropy devnet.
                          --accounts N      registrations in the load run (default 1000)
                          --clients N       EntropyClient connections (default 10)
                          --concurrency N   registrations in flight at once, closed loop (default 100)
                          --block-ms N      block time in ms (default 1000)
                          --subgroups N     signing subgroups = DKG committee size (default 2)
                          --validators N    validators (threshold servers) per subgroup (default 3)
                          --scrypt-log2 N   key-store scrypt cost 2^N (default 10; real servers use 15)
                          --max-seconds N   stop the whole run after N s (default 600)
                          --key-store DIR   put the servers' key stores under DIR (e.g. /dev/shm: no fsync cost; default: the temp folder)
                          --log LEVEL       devnet log to stderr at LEVEL (warning, information, debug; default none)
                          --burst N         instead of the load run: submit N registrations in one block, count those registered within 3 blocks
                          --dkg NAME        the servers' key generation: stand-in (Pedersen/Feldman, default) or synedrion
                          --warmup N        first register N other accounts in one block and wait for them (JIT, pools, connections warm), then measure
                        """);
                    return null;
                }

                if (args[i] == "--log" && i + 1 < args.Length && Enum.TryParse<Microsoft.Extensions.Logging.LogLevel>(args[i + 1], ignoreCase: true, out var level))
                {
                    s = s with { LogLevel = level };
                    i++;
                    continue;
                }

                if (args[i] == "--dkg" && i + 1 < args.Length && args[i + 1] is "stand-in" or "synedrion")
                {
                    s = s with { KeyGeneration = args[i + 1] == "synedrion" ? DevnetKeyGeneration.Synedrion : DevnetKeyGeneration.FastStandIn };
                    i++;
                    continue;
                }

                if (args[i] == "--key-store" && i + 1 < args.Length)
                {
                    s = s with { KeyStore = Path.Combine(args[i + 1], "entropy-load-" + Guid.NewGuid().ToString("N")) };
                    i++;
                    continue;
                }

                if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
                {
                    Console.Error.WriteLine($"'{args[i]}' needs a positive number; see --help.");
                    return null;
                }

                i++;
                switch (args[i - 1])
                {
                    case "--accounts": s = s with { Accounts = value }; break;
                    case "--clients": s = s with { Clients = value }; break;
                    case "--concurrency": s = s with { Concurrency = value }; break;
                    case "--block-ms": s = s with { BlockMs = value }; break;
                    case "--subgroups": s = s with { Subgroups = value }; break;
                    case "--validators": s = s with { Validators = value }; break;
                    case "--scrypt-log2": s = s with { ScryptLog2 = value }; break;
                    case "--max-seconds": s = s with { MaxSeconds = value }; break;
                    case "--burst": s = s with { Burst = value }; break;
                    case "--warmup": s = s with { Warmup = value }; break;
                    default:
                        Console.Error.WriteLine($"Unknown option '{args[i - 1]}'; see --help.");
                        return null;
                }
            }

            return s;
        }
    }

    /// <summary>What one run measured.</summary>
    internal sealed record LoadReport(int Requested, int Completed, int Lost, IReadOnlyDictionary<string, int> Errors);

    /// <summary>One registration's timeline.</summary>
    internal sealed class Sample
    {
        public int Index { get; init; }

        public long StartTicks { get; set; }

        public long DoneTicks { get; set; }

        public uint HeadAtStart { get; set; }

        public uint? RegisterBlock { get; set; }

        public uint? RegisteredBlock { get; set; }

        public string? Error { get; set; }
    }

    /// <summary>Runs the load or the burst measurement and prints the figures.</summary>
    internal static class LoadRunner
    {
        public static async Task<LoadReport> RunAsync(LoadSettings s, TextWriter output, CancellationToken cancellationToken)
        {
            var count = s.Burst > 0 ? s.Burst : s.Accounts;
            var signers = Enumerable.Range(0, count).Select(CreateSigner).ToArray();
            var warmupSigners = Enumerable.Range(count, s.Warmup).Select(CreateSigner).ToArray();
            var options = new EntropyDevnetOptions
            {
                BlockProduction = BlockProductionMode.Interval,
                BlockInterval = TimeSpan.FromMilliseconds(s.BlockMs),
                Subgroups = s.Subgroups,
                ValidatorsPerSubgroup = s.Validators,
                KeyStoreScryptCost = 1L << s.ScryptLog2,
                // The load figures are the chain's, the off-chain worker's and the servers' plumbing: the fast stand-in DKG keeps them
                // comparable (synedrion costs seconds of CPU per server and registration; see docs/concepts.md, Private mode). --dkg synedrion measures it.
                PublicModeKeyGeneration = s.KeyGeneration,
                KeyStoreDirectory = s.KeyStore,
                LoggerFactory = s.LogLevel == Microsoft.Extensions.Logging.LogLevel.None ? null : new StderrLoggerFactory(s.LogLevel),
            };
            foreach (var signer in signers.Concat(warmupSigners))
            {
                options.EndowedAccounts.Add(KeyValuePair.Create(signer.AccountId.AsSpan().ToArray(), (UInt128)1_000_000_000_000_000_000UL * 100));
            }

            output.WriteLine($"LoadTest: {count} registrations, {s.Subgroups} x {s.Validators} validators, DKG {(s.KeyGeneration == DevnetKeyGeneration.Synedrion ? "synedrion" : "stand-in (Pedersen/Feldman)")}, {s.BlockMs} ms blocks, {s.Clients} clients, " +
                $"{(s.Burst > 0 ? "burst (all submitted in one block)" : $"{s.Concurrency} in flight")}, scrypt 2^{s.ScryptLog2}; {Environment.ProcessorCount} cores, load {LoadAverage()}");

            await using var devnet = new EntropyDevnet(options);
            await devnet.StartAsync(CancellationToken.None);
            var memory = new MemorySampler();
            var blocks = new BlockClock();
            blocks.Start(devnet.Chain);
            var clients = new EntropyClient[Math.Min(s.Clients, count)];
            for (var i = 0; i < clients.Length; i++)
            {
                clients[i] = await EntropyClient.ConnectAsync(devnet.Endpoint, new EntropyClientOptions
                {
                    PollingInterval = TimeSpan.FromMilliseconds(Math.Max(50, s.BlockMs)),
                    RegistrationTimeout = TimeSpan.FromMilliseconds(Math.Max(60_000, 60L * s.BlockMs)),
                }, cancellationToken);
            }

            // The devnet starts without programs: deploy the smallest valid WebAssembly module, "(module)", every account registers with.
            using (var deployer = Sr25519Signer.FromSecretUri("//Alice"))
            {
                s_program = (await clients[0].DeployProgramAsync(WaitUntil.Completed, deployer, new byte[] { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00 }, cancellationToken: cancellationToken)).Pointer!.Value;
            }

            output.WriteLine($"Devnet up: chain {devnet.Endpoint}, {devnet.ThresholdServerEndpoints.Count} threshold servers; baseline working set {memory.WorkingSetMb:F0} MB");
            if (warmupSigners.Length > 0)
            {
                var warm = warmupSigners.Select((_, i) => new Sample { Index = i }).ToArray();
                await Task.WhenAll(warm.Select(sample => RegisterOneAsync(clients[sample.Index % clients.Length], warmupSigners[sample.Index], sample, blocks, cancellationToken)));
                output.WriteLine($"Warm-up: {warm.Count(x => x.Error is null)} of {warm.Length} registered first (not counted below)");
            }

            var samples = Enumerable.Range(0, count).Select(i => new Sample { Index = i }).ToArray();
            var stopwatch = Stopwatch.StartNew();
            memory.StartCpu();
            try
            {
                if (s.Burst > 0)
                {
                    // Start right after a block so every submission lands in the next one.
                    await blocks.WaitForNextAsync(cancellationToken);
                    await Task.WhenAll(samples.Select(sample => RegisterOneAsync(clients[sample.Index % clients.Length], signers[sample.Index], sample, blocks, cancellationToken)));
                }
                else
                {
                    var next = -1;
                    await Task.WhenAll(Enumerable.Range(0, Math.Min(s.Concurrency, count)).Select(async worker =>
                    {
                        int i;
                        while ((i = Interlocked.Increment(ref next)) < count)
                        {
                            await RegisterOneAsync(clients[worker % clients.Length], signers[i], samples[i], blocks, cancellationToken);
                        }
                    }));
                }

                stopwatch.Stop();
                using var reportTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                return await ReportAsync(s, output, devnet, clients[0], signers, samples, blocks, memory, stopwatch.Elapsed, reportTimeout.Token);
            }
            finally
            {
                foreach (var client in clients)
                {
                    await client.DisposeAsync();
                }

                foreach (var signer in signers.Concat(warmupSigners))
                {
                    signer.Dispose();
                }

                await blocks.DisposeAsync();
                memory.Dispose();
            }
        }

        private static ProgramPointer s_program;

        private static async Task RegisterOneAsync(EntropyClient client, Sr25519Signer signer, Sample sample, BlockClock blocks, CancellationToken cancellationToken)
        {
            sample.HeadAtStart = blocks.Head;
            sample.StartTicks = Stopwatch.GetTimestamp();
            try
            {
                var operation = await client.RegisterAsync(WaitUntil.Started, signer, s_program, cancellationToken);
                sample.RegisterBlock = operation.RegisterBlockNumber;
                var registration = await operation.WaitForCompletionAsync(cancellationToken);
                sample.DoneTicks = Stopwatch.GetTimestamp();

                // The operation read both blocks from the chain's events: SignalRegister's inclusion and AccountRegistered's block.
                sample.RegisterBlock = registration.RegisterBlockNumber ?? sample.RegisterBlock;
                sample.RegisteredBlock = registration.RegisteredBlockNumber;
            }
            catch (EntropyException e)
            {
                sample.DoneTicks = Stopwatch.GetTimestamp();
                sample.Error = e.GetType().Name;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                sample.DoneTicks = Stopwatch.GetTimestamp();
                sample.Error = "Unfinished at --max-seconds";
            }
        }

        private static async Task<LoadReport> ReportAsync(
            LoadSettings s, TextWriter output, EntropyDevnet devnet, EntropyClient reader, Sr25519Signer[] signers, Sample[] samples,
            BlockClock blocks, MemorySampler memory, TimeSpan elapsed, CancellationToken cancellationToken)
        {
            // Exact blocks come from each operation (the events it read). Accounts whose client gave up are looked up on the chain.
            var head = devnet.Chain.BestBlockNumber;
            var registeredDespiteError = 0;
            foreach (var sample in samples.Where(x => x.Error is not null))
            {
                if (await reader.IsRegisteredAsync(signers[sample.Index].AccountId, cancellationToken))
                {
                    registeredDespiteError++;
                }
            }

            var completed = samples.Where(x => x.Error is null && x.RegisteredBlock is not null && x.RegisterBlock is not null).ToArray();
            var lost = samples.Count(x => x.RegisterBlock is not null && x.RegisteredBlock is null);
            var errors = samples.Where(x => x.Error is not null).GroupBy(x => x.Error!).ToDictionary(g => g.Key, g => g.Count());
            var blocksLatency = completed.Select(x => (double)(x.RegisteredBlock!.Value - x.RegisterBlock!.Value)).ToArray();
            var fromSubmit = completed.Select(x => (double)(x.RegisteredBlock!.Value - x.HeadAtStart)).ToArray();
            var ms = completed.Select(x => Stopwatch.GetElapsedTime(x.StartTicks, x.DoneTicks).TotalMilliseconds).ToArray();
            var chainMs = completed.Select(x => blocks.MillisecondsBetween(x.RegisterBlock!.Value, x.RegisteredBlock!.Value)).Where(x => x is not null).Select(x => x!.Value).ToArray();

            output.WriteLine();
            output.WriteLine($"Completed {completed.Length} of {samples.Length} in {elapsed.TotalSeconds:F1} s: {completed.Length / elapsed.TotalSeconds:F1} registrations/s; included but not registered at the end (lost unless the run was cut short): {lost}; blocks #{samples.Min(x => x.RegisterBlock ?? uint.MaxValue)}..#{head}");
            output.WriteLine($"  latency, register block -> registered block (blocks): {Percentiles(blocksLatency, "F0")}");
            output.WriteLine($"  latency, head at submit -> registered block (blocks): {Percentiles(fromSubmit, "F0")}");
            output.WriteLine($"  latency, RegisterAsync call -> client sees Registered (ms): {Percentiles(ms, "F0")}");
            output.WriteLine($"  chain time, register block -> registered block (ms):    {Percentiles(chainMs, "F0")}");
            output.WriteLine($"  errors by type: {(errors.Count == 0 ? "none" : string.Join(", ", errors.Select(e => $"{e.Key} {e.Value}")))}");
            output.WriteLine($"  register included: {samples.Count(x => x.RegisterBlock is not null)}, registered: {samples.Count(x => x.RegisteredBlock is not null) + registeredDespiteError} (of which the client reported an error: {registeredDespiteError})");
            output.WriteLine($"  memory (one process: node + {devnet.ThresholdServerEndpoints.Count} servers + OCW + {s.Clients} clients): peak working set {memory.PeakWorkingSetMb:F0} MB, " +
                $"peak managed heap {memory.PeakManagedMb:F0} MB, GC count gen0/1/2 {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
            if (s.Burst > 0)
            {
                var modal = samples.Where(x => x.RegisterBlock is not null).GroupBy(x => x.RegisterBlock!.Value).OrderByDescending(g => g.Count()).First();
                var within3 = modal.Count(x => x.RegisteredBlock is { } r && r <= modal.Key + 3);
                var within2 = modal.Count(x => x.RegisteredBlock is { } r && r <= modal.Key + 2);
                output.WriteLine($"  burst: {modal.Count()} of {samples.Length} register extrinsics in block #{modal.Key}; registered by #{modal.Key + 2}: {within2}, by #{modal.Key + 3} (within three blocks): {within3}; " +
                    $"register blocks {string.Join(", ", samples.GroupBy(x => x.RegisterBlock).OrderBy(g => g.Key).Select(g => $"#{g.Key}x{g.Count()}"))}");
            }

            output.WriteLine($"  CPU time of this process during the run: {memory.CpuSeconds:F1} s = {memory.CpuSeconds * 1000 / Math.Max(1, completed.Length):F1} ms per completed registration " +
                $"(= at most {Environment.ProcessorCount * completed.Length / Math.Max(0.001, memory.CpuSeconds):F0} registrations/s if this process had all {Environment.ProcessorCount} cores)");
            output.WriteLine($"  machine load after the run: {LoadAverage()}");
            return new LoadReport(samples.Length, completed.Length, lost, errors);
        }

        private static string Percentiles(double[] values, string format)
        {
            if (values.Length == 0)
            {
                return "n/a";
            }

            Array.Sort(values);
            string P(double p) => values[Math.Clamp((int)Math.Ceiling(p * values.Length) - 1, 0, values.Length - 1)].ToString(format, CultureInfo.InvariantCulture);
            return $"min {values[0].ToString(format, CultureInfo.InvariantCulture)}  p50 {P(0.50)}  p95 {P(0.95)}  p99 {P(0.99)}  max {values[^1].ToString(format, CultureInfo.InvariantCulture)}";
        }

        /// <summary>A deterministic test signer per index (a load-test seed, not a secret).</summary>
        private static Sr25519Signer CreateSigner(int index) =>
            Sr25519Signer.FromSecretUri("0x" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"entropy-load-test/{index}"))));

        private static string LoadAverage()
        {
            try
            {
                return File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Aggregate((a, b) => a + " " + b);
            }
            catch (IOException)
            {
                return "unknown";
            }
        }
    }

    /// <summary>Records when each block was produced (the simulated chain's best block number, polled every millisecond or so).</summary>
    internal sealed class BlockClock : IAsyncDisposable
    {
        private readonly ConcurrentDictionary<uint, long> _arrivals = new();
        private readonly CancellationTokenSource _stop = new();
        private Task? _loop;
        private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private uint _head;

        public uint Head => Volatile.Read(ref _head);

        public void Start(SimulatedChain chain)
        {
            _loop = Task.Run(async () =>
            {
                try
                {
                    while (!_stop.IsCancellationRequested)
                    {
                        var best = chain.BestBlockNumber;
                        if (best != Volatile.Read(ref _head))
                        {
                            _arrivals.TryAdd(best, Stopwatch.GetTimestamp());
                            Volatile.Write(ref _head, best);
                            Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                        }

                        await Task.Delay(1, _stop.Token);
                    }
                }
                catch (OperationCanceledException)
                {
                }
            }, CancellationToken.None);
        }

        public Task WaitForNextAsync(CancellationToken cancellationToken) => Volatile.Read(ref _next).Task.WaitAsync(cancellationToken);

        public double? MillisecondsBetween(uint from, uint to) =>
            _arrivals.TryGetValue(from, out var a) && _arrivals.TryGetValue(to, out var b) ? Stopwatch.GetElapsedTime(a, b).TotalMilliseconds : null;

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            if (_loop is not null)
            {
                await _loop;
            }

            _stop.Dispose();
        }
    }

    /// <summary>Samples the process's working set and managed heap every 100 ms.</summary>
    internal sealed class MemorySampler : IDisposable
    {
        private readonly Timer _timer;
        private readonly Process _process = Process.GetCurrentProcess();
        private long _peakManaged;
        private TimeSpan _cpuAtStart;

        public MemorySampler()
        {
            _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));
        }

        public double WorkingSetMb
        {
            get
            {
                _process.Refresh();
                return _process.WorkingSet64 / 1048576.0;
            }
        }

        public double PeakWorkingSetMb
        {
            get
            {
                _process.Refresh();
                return _process.PeakWorkingSet64 / 1048576.0;
            }
        }

        public double PeakManagedMb => Interlocked.Read(ref _peakManaged) / 1048576.0;

        public double CpuSeconds
        {
            get
            {
                _process.Refresh();
                return (_process.TotalProcessorTime - _cpuAtStart).TotalSeconds;
            }
        }

        public void StartCpu()
        {
            _process.Refresh();
            _cpuAtStart = _process.TotalProcessorTime;
        }

        public void Dispose()
        {
            _timer.Dispose();
            _process.Dispose();
        }

        private void Sample()
        {
            var managed = GC.GetTotalMemory(false);
            long peak;
            while (managed > (peak = Interlocked.Read(ref _peakManaged)) && Interlocked.CompareExchange(ref _peakManaged, managed, peak) != peak)
            {
            }
        }
    }

    /// <summary>Writes log lines at or above a level to stderr, with the time since start.</summary>
    internal sealed class StderrLoggerFactory(Microsoft.Extensions.Logging.LogLevel minimum) : Microsoft.Extensions.Logging.ILoggerFactory
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public Microsoft.Extensions.Logging.LogLevel Minimum { get; } = minimum;

        public void AddProvider(Microsoft.Extensions.Logging.ILoggerProvider provider)
        {
        }

        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

        public void Dispose()
        {
        }

        private sealed class Logger(StderrLoggerFactory factory, string category) : Microsoft.Extensions.Logging.ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= factory.Minimum && logLevel != Microsoft.Extensions.Logging.LogLevel.None;

            public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    Console.Error.WriteLine($"{factory._clock.Elapsed.TotalSeconds,8:F3} {logLevel.ToString()[..4]} {category}: {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception.GetType().Name + ": " + exception.Message)}");
                }
            }
        }
    }
}
