using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Entropy.Crypto;

/// <summary>
/// An integer modulo the prime group order ℓ = 2^252 + 27742317777372353535851937790883648493, in radix 2^52
/// (five limbs), with Montgomery multiplication (R = 2^260), as in curve25519-dalek's scalar52 backend.
/// </summary>
/// <remarks>All arithmetic runs in constant time; only the wNAF recoding used by verification is variable-time.</remarks>
internal readonly struct Scalar
{
    private const ulong Mask52 = (1UL << 52) - 1;

    // ℓ in radix 2^52 (limb 3 is zero).
    private const ulong Ell0 = 0x2631a5cf5d3edUL, Ell1 = 0xdea2f79cd6581UL, Ell2 = 0x000000014def9UL, Ell4 = 0x0100000000000UL;

    // -ℓ^-1 mod 2^52.
    private const ulong EllFactor = 0x51da312547e1bUL;

    // R = 2^260 mod ℓ and R² mod ℓ.
    private static readonly Scalar s_r = new(0xf48bd6721e6edUL, 0x3bab5ac67e45aUL, 0xfffffeb35e51bUL, 0xfffffffffffffUL, 0x00fffffffffffUL);
    private static readonly Scalar s_rr = new(0x9d265e952d13bUL, 0xd63c715bea69fUL, 0x5be65cb687604UL, 0x3dceec73d217fUL, 0x009411b7c309aUL);
    private static readonly Scalar s_ell = new(Ell0, Ell1, Ell2, 0, Ell4);

    internal readonly ulong S0, S1, S2, S3, S4;

    internal Scalar(ulong s0, ulong s1, ulong s2, ulong s3, ulong s4)
    {
        S0 = s0;
        S1 = s1;
        S2 = s2;
        S3 = s3;
        S4 = s4;
    }

    public static Scalar Zero => default;

    /// <summary>Unpacks 32 little-endian bytes without reduction (the value may be up to 2^256 - 1).</summary>
    public static Scalar FromBytesUnreduced(ReadOnlySpan<byte> b)
    {
        ulong w0 = BinaryPrimitives.ReadUInt64LittleEndian(b);
        ulong w1 = BinaryPrimitives.ReadUInt64LittleEndian(b[8..]);
        ulong w2 = BinaryPrimitives.ReadUInt64LittleEndian(b[16..]);
        ulong w3 = BinaryPrimitives.ReadUInt64LittleEndian(b[24..]);
        return new Scalar(
            w0 & Mask52,
            ((w0 >> 52) | (w1 << 12)) & Mask52,
            ((w1 >> 40) | (w2 << 24)) & Mask52,
            ((w2 >> 28) | (w3 << 36)) & Mask52,
            w3 >> 16);
    }

    /// <summary>Reduces 32 little-endian bytes modulo ℓ.</summary>
    public static Scalar FromBytesModOrder(ReadOnlySpan<byte> b)
    {
        // x·R / R = x mod ℓ; valid because x < 2^256 keeps the Montgomery reduction input in range.
        return MontgomeryMul(FromBytesUnreduced(b), s_r);
    }

    /// <summary>Reduces a 64-byte little-endian integer modulo ℓ.</summary>
    public static Scalar FromBytesWide(ReadOnlySpan<byte> b)
    {
        Span<ulong> w = stackalloc ulong[8];
        for (int i = 0; i < 8; i++)
        {
            w[i] = BinaryPrimitives.ReadUInt64LittleEndian(b[(i * 8)..]);
        }

        var lo = new Scalar(
            w[0] & Mask52,
            ((w[0] >> 52) | (w[1] << 12)) & Mask52,
            ((w[1] >> 40) | (w[2] << 24)) & Mask52,
            ((w[2] >> 28) | (w[3] << 36)) & Mask52,
            ((w[3] >> 16) | (w[4] << 48)) & Mask52);
        var hi = new Scalar(
            (w[4] >> 4) & Mask52,
            ((w[4] >> 56) | (w[5] << 8)) & Mask52,
            ((w[5] >> 44) | (w[6] << 20)) & Mask52,
            ((w[6] >> 32) | (w[7] << 32)) & Mask52,
            w[7] >> 20);
        w.Clear();

        // lo + hi·2^260 = lo·R/R + hi·R²/R (mod ℓ).
        return Add(MontgomeryMul(lo, s_r), MontgomeryMul(hi, s_rr));
    }

    /// <summary>Returns true if the 32 bytes encode an integer below ℓ.</summary>
    public static bool IsCanonical(ReadOnlySpan<byte> b)
    {
        // Compare with a reduced copy (variable time is fine: used on public signature data only).
        Span<byte> reduced = stackalloc byte[32];
        FromBytesModOrder(b).ToBytes(reduced);
        return reduced.SequenceEqual(b);
    }

    /// <summary>Writes the 32-byte little-endian encoding (the value must be reduced).</summary>
    public void ToBytes(Span<byte> b)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(b, S0 | (S1 << 52));
        BinaryPrimitives.WriteUInt64LittleEndian(b[8..], (S1 >> 12) | (S2 << 40));
        BinaryPrimitives.WriteUInt64LittleEndian(b[16..], (S2 >> 24) | (S3 << 28));
        BinaryPrimitives.WriteUInt64LittleEndian(b[24..], (S3 >> 36) | (S4 << 16));
    }

    /// <summary>(a + b) mod ℓ for reduced a, b.</summary>
    public static Scalar Add(in Scalar a, in Scalar b)
    {
        ulong c = a.S0 + b.S0;
        ulong r0 = c & Mask52;
        c = (c >> 52) + a.S1 + b.S1;
        ulong r1 = c & Mask52;
        c = (c >> 52) + a.S2 + b.S2;
        ulong r2 = c & Mask52;
        c = (c >> 52) + a.S3 + b.S3;
        ulong r3 = c & Mask52;
        c = (c >> 52) + a.S4 + b.S4;
        ulong r4 = c & Mask52;
        return Sub(new Scalar(r0, r1, r2, r3, r4), s_ell);
    }

    /// <summary>(a - b) mod ℓ for a, b below 2^260 with a - b in (-ℓ, ℓ).</summary>
    public static Scalar Sub(in Scalar a, in Scalar b)
    {
        ulong borrow = a.S0 - b.S0;
        ulong d0 = borrow & Mask52;
        borrow = a.S1 - (b.S1 + (borrow >> 63));
        ulong d1 = borrow & Mask52;
        borrow = a.S2 - (b.S2 + (borrow >> 63));
        ulong d2 = borrow & Mask52;
        borrow = a.S3 - (b.S3 + (borrow >> 63));
        ulong d3 = borrow & Mask52;
        borrow = a.S4 - (b.S4 + (borrow >> 63));
        ulong d4 = borrow & Mask52;

        // Add ℓ back when the subtraction underflowed.
        ulong m = 0 - (borrow >> 63);
        ulong c = d0 + (Ell0 & m);
        d0 = c & Mask52;
        c = (c >> 52) + d1 + (Ell1 & m);
        d1 = c & Mask52;
        c = (c >> 52) + d2 + (Ell2 & m);
        d2 = c & Mask52;
        c = (c >> 52) + d3;
        d3 = c & Mask52;
        c = (c >> 52) + d4 + (Ell4 & m);
        d4 = c & Mask52;
        return new Scalar(d0, d1, d2, d3, d4);
    }

    /// <summary>(a · b) mod ℓ.</summary>
    public static Scalar Mul(in Scalar a, in Scalar b) => MontgomeryMul(MontgomeryMul(a, b), s_rr);

    /// <summary>(a · b + c) mod ℓ.</summary>
    public static Scalar MulAdd(in Scalar a, in Scalar b, in Scalar c) => Add(Mul(a, b), c);

    /// <summary>a · b / R mod ℓ (limbs of a and b below 2^52).</summary>
    /// <remarks>
    /// Every 104-bit product x·y is split at bit 52 without 128-bit arithmetic: with x' = x·2^12, hi(x'·y) = x·y &gt;&gt; 52
    /// and lo(x'·y) &gt;&gt; 12 = x·y mod 2^52. A column sum is kept as h·2^52 + l with both parts well below 2^60, so the
    /// Montgomery steps (dalek's <c>montgomery_reduce</c>) need only 64-bit additions.
    /// </remarks>
    private static Scalar MontgomeryMul(in Scalar a, in Scalar b)
    {
        ulong a0 = a.S0 << 12, a1 = a.S1 << 12, a2 = a.S2 << 12, a3 = a.S3 << 12, a4 = a.S4 << 12;
        ulong b0 = b.S0, b1 = b.S1, b2 = b.S2, b3 = b.S3, b4 = b.S4;

        // Column 0: n0 makes z0 + n0·ℓ0 divisible by 2^52.
        ulong h = Hi(a0, b0);
        ulong l = Lo(a0, b0);
        ulong n0 = (l * EllFactor) & Mask52, n0s = n0 << 12;
        ulong carry = h + Hi(n0s, Ell0) + ((l + Lo(n0s, Ell0)) >> 52);

        h = Hi(a0, b1) + Hi(a1, b0) + Hi(n0s, Ell1);
        l = carry + Lo(a0, b1) + Lo(a1, b0) + Lo(n0s, Ell1);
        ulong n1 = (l * EllFactor) & Mask52, n1s = n1 << 12;
        carry = h + Hi(n1s, Ell0) + ((l + Lo(n1s, Ell0)) >> 52);

        h = Hi(a0, b2) + Hi(a1, b1) + Hi(a2, b0) + Hi(n0s, Ell2) + Hi(n1s, Ell1);
        l = carry + Lo(a0, b2) + Lo(a1, b1) + Lo(a2, b0) + Lo(n0s, Ell2) + Lo(n1s, Ell1);
        ulong n2 = (l * EllFactor) & Mask52, n2s = n2 << 12;
        carry = h + Hi(n2s, Ell0) + ((l + Lo(n2s, Ell0)) >> 52);

        h = Hi(a0, b3) + Hi(a1, b2) + Hi(a2, b1) + Hi(a3, b0) + Hi(n1s, Ell2) + Hi(n2s, Ell1);
        l = carry + Lo(a0, b3) + Lo(a1, b2) + Lo(a2, b1) + Lo(a3, b0) + Lo(n1s, Ell2) + Lo(n2s, Ell1);
        ulong n3 = (l * EllFactor) & Mask52, n3s = n3 << 12;
        carry = h + Hi(n3s, Ell0) + ((l + Lo(n3s, Ell0)) >> 52);

        h = Hi(a0, b4) + Hi(a1, b3) + Hi(a2, b2) + Hi(a3, b1) + Hi(a4, b0) + Hi(n0s, Ell4) + Hi(n2s, Ell2) + Hi(n3s, Ell1);
        l = carry + Lo(a0, b4) + Lo(a1, b3) + Lo(a2, b2) + Lo(a3, b1) + Lo(a4, b0) + Lo(n0s, Ell4) + Lo(n2s, Ell2) + Lo(n3s, Ell1);
        ulong n4 = (l * EllFactor) & Mask52, n4s = n4 << 12;
        carry = h + Hi(n4s, Ell0) + ((l + Lo(n4s, Ell0)) >> 52);

        // Columns 5–8 hold (z + n·ℓ) / 2^260.
        h = Hi(a1, b4) + Hi(a2, b3) + Hi(a3, b2) + Hi(a4, b1) + Hi(n1s, Ell4) + Hi(n3s, Ell2) + Hi(n4s, Ell1);
        l = carry + Lo(a1, b4) + Lo(a2, b3) + Lo(a3, b2) + Lo(a4, b1) + Lo(n1s, Ell4) + Lo(n3s, Ell2) + Lo(n4s, Ell1);
        ulong r0 = l & Mask52;
        carry = h + (l >> 52);

        h = Hi(a2, b4) + Hi(a3, b3) + Hi(a4, b2) + Hi(n2s, Ell4) + Hi(n4s, Ell2);
        l = carry + Lo(a2, b4) + Lo(a3, b3) + Lo(a4, b2) + Lo(n2s, Ell4) + Lo(n4s, Ell2);
        ulong r1 = l & Mask52;
        carry = h + (l >> 52);

        h = Hi(a3, b4) + Hi(a4, b3) + Hi(n3s, Ell4);
        l = carry + Lo(a3, b4) + Lo(a4, b3) + Lo(n3s, Ell4);
        ulong r2 = l & Mask52;
        carry = h + (l >> 52);

        h = Hi(a4, b4) + Hi(n4s, Ell4);
        l = carry + Lo(a4, b4) + Lo(n4s, Ell4);
        ulong r3 = l & Mask52;
        ulong r4 = h + (l >> 52);

        // The result is below 2ℓ; one conditional subtraction reduces it.
        return Sub(new Scalar(r0, r1, r2, r3, r4), s_ell);
    }

    /// <summary>(x·y) &gt;&gt; 52 for x = x₀·2^12 with x₀, y below 2^52.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hi(ulong xShifted, ulong y)
    {
        if (Bmi2.X64.IsSupported)
        {
            return Bmi2.X64.MultiplyNoFlags(xShifted, y);
        }

        if (ArmBase.Arm64.IsSupported)
        {
            return ArmBase.Arm64.MultiplyHigh(xShifted, y);
        }

        return Math.BigMul(xShifted, y, out _);
    }

    /// <summary>(x₀·y) mod 2^52 for x = x₀·2^12.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Lo(ulong xShifted, ulong y) => (xShifted * y) >> 12;

    /// <summary>Recodes the reduced scalar into 64 signed radix-16 digits in [-8, 8).</summary>
    public void ToRadix16(Span<sbyte> e)
    {
        Span<byte> b = stackalloc byte[32];
        ToBytes(b);
        for (int i = 0; i < 32; i++)
        {
            e[2 * i] = (sbyte)(b[i] & 15);
            e[(2 * i) + 1] = (sbyte)((b[i] >> 4) & 15);
        }

        b.Clear();
        int carry = 0;
        for (int i = 0; i < 63; i++)
        {
            int v = e[i] + carry;
            carry = (v + 8) >> 4;
            e[i] = (sbyte)(v - (carry << 4));
        }

        e[63] = (sbyte)(e[63] + carry);
    }

    /// <summary>Recodes the reduced scalar into a width-w non-adjacent form (odd digits |d| &lt; 2^(w-1)); variable time.</summary>
    public void ToNaf(Span<sbyte> naf, int width)
    {
        Span<byte> b = stackalloc byte[32];
        ToBytes(b);
        Span<ulong> x = stackalloc ulong[5];
        for (int i = 0; i < 4; i++)
        {
            x[i] = BinaryPrimitives.ReadUInt64LittleEndian(b[(i * 8)..]);
        }

        x[4] = 0;
        naf[..256].Clear();
        ulong windowSize = 1UL << width;
        ulong windowMask = windowSize - 1;
        int pos = 0;
        ulong carry = 0;
        while (pos < 256)
        {
            int idx = pos / 64;
            int bit = pos % 64;
            ulong bits = bit < 64 - width
                ? x[idx] >> bit
                : (x[idx] >> bit) | (x[idx + 1] << (64 - bit));
            ulong window = carry + (bits & windowMask);
            if ((window & 1) == 0)
            {
                pos++;
                continue;
            }

            if (window < windowSize / 2)
            {
                carry = 0;
                naf[pos] = (sbyte)window;
            }
            else
            {
                carry = 1;
                naf[pos] = (sbyte)((long)window - (long)windowSize);
            }

            pos += width;
        }
    }
}
