using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Entropy.Synedrion;

/// <summary>
/// Modular exponentiation on <see cref="Montgomery"/> arithmetic, several times faster than
/// <see cref="BigInteger.ModPow(BigInteger, BigInteger, BigInteger)"/> at 1024–4096 bits (64-bit limbs, a dedicated squaring,
/// windows). Results equal <see cref="BigInteger.ModPow(BigInteger, BigInteger, BigInteger)"/> for a non-negative base and
/// exponent and a positive modulus; an even modulus (Montgomery needs an odd one) or a negative base goes to
/// <see cref="BigInteger.ModPow(BigInteger, BigInteger, BigInteger)"/>.
/// <para>Timing: <c>Pow</c> (public exponents: verifiers, Miller–Rabin) uses a sliding window whose sequence of
/// operations follows the exponent's bits. <c>PowSecret</c> (exponents derived from secrets: p, q, φ, λ, the provers'
/// randomness) uses a fixed 4-bit window over a public number of bits, one multiplication per window whatever its digit, and reads
/// the table entry by scanning all 16 with masks: the sequence of limb operations and memory accesses does not depend on the
/// exponent's value. Not constant time: the conversions to and from <see cref="BigInteger"/> (their cost follows the values' byte
/// lengths), and everything the callers do with <see cref="BigInteger"/> around it.</para>
/// </summary>
internal static class ModExp
{
    private const int SecretWindow = 4;

    /// <summary>Computes <c>value^exponent mod modulus</c> for a public exponent (sliding window).</summary>
    /// <param name="value">The base.</param>
    /// <param name="exponent">A non-negative exponent.</param>
    /// <param name="modulus">A positive modulus.</param>
    /// <returns>The power in [0, modulus).</returns>
    public static BigInteger Pow(BigInteger value, BigInteger exponent, BigInteger modulus)
    {
        if (!UseMontgomery(value, exponent, modulus))
        {
            return BigInteger.ModPow(value, exponent, modulus);
        }

        return new Montgomery(modulus).Pow(value, exponent);
    }

    /// <summary>Computes <c>value^exponent mod modulus</c> for a secret exponent (fixed window, masked table reads).</summary>
    /// <param name="value">The base.</param>
    /// <param name="exponent">A non-negative exponent.</param>
    /// <param name="modulus">A positive modulus.</param>
    /// <param name="exponentBits">A public upper bound of the exponent's size in bits (for example the bits of the group order);
    /// a larger exponent is processed over its own length.</param>
    /// <returns>The power in [0, modulus).</returns>
    public static BigInteger PowSecret(BigInteger value, BigInteger exponent, BigInteger modulus, int exponentBits)
    {
        if (!UseMontgomery(value, exponent, modulus))
        {
            return BigInteger.ModPow(value, exponent, modulus);
        }

        return new Montgomery(modulus).PowSecret(value, exponent, exponentBits);
    }

    /// <summary>Computes <c>value^exponent</c> with a sliding window (public exponent).</summary>
    /// <param name="context">The modulus.</param>
    /// <param name="value">A non-negative base.</param>
    /// <param name="exponent">A non-negative exponent.</param>
    /// <returns>The power.</returns>
    public static BigInteger Pow(this Montgomery context, BigInteger value, BigInteger exponent)
    {
        if (exponent.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(exponent), "The exponent must not be negative.");
        }

        if (exponent.IsZero)
        {
            return BigInteger.One;
        }

