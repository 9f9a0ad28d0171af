using BenchmarkDotNet.Attributes;
using Entropy.Hashing;

namespace Entropy.Benchmarks;

/// <summary>
/// The incremental hashers in the shapes the SDK uses them (SS58 checksum, Noise MixHash, simulator state root), next to NSec's
/// libsodium BLAKE2b for the sizes NSec serves (32 and 64 bytes).
/// </summary>
[MemoryDiagnoser]
public class IncrementalHashingBenchmarks
{
    private static readonly byte[] Ss58Prefix = "SS58PRE"u8.ToArray();
    private readonly byte[] _body = new byte[33];
    private readonly byte[] _hash = new byte[32];
    private readonly byte[] _payload = new byte[48];
    private readonly byte[] _kilobyte = new byte[1024];
    private readonly byte[] _output32 = new byte[32];
    private readonly byte[] _output64 = new byte[64];

    /// <summary>Fills the inputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        for (int i = 0; i < _kilobyte.Length; i++)
        {
            _kilobyte[i] = (byte)i;
        }

        _kilobyte.AsSpan(0, 33).CopyTo(_body);
        _kilobyte.AsSpan(0, 32).CopyTo(_hash);
        _kilobyte.AsSpan(0, 48).CopyTo(_payload);
    }

    /// <summary>BLAKE2b-512 of "SS58PRE" ‖ 33 bytes, fed in two pieces (the SS58 checksum).</summary>
    [Benchmark]
    public void Blake2b512TwoPieces()
    {
        Blake2bHasher.Initialize(64, out var hasher);
        Blake2bHasher.Update(ref hasher, Ss58Prefix);
        Blake2bHasher.Update(ref hasher, _body);
        Blake2bHasher.Finalize(ref hasher, _output64);
    }

    /// <summary>NSec's BLAKE2b-512 of the same two pieces.</summary>
    [Benchmark]
    public void NSecBlake2b512TwoPieces()
    {
        NSec.Cryptography.IncrementalHash.Initialize(NSec.Cryptography.HashAlgorithm.Blake2b_512, out var state);
        NSec.Cryptography.IncrementalHash.Update(ref state, Ss58Prefix);
        NSec.Cryptography.IncrementalHash.Update(ref state, _body);
        NSec.Cryptography.IncrementalHash.Finalize(ref state, _output64);
    }

    /// <summary>BLAKE2s-256 of 32 ‖ 48 bytes (Noise MixHash).</summary>
    [Benchmark]
    public void Blake2s256TwoPieces()
    {
        Blake2sHasher.Initialize(32, out var hasher);
        Blake2sHasher.Update(ref hasher, _hash);
        Blake2sHasher.Update(ref hasher, _payload);
        Blake2sHasher.Finalize(ref hasher, _output32);
    }

    /// <summary>BLAKE2b-256 of 1 KB fed in 16 pieces of 64 bytes (the simulator's state root shape).</summary>
    [Benchmark]
    public void Blake2b256Kilobyte16Pieces()
    {
        Blake2bHasher.Initialize(32, out var hasher);
        for (int i = 0; i < 16; i++)
        {
            Blake2bHasher.Update(ref hasher, _kilobyte.AsSpan(i * 64, 64));
        }

        Blake2bHasher.Finalize(ref hasher, _output32);
    }

    /// <summary>NSec's BLAKE2b-256 of the same 16 pieces.</summary>
    [Benchmark]
    public void NSecBlake2b256Kilobyte16Pieces()
    {
        NSec.Cryptography.IncrementalHash.Initialize(NSec.Cryptography.HashAlgorithm.Blake2b_256, out var state);
        for (int i = 0; i < 16; i++)
        {
            NSec.Cryptography.IncrementalHash.Update(ref state, _kilobyte.AsSpan(i * 64, 64));
        }

        NSec.Cryptography.IncrementalHash.Finalize(ref state, _output32);
    }

    /// <summary>NSec's one-shot BLAKE2b-256 of 32 bytes (compare <see cref="HashingBenchmarks.Blake2b256"/>).</summary>
    [Benchmark]
    public void NSecBlake2b256OneShot32() => NSec.Cryptography.HashAlgorithm.Blake2b_256.Hash(_hash, _output32);
}
