using System.Numerics;
using System.Security.Cryptography;

namespace Entropy.Synedrion;

/// <summary>Big-integer helpers over <see cref="BigInteger"/>: fixed-width encodings, sampling, inverses, signed powers.</summary>
internal static class BigInts
{
    /// <summary>Writes a non-negative value as exactly <c>destination.Length</c> little-endian bytes.</summary>
    /// <param name="value">The value.</param>
    /// <param name="destination">The destination.</param>
    public static void WriteLittleEndian(BigInteger value, Span<byte> destination)
    {
        destination.Clear();
        if (value.Sign < 0 || value.GetByteCount(isUnsigned: true) > destination.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "The integer does not fit the fixed width.");
        }

        value.TryWriteBytes(destination, out _, isUnsigned: true, isBigEndian: false);
    }

    /// <summary>Writes a non-negative value as exactly <c>destination.Length</c> big-endian bytes.</summary>
    /// <param name="value">The value.</param>
    /// <param name="destination">The destination.</param>
    public static void WriteBigEndian(BigInteger value, Span<byte> destination)
    {
        destination.Clear();
        int count = value.IsZero ? 0 : value.GetByteCount(isUnsigned: true);
        if (value.Sign < 0 || count > destination.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "The integer does not fit the fixed width.");
        }

        if (count > 0)
        {
            value.TryWriteBytes(destination[(destination.Length - count)..], out _, isUnsigned: true, isBigEndian: true);
        }
    }

    /// <summary>Returns a non-negative value as exactly <paramref name="width"/> big-endian bytes.</summary>
    /// <param name="value">The value.</param>
    /// <param name="width">The width.</param>
    /// <returns>The bytes.</returns>
    public static byte[] ToBigEndian(BigInteger value, int width)
    {
        var bytes = new byte[width];
        WriteBigEndian(value, bytes);
        return bytes;
    }

    /// <summary>Reads an unsigned big-endian integer.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The value.</returns>
    public static BigInteger FromBigEndian(ReadOnlySpan<byte> bytes) => new(bytes, isUnsigned: true, isBigEndian: true);

    /// <summary>Returns the number of significant bits of a non-negative value (0 for 0).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The bit length.</returns>
    public static int BitLength(BigInteger value) => value.IsZero ? 0 : (int)BigInteger.Abs(value).GetBitLength();

    /// <summary>Returns a uniform integer in [0, <paramref name="bound"/>).</summary>
    /// <param name="bound">A positive bound.</param>
    /// <returns>The value.</returns>
    public static BigInteger RandomBelow(BigInteger bound)
    {
        if (bound.Sign <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bound));
        }

        int bits = BitLength(bound);
        int bytes = (bits + 7) / 8;
        var buffer = new byte[bytes];
        int excess = (bytes * 8) - bits;
        try
        {
            while (true)
            {
                RandomNumberGenerator.Fill(buffer);
                buffer[0] &= (byte)(0xFF >> excess);
                var candidate = FromBigEndian(buffer);
                if (candidate < bound)
                {
                    return candidate;
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    /// <summary>Returns a uniform integer in [−<paramref name="bound"/>, <paramref name="bound"/>].</summary>
    /// <param name="bound">A positive bound.</param>
    /// <returns>The value.</returns>
    public static BigInteger RandomSymmetric(BigInteger bound) => RandomBelow((bound << 1) + 1) - bound;

    /// <summary>Returns a uniform element of Z*_m (invertible modulo <paramref name="modulus"/>).</summary>
    /// <param name="modulus">The modulus.</param>
    /// <returns>The element.</returns>
    public static BigInteger RandomUnit(BigInteger modulus)
    {
        while (true)
        {
            var r = RandomBelow(modulus);
            if (!r.IsZero && BigInteger.GreatestCommonDivisor(r, modulus).IsOne)
            {
                return r;
            }
        }
    }

    /// <summary>Reduces into [0, m).</summary>
    /// <param name="value">Any integer.</param>
    /// <param name="modulus">A positive modulus.</param>
    /// <returns>The residue.</returns>
    public static BigInteger Mod(BigInteger value, BigInteger modulus)
    {
        var r = BigInteger.Remainder(value, modulus);
        return r.Sign < 0 ? r + modulus : r;
    }

    /// <summary>Returns the inverse modulo <paramref name="modulus"/>, or <see langword="null"/> when none exists.</summary>
    /// <param name="value">The value.</param>
    /// <param name="modulus">The modulus (&gt; 1).</param>
    /// <returns>The inverse in [0, m).</returns>
    public static BigInteger? TryInverse(BigInteger value, BigInteger modulus)
    {
        BigInteger a = Mod(value, modulus), b = modulus;
        BigInteger x0 = BigInteger.One, x1 = BigInteger.Zero;
        while (!b.IsZero)
        {
            var q = BigInteger.DivRem(a, b, out var r);
            (a, b) = (b, r);
            (x0, x1) = (x1, x0 - (q * x1));
        }

        return a.IsOne ? Mod(x0, modulus) : null;
    }

    /// <summary>Returns the inverse modulo <paramref name="modulus"/>.</summary>
    /// <param name="value">The value.</param>
    /// <param name="modulus">The modulus.</param>
    /// <returns>The inverse.</returns>
    public static BigInteger Inverse(BigInteger value, BigInteger modulus) =>
        TryInverse(value, modulus) ?? throw new ArithmeticException("The value is not invertible modulo the modulus.");

    /// <summary>Computes <c>base^exponent mod m</c> for a possibly negative exponent (the base must then be invertible).</summary>
    /// <param name="value">The base.</param>
    /// <param name="exponent">The exponent.</param>
    /// <param name="modulus">The modulus.</param>
    /// <returns>The power.</returns>
    public static BigInteger PowSigned(BigInteger value, BigInteger exponent, BigInteger modulus)
    {
        var b = Mod(value, modulus);
        if (exponent.Sign < 0)
        {
            b = TryInverse(b, modulus) ?? BigInteger.Zero;
            exponent = -exponent;
        }

        return ModExp.Pow(b, exponent, modulus);
    }

    /// <summary>
    /// <see cref="PowSigned"/> for a secret exponent: a fixed-window power over <paramref name="exponentBits"/> bits (a public bound).
    /// The sign of the exponent is not hidden (a negative one costs an inversion first).
    /// </summary>
    /// <param name="value">The base.</param>
    /// <param name="exponent">The exponent.</param>
    /// <param name="modulus">The modulus.</param>
    /// <param name="exponentBits">A public bound of |exponent|'s bits.</param>
    /// <returns>The power.</returns>
    public static BigInteger PowSignedSecret(BigInteger value, BigInteger exponent, BigInteger modulus, int exponentBits)
    {
        var b = Mod(value, modulus);
        if (exponent.Sign < 0)
        {
            b = TryInverse(b, modulus) ?? BigInteger.Zero;
            exponent = -exponent;
        }

        return ModExp.PowSecret(b, exponent, modulus, exponentBits);
    }

    /// <summary>Returns the Jacobi symbol (a/n) for odd positive n.</summary>
    /// <param name="a">The numerator.</param>
    /// <param name="n">An odd positive denominator.</param>
    /// <returns>−1, 0 or 1.</returns>
    public static int Jacobi(BigInteger a, BigInteger n)
    {
        a = Mod(a, n);
        int result = 1;
        while (!a.IsZero)
        {
            while (a.IsEven)
            {
                a >>= 1;
                int r = (int)(n & 7);
                if (r == 3 || r == 5)
                {
                    result = -result;
                }
            }

            (a, n) = (n, a);
            if ((a & 3) == 3 && (n & 3) == 3)
            {
                result = -result;
            }

            a = BigInteger.Remainder(a, n);
        }

        return n.IsOne ? result : 0;
    }
}
