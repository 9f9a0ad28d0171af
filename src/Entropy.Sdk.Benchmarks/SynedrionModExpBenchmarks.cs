using System.Numerics;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Entropy.Synedrion;

namespace Entropy.Benchmarks;

/// <summary>
/// Modular exponentiation by size (random odd modulus, full-size random base and exponent): the runtime's
/// <see cref="BigInteger.ModPow"/> against Entropy.Synedrion's Montgomery <c>ModExp.Pow</c> (sliding window, public exponents)
/// and <c>ModExp.PowSecret</c> (fixed window with masked table reads, secret exponents). 1024: the CRT halves and Miller–Rabin;
/// 2048: the verifiers' powers modulo N; 4096: Paillier encryption modulo N².
/// Run: dotnet run -c Release --project src/Entropy.Sdk.Benchmarks -- --filter '*SynedrionModExpBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class SynedrionModExpBenchmarks
{
    private BigInteger modulus;
    private BigInteger value;
    private BigInteger exponent;

    /// <summary>Gets or sets the modulus size in bits.</summary>
    [Params(1024, 2048, 4096)]
    public int Bits { get; set; }

    /// <summary>Draws the operands.</summary>
    [GlobalSetup]
    public void Setup()
    {
        this.modulus = Random(this.Bits) | BigInteger.One | (BigInteger.One << (this.Bits - 1));
        this.value = Random(this.Bits) % this.modulus;
        this.exponent = Random(Math.Min(this.Bits, 2048));
    }

    /// <summary>System.Numerics.BigInteger.ModPow.</summary>
    /// <returns>The power.</returns>
    [Benchmark(Baseline = true)]
    public BigInteger BigIntegerModPow() => BigInteger.ModPow(this.value, this.exponent, this.modulus);

    /// <summary>Montgomery, sliding window.</summary>
    /// <returns>The power.</returns>
    [Benchmark]
    public BigInteger MontgomeryPow() => ModExp.Pow(this.value, this.exponent, this.modulus);

    /// <summary>Montgomery, fixed 4-bit window, masked table reads.</summary>
    /// <returns>The power.</returns>
    [Benchmark]
    public BigInteger MontgomeryPowSecret() => ModExp.PowSecret(this.value, this.exponent, this.modulus, this.Bits);

    private static BigInteger Random(int bits)
    {
        var bytes = RandomNumberGenerator.GetBytes((bits + 7) / 8);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true) >> ((bytes.Length * 8) - bits);
    }
}
