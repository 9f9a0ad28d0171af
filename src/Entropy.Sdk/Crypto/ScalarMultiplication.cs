using System.Runtime.Intrinsics;

namespace Entropy.Crypto;

/// <summary>Scalar multiplication on edwards25519: constant-time fixed-base and variable-base, and variable-time double-base.</summary>
internal static class ScalarMultiplication
{
    // Entry (i, j) = (j + 1)·16^(2i)·B in affine Niels form (ref10's radix-16 comb, 32 × 8 entries), flattened to
    // EntryStride ulongs per entry: y+x limbs 0–4, y−x limbs 0–4, 2dxy limbs 0–4, one zero pad, so that a constant-time
    // scan of the 8 candidates is four 256-bit blends per entry.
    private const int EntryStride = 16;
    private static readonly ulong[] s_baseTable = Flatten(BuildBaseTable());

    // Odd multiples B, 3B, 5B, …, 127B for width-8 NAF recoding in verification.
    private static readonly AffineNielsPoint[] s_baseOddMultiples = BuildBaseOddMultiples();

    private static AffineNielsPoint[] BuildBaseTable()
    {
        var extended = new EdwardsPoint[32 * 8];
        var p = EdwardsPoint.Base;
        for (int i = 0; i < 32; i++)
        {
            var q = p;
            for (int j = 0; j < 8; j++)
            {
                extended[(i * 8) + j] = q;
                q = EdwardsPoint.Add(q, p);
            }

            for (int k = 0; k < 8; k++)
            {
                p = p.Double();
            }
        }

        return BatchToAffineNiels(extended);
    }

    private static AffineNielsPoint[] BuildBaseOddMultiples()
    {
        var extended = new EdwardsPoint[64];
        var b2 = EdwardsPoint.Base.Double();
        extended[0] = EdwardsPoint.Base;
        for (int i = 1; i < 64; i++)
        {
            extended[i] = EdwardsPoint.Add(extended[i - 1], b2);
        }

        return BatchToAffineNiels(extended);
    }

    private static ulong[] Flatten(AffineNielsPoint[] points)
    {
        var flat = new ulong[points.Length * EntryStride];
        for (int i = 0; i < points.Length; i++)
        {
            var p = points[i];
            Span<ulong> e = flat.AsSpan(i * EntryStride, EntryStride);
            e[0] = p.YPlusX.L0;
            e[1] = p.YPlusX.L1;
            e[2] = p.YPlusX.L2;
            e[3] = p.YPlusX.L3;
            e[4] = p.YPlusX.L4;
            e[5] = p.YMinusX.L0;
            e[6] = p.YMinusX.L1;
            e[7] = p.YMinusX.L2;
            e[8] = p.YMinusX.L3;
            e[9] = p.YMinusX.L4;
            e[10] = p.XY2d.L0;
            e[11] = p.XY2d.L1;
            e[12] = p.XY2d.L2;
            e[13] = p.XY2d.L3;
            e[14] = p.XY2d.L4;
        }

        return flat;
    }

    /// <summary>Converts points to affine Niels form with one inversion (Montgomery's trick).</summary>
    private static AffineNielsPoint[] BatchToAffineNiels(EdwardsPoint[] points)
    {
        int n = points.Length;
        var prefix = new FieldElement[n];
        var acc = FieldElement.One;
        for (int i = 0; i < n; i++)
        {
            prefix[i] = acc;
            acc = FieldElement.Mul(acc, points[i].Z);
        }

        var inv = FieldElement.Invert(acc);
        var result = new AffineNielsPoint[n];
        for (int i = n - 1; i >= 0; i--)
        {
            var zInv = FieldElement.Mul(inv, prefix[i]);
            inv = FieldElement.Mul(inv, points[i].Z);
            var x = FieldElement.Mul(points[i].X, zInv);
            var y = FieldElement.Mul(points[i].Y, zInv);
            result[i] = new AffineNielsPoint(
                FieldElement.Add(y, x),
                FieldElement.Sub(y, x),
                FieldElement.Mul(FieldElement.Mul(x, y), FieldElement.D2));
        }

        return result;
    }

    /// <summary>Selects digit·16^(2·pos)·B from the base table in constant time (digit in [-8, 8]).</summary>
    /// <remarks>
    /// All eight entries of the row are read and blended under a mask whatever the digit, so neither the memory access
    /// pattern nor the branch pattern depends on the (secret) digit.
    /// </remarks>
    internal static AffineNielsPoint SelectBase(int pos, sbyte digit)
    {
        int d = digit;
        ulong negative = (ulong)(d >> 31) & 1;       // 1 if digit < 0
        ulong abs = (ulong)(d - ((-(int)negative & d) << 1));

        // Identity in affine Niels form: y+x = 1, y−x = 1, 2dxy = 0.
        var v0 = Vector256.Create(1UL, 0, 0, 0);
        var v1 = Vector256.Create(0UL, 1, 0, 0);
        var v2 = Vector256<ulong>.Zero;
        var v3 = Vector256<ulong>.Zero;
        ReadOnlySpan<ulong> row = s_baseTable.AsSpan(pos * 8 * EntryStride, 8 * EntryStride);
        for (int j = 0; j < 8; j++)
        {
            ulong diff = abs ^ (ulong)(j + 1);
            var mask = Vector256.Create(((diff | (0 - diff)) >> 63) - 1); // all-ones when abs == j + 1
            ReadOnlySpan<ulong> e = row.Slice(j * EntryStride, EntryStride);
            v0 = Vector256.ConditionalSelect(mask, Vector256.Create(e), v0);
            v1 = Vector256.ConditionalSelect(mask, Vector256.Create(e[4..]), v1);
            v2 = Vector256.ConditionalSelect(mask, Vector256.Create(e[8..]), v2);
            v3 = Vector256.ConditionalSelect(mask, Vector256.Create(e[12..]), v3);
        }

        var t = new AffineNielsPoint(
            new FieldElement(v0.GetElement(0), v0.GetElement(1), v0.GetElement(2), v0.GetElement(3), v1.GetElement(0)),
            new FieldElement(v1.GetElement(1), v1.GetElement(2), v1.GetElement(3), v2.GetElement(0), v2.GetElement(1)),
            new FieldElement(v2.GetElement(2), v2.GetElement(3), v3.GetElement(0), v3.GetElement(1), v3.GetElement(2)));
        return AffineNielsPoint.ConditionalNegate(t, 0 - negative);
    }

