using System.Runtime.CompilerServices;

namespace Entropy.Crypto;

/// <summary>A point on edwards25519 (-x² + y² = 1 + d·x²·y²) in extended coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, xy = T/Z.</summary>
/// <remarks>
/// Formulas: Hisil–Wong–Carter–Dawson 2008 (the "add-2008-hwcd-3" and "dbl-2008-hwcd" family), arranged with the
/// completed (P×P) and projective intermediate forms used by ref10 and curve25519-dalek.
/// </remarks>
internal readonly struct EdwardsPoint
{
    public readonly FieldElement X, Y, Z, T;

    public EdwardsPoint(in FieldElement x, in FieldElement y, in FieldElement z, in FieldElement t)
    {
        X = x;
        Y = y;
        Z = z;
        T = t;
    }

    public static EdwardsPoint Identity => new(FieldElement.Zero, FieldElement.One, FieldElement.One, FieldElement.Zero);

    /// <summary>The standard base point B (y = 4/5, x even).</summary>
    public static readonly EdwardsPoint Base = new(
        new FieldElement(0x62d608f25d51aUL, 0x412a4b4f6592aUL, 0x75b7171a4b31dUL, 0x1ff60527118feUL, 0x216936d3cd6e5UL),
        new FieldElement(0x6666666666658UL, 0x4ccccccccccccUL, 0x1999999999999UL, 0x3333333333333UL, 0x6666666666666UL),
        FieldElement.One,
        new FieldElement(0x68ab3a5b7dda3UL, 0x00eea2a5eadbbUL, 0x2af8df483c27eUL, 0x332b375274732UL, 0x67875f0fd78b7UL));

    public EdwardsPoint Negate() => new(FieldElement.Negate(X), Y, Z, FieldElement.Negate(T));

    public CachedPoint ToCached() => new(
        FieldElement.Add(Y, X),
        FieldElement.Sub(Y, X),
        Z,
        FieldElement.Mul(T, FieldElement.D2));

    public ProjectivePoint ToProjective() => new(X, Y, Z);

    public static EdwardsPoint Add(in EdwardsPoint p, in EdwardsPoint q) => CompletedPoint.Add(p, q.ToCached()).ToExtended();

    public EdwardsPoint Double() => ToProjective().Double().ToExtended();

    /// <summary>Converts to affine Niels form (y+x, y-x, 2dxy), one field inversion.</summary>
    public AffineNielsPoint ToAffineNiels()
    {
        var zInv = FieldElement.Invert(Z);
        var x = FieldElement.Mul(X, zInv);
        var y = FieldElement.Mul(Y, zInv);
        return new AffineNielsPoint(
            FieldElement.Add(y, x),
            FieldElement.Sub(y, x),
            FieldElement.Mul(FieldElement.Mul(x, y), FieldElement.D2));
    }
}

/// <summary>Projective coordinates (X:Y:Z), enough for doubling.</summary>
internal readonly struct ProjectivePoint
{
    public readonly FieldElement X, Y, Z;

    public ProjectivePoint(in FieldElement x, in FieldElement y, in FieldElement z)
    {
        X = x;
        Y = y;
        Z = z;
    }

    /// <summary>2·P (dbl-2008-hwcd with a = -1).</summary>
    public CompletedPoint Double()
    {
        var xx = FieldElement.Square(X);
        var yy = FieldElement.Square(Y);
        var zz2 = FieldElement.Square(Z);
        zz2 = FieldElement.Add(zz2, zz2);
        var xPlusYSq = FieldElement.Square(FieldElement.Add(X, Y));
        var yyPlusXx = FieldElement.Add(yy, xx);
        var yyMinusXx = FieldElement.Sub(yy, xx);
        return new CompletedPoint(
            FieldElement.Sub(xPlusYSq, yyPlusXx),
            yyPlusXx,
            yyMinusXx,
            FieldElement.Sub(zz2, yyMinusXx));
    }
}

