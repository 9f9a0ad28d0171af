using BenchmarkDotNet.Attributes;
using Entropy.Hashing;

namespace Entropy.Benchmarks;

/// <summary>Hashes of a 32-byte input (a public key), the size storage keys and SS58 checksums hash.</summary>
[MemoryDiagnoser]
public class HashingBenchmarks
{
    private readonly byte[] _input = new byte[32];
    private readonly byte[] _output32 = new byte[32];
    private readonly byte[] _output16 = new byte[16];

    /// <summary>Fills the input.</summary>
    [GlobalSetup]
    public void Setup()
    {
        for (int i = 0; i < _input.Length; i++)
        {
            _input[i] = (byte)i;
        }
    }

    /// <summary>BLAKE2b-256 of 32 bytes (target at most 0.3 µs, no allocation).</summary>
    [Benchmark]
    public void Blake2b256() => Blake2b.Hash(_input, _output32);

    /// <summary>BLAKE2b-128 of 32 bytes (the <c>Blake2_128Concat</c> prefix).</summary>
    [Benchmark]
    public void Blake2b128() => Blake2b.Hash(_input, _output16);

    /// <summary>BLAKE2s-256 of 32 bytes.</summary>
    [Benchmark]
    public void Blake2s256() => Blake2s.Hash(_input, _output32);

    /// <summary>twox128 of 32 bytes (target at most 0.1 µs, no allocation).</summary>
    [Benchmark]
    public void Twox128() => Twox.Hash128(_input, _output16);
}
