using System.Globalization;
using Entropy.Simulator;
using Entropy.Simulator.Runtime;

namespace Entropy.Devnet;

/// <summary>The <c>entropy-devnet</c> command (<c>dotnet tool install -g Entropy.Devnet</c>): starts the chain, its threshold servers and the off-chain worker.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var options = new EntropyDevnetOptions { Port = 9944 };
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--port" when value is not null:
                    options.Port = int.Parse(value, CultureInfo.InvariantCulture);
                    i++;
                    break;
                case "--block-time" when value is not null:
                    options.BlockProduction = BlockProductionMode.Interval;
                    options.BlockInterval = TimeSpan.FromMilliseconds(int.Parse(value, CultureInfo.InvariantCulture));
                    i++;
                    break;
                case "--instant":
                    options.BlockProduction = BlockProductionMode.Instant;
                    break;
                case "--manual":
                    options.BlockProduction = BlockProductionMode.Manual;
                    break;
                case "--finality-lag" when value is not null:
                    options.FinalityLag = int.Parse(value, CultureInfo.InvariantCulture);
                    i++;
                    break;
                case "--registry":
                    options.Runtime = SimulatedRuntime.Registry20240321;
                    break;
                case "--subgroups" when value is not null:
                    options.Subgroups = int.Parse(value, CultureInfo.InvariantCulture);
                    i++;
                    break;
                case "--validators" when value is not null:
                    options.ValidatorsPerSubgroup = int.Parse(value, CultureInfo.InvariantCulture);
                    i++;
                    break;
                case "--tss-port" when value is not null:
                    options.ThresholdServerBasePort = int.Parse(value, CultureInfo.InvariantCulture);
                    i++;
                    break;
                case "--key-store" when value is not null:
                    options.KeyStoreDirectory = value;
                    i++;
                    break;
                case "--dkg-timeout" when value is not null:
                    options.DkgTimeout = TimeSpan.FromSeconds(int.Parse(value, CultureInfo.InvariantCulture));
                    i++;
                    break;
                case "--fast-public-dkg":
                    options.PublicModeKeyGeneration = DevnetKeyGeneration.FastStandIn;
                    break;
                case "--test-safe-primes" when value is not null:
                    // Test-only (the repository's fault tests): public pre-generated primes, no secrecy.
                    try
                    {
                        options.TestSafePrimes = EntropyDevnetOptions.ParseTestSafePrimes(File.ReadAllText(value));
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
                    {
                        Console.Error.WriteLine($"--test-safe-primes {value}: {e.Message}");
                        return 2;
                    }

                    i++;
                    break;
                case "--help" or "-h":
                    Console.WriteLine("Entropy devnet (simulated chain + threshold servers + off-chain worker)");
                    Console.WriteLine("  --port N            chain JSON-RPC on 127.0.0.1:N (default 9944; 0 = ephemeral)");
                    Console.WriteLine("  --block-time MS     a block every MS milliseconds (default 500)");
                    Console.WriteLine("  --instant           a block per transaction (registrations then need another transaction to move on)");
                    Console.WriteLine("  --manual            blocks only via dev_newBlock");
                    Console.WriteLine("  --finality-lag N    finalize N blocks behind the best block (default 2, like GRANDPA; 0 = at once)");
                    Console.WriteLine("  --registry          serve the 2024-03-21 runtime (pallet Registry) instead of v0.0.10 (Relayer)");
                    Console.WriteLine("  --subgroups N       signing subgroups, i.e. DKG committee size (default 2)");
                    Console.WriteLine("  --validators N      validators (threshold servers) per subgroup (default 1)");
                    Console.WriteLine("  --tss-port N        first threshold server port, the others follow (default: free ports)");
                    Console.WriteLine("  --key-store DIR     keep the servers' key stores in DIR (default: a temporary folder, deleted on exit)");
                    Console.WriteLine("  --dkg-timeout S     how long a server's key generation may take, in seconds (default 120; the servers wait");
                    Console.WriteLine("                      for a Private-mode user's prime search: raise it on a slow or busy machine)");
                    Console.WriteLine("  --fast-public-dkg   Public-mode registrations run a fast Pedersen/Feldman stand-in instead of synedrion");
                    Console.WriteLine("                      (test suites; its shares are not interoperable; Private mode always runs synedrion)");
                    Console.WriteLine("  --test-safe-primes FILE  TEST ONLY: take the servers' Paillier primes in turn from FILE (hex, one a line)");
                    Console.WriteLine("                      instead of generating fresh ones; public primes give no secrecy");
                    return 0;
                default:
                    Console.Error.WriteLine($"Unknown argument '{args[i]}'; see --help.");
                    return 2;
            }
        }

        using var stop = new CancellationTokenSource();
        void OnSignal(System.Runtime.InteropServices.PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        // Ctrl-C and SIGTERM (docker stop, kill) both shut the servers and the chain down cleanly.
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, OnSignal);
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, OnSignal);

        var devnet = new EntropyDevnet(options);
        await using var disposeDevnet = devnet.ConfigureAwait(false);
        try
        {
            await devnet.StartAsync(stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or EntropyException)
        {
            Console.Error.WriteLine($"The devnet did not start: {e.Message}");
            return 1;
        }

        var chain = devnet.Chain;
        // The WebSocket endpoint first: it is what polkadot-js, subxt and the SDK connect to (tests read it from this line).
        Console.WriteLine($"Entropy devnet WebSocket: {chain.WebSocketEndpoint}");
        Console.WriteLine($"  HTTP:       {chain.HttpEndpoint} (JSON-RPC over HTTP POST only: no subscriptions, so no watched transactions)");
        Console.WriteLine($"  Runtime:    {options.Runtime}, {options.BlockProduction} blocks"
            + (options.BlockProduction == BlockProductionMode.Interval ? $" every {options.BlockInterval.TotalMilliseconds:0} ms" : "")
            + $", finality {options.FinalityLag} blocks behind, {options.Subgroups} subgroups × {options.ValidatorsPerSubgroup} validators");
        Console.WriteLine($"  Key generation: synedrion 0.1.0 (CGGMP'21)" + (options.PublicModeKeyGeneration == DevnetKeyGeneration.FastStandIn ? "; Public mode: fast stand-in (not interoperable)" : "")
            + (options.TestSafePrimes is not null ? "; TEST safe primes from a file" : ""));
        Console.WriteLine($"  Genesis:    {chain.GenesisHash}");
        Console.WriteLine($"  Key stores: {devnet.KeyStoreDirectory}");
        Console.WriteLine("  Sudo key:   //Alice");
        Console.WriteLine("Dev accounts (endowed with 10,000,000 BITS... in planck 10^21):");
        foreach (var account in Genesis.DevAccounts)
        {
            Console.WriteLine($"  {account.Name,-18} 0x{Convert.ToHexStringLower(account.AccountId)}");
        }

        Console.WriteLine("Validators and their threshold servers:");
        foreach (var server in devnet.Servers)
        {
            Console.WriteLine($"  {server.Name,-16} subgroup {server.Subgroup} stash {server.Stash.ToSs58()} tss {server.Account.ToSs58()} http://{server.Endpoint}");
        }

        Console.WriteLine("Press Ctrl-C to stop.");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        Console.WriteLine("Stopping.");
        return 0;
    }
}
