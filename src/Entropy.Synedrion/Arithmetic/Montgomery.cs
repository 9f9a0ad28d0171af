using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Entropy.Synedrion;

/// <summary>
/// Montgomery arithmetic modulo one odd modulus m &gt; 1 on 64-bit limbs (R = 2^(64k)): a product and a squaring (separated
/// operand scanning: the double-width product, then the reduction), both without data-dependent branches — the final
/// conditional subtraction is a masked select — so a multiplication's time depends only on the modulus' size.
/// Exponentiation is in <see cref="ModExp"/>. Values in Montgomery form are spans of k limbs, little-endian, below m.
/// </summary>
internal sealed class Montgomery
{
    private readonly ulong[] modulus;
    private readonly ulong negativeInverse;
    private readonly ulong[] rSquared;
    private readonly ulong[] one;

    /// <summary>Creates the context for an odd modulus.</summary>
    /// <param name="modulus">An odd modulus &gt; 1.</param>
    public Montgomery(BigInteger modulus)
    {
        if (modulus.Sign <= 0 || modulus.IsEven || modulus.IsOne)
        {
            throw new ArgumentOutOfRangeException(nameof(modulus), "Montgomery arithmetic needs an odd modulus greater than 1.");
        }

        this.Modulus = modulus;
        this.Limbs = (int)((modulus.GetBitLength() + 63) / 64);
        this.modulus = ToLimbs(modulus, this.Limbs);
        this.negativeInverse = NegativeInverse(this.modulus[0]);
        this.one = ToLimbs((BigInteger.One << (64 * this.Limbs)) % modulus, this.Limbs);
        this.rSquared = ToLimbs((BigInteger.One << (128 * this.Limbs)) % modulus, this.Limbs);
    }

    /// <summary>Gets m.</summary>
    public BigInteger Modulus { get; }

    /// <summary>Gets k, the number of 64-bit limbs of m.</summary>
    public int Limbs { get; }

    /// <summary>Gets the length of the scratch space <see cref="Multiply"/> and <see cref="Square"/> need (2k + 1 limbs).</summary>
    public int ScratchLength => (2 * this.Limbs) + 1;

    /// <summary>Gets 1 in Montgomery form (R mod m).</summary>
    public ReadOnlySpan<ulong> One => this.one;

    /// <summary>Writes <paramref name="value"/> mod m in Montgomery form.</summary>
    /// <param name="value">Any non-negative integer.</param>
    /// <param name="destination">k limbs.</param>
    /// <param name="scratch">Scratch space of <see cref="ScratchLength"/> limbs.</param>
    public void ToMontgomery(BigInteger value, Span<ulong> destination, Span<ulong> scratch)
    {
        var reduced = value.Sign >= 0 && value < this.Modulus ? value : BigInts.Mod(value, this.Modulus);
        WriteLimbs(reduced, destination[..this.Limbs]);
        this.Multiply(destination, this.rSquared, destination, scratch);
    }

