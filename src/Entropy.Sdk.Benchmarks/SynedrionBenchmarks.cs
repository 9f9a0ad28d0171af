using System.Numerics;
using System.Security.Cryptography;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Entropy.Synedrion;
using Entropy.Synedrion.KeyGen;

namespace Entropy.Benchmarks;

/// <summary>
/// synedrion 0.1.0 key generation in C# (ProductionParams): one 1024-bit safe prime, and key generation of a committee of 2
/// (both parties' rounds in one process; per party = half), with safe primes searched inline (Fresh) or taken ready-made
/// (Pooled: the repository's fixture primes, i.e. what a pre-filled background pool gives).
/// In process (no generated project to build: that build alone exceeds BenchmarkDotNet's 2-minute limit on a shared CI machine).
/// Run: dotnet run -c Release --project src/Entropy.Sdk.Benchmarks -- --filter '*Synedrion*'
/// </summary>
[Config(typeof(Config))]
public class SynedrionBenchmarks
{
    private BigInteger[] fixture = [];
    private int next;

    /// <summary>Reads the fixture primes.</summary>
    [GlobalSetup]
    public void LoadFixturePrimes()
    {
        var path = TestData.Path("synedrion", "safe-primes-1024.txt");
        this.fixture = [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => BigInteger.Parse("0" + l, NumberStyles.HexNumber, CultureInfo.InvariantCulture))];
    }

    /// <summary>One 1024-bit safe prime (sieve + Fermat + Miller–Rabin + Pocklington).</summary>
    /// <returns>The prime.</returns>
    [Benchmark]
    public BigInteger SafePrime1024() => SafePrimes.Generate(1024);

    /// <summary>Key generation of two parties, safe primes searched inline (p and q side by side per party).</summary>
    /// <returns>The verifying key.</returns>
    [Benchmark]
    public byte[] KeyGenerationTwoPartiesFresh() => Run(null);

    /// <summary>Key generation of two parties, safe primes ready-made (a pool).</summary>
    /// <returns>The verifying key.</returns>
    [Benchmark]
    public byte[] KeyGenerationTwoPartiesPooled() => Run(_ => this.fixture[this.next++ % this.fixture.Length]);

    private static byte[] Run(Func<int, BigInteger>? primes)
    {
        var p = SynedrionParams.Production;
        var sr = RandomNumberGenerator.GetBytes(32);
        var parties = new[] { new KeyGenParty(p, sr, 2, 0, primes), new KeyGenParty(p, sr, 2, 1, primes) };
        parties[0].ReceiveRound1(1, parties[1].Round1Broadcast());
        parties[1].ReceiveRound1(0, parties[0].Round1Broadcast());
        parties[0].ReceiveRound2(1, parties[1].Round2Broadcast());
        parties[1].ReceiveRound2(0, parties[0].Round2Broadcast());
        parties[0].ReceiveRound3Broadcast(1, parties[1].Round3Broadcast());
        parties[1].ReceiveRound3Broadcast(0, parties[0].Round3Broadcast());
        parties[0].ReceiveRound3Direct(1, parties[1].Round3Direct(0));
        parties[1].ReceiveRound3Direct(0, parties[0].Round3Direct(1));
        using var share = parties[0].Finish();
        parties[1].Finish().Dispose();
        return share.VerifyingKey.ToCompressed();
    }

    private sealed class Config : ManualConfig
    {
        public Config() =>
            this.AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(0).WithIterationCount(3)
                .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(45), logOutput: true)));
    }
}
