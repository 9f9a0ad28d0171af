namespace Entropy.Crypto;

/// <summary>Ristretto255 encoding and decoding of edwards25519 points, per RFC 9496 §4.3.</summary>
internal static class Ristretto255
{
    /// <summary>Decodes a 32-byte Ristretto255 encoding; returns false for non-canonical or invalid encodings (RFC 9496 §4.3.1).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> encoded, out EdwardsPoint point)
    {
        point = default;
        if (encoded.Length != 32)
        {
            return false;
        }

        var s = FieldElement.FromBytes(encoded);

        // Canonical: s < p, bit 255 clear, and s non-negative (even).
        Span<byte> check = stackalloc byte[32];
        s.ToBytes(check);
        if (!check.SequenceEqual(encoded) || (encoded[0] & 1) != 0)
        {
            return false;
        }

        var ss = FieldElement.Square(s);
        var u1 = FieldElement.Sub(FieldElement.One, ss);
        var u2 = FieldElement.Add(FieldElement.One, ss);
        var u2Sqr = FieldElement.Square(u2);
        var v = FieldElement.Sub(FieldElement.Negate(FieldElement.Mul(FieldElement.D, FieldElement.Square(u1))), u2Sqr);

        var (wasSquare, invSqrt) = FieldElement.SqrtRatioM1(FieldElement.One, FieldElement.Mul(v, u2Sqr));

        var denX = FieldElement.Mul(invSqrt, u2);
        var denY = FieldElement.Mul(FieldElement.Mul(invSqrt, denX), v);

        var twoS = FieldElement.Add(s, s);
        var x = FieldElement.Abs(FieldElement.Mul(twoS, denX));
        var y = FieldElement.Mul(u1, denY);
        var t = FieldElement.Mul(x, y);

        if (wasSquare == 0 || t.IsNegative() != 0 || y.IsZeroMask() != 0)
        {
            return false;
        }

        point = new EdwardsPoint(x, y, FieldElement.One, t);
        return true;
    }

    /// <summary>Writes the canonical 32-byte Ristretto255 encoding of a point (RFC 9496 §4.3.2).</summary>
    public static void Encode(in EdwardsPoint p, Span<byte> destination)
    {
        var u1 = FieldElement.Mul(FieldElement.Add(p.Z, p.Y), FieldElement.Sub(p.Z, p.Y));
        var u2 = FieldElement.Mul(p.X, p.Y);

        var (_, invSqrt) = FieldElement.SqrtRatioM1(FieldElement.One, FieldElement.Mul(u1, FieldElement.Square(u2)));
        var den1 = FieldElement.Mul(invSqrt, u1);
        var den2 = FieldElement.Mul(invSqrt, u2);
        var zInv = FieldElement.Mul(FieldElement.Mul(den1, den2), p.T);

        var ix0 = FieldElement.Mul(p.X, FieldElement.SqrtM1);
        var iy0 = FieldElement.Mul(p.Y, FieldElement.SqrtM1);
        var enchantedDenominator = FieldElement.Mul(den1, FieldElement.InvSqrtAMinusD);

        ulong rotate = 0 - FieldElement.Mul(p.T, zInv).IsNegative();
        var x = FieldElement.Select(p.X, iy0, rotate);
        var y = FieldElement.Select(p.Y, ix0, rotate);
        var denInv = FieldElement.Select(den2, enchantedDenominator, rotate);

        y = FieldElement.ConditionalNegate(y, 0 - FieldElement.Mul(x, zInv).IsNegative());
        var s = FieldElement.Abs(FieldElement.Mul(denInv, FieldElement.Sub(p.Z, y)));
        s.ToBytes(destination);
    }

    /// <summary>Returns true if two points are equal in the Ristretto255 group (RFC 9496 §4.3.3).</summary>
    public static bool Equals(in EdwardsPoint a, in EdwardsPoint b)
    {
        ulong e1 = FieldElement.EqualMask(FieldElement.Mul(a.X, b.Y), FieldElement.Mul(a.Y, b.X));
        ulong e2 = FieldElement.EqualMask(FieldElement.Mul(a.Y, b.Y), FieldElement.Mul(a.X, b.X));
        return (e1 | e2) != 0;
    }

    /// <summary>Returns true if the point is the Ristretto255 identity.</summary>
    public static bool IsIdentity(in EdwardsPoint p) => Equals(p, EdwardsPoint.Identity);
}