/// <summary>Completed coordinates ((X:Z),(Y:T)): x = X/Z, y = Y/T.</summary>
internal readonly struct CompletedPoint
{
    public readonly FieldElement X, Y, Z, T;

    public CompletedPoint(in FieldElement x, in FieldElement y, in FieldElement z, in FieldElement t)
    {
        X = x;
        Y = y;
        Z = z;
        T = t;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ProjectivePoint ToProjective() => new(
        FieldElement.Mul(X, T),
        FieldElement.Mul(Y, Z),
        FieldElement.Mul(Z, T));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public EdwardsPoint ToExtended() => new(
        FieldElement.Mul(X, T),
        FieldElement.Mul(Y, Z),
        FieldElement.Mul(Z, T),
        FieldElement.Mul(X, Y));

    public static CompletedPoint Add(in EdwardsPoint p, in CachedPoint q)
    {
        var pp = FieldElement.Mul(FieldElement.Add(p.Y, p.X), q.YPlusX);
        var mm = FieldElement.Mul(FieldElement.Sub(p.Y, p.X), q.YMinusX);
        var tt2d = FieldElement.Mul(p.T, q.T2d);
        var zz = FieldElement.Mul(p.Z, q.Z);
        var zz2 = FieldElement.Add(zz, zz);
        return new CompletedPoint(
            FieldElement.Sub(pp, mm),
            FieldElement.Add(pp, mm),
            FieldElement.Add(zz2, tt2d),
            FieldElement.Sub(zz2, tt2d));
    }

    public static CompletedPoint Sub(in EdwardsPoint p, in CachedPoint q)
    {
        var pm = FieldElement.Mul(FieldElement.Add(p.Y, p.X), q.YMinusX);
        var mp = FieldElement.Mul(FieldElement.Sub(p.Y, p.X), q.YPlusX);
        var tt2d = FieldElement.Mul(p.T, q.T2d);
        var zz = FieldElement.Mul(p.Z, q.Z);
        var zz2 = FieldElement.Add(zz, zz);
        return new CompletedPoint(
            FieldElement.Sub(pm, mp),
            FieldElement.Add(pm, mp),
            FieldElement.Sub(zz2, tt2d),
            FieldElement.Add(zz2, tt2d));
    }

    public static CompletedPoint Add(in EdwardsPoint p, in AffineNielsPoint q)
    {
        var pp = FieldElement.Mul(FieldElement.Add(p.Y, p.X), q.YPlusX);
        var mm = FieldElement.Mul(FieldElement.Sub(p.Y, p.X), q.YMinusX);
        var txy2d = FieldElement.Mul(p.T, q.XY2d);
        var z2 = FieldElement.Add(p.Z, p.Z);
        return new CompletedPoint(
            FieldElement.Sub(pp, mm),
            FieldElement.Add(pp, mm),
            FieldElement.Add(z2, txy2d),
            FieldElement.Sub(z2, txy2d));
    }

    public static CompletedPoint Sub(in EdwardsPoint p, in AffineNielsPoint q)
    {
        var pm = FieldElement.Mul(FieldElement.Add(p.Y, p.X), q.YMinusX);
        var mp = FieldElement.Mul(FieldElement.Sub(p.Y, p.X), q.YPlusX);
        var txy2d = FieldElement.Mul(p.T, q.XY2d);
        var z2 = FieldElement.Add(p.Z, p.Z);
        return new CompletedPoint(
            FieldElement.Sub(pm, mp),
            FieldElement.Add(pm, mp),
            FieldElement.Sub(z2, txy2d),
            FieldElement.Add(z2, txy2d));
    }
}

/// <summary>(Y+X, Y-X, Z, 2dT): an extended point prepared for repeated additions.</summary>
internal readonly struct CachedPoint
{
    public readonly FieldElement YPlusX, YMinusX, Z, T2d;

    public CachedPoint(in FieldElement yPlusX, in FieldElement yMinusX, in FieldElement z, in FieldElement t2d)
    {
        YPlusX = yPlusX;
        YMinusX = yMinusX;
        Z = z;
        T2d = t2d;
    }
}

/// <summary>(y+x, y-x, 2dxy) of an affine point: the entries of precomputed base-point tables.</summary>
internal readonly struct AffineNielsPoint
{
    public readonly FieldElement YPlusX, YMinusX, XY2d;

    public AffineNielsPoint(in FieldElement yPlusX, in FieldElement yMinusX, in FieldElement xy2d)
    {
        YPlusX = yPlusX;
        YMinusX = yMinusX;
        XY2d = xy2d;
    }

    public static AffineNielsPoint Identity => new(FieldElement.One, FieldElement.One, FieldElement.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static AffineNielsPoint Select(in AffineNielsPoint a, in AffineNielsPoint b, ulong mask) => new(
        FieldElement.Select(a.YPlusX, b.YPlusX, mask),
        FieldElement.Select(a.YMinusX, b.YMinusX, mask),
        FieldElement.Select(a.XY2d, b.XY2d, mask));

    /// <summary>-P when the mask is all-ones: swap y+x with y-x and negate 2dxy.</summary>
    public static AffineNielsPoint ConditionalNegate(in AffineNielsPoint a, ulong mask) => new(
        FieldElement.Select(a.YPlusX, a.YMinusX, mask),
        FieldElement.Select(a.YMinusX, a.YPlusX, mask),
        FieldElement.ConditionalNegate(a.XY2d, mask));
}
