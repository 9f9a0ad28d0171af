using System.Numerics;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Entropy.Synedrion;
using Entropy.Synedrion.KeyGen;

namespace Entropy.Benchmarks;

/// <summary>
/// synedrion 0.1.0 key generation in C# (ProductionParams): one 1024-bit safe prime, and per-party key generation for a
/// committee of 2 (every party's rounds in one process, divided by the party count in the report by hand), with safe primes
/// generated inline (Fresh) or taken from a pre-filled pool (Pooled, what the devnet's background pool gives).
/// Run: dotnet run -c Release --project src/Entropy.Sdk.Benchmarks -- --filter *Synedrion*
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 0, iterationCount: 5)]
public class SynedrionBenchmarks
{
    private readonly Queue<BigInteger> pool = new();

    /// <summary>Fills the prime pool for the pooled key generations.</summary>
    [GlobalSetup(Target = nameof(KeyGenerationTwoPartiesPooled))]
    public void FillPool()
    {
        for (int i = 0; i < 4 * 6; i++)
        {
            this.pool.Enqueue(SafePrimes.Generate(SynedrionParams.Production.PrimeBits));
        }
    }

    /// <summary>One 1024-bit safe prime (sieve + Fermat + Miller–Rabin + Pocklington).</summary>
    /// <returns>The prime.</returns>
    [Benchmark]
    public BigInteger SafePrime1024() => SafePrimes.Generate(1024);

    /// <summary>Key generation of two parties, safe primes generated inline.</summary>
    /// <returns>The verifying key.</returns>
    [Benchmark]
    public byte[] KeyGenerationTwoPartiesFresh() => Run(null);

    /// <summary>Key generation of two parties, safe primes from the pool.</summary>
    /// <returns>The verifying key.</returns>
    [Benchmark]
    public byte[] KeyGenerationTwoPartiesPooled() => Run(_ => this.pool.Dequeue());

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
}
