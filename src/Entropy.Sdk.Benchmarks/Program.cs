using BenchmarkDotNet.Running;

// Run all benchmarks: dotnet run -c Release --project src/Entropy.Sdk.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