        int k = context.Limbs;
        int bits = (int)exponent.GetBitLength();
        int window = bits > 671 ? 6 : bits > 239 ? 5 : bits > 79 ? 4 : bits > 23 ? 3 : bits > 6 ? 2 : 1;
        int entries = 1 << (window - 1);
        var e = exponent.ToByteArray(isUnsigned: true, isBigEndian: false);
        var table = new ulong[entries * k];
        var acc = new ulong[k];
        var square = new ulong[k];
        var scratch = new ulong[context.ScratchLength];
        try
        {
            // Odd powers g, g³, …, g^(2^w − 1).
            context.ToMontgomery(value, table.AsSpan(0, k), scratch);
            context.Square(table.AsSpan(0, k), square, scratch);
            for (int i = 1; i < entries; i++)
            {
                context.Multiply(table.AsSpan((i - 1) * k, k), square, table.AsSpan(i * k, k), scratch);
            }

            bool started = false;
            int bit = bits - 1;
            while (bit >= 0)
            {
                if (!Bit(e, bit))
                {
                    context.Square(acc, acc, scratch);
                    bit--;
                    continue;
                }

                int low = Math.Max(bit - window + 1, 0);
                while (!Bit(e, low))
                {
                    low++;
                }

                int digit = 0;
                for (int b = bit; b >= low; b--)
                {
                    digit = (digit << 1) | (Bit(e, b) ? 1 : 0);
                }

                var entry = table.AsSpan((digit >> 1) * k, k);
                if (started)
                {
                    for (int b = bit; b >= low; b--)
                    {
                        context.Square(acc, acc, scratch);
                    }

                    context.Multiply(acc, entry, acc, scratch);
                }
                else
                {
                    entry.CopyTo(acc);
                    started = true;
                }

                bit = low - 1;
            }

            return context.FromMontgomery(acc, scratch);
        }
        finally
        {
            Wipe(table, acc, square, scratch);
            CryptographicOperations.ZeroMemory(e);
        }
    }

    /// <summary>Computes <c>value^exponent</c> with a fixed window and masked table reads (secret exponent).</summary>
    /// <param name="context">The modulus.</param>
    /// <param name="value">A non-negative base.</param>
    /// <param name="exponent">A non-negative exponent.</param>
    /// <param name="exponentBits">A public upper bound of the exponent's bits.</param>
    /// <returns>The power.</returns>
    public static BigInteger PowSecret(this Montgomery context, BigInteger value, BigInteger exponent, int exponentBits)
    {
        if (exponent.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(exponent), "The exponent must not be negative.");
        }

        int k = context.Limbs;
        int bits = Math.Max(Math.Max(exponentBits, 1), (int)exponent.GetBitLength());
        int windows = (bits + SecretWindow - 1) / SecretWindow;
        var e = new byte[((windows * SecretWindow) + 7) / 8];
        exponent.TryWriteBytes(e, out _, isUnsigned: true, isBigEndian: false);
        const int entries = 1 << SecretWindow;
        var table = new ulong[entries * k];
        var acc = new ulong[k];
        var selected = new ulong[k];
        var scratch = new ulong[context.ScratchLength];
        try
        {
            context.One.CopyTo(table.AsSpan(0, k));
            context.ToMontgomery(value, table.AsSpan(k, k), scratch);
            for (int i = 2; i < entries; i++)
            {
                context.Multiply(table.AsSpan((i - 1) * k, k), table.AsSpan(k, k), table.AsSpan(i * k, k), scratch);
            }

            context.One.CopyTo(acc);
            for (int w = windows - 1; w >= 0; w--)
            {
                for (int s = 0; s < SecretWindow; s++)
                {
                    context.Square(acc, acc, scratch);
                }

                int position = w * SecretWindow;
                int digit = (e[position >> 3] >> (position & 7)) & (entries - 1);
                Select(table, digit, selected, k);
                context.Multiply(acc, selected, acc, scratch);
            }

            return context.FromMontgomery(acc, scratch);
        }
        finally
        {
            Wipe(table, acc, selected, scratch);
            CryptographicOperations.ZeroMemory(e);
        }
    }

    /// <summary>Wipes limb buffers that held secret-dependent values.</summary>
    /// <param name="buffers">The buffers.</param>
    internal static void Wipe(params ulong[][] buffers)
    {
        foreach (var buffer in buffers)
        {
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(buffer.AsSpan()));
        }
    }

    private static bool UseMontgomery(BigInteger value, BigInteger exponent, BigInteger modulus) =>
        modulus.Sign > 0 && !modulus.IsEven && !modulus.IsOne && value.Sign >= 0 && exponent.Sign >= 0 && BitConverter.IsLittleEndian;

    private static bool Bit(byte[] e, int bit) => (e[bit >> 3] & (1 << (bit & 7))) != 0;

    /// <summary>selected ← table[digit], reading every entry (a mask keeps only the wanted one).</summary>
    private static void Select(ulong[] table, int digit, ulong[] selected, int k)
    {
        Array.Clear(selected);
        for (int i = 0; i < table.Length / k; i++)
        {
            // mask = all ones when i == digit, computed without a comparison branch.
            ulong difference = (ulong)(uint)(i ^ digit);
            ulong mask = ((difference | (0UL - difference)) >> 63) - 1UL;
            var entry = table.AsSpan(i * k, k);
            for (int j = 0; j < k; j++)
            {
                selected[j] |= entry[j] & mask;
            }
        }
    }
}
