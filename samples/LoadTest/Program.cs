// Load test: many registrations against the embedded devnet (chain + threshold servers + off-chain worker, loopback only).
//   dotnet run -c Release --project samples/LoadTest -- --accounts 1000 --clients 10 --concurrency 100 --block-ms 1000 --subgroups 2 --validators 3
//   dotnet run -c Release --project samples/LoadTest -- --burst 100 --block-ms 1000        (N registrations submitted in one block)
//   dotnet run -c Release --project samples/LoadTest -- --accounts 20 --concurrency 1 --block-ms 100   (one registration at a time)
//   dotnet run -c Release --project samples/LoadTest -- --dkg synedrion --accounts 5 --concurrency 1   (latency with the real DKG; --mode private: the client is a party)
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

        /// <summary>Gets a value indicating whether to count the node's JSON-RPC calls and the servers' HTTP requests per registration (a listener: costs some CPU).</summary>
        public bool CountRequests { get; init; }

        public DevnetKeyGeneration KeyGeneration { get; init; } = DevnetKeyGeneration.FastStandIn;

        public AccessMode Mode { get; init; } = AccessMode.Public;

        /// <summary>Gets the per-registration timeout in seconds (0: 60 blocks, at least 60 s, on the stand-in; 30 min when synedrion runs).</summary>
        public int TimeoutSeconds { get; init; }

        /// <summary>Gets the servers' DKG timeout in seconds (0: the per-registration timeout when synedrion runs, else the devnet's default).</summary>
        public int DkgTimeoutSeconds { get; init; }

        public int SpreadMs { get; init; }

        /// <summary>Gets a value indicating whether synedrion runs in the registrations (Public mode on synedrion, or Private mode).</summary>
        public bool RunsSynedrion => KeyGeneration == DevnetKeyGeneration.Synedrion || Mode == AccessMode.Private;

        public TimeSpan RegistrationTimeout => TimeoutSeconds > 0
            ? TimeSpan.FromSeconds(TimeoutSeconds)
            : RunsSynedrion ? TimeSpan.FromMinutes(30) : TimeSpan.FromMilliseconds(Math.Max(60_000, 60L * BlockMs));

        public TimeSpan? DkgTimeout => DkgTimeoutSeconds > 0 ? TimeSpan.FromSeconds(DkgTimeoutSeconds) : RunsSynedrion ? RegistrationTimeout : null;

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
                          --dkg NAME        the servers' Public-mode key generation: stand-in (Pedersen/Feldman, default) or synedrion
                          --mode NAME       public (default) or private (the client joins the DKG as a party: always synedrion)
                          --timeout S       per-registration timeout of the clients (default 60 blocks, at least 60 s; 1800 when synedrion runs:
                                            registrations in flight share the cores, so each waits for the others' CPU)
                          --dkg-timeout S   the servers' DKG timeout (default: the --timeout when synedrion runs, else the devnet's 2 min)
                          --spread-ms N     at least N ms between two submissions (default 0)
                          --warmup N        first register N other accounts in one block and wait for them (JIT, pools, connections warm), then measure
                          --count-requests  count the node's JSON-RPC calls (by method) and the servers' HTTP requests (by route) per registration
                                            (clients and servers together; the listener costs some CPU, so leave it off when measuring CPU)
                        """);
                    return null;
                }

                if (args[i] == "--count-requests")
                {
                    s = s with { CountRequests = true };
                    continue;
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

                if (args[i] == "--mode" && i + 1 < args.Length && args[i + 1] is "public" or "private")
                {
                    s = s with { Mode = args[i + 1] == "private" ? AccessMode.Private : AccessMode.Public };
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
                    case "--timeout": s = s with { TimeoutSeconds = value }; break;
                    case "--dkg-timeout": s = s with { DkgTimeoutSeconds = value }; break;
                    case "--spread-ms": s = s with { SpreadMs = value }; break;
                    default:
                        Console.Error.WriteLine($"Unknown option '{args[i - 1]}'; see --help.");
                        return null;
                }
            }

            return s;
        }
    }

    /// <summary>What the measured part of a run cost: wall time, process CPU, and (with --count-requests) the requests made.</summary>
    internal sealed record RunCost(TimeSpan Elapsed, double CpuSeconds, RequestCounter? Requests);

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

        /// <summary>Gets or sets a value indicating whether the client gave up but the chain registered the account anyway.</summary>
        public bool RegisteredOnChainAfterError { get; set; }

        /// <summary>Gets or sets the verifying key the chain holds for the account, once checked (hex).</summary>
        public string? VerifyingKey { get; set; }
    }

    /// <summary>Runs the load or the burst measurement and prints the figures.</summary>
    internal static partial class LoadRunner
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
                DkgTimeout = s.DkgTimeout ?? new EntropyDevnetOptions().DkgTimeout,
                LoggerFactory = s.LogLevel == Microsoft.Extensions.Logging.LogLevel.None ? null : new StderrLoggerFactory(s.LogLevel),
            };
            foreach (var signer in signers.Concat(warmupSigners))
            {
                options.EndowedAccounts.Add(KeyValuePair.Create(signer.AccountId.AsSpan().ToArray(), (UInt128)1_000_000_000_000_000_000UL * 100));
            }

            output.WriteLine($"LoadTest: {count} registrations, {s.Mode} mode, {s.Subgroups} x {s.Validators} validators, DKG {DkgName(s)}, {s.BlockMs} ms blocks, {s.Clients} clients, " +
                $"{(s.Burst > 0 ? "burst (all submitted in one block)" : $"{s.Concurrency} in flight")}{(s.SpreadMs > 0 ? $", >= {s.SpreadMs} ms apart" : string.Empty)}, scrypt 2^{s.ScryptLog2}; " +
                $"timeouts: registration {s.RegistrationTimeout.TotalSeconds:F0} s, servers' DKG {options.DkgTimeout.TotalSeconds:F0} s; " +
                $"{(Debugger.IsAttached ? "debugger, " : string.Empty)}{BuildConfiguration} build; {Environment.ProcessorCount} cores, load {LoadAverage()}");

            await using var devnet = new EntropyDevnet(options);
            await devnet.StartAsync(CancellationToken.None);
            var memory = new MemorySampler();
            using var meters = new DevnetMeters();
            var blocks = new BlockClock();
            blocks.Start(devnet.Chain);
            var clients = new EntropyClient[Math.Min(s.Clients, count)];
            for (var i = 0; i < clients.Length; i++)
            {
                clients[i] = await EntropyClient.ConnectAsync(devnet.Endpoint, new EntropyClientOptions
                {
                    PollingInterval = TimeSpan.FromMilliseconds(Math.Max(50, s.BlockMs)),
                    RegistrationTimeout = s.RegistrationTimeout,
                    KeyGenerationTimeout = s.RegistrationTimeout,
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
                await Task.WhenAll(warm.Select(sample => RegisterOneAsync(s, clients[sample.Index % clients.Length], warmupSigners[sample.Index], sample, blocks, cancellationToken)));
                output.WriteLine($"Warm-up: {warm.Count(x => x.Error is null)} of {warm.Length} registered first (not counted below)");
            }

            var samples = Enumerable.Range(0, count).Select(i => new Sample { Index = i }).ToArray();
            using var requests = s.CountRequests ? new RequestCounter() : null;
            var stopwatch = Stopwatch.StartNew();
            memory.StartCpu();
            requests?.Start();
            var progress = new Progress(s, output, samples, stopwatch, memory, meters);
            try
            {
                if (s.Burst > 0)
                {
                    // Start right after a block so every submission lands in the next one.
                    await blocks.WaitForNextAsync(cancellationToken);
                    await Task.WhenAll(samples.Select(async sample =>
                    {
                        await RegisterOneAsync(s, clients[sample.Index % clients.Length], signers[sample.Index], sample, blocks, cancellationToken);
                        progress.Done(sample);
                    }));
                }
                else
                {
                    var next = -1;
                    using var pace = new Pacer(TimeSpan.FromMilliseconds(s.SpreadMs));
                    await Task.WhenAll(Enumerable.Range(0, Math.Min(s.Concurrency, count)).Select(async worker =>
                    {
                        int i;
                        while ((i = Interlocked.Increment(ref next)) < count)
                        {
                            if (!await pace.WaitTurnAsync(cancellationToken))
                            {
                                samples[i].Error = Unfinished;
                                continue;
                            }

                            await RegisterOneAsync(s, clients[worker % clients.Length], signers[i], samples[i], blocks, cancellationToken);
                            progress.Done(samples[i]);
                        }
                    }));
                }

                stopwatch.Stop();
                // CPU of the registrations only: the report's own chain reads (and their JIT) come after.
                var cpuSeconds = memory.CpuSeconds;
                requests?.Stop();
                using var reportTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                return await ReportAsync(s, output, devnet, clients[0], signers, samples, blocks, memory, meters, new RunCost(stopwatch.Elapsed, cpuSeconds, requests), reportTimeout.Token);
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

        private static async Task RegisterOneAsync(LoadSettings s, EntropyClient client, Sr25519Signer signer, Sample sample, BlockClock blocks, CancellationToken cancellationToken)
        {
            sample.HeadAtStart = blocks.Head;
            sample.StartTicks = Stopwatch.GetTimestamp();
            try
            {
                // Private mode: a fresh x25519 key pair per registration, and the client runs its synedrion party inside RegisterAsync.
                using var x25519 = s.Mode == AccessMode.Private ? X25519KeyPair.Generate() : null;
                var request = new RegisterRequest(signer) { AccessMode = s.Mode, UserX25519KeyPair = x25519 };
                request.Programs.Add(new ProgramInstance(s_program, []));
                var operation = await client.RegisterAsync(WaitUntil.Started, request, progress: null, cancellationToken);
                using var keyShare = operation.KeyShare;
                sample.RegisterBlock = operation.RegisterBlockNumber;
                var registration = await operation.WaitForCompletionAsync(cancellationToken);
                sample.DoneTicks = Stopwatch.GetTimestamp();

                // The operation read both blocks from the chain's events: SignalRegister's inclusion and AccountRegistered's block.
                sample.RegisterBlock = registration.RegisterBlockNumber ?? sample.RegisterBlock;
                sample.RegisteredBlock = registration.RegisteredBlockNumber;
                sample.Error = await CheckKeyAsync(client, registration, keyShare, sample, cancellationToken);
            }
            catch (EntropyException e)
            {
                sample.DoneTicks = Stopwatch.GetTimestamp();
                sample.Error = e.GetType().Name;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                sample.DoneTicks = Stopwatch.GetTimestamp();
                sample.Error = Unfinished;
            }
        }

        /// <summary>A deterministic test signer per index (a load-test seed, not a secret).</summary>
        private static Sr25519Signer CreateSigner(int index) =>
            Sr25519Signer.FromSecretUri("0x" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"entropy-load-test/{index}"))));

        /// <summary>
        /// Checks the verifying key against the chain's storage (read apart from the events the operation followed): present, the
        /// operation's, a compressed secp256k1 point (02/03 prefix); in Private mode also the key the client's own share computed.
        /// </summary>
        private static async Task<string?> CheckKeyAsync(EntropyClient client, Registration registration, PrivateKeyShare? keyShare, Sample sample, CancellationToken cancellationToken)
        {
            var onChain = await client.GetRegistrationAsync(registration.Account, cancellationToken);
            if (onChain is null)
            {
                return "NotRegisteredOnChain";
            }

            var key = onChain.VerifyingKey;
            sample.VerifyingKey = key.ToString();
            if (key != registration.VerifyingKey || key.IsEmpty || key.AsSpan()[0] is not (0x02 or 0x03))
            {
                return "KeyMismatch";
            }

            return keyShare is not null && keyShare.VerifyingKey != key ? "KeyShareMismatch" : null;
        }

        private static string DkgName(LoadSettings s) => s.Mode == AccessMode.Private
            ? "synedrion (Private mode: 2 servers + the client)"
            : s.KeyGeneration == DevnetKeyGeneration.Synedrion ? "synedrion (ProductionParams)" : "stand-in (Pedersen/Feldman)";

#if DEBUG
        private const string BuildConfiguration = "Debug";
#else
        private const string BuildConfiguration = "Release";
#endif

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
}
