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

    public static FieldElement Mul(in FieldElement a, in FieldElement b)
    {
        ulong a0 = a.L0, a1 = a.L1, a2 = a.L2, a3 = a.L3, a4 = a.L4;
        ulong b0 = b.L0, b1 = b.L1, b2 = b.L2, b3 = b.L3, b4 = b.L4;
        ulong b1_19 = b1 * 19, b2_19 = b2 * 19, b3_19 = b3 * 19, b4_19 = b4 * 19;

        ulong t;
        ulong c0l = a0 * b0, c0h = MulHi(a0, b0);
        t = a4 * b1_19; c0l += t; c0h += MulHi(a4, b1_19) + (c0l < t ? 1UL : 0UL);
        t = a3 * b2_19; c0l += t; c0h += MulHi(a3, b2_19) + (c0l < t ? 1UL : 0UL);
        t = a2 * b3_19; c0l += t; c0h += MulHi(a2, b3_19) + (c0l < t ? 1UL : 0UL);
        t = a1 * b4_19; c0l += t; c0h += MulHi(a1, b4_19) + (c0l < t ? 1UL : 0UL);
        ulong c1l = a1 * b0, c1h = MulHi(a1, b0);
        t = a0 * b1; c1l += t; c1h += MulHi(a0, b1) + (c1l < t ? 1UL : 0UL);
        t = a4 * b2_19; c1l += t; c1h += MulHi(a4, b2_19) + (c1l < t ? 1UL : 0UL);
        t = a3 * b3_19; c1l += t; c1h += MulHi(a3, b3_19) + (c1l < t ? 1UL : 0UL);
        t = a2 * b4_19; c1l += t; c1h += MulHi(a2, b4_19) + (c1l < t ? 1UL : 0UL);
        ulong c2l = a2 * b0, c2h = MulHi(a2, b0);
        t = a1 * b1; c2l += t; c2h += MulHi(a1, b1) + (c2l < t ? 1UL : 0UL);
        t = a0 * b2; c2l += t; c2h += MulHi(a0, b2) + (c2l < t ? 1UL : 0UL);
        t = a4 * b3_19; c2l += t; c2h += MulHi(a4, b3_19) + (c2l < t ? 1UL : 0UL);
        t = a3 * b4_19; c2l += t; c2h += MulHi(a3, b4_19) + (c2l < t ? 1UL : 0UL);
        ulong c3l = a3 * b0, c3h = MulHi(a3, b0);
        t = a2 * b1; c3l += t; c3h += MulHi(a2, b1) + (c3l < t ? 1UL : 0UL);
        t = a1 * b2; c3l += t; c3h += MulHi(a1, b2) + (c3l < t ? 1UL : 0UL);
        t = a0 * b3; c3l += t; c3h += MulHi(a0, b3) + (c3l < t ? 1UL : 0UL);
        t = a4 * b4_19; c3l += t; c3h += MulHi(a4, b4_19) + (c3l < t ? 1UL : 0UL);
        ulong c4l = a4 * b0, c4h = MulHi(a4, b0);
        t = a3 * b1; c4l += t; c4h += MulHi(a3, b1) + (c4l < t ? 1UL : 0UL);
        t = a2 * b2; c4l += t; c4h += MulHi(a2, b2) + (c4l < t ? 1UL : 0UL);
        t = a1 * b3; c4l += t; c4h += MulHi(a1, b3) + (c4l < t ? 1UL : 0UL);
        t = a0 * b4; c4l += t; c4h += MulHi(a0, b4) + (c4l < t ? 1UL : 0UL);

        return Carry(c0l, c0h, c1l, c1h, c2l, c2h, c3l, c3h, c4l, c4h);
    }

    public static FieldElement Square(in FieldElement a)
    {
        ulong a0 = a.L0, a1 = a.L1, a2 = a.L2, a3 = a.L3, a4 = a.L4;
        ulong d0 = a0 * 2, d1 = a1 * 2, d2 = a2 * 2, d3 = a3 * 2, a3_19 = a3 * 19, a4_19 = a4 * 19;

        ulong t;
        ulong c0l = a0 * a0, c0h = MulHi(a0, a0);
        t = d1 * a4_19; c0l += t; c0h += MulHi(d1, a4_19) + (c0l < t ? 1UL : 0UL);
        t = d2 * a3_19; c0l += t; c0h += MulHi(d2, a3_19) + (c0l < t ? 1UL : 0UL);
        ulong c1l = d0 * a1, c1h = MulHi(d0, a1);
        t = a3 * a3_19; c1l += t; c1h += MulHi(a3, a3_19) + (c1l < t ? 1UL : 0UL);
        t = d2 * a4_19; c1l += t; c1h += MulHi(d2, a4_19) + (c1l < t ? 1UL : 0UL);
        ulong c2l = d0 * a2, c2h = MulHi(d0, a2);
        t = a1 * a1; c2l += t; c2h += MulHi(a1, a1) + (c2l < t ? 1UL : 0UL);
        t = d3 * a4_19; c2l += t; c2h += MulHi(d3, a4_19) + (c2l < t ? 1UL : 0UL);
        ulong c3l = d0 * a3, c3h = MulHi(d0, a3);
        t = d1 * a2; c3l += t; c3h += MulHi(d1, a2) + (c3l < t ? 1UL : 0UL);
        t = a4 * a4_19; c3l += t; c3h += MulHi(a4, a4_19) + (c3l < t ? 1UL : 0UL);
        ulong c4l = d0 * a4, c4h = MulHi(d0, a4);
        t = d1 * a3; c4l += t; c4h += MulHi(d1, a3) + (c4l < t ? 1UL : 0UL);
        t = a2 * a2; c4l += t; c4h += MulHi(a2, a2) + (c4l < t ? 1UL : 0UL);

        return Carry(c0l, c0h, c1l, c1h, c2l, c2h, c3l, c3h, c4l, c4h);
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

    /// <summary>Carries five 128-bit column sums (lo, hi) into a weakly reduced element.</summary>
    /// <remarks>
    /// With input limbs below 2^54 every column is below 2^115, so each carry (column >> 51) fits in 64 bits; c4 has no
    /// ×19 terms, so its carry is below 2^60 and carry·19 fits too (curve25519-dalek field.rs bounds).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static FieldElement Carry(ulong c0l, ulong c0h, ulong c1l, ulong c1h, ulong c2l, ulong c2h, ulong c3l, ulong c3h, ulong c4l, ulong c4h)
    {
        ulong r0 = c0l & Mask51;
        ulong carry = (c0l >> 51) | (c0h << 13);
        c1l += carry;
        c1h += c1l < carry ? 1UL : 0UL;
        ulong r1 = c1l & Mask51;
        carry = (c1l >> 51) | (c1h << 13);
        c2l += carry;
        c2h += c2l < carry ? 1UL : 0UL;
        ulong r2 = c2l & Mask51;
        carry = (c2l >> 51) | (c2h << 13);
        c3l += carry;
        c3h += c3l < carry ? 1UL : 0UL;
        ulong r3 = c3l & Mask51;
        carry = (c3l >> 51) | (c3h << 13);
        c4l += carry;
        c4h += c4l < carry ? 1UL : 0UL;
        ulong r4 = c4l & Mask51;
        carry = (c4l >> 51) | (c4h << 13);

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
