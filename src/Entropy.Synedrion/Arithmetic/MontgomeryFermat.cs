using System.Numerics;
using System.Runtime.InteropServices;

namespace Entropy.Synedrion;

/// <summary>
/// The base-2 Fermat test 2^e mod m with Montgomery squaring on 64-bit limbs (CIOS) and doubling for the set bits: no general
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
        k = (modulus.GetByteCount(isUnsigned: true) + 7) / 8;
        var m = ToLimbs(modulus, k);
        ulong mInv = NegativeInverse(m[0]);
        var one = ToLimbs((BigInteger.One << (64 * k)) % modulus, k); // R mod m: 1 in Montgomery form
        var x = (ulong[])one.Clone();
        var t = new ulong[k + 2];
        var e = exponent.ToByteArray(isUnsigned: true, isBigEndian: false);
        for (int bit = (e.Length * 8) - 1; bit >= 0; bit--)
        {
            MontgomerySquare(x, m, mInv, t);
            if ((e[bit >> 3] & (1 << (bit & 7))) != 0)
            {
                Double(x, m);
            }
        }

        result = x;
        return x.AsSpan().SequenceEqual(one);
    }

    /// <summary>x ← x² · R⁻¹ mod m (CIOS), with x &lt; m on entry and exit.</summary>
    private static void MontgomerySquare(ulong[] x, ulong[] m, ulong mInv, ulong[] t)
    {
        int k = m.Length;
        Array.Clear(t);
        for (int i = 0; i < k; i++)
        {
            ulong carry = 0;
            ulong xi = x[i];
            for (int j = 0; j < k; j++)
            {
                ulong hi = Math.BigMul(x[j], xi, out ulong lo);
                ulong s = t[j] + lo;
                hi += s < lo ? 1UL : 0UL;
                s += carry;
                hi += s < carry ? 1UL : 0UL;
                t[j] = s;
                carry = hi;
            }

            ulong top = t[k] + carry;
            t[k + 1] = top < carry ? 1UL : 0UL;
            t[k] = top;

            ulong u = t[0] * mInv;
            ulong h0 = Math.BigMul(u, m[0], out ulong l0);
            ulong s0 = t[0] + l0;
            carry = h0 + (s0 < l0 ? 1UL : 0UL);
            for (int j = 1; j < k; j++)
            {
                ulong hi = Math.BigMul(u, m[j], out ulong lo);
                ulong s = t[j] + lo;
                hi += s < lo ? 1UL : 0UL;
                s += carry;
                hi += s < carry ? 1UL : 0UL;
                t[j - 1] = s;
                carry = hi;
            }

            ulong last = t[k] + carry;
            t[k - 1] = last;
            t[k] = t[k + 1] + (last < carry ? 1UL : 0UL);
            t[k + 1] = 0;
        }

        t.AsSpan(0, k).CopyTo(x);
        if (t[k] != 0 || !Less(x, m))
        {
            Subtract(x, m);
        }
    }

    /// <summary>x ← 2x mod m, with x &lt; m.</summary>
    private static void Double(ulong[] x, ulong[] m)
    {
        ulong carry = 0;
        for (int i = 0; i < x.Length; i++)
        {
            ulong v = x[i];
            x[i] = (v << 1) | carry;
            carry = v >> 63;
        }

        if (carry != 0 || !Less(x, m))
        {
            Subtract(x, m);
        }
    }

    private static bool Less(ulong[] a, ulong[] b)
    {
        for (int i = a.Length - 1; i >= 0; i--)
        {
            if (a[i] != b[i])
            {
                return a[i] < b[i];
            }
        }

        return false;
    }

    private static void Subtract(ulong[] a, ulong[] b)
    {
        ulong borrow = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ulong d = a[i] - b[i];
            ulong nb = a[i] < b[i] ? 1UL : 0UL;
            ulong d2 = d - borrow;
            nb += d < borrow ? 1UL : 0UL;
            a[i] = d2;
            borrow = nb;
        }
    }

    private static ulong NegativeInverse(ulong m0)
    {
        ulong inv = 1;
        for (int i = 0; i < 6; i++)
        {
            inv *= 2 - (m0 * inv); // Newton: doubles the correct low bits each step (1 → 64)
        }

        return unchecked(0 - inv);
    }

    private static ulong[] ToLimbs(BigInteger value, int k)
    {
        var bytes = new byte[k * 8];
        value.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        return MemoryMarshal.Cast<byte, ulong>(bytes).ToArray();
    }
}
