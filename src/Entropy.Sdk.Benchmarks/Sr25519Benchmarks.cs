using BenchmarkDotNet.Attributes;
using Entropy.Crypto;

namespace Entropy.Benchmarks;

/// <summary>sr25519 sign, verify, key expansion and fixed-base multiplication (targets: sign ≤ 30 µs, verify ≤ 70 µs).</summary>
[MemoryDiagnoser]
public class Sr25519Benchmarks
{
    private static readonly byte[] s_mini = Convert.FromHexString("e5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a");
    private readonly byte[] _message = new byte[145];
    private Sr25519KeyPair _pair = null!;
    private Sr25519Signature _signature;
    private Scalar _scalar;

    [GlobalSetup]
    public void Setup()
    {
        _pair = Sr25519KeyPair.FromMiniSecret(s_mini);
        _signature = _pair.Sign(_message);
        _scalar = Scalar.FromBytesWide(new byte[64] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64 });
    }

    [GlobalCleanup]
    public void Cleanup() => _pair.Dispose();

    [Benchmark]
    public Sr25519Signature Sign() => _pair.Sign(_message);

    [Benchmark]
    public bool Verify() => Sr25519.Verify(_pair.PublicKey, _message, _signature);

    [Benchmark]
    public Sr25519PublicKey FromMiniSecret()
    {
        using var pair = Sr25519KeyPair.FromMiniSecret(s_mini);
        return pair.PublicKey;
    }

    [Benchmark]
    public byte[] BasePointMultiply()
    {
        var encoded = new byte[32];
        Ristretto255.Encode(ScalarMultiplication.MultiplyBase(_scalar), encoded);
        return encoded;
    }
}