    /// <summary>Returns the integer of a value in Montgomery form.</summary>
    /// <param name="value">k limbs in Montgomery form.</param>
    /// <param name="scratch">Scratch space of <see cref="ScratchLength"/> limbs.</param>
    /// <returns>The integer in [0, m).</returns>
    public BigInteger FromMontgomery(ReadOnlySpan<ulong> value, Span<ulong> scratch)
    {
        Span<ulong> unit = this.Limbs <= 128 ? stackalloc ulong[this.Limbs] : new ulong[this.Limbs];
        unit.Clear();
        unit[0] = 1;
        Span<ulong> result = this.Limbs <= 128 ? stackalloc ulong[this.Limbs] : new ulong[this.Limbs];
        this.Multiply(value, unit, result, scratch);
        var integer = new BigInteger(MemoryMarshal.AsBytes(result), isUnsigned: true, isBigEndian: false);
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(result));
        return integer;
    }

    /// <summary>result ← a·b·R⁻¹ mod m (a, b &lt; m; result may be a or b).</summary>
    /// <param name="a">k limbs.</param>
    /// <param name="b">k limbs.</param>
    /// <param name="result">k limbs.</param>
    /// <param name="scratch">Scratch space of <see cref="ScratchLength"/> limbs.</param>
    public void Multiply(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> result, Span<ulong> scratch)
    {
        int k = this.Limbs;
        if (a.Length < k || b.Length < k || result.Length < k || scratch.Length < (2 * k) + 1)
        {
            throw new ArgumentException("The operands are shorter than the modulus.");
        }

        ref ulong t = ref MemoryMarshal.GetReference(scratch);
        ref ulong ar = ref MemoryMarshal.GetReference(a);
        ref ulong br = ref MemoryMarshal.GetReference(b);
        scratch[..((2 * k) + 1)].Clear();
        for (int i = 0; i < k; i++)
        {
            ulong ai = Unsafe.Add(ref ar, i);
            ref ulong row = ref Unsafe.Add(ref t, i);
            ulong carry = 0;
            for (int j = 0; j < k; j++)
            {
                ulong hi = Math.BigMul(ai, Unsafe.Add(ref br, j), out ulong lo);
                lo += carry;
                hi += lo < carry ? 1UL : 0UL;
                ref ulong cell = ref Unsafe.Add(ref row, j);
                ulong sum = cell + lo;
                hi += sum < lo ? 1UL : 0UL;
                cell = sum;
                carry = hi;
            }

            Unsafe.Add(ref row, k) = carry;
        }

        this.Reduce(scratch, result);
    }

    /// <summary>result ← a²·R⁻¹ mod m (a &lt; m; result may be a).</summary>
    /// <param name="a">k limbs.</param>
    /// <param name="result">k limbs.</param>
    /// <param name="scratch">Scratch space of <see cref="ScratchLength"/> limbs.</param>
    public void Square(ReadOnlySpan<ulong> a, Span<ulong> result, Span<ulong> scratch)
    {
        int k = this.Limbs;
        if (a.Length < k || result.Length < k || scratch.Length < (2 * k) + 1)
        {
            throw new ArgumentException("The operands are shorter than the modulus.");
        }

        ref ulong t = ref MemoryMarshal.GetReference(scratch);
        ref ulong ar = ref MemoryMarshal.GetReference(a);
        scratch[..((2 * k) + 1)].Clear();

        // The products a_i·a_j for i < j, once each.
        for (int i = 0; i < k - 1; i++)
        {
            ulong ai = Unsafe.Add(ref ar, i);
            ref ulong row = ref Unsafe.Add(ref t, i);
            ulong carry = 0;
            for (int j = i + 1; j < k; j++)
            {
                ulong hi = Math.BigMul(ai, Unsafe.Add(ref ar, j), out ulong lo);
                lo += carry;
                hi += lo < carry ? 1UL : 0UL;
                ref ulong cell = ref Unsafe.Add(ref row, j);
                ulong sum = cell + lo;
                hi += sum < lo ? 1UL : 0UL;
                cell = sum;
                carry = hi;
            }

            Unsafe.Add(ref row, k) = carry;
        }

        // Doubled, plus the squares a_i² on the diagonal.
        ulong shifted = 0;
        ulong add = 0;
        for (int i = 0; i < k; i++)
        {
            ulong hi = Math.BigMul(Unsafe.Add(ref ar, i), Unsafe.Add(ref ar, i), out ulong lo);
            ref ulong low = ref Unsafe.Add(ref t, 2 * i);
            ref ulong high = ref Unsafe.Add(ref t, (2 * i) + 1);
            ulong l2 = (low << 1) | shifted;
            ulong h2 = (high << 1) | (low >> 63);
            shifted = high >> 63;

            ulong s0 = l2 + lo;
            ulong c0 = s0 < lo ? 1UL : 0UL;
            s0 += add;
            c0 += s0 < add ? 1UL : 0UL;
            ulong s1 = h2 + hi;
            ulong c1 = s1 < hi ? 1UL : 0UL;
            s1 += c0;
            c1 += s1 < c0 ? 1UL : 0UL;
            low = s0;
            high = s1;
            add = c1;
        }

        this.Reduce(scratch, result);
    }

    /// <summary>x ← 2x mod m (x &lt; m), without a data-dependent branch.</summary>
    /// <param name="x">k limbs.</param>
    /// <param name="scratch">Scratch space of <see cref="ScratchLength"/> limbs.</param>
    public void Double(Span<ulong> x, Span<ulong> scratch)
    {
        int k = this.Limbs;
        ulong carry = 0;
        for (int i = 0; i < k; i++)
        {
            ulong v = x[i];
            scratch[i] = (v << 1) | carry;
            carry = v >> 63;
        }

        ulong borrow = 0;
        for (int i = 0; i < k; i++)
        {
            ulong a = scratch[i], b = this.modulus[i];
            ulong d = a - b;
            ulong b1 = a < b ? 1UL : 0UL;
            ulong d2 = d - borrow;
            b1 += d < borrow ? 1UL : 0UL;
            x[i] = d2;
            borrow = b1;
        }

        // Keep the doubled value unless it was ≥ m (a carry out, or no borrow).
        ulong keep = 0UL - (borrow & (carry ^ 1UL));
        for (int i = 0; i < k; i++)
        {
            x[i] = (x[i] & ~keep) | (scratch[i] & keep);
        }
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/> when <paramref name="choose"/> is 1, without a branch.</summary>
    /// <param name="destination">k limbs.</param>
    /// <param name="source">k limbs.</param>
    /// <param name="choose">0 or 1.</param>
    public static void ConditionalCopy(Span<ulong> destination, ReadOnlySpan<ulong> source, ulong choose)
    {
        ulong mask = 0UL - choose;
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (destination[i] & ~mask) | (source[i] & mask);
        }
    }

    /// <summary>Writes a non-negative value below 2^(64·destination.Length) as little-endian limbs.</summary>
    /// <param name="value">The value.</param>
    /// <param name="destination">The limbs.</param>
    public static void WriteLimbs(BigInteger value, Span<ulong> destination)
    {
        destination.Clear();
        if (!value.TryWriteBytes(MemoryMarshal.AsBytes(destination), out _, isUnsigned: true, isBigEndian: false))
        {
            throw new ArgumentOutOfRangeException(nameof(value), "The value does not fit the limbs.");
        }

        if (!BitConverter.IsLittleEndian)
        {
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(destination[i]);
            }
        }
    }

    /// <summary>Montgomery reduction of the 2k-limb value in t (t[2k] is spare), written to result as k limbs below m.</summary>
    private void Reduce(Span<ulong> scratch, Span<ulong> result)
    {
        int k = this.Limbs;
        ref ulong t = ref MemoryMarshal.GetReference(scratch);
        ref ulong m = ref MemoryMarshal.GetArrayDataReference(this.modulus);
        ulong extra = 0;
        for (int i = 0; i < k; i++)
        {
            ref ulong row = ref Unsafe.Add(ref t, i);
            ulong u = row * this.negativeInverse;
            ulong carry = 0;
            for (int j = 0; j < k; j++)
            {
                ulong hi = Math.BigMul(u, Unsafe.Add(ref m, j), out ulong lo);
                lo += carry;
                hi += lo < carry ? 1UL : 0UL;
                ref ulong cell = ref Unsafe.Add(ref row, j);
                ulong sum = cell + lo;
                hi += sum < lo ? 1UL : 0UL;
                cell = sum;
                carry = hi;
            }

            ref ulong top = ref Unsafe.Add(ref row, k);
            ulong s = top + carry;
            ulong c = s < carry ? 1UL : 0UL;
            ulong s2 = s + extra;
            c += s2 < extra ? 1UL : 0UL;
            top = s2;
            extra = c;
        }

        // The value is extra·R + t[k..2k) < 2m: subtract m unless that borrows past `extra`, selecting with a mask.
        ref ulong high = ref Unsafe.Add(ref t, k);
        ulong borrow = 0;
        for (int j = 0; j < k; j++)
        {
            ulong x = Unsafe.Add(ref high, j);
            ulong y = Unsafe.Add(ref m, j);
            ulong d = x - y;
            ulong b1 = x < y ? 1UL : 0UL;
            ulong d2 = d - borrow;
            b1 += d < borrow ? 1UL : 0UL;
            result[j] = d2;
            borrow = b1;
        }

        ulong keep = 0UL - (borrow & (extra ^ 1UL));
        for (int j = 0; j < k; j++)
        {
            result[j] = (result[j] & ~keep) | (Unsafe.Add(ref high, j) & keep);
        }
    }

    private static ulong NegativeInverse(ulong m0)
    {
        ulong inverse = 1;
        for (int i = 0; i < 6; i++)
        {
            inverse *= 2 - (m0 * inverse); // Newton's step doubles the correct low bits: 1 → 64 after six
        }

        return 0UL - inverse;
    }

    private static ulong[] ToLimbs(BigInteger value, int k)
    {
        var limbs = new ulong[k];
        WriteLimbs(value, limbs);
        return limbs;
    }
}
