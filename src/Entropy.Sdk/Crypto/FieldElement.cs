using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Entropy.Crypto;

/// <summary>An element of GF(2^255 - 19) in radix 2^51 (five 64-bit limbs), as in curve25519-dalek's u64 backend.</summary>
/// <remarks>
/// Limbs of values returned by <see cref="Mul"/>, <see cref="Square"/> and <see cref="Sub"/> stay below 2^52;
/// <see cref="Add"/> does not carry, so the sum of two such values stays below 2^53, and multiplication accepts
/// limbs below 2^54. All operations except IsZero-style comparisons on public data run in constant time.
/// </remarks>
internal readonly struct FieldElement
{
    private const ulong Mask51 = (1UL << 51) - 1;

    internal readonly ulong L0, L1, L2, L3, L4;

    internal FieldElement(ulong l0, ulong l1, ulong l2, ulong l3, ulong l4)
    {
        L0 = l0;
        L1 = l1;
        L2 = l2;
        L3 = l3;
        L4 = l4;
    }

    public static FieldElement Zero => default;

    public static FieldElement One => new(1, 0, 0, 0, 0);

    /// <summary>Edwards d = -121665/121666.</summary>
    public static readonly FieldElement D = new(0x34dca135978a3UL, 0x1a8283b156ebdUL, 0x5e7a26001c029UL, 0x739c663a03cbbUL, 0x52036cee2b6ffUL);

    /// <summary>2·d.</summary>
    public static readonly FieldElement D2 = new(0x69b9426b2f159UL, 0x35050762add7aUL, 0x3cf44c0038052UL, 0x6738cc7407977UL, 0x2406d9dc56dffUL);

    /// <summary>sqrt(-1) (RFC 9496 §4.1 SQRT_M1).</summary>
    public static readonly FieldElement SqrtM1 = new(0x61b274a0ea0b0UL, 0x0d5a5fc8f189dUL, 0x7ef5e9cbd0c60UL, 0x78595a6804c9eUL, 0x2b8324804fc1dUL);

    /// <summary>1/sqrt(a - d) with a = -1 (RFC 9496 §4.1 INVSQRT_A_MINUS_D).</summary>
    public static readonly FieldElement InvSqrtAMinusD = new(0x0fdaa805d40eaUL, 0x2eb482e57d339UL, 0x007610274bc58UL, 0x6510b613dc8ffUL, 0x786c8905cfaffUL);

    /// <summary>Decodes 32 little-endian bytes, ignoring bit 255 (the value may be non-canonical, i.e. ≥ p).</summary>
    public static FieldElement FromBytes(ReadOnlySpan<byte> s)
    {
        ulong w0 = BinaryPrimitives.ReadUInt64LittleEndian(s);
        ulong w1 = BinaryPrimitives.ReadUInt64LittleEndian(s[8..]);
        ulong w2 = BinaryPrimitives.ReadUInt64LittleEndian(s[16..]);
        ulong w3 = BinaryPrimitives.ReadUInt64LittleEndian(s[24..]);
        return new FieldElement(
            w0 & Mask51,
            ((w0 >> 51) | (w1 << 13)) & Mask51,
            ((w1 >> 38) | (w2 << 26)) & Mask51,
            ((w2 >> 25) | (w3 << 39)) & Mask51,
            (w3 >> 12) & Mask51);
    }

    /// <summary>Writes the canonical (fully reduced) 32-byte little-endian encoding.</summary>
    public void ToBytes(Span<byte> s)
    {
        var r = Reduce(L0, L1, L2, L3, L4);
        ulong l0 = r.L0, l1 = r.L1, l2 = r.L2, l3 = r.L3, l4 = r.L4;

        // q = 1 iff the value is ≥ p: adding 19 then carries out of bit 255.
        ulong q = (l0 + 19) >> 51;
        q = (l1 + q) >> 51;
        q = (l2 + q) >> 51;
        q = (l3 + q) >> 51;
        q = (l4 + q) >> 51;

        l0 += 19 * q;
        l1 += l0 >> 51;
        l0 &= Mask51;
        l2 += l1 >> 51;
        l1 &= Mask51;
        l3 += l2 >> 51;
        l2 &= Mask51;
        l4 += l3 >> 51;
        l3 &= Mask51;
        l4 &= Mask51;

        BinaryPrimitives.WriteUInt64LittleEndian(s, l0 | (l1 << 51));
        BinaryPrimitives.WriteUInt64LittleEndian(s[8..], (l1 >> 13) | (l2 << 38));
        BinaryPrimitives.WriteUInt64LittleEndian(s[16..], (l2 >> 26) | (l3 << 25));
        BinaryPrimitives.WriteUInt64LittleEndian(s[24..], (l3 >> 39) | (l4 << 12));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static FieldElement Reduce(ulong l0, ulong l1, ulong l2, ulong l3, ulong l4)
    {
        ulong c0 = l0 >> 51, c1 = l1 >> 51, c2 = l2 >> 51, c3 = l3 >> 51, c4 = l4 >> 51;
        return new FieldElement(
            (l0 & Mask51) + (c4 * 19),
            (l1 & Mask51) + c0,
            (l2 & Mask51) + c1,
            (l3 & Mask51) + c2,
            (l4 & Mask51) + c3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FieldElement Add(in FieldElement a, in FieldElement b) =>
        new(a.L0 + b.L0, a.L1 + b.L1, a.L2 + b.L2, a.L3 + b.L3, a.L4 + b.L4);

    /// <summary>a - b, computed as (a + 16p) - b followed by a weak carry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FieldElement Sub(in FieldElement a, in FieldElement b) =>
        Reduce(
            (a.L0 + 36028797018963664UL) - b.L0,
            (a.L1 + 36028797018963952UL) - b.L1,
            (a.L2 + 36028797018963952UL) - b.L2,
            (a.L3 + 36028797018963952UL) - b.L3,
            (a.L4 + 36028797018963952UL) - b.L4);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FieldElement Negate(in FieldElement a) => Sub(Zero, a);

    /// <summary>a·b with inputs limbs below 2^54; output limbs below 2^52.</summary>
    /// <remarks>
    /// Each 128-bit product a_i·b_j is split at bit 54 instead of 64: with a_i' = a_i·2^10 (fits, a_i &lt; 2^54),
    /// hi(a_i'·b_j) = (a_i·b_j) &gt;&gt; 54 and lo(a_i'·b_j) &gt;&gt; 10 = (a_i·b_j) mod 2^54. A column is then
    /// H·2^54 + L with L a sum of at most five 54-bit values (no overflow, no carry flags to track) and H below
    /// 5·2^58.25 &lt; 2^60.6, so the column's carry H·8 + (L &gt;&gt; 51) stays below 2^64. This avoids the
    /// add-with-carry chains the JIT compiles poorly and is about a third faster than 128-bit accumulation.
    /// </remarks>
    public static FieldElement Mul(in FieldElement a, in FieldElement b)
    {
        ulong a0 = a.L0 << 10, a1 = a.L1 << 10, a2 = a.L2 << 10, a3 = a.L3 << 10, a4 = a.L4 << 10;
        ulong b0 = b.L0, b1 = b.L1, b2 = b.L2, b3 = b.L3, b4 = b.L4;
        ulong b1_19 = b1 * 19, b2_19 = b2 * 19, b3_19 = b3 * 19, b4_19 = b4 * 19;

        ulong l0 = ((a0 * b0) >> 10) + ((a4 * b1_19) >> 10) + ((a3 * b2_19) >> 10) + ((a2 * b3_19) >> 10) + ((a1 * b4_19) >> 10);
        ulong h0 = MulHi(a0, b0) + MulHi(a4, b1_19) + MulHi(a3, b2_19) + MulHi(a2, b3_19) + MulHi(a1, b4_19);
        ulong l1 = ((a1 * b0) >> 10) + ((a0 * b1) >> 10) + ((a4 * b2_19) >> 10) + ((a3 * b3_19) >> 10) + ((a2 * b4_19) >> 10);
        ulong h1 = MulHi(a1, b0) + MulHi(a0, b1) + MulHi(a4, b2_19) + MulHi(a3, b3_19) + MulHi(a2, b4_19);
        ulong l2 = ((a2 * b0) >> 10) + ((a1 * b1) >> 10) + ((a0 * b2) >> 10) + ((a4 * b3_19) >> 10) + ((a3 * b4_19) >> 10);
        ulong h2 = MulHi(a2, b0) + MulHi(a1, b1) + MulHi(a0, b2) + MulHi(a4, b3_19) + MulHi(a3, b4_19);
        ulong l3 = ((a3 * b0) >> 10) + ((a2 * b1) >> 10) + ((a1 * b2) >> 10) + ((a0 * b3) >> 10) + ((a4 * b4_19) >> 10);
        ulong h3 = MulHi(a3, b0) + MulHi(a2, b1) + MulHi(a1, b2) + MulHi(a0, b3) + MulHi(a4, b4_19);
        ulong l4 = ((a4 * b0) >> 10) + ((a3 * b1) >> 10) + ((a2 * b2) >> 10) + ((a1 * b3) >> 10) + ((a0 * b4) >> 10);
        ulong h4 = MulHi(a4, b0) + MulHi(a3, b1) + MulHi(a2, b2) + MulHi(a1, b3) + MulHi(a0, b4);
        return Carry(l0, h0, l1, h1, l2, h2, l3, h3, l4, h4);
    }

    /// <summary>a² with input limbs below 2^54; output limbs below 2^52 (same column split as <see cref="Mul"/>).</summary>
    public static FieldElement Square(in FieldElement a)
    {
        ulong a0 = a.L0, a1 = a.L1, a2 = a.L2, a3 = a.L3, a4 = a.L4;
        ulong s0 = a0 << 10, s1 = a1 << 10, s2 = a2 << 10, s3 = a3 << 10, s4 = a4 << 10;
        ulong d1 = a1 * 2, d2 = a2 * 2, d3 = a3 * 2, d4 = a4 * 2;
        ulong a3_19 = a3 * 19, a4_19 = a4 * 19, a3_38 = a3 * 38, a4_38 = a4 * 38;

        // c0 = a0² + 38(a1a4 + a2a3), c1 = 2a0a1 + 19a3² + 38a2a4, c2 = 2a0a2 + a1² + 38a3a4,
        // c3 = 2a0a3 + 2a1a2 + 19a4², c4 = 2a0a4 + 2a1a3 + a2².
        ulong l0 = ((s0 * a0) >> 10) + ((s1 * a4_38) >> 10) + ((s2 * a3_38) >> 10);
        ulong h0 = MulHi(s0, a0) + MulHi(s1, a4_38) + MulHi(s2, a3_38);
        ulong l1 = ((s0 * d1) >> 10) + ((s3 * a3_19) >> 10) + ((s2 * a4_38) >> 10);
        ulong h1 = MulHi(s0, d1) + MulHi(s3, a3_19) + MulHi(s2, a4_38);
        ulong l2 = ((s0 * d2) >> 10) + ((s1 * a1) >> 10) + ((s3 * a4_38) >> 10);
        ulong h2 = MulHi(s0, d2) + MulHi(s1, a1) + MulHi(s3, a4_38);
        ulong l3 = ((s0 * d3) >> 10) + ((s1 * d2) >> 10) + ((s4 * a4_19) >> 10);
        ulong h3 = MulHi(s0, d3) + MulHi(s1, d2) + MulHi(s4, a4_19);
        ulong l4 = ((s0 * d4) >> 10) + ((s1 * d3) >> 10) + ((s2 * a2) >> 10);
        ulong h4 = MulHi(s0, d4) + MulHi(s1, d3) + MulHi(s2, a2);
        return Carry(l0, h0, l1, h1, l2, h2, l3, h3, l4, h4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MulHi(ulong a, ulong b)
    {
        if (Bmi2.X64.IsSupported)
        {
            return Bmi2.X64.MultiplyNoFlags(a, b);
        }

        if (ArmBase.Arm64.IsSupported)
        {
            return ArmBase.Arm64.MultiplyHigh(a, b);
        }

        return Math.BigMul(a, b, out _);
    }

    /// <summary>Carries five columns, each H·2^54 + L, into a weakly reduced element (limbs below 2^52).</summary>
    /// <remarks>
    /// Bounds for input limbs below 2^54: L &lt; 5·2^54 &lt; 2^56.4; in columns 0–3 (with ×19 or ×38 terms) every
    /// product is below 2^54·2^59.25, so H &lt; 2^60.6 and the carry H·8 + (L &gt;&gt; 51) &lt; 2^63.6; adding it to the next
    /// L stays below 2^64. Column 4 has no ×19 terms (H &lt; 2^56.4), so its carry·19 &lt; 2^64 as well.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static FieldElement Carry(ulong l0, ulong h0, ulong l1, ulong h1, ulong l2, ulong h2, ulong l3, ulong h3, ulong l4, ulong h4)
    {
        ulong r0 = l0 & Mask51;
        l1 += (h0 << 3) + (l0 >> 51);
        ulong r1 = l1 & Mask51;
        l2 += (h1 << 3) + (l1 >> 51);
        ulong r2 = l2 & Mask51;
        l3 += (h2 << 3) + (l2 >> 51);
        ulong r3 = l3 & Mask51;
        l4 += (h3 << 3) + (l3 >> 51);
        ulong r4 = l4 & Mask51;
        ulong carry = (h4 << 3) + (l4 >> 51);

        r0 += carry * 19;
        r1 += r0 >> 51;
        r0 &= Mask51;
        return new FieldElement(r0, r1, r2, r3, r4);
    }

    /// <summary>Squares <paramref name="a"/> <paramref name="n"/> times (n ≥ 1).</summary>
    public static FieldElement SquareTimes(in FieldElement a, int n)
    {
        var r = Square(a);
        for (int i = 1; i < n; i++)
        {
            r = Square(r);
        }

        return r;
    }

    /// <summary>Returns (a^(2^250 - 1), a^11), the common prefix of inversion and square-root chains.</summary>
    private static (FieldElement T250, FieldElement T11) Pow22501(in FieldElement a)
    {
        var t0 = Square(a);                 // 2
        var t1 = SquareTimes(t0, 2);        // 8
        t1 = Mul(a, t1);                    // 9
        t0 = Mul(t0, t1);                   // 11
        var t2 = Square(t0);                // 22
        t1 = Mul(t1, t2);                   // 2^5 - 1
        t2 = SquareTimes(t1, 5);
        t1 = Mul(t2, t1);                   // 2^10 - 1
        t2 = SquareTimes(t1, 10);
        t2 = Mul(t2, t1);                   // 2^20 - 1
        var t3 = SquareTimes(t2, 20);
        t2 = Mul(t3, t2);                   // 2^40 - 1
        t2 = SquareTimes(t2, 10);
        t1 = Mul(t2, t1);                   // 2^50 - 1
        t2 = SquareTimes(t1, 50);
        t2 = Mul(t2, t1);                   // 2^100 - 1
        t3 = SquareTimes(t2, 100);
        t2 = Mul(t3, t2);                   // 2^200 - 1
        t2 = SquareTimes(t2, 50);
        t1 = Mul(t2, t1);                   // 2^250 - 1
        return (t1, t0);
    }

    /// <summary>a^(p-2) = 1/a (0 maps to 0).</summary>
    public static FieldElement Invert(in FieldElement a)
    {
        var (t250, t11) = Pow22501(a);
        return Mul(SquareTimes(t250, 5), t11); // 2^255 - 21
    }

    /// <summary>a^((p-5)/8) = a^(2^252 - 3).</summary>
    public static FieldElement Pow22523(in FieldElement a)
    {
        var (t250, _) = Pow22501(a);
        return Mul(SquareTimes(t250, 2), a);
    }

    /// <summary>Returns all-ones if the canonical encodings of a and b are equal, in constant time.</summary>
    public static ulong EqualMask(in FieldElement a, in FieldElement b)
    {
        Span<byte> x = stackalloc byte[32];
        Span<byte> y = stackalloc byte[32];
        a.ToBytes(x);
        b.ToBytes(y);
        ulong diff = 0;
        for (int i = 0; i < 32; i += 8)
        {
            diff |= BinaryPrimitives.ReadUInt64LittleEndian(x[i..]) ^ BinaryPrimitives.ReadUInt64LittleEndian(y[i..]);
        }

        // diff == 0 → mask all-ones.
        return ((diff | (0 - diff)) >> 63) - 1;
    }

    /// <summary>Returns 1 if the canonical encoding is odd ("negative" in RFC 9496 terms), else 0.</summary>
    public ulong IsNegative()
    {
        Span<byte> x = stackalloc byte[32];
        ToBytes(x);
        return (ulong)(x[0] & 1);
    }

    /// <summary>Returns all-ones if the value is zero mod p, else 0.</summary>
    public ulong IsZeroMask() => EqualMask(this, Zero);

    /// <summary>Returns b where the mask is all-ones and a where it is zero (mask must be 0 or all-ones).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FieldElement Select(in FieldElement a, in FieldElement b, ulong mask) =>
        new(
            a.L0 ^ ((a.L0 ^ b.L0) & mask),
            a.L1 ^ ((a.L1 ^ b.L1) & mask),
            a.L2 ^ ((a.L2 ^ b.L2) & mask),
            a.L3 ^ ((a.L3 ^ b.L3) & mask),
            a.L4 ^ ((a.L4 ^ b.L4) & mask));

    /// <summary>Negates a when the mask is all-ones.</summary>
    public static FieldElement ConditionalNegate(in FieldElement a, ulong mask) => Select(a, Negate(a), mask);

    /// <summary>|a|: the non-negative (even) one of a and -a.</summary>
    public static FieldElement Abs(in FieldElement a) => ConditionalNegate(a, 0 - a.IsNegative());

    /// <summary>RFC 9496 §4.2 SQRT_RATIO_M1: returns (was_square mask, r) with r = +sqrt(u/v) or +sqrt(i·u/v).</summary>
    public static (ulong WasSquare, FieldElement R) SqrtRatioM1(in FieldElement u, in FieldElement v)
    {
        var v3 = Mul(Square(v), v);
        var v7 = Mul(Square(v3), v);
        var r = Mul(Mul(u, v3), Pow22523(Mul(u, v7)));
        var check = Mul(v, Square(r));

        var negU = Negate(u);
        ulong correctSign = EqualMask(check, u);
        ulong flippedSign = EqualMask(check, negU);
        ulong flippedSignI = EqualMask(check, Mul(negU, SqrtM1));

        var rPrime = Mul(SqrtM1, r);
        r = Select(r, rPrime, flippedSign | flippedSignI);
        r = Abs(r);
        return (correctSign | flippedSign, r);
    }
}
