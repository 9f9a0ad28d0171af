using BenchmarkDotNet.Running;
using Entropy.Benchmarks;

// Run all benchmarks: dotnet run -c Release --project src/Entropy.Sdk.Benchmarks -- --filter '*'
// CPU time per synedrion operation (for a loaded machine): dotnet run -c Release --project src/Entropy.Sdk.Benchmarks -- --synedrion-cpu [safe primes]
// Only the safe-prime search (its cost varies by luck: use many):        ... -- --synedrion-cpu-primes 40
if (args.Length > 1 && args[0] == "--synedrion-cpu-primes")
{
    SynedrionCpuProfile.SafePrimesOnly(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
    return;
}

if (args.Length > 0 && args[0] == "--synedrion-cpu")
{
    SynedrionCpuProfile.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
