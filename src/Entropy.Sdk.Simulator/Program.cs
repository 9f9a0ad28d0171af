using System.Globalization;
using Entropy.Simulator.Runtime;

namespace Entropy.Simulator;

/// <summary>The devnet command: <c>dotnet run --project src/Entropy.Sdk.Simulator -- --port 9944</c>.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var options = new SimulatedChainOptions { Port = 9944 };
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
                case "--help" or "-h":
                    Console.WriteLine("Entropy devnet (simulated chain)");
                    Console.WriteLine("  --port N            listen on 127.0.0.1:N (default 9944; 0 = ephemeral)");
                    Console.WriteLine("  --instant           a block per transaction (default)");
                    Console.WriteLine("  --block-time MS     a block every MS milliseconds");
                    Console.WriteLine("  --manual            blocks only via dev_newBlock");
                    Console.WriteLine("  --finality-lag N    finalize N blocks behind the best block");
                    Console.WriteLine("  --registry          serve the 2024-03-21 runtime (pallet Registry) instead of v0.0.10 (Relayer)");
                    return 0;
                default:
                    Console.Error.WriteLine($"Unknown argument '{args[i]}'; see --help.");
                    return 2;
            }
        }

        var chain = new SimulatedChain(options);
        await using var disposeChain = chain.ConfigureAwait(false);
        await chain.StartAsync().ConfigureAwait(false);
        Console.WriteLine($"Entropy devnet ({options.Runtime}, {options.BlockProduction} blocks)");
        Console.WriteLine($"  WebSocket: {chain.WebSocketEndpoint}");
        Console.WriteLine($"  HTTP:      {chain.HttpEndpoint}");
        Console.WriteLine($"  Genesis:   {chain.GenesisHash}");
        Console.WriteLine("Dev accounts (endowed with 10,000,000 BITS... in planck 10^21):");
        foreach (var account in Genesis.DevAccounts)
        {
            Console.WriteLine($"  {account.Name,-18} 0x{Convert.ToHexStringLower(account.AccountId)}");
        }

        Console.WriteLine("Validators:");
        foreach (var validator in chain.Node.Validators)
        {
            Console.WriteLine($"  {validator.Name,-8} subgroup {validator.Subgroup} stash 0x{Convert.ToHexStringLower(validator.Stash)} tss 0x{Convert.ToHexStringLower(validator.TssAccount)} {validator.Endpoint}");
        }

        Console.WriteLine("Press Ctrl-C to stop.");
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        return 0;
    }
}
