using System.Numerics;
using System.Runtime.InteropServices;

namespace Entropy.Synedrion;

/// <summary>
/// The base-2 Fermat test 2^e mod m with Montgomery squaring on 64-bit limbs (<see cref="Montgomery"/>) and doubling for the set bits: no general
/// multiplication, so it is several times cheaper than <see cref="BigInteger.ModPow(BigInteger, BigInteger, BigInteger)"/>.
/// Used only as the prime search's filter; every prime it lets through is re-checked with <see cref="BigInteger"/> arithmetic.
/// </summary>
internal static class MontgomeryFermat
{
    /// <summary>Returns whether 2^<paramref name="exponent"/> ≡ 1 (mod <paramref name="modulus"/>).</summary>
    /// <param name="modulus">An odd modulus &gt; 2.</param>
    /// <param name="exponent">A positive exponent.</param>
    /// <returns>Whether the power is 1.</returns>
    public static bool PowerOfTwoIsOne(BigInteger modulus, BigInteger exponent) => Run(modulus, exponent, out _, out _);

    /// <summary>Returns 2^<paramref name="exponent"/> mod <paramref name="modulus"/> (for tests of the Montgomery arithmetic).</summary>
    /// <param name="modulus">An odd modulus &gt; 2.</param>
    /// <param name="exponent">A positive exponent.</param>
    /// <returns>The power.</returns>
    public static BigInteger PowerOfTwo(BigInteger modulus, BigInteger exponent)
    {
        Run(modulus, exponent, out var montgomery, out int k);
        var value = new BigInteger(MemoryMarshal.AsBytes(montgomery.AsSpan()), isUnsigned: true, isBigEndian: false);
        return value * BigInts.Inverse(BigInteger.One << (64 * k), modulus) % modulus;
    }

    private static bool Run(BigInteger modulus, BigInteger exponent, out ulong[] result, out int k)
    {
        var context = new Montgomery(modulus);
        k = context.Limbs;
        var x = context.One.ToArray();
        var scratch = new ulong[context.ScratchLength];
        var e = exponent.ToByteArray(isUnsigned: true, isBigEndian: false);
        for (int bit = (e.Length * 8) - 1; bit >= 0; bit--)
        {
            context.Square(x, x, scratch);
            if ((e[bit >> 3] & (1 << (bit & 7))) != 0)
            {
                context.Double(x, scratch);
            }
        }

        result = x;
        return x.AsSpan().SequenceEqual(context.One);
    }
}