    /// <summary>s·B in constant time (s reduced mod ℓ).</summary>
    public static EdwardsPoint MultiplyBase(in Scalar s)
    {
        Span<sbyte> e = stackalloc sbyte[64];
        s.ToRadix16(e);

        // Odd digits first: h = Σ e[2i+1]·16^(2i)·B, then h·16, then add the even digits.
        var h = EdwardsPoint.Identity;
        for (int i = 1; i < 63; i += 2)
        {
            h = CompletedPoint.Add(h, SelectBase(i / 2, e[i])).ToExtended();
        }

        var r = CompletedPoint.Add(h, SelectBase(31, e[63])).ToProjective();
        r = r.Double().ToProjective().Double().ToProjective().Double().ToProjective();
        h = r.Double().ToExtended();

        for (int i = 0; i < 64; i += 2)
        {
            h = CompletedPoint.Add(h, SelectBase(i / 2, e[i])).ToExtended();
        }

        e.Clear();
        return h;
    }

    /// <summary>a·A + b·B in variable time (public inputs only: verification and public-key derivation).</summary>
    public static EdwardsPoint DoubleScalarMulBaseVartime(in Scalar a, in EdwardsPoint point, in Scalar b)
    {
        Span<sbyte> aNaf = stackalloc sbyte[256];
        Span<sbyte> bNaf = stackalloc sbyte[256];
        a.ToNaf(aNaf, 5);
        b.ToNaf(bNaf, 8);

        // Odd multiples A, 3A, …, 15A.
        Span<CachedPoint> aTable = stackalloc CachedPoint[8];
        var a2 = point.Double();
        var current = point;
        aTable[0] = current.ToCached();
        for (int i = 1; i < 8; i++)
        {
            current = CompletedPoint.Add(a2, aTable[i - 1]).ToExtended();
            aTable[i] = current.ToCached();
        }

        int top = 255;
        while (top >= 0 && aNaf[top] == 0 && bNaf[top] == 0)
        {
            top--;
        }

        var r = new ProjectivePoint(FieldElement.Zero, FieldElement.One, FieldElement.One);
        for (int i = top; i >= 0; i--)
        {
            var t = r.Double();
            int da = aNaf[i], db = bNaf[i];
            if (da > 0)
            {
                t = CompletedPoint.Add(t.ToExtended(), aTable[da / 2]);
            }
            else if (da < 0)
            {
                t = CompletedPoint.Sub(t.ToExtended(), aTable[-da / 2]);
            }

            if (db > 0)
            {
                t = CompletedPoint.Add(t.ToExtended(), s_baseOddMultiples[db / 2]);
            }
            else if (db < 0)
            {
                t = CompletedPoint.Sub(t.ToExtended(), s_baseOddMultiples[-db / 2]);
            }

            if (i == 0)
            {
                return t.ToExtended();
            }

            r = t.ToProjective();
        }

        return EdwardsPoint.Identity;
    }

    /// <summary>s·P in constant time (signed radix-16 with a per-call table of 1P…8P).</summary>
    public static EdwardsPoint Multiply(in EdwardsPoint point, in Scalar s)
    {
        Span<CachedPoint> table = stackalloc CachedPoint[8];
        var p = point;
        table[0] = p.ToCached();
        for (int i = 1; i < 8; i++)
        {
            p = CompletedPoint.Add(point, table[i - 1]).ToExtended();
            table[i] = p.ToCached();
        }

        Span<sbyte> e = stackalloc sbyte[64];
        s.ToRadix16(e);
        var identityCached = new CachedPoint(FieldElement.One, FieldElement.One, FieldElement.One, FieldElement.Zero);

        var h = EdwardsPoint.Identity;
        for (int i = 63; i >= 0; i--)
        {
            if (i != 63)
            {
                var r = h.ToProjective().Double().ToProjective().Double().ToProjective().Double().ToProjective().Double();
                h = r.ToExtended();
            }

            int d = e[i];
            ulong negative = (ulong)(d >> 31) & 1;
            ulong abs = (ulong)(d - ((-(int)negative & d) << 1));
            var t = identityCached;
            for (ulong j = 1; j <= 8; j++)
            {
                ulong diff = abs ^ j;
                ulong eq = ((diff | (0 - diff)) >> 63) - 1;
                var c = table[(int)j - 1];
                t = new CachedPoint(
                    FieldElement.Select(t.YPlusX, c.YPlusX, eq),
                    FieldElement.Select(t.YMinusX, c.YMinusX, eq),
                    FieldElement.Select(t.Z, c.Z, eq),
                    FieldElement.Select(t.T2d, c.T2d, eq));
            }

            ulong negMask = 0 - negative;
            t = new CachedPoint(
                FieldElement.Select(t.YPlusX, t.YMinusX, negMask),
                FieldElement.Select(t.YMinusX, t.YPlusX, negMask),
                t.Z,
                FieldElement.ConditionalNegate(t.T2d, negMask));
            h = CompletedPoint.Add(h, t).ToExtended();
        }

        e.Clear();
        return h;
    }
}
