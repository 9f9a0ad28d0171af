using System.Security.Cryptography;
using Entropy.Synedrion.Encoding;
using NBitcoin.Secp256k1;

namespace Entropy.Synedrion;

/// <summary>A secp256k1 point (synedrion <c>Point</c>); bincode = u64 33 ‖ SEC1 compressed, the identity has no encoding.</summary>
internal readonly struct CurvePoint : IEquatable<CurvePoint>
{
    private readonly GE point;

    private CurvePoint(GE point) => this.point = point;

    /// <summary>Gets the identity (point at infinity).</summary>
    public static CurvePoint Identity => new(GE.Infinity);

    /// <summary>Gets whether this is the identity.</summary>
    public bool IsIdentity => this.point.IsInfinity;

    /// <summary>Returns <c>scalar · G</c> (constant time in the scalar).</summary>
    /// <param name="scalar">The scalar.</param>
    /// <returns>The point.</returns>
    public static CurvePoint FromSecret(in Scalar scalar) => new(ECMultGenContext.Instance.MultGen(scalar).ToGroupElement());

    /// <summary>Parses a SEC1 compressed point.</summary>
    /// <param name="bytes">33 bytes.</param>
    /// <param name="point">The point.</param>
    /// <returns>Whether the bytes are a valid point.</returns>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out CurvePoint point)
    {
        point = default;
        if (bytes.Length != 33 || (bytes[0] != 2 && bytes[0] != 3) || !GE.TryParse(bytes, out bool compressed, out var ge) || !compressed || ge.IsInfinity)
        {
            return false;
        }

        point = new CurvePoint(ge);
        return true;
    }

    /// <summary>Reads a point (u64 33 ‖ 33 bytes).</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="field">The field name.</param>
    /// <returns>The point.</returns>
    public static CurvePoint Read(BincodeReader reader, string field)
    {
        var bytes = reader.FixedBytes(field, 33);
        return TryParse(bytes, out var point) ? point : throw reader.Fail($"{field}: not a valid compressed secp256k1 point");
    }

    /// <summary>Adds two points.</summary>
    /// <param name="left">A point.</param>
    /// <param name="right">A point.</param>
    /// <returns>The sum.</returns>
    public static CurvePoint operator +(CurvePoint left, CurvePoint right)
    {
        if (left.IsIdentity)
        {
            return right;
        }

        return new(left.point.ToGroupElementJacobian().AddVariable(right.point).ToGroupElement());
    }

    /// <summary>Compares points.</summary>
    /// <param name="left">A point.</param>
    /// <param name="right">A point.</param>
    /// <returns>Whether equal.</returns>
    public static bool operator ==(CurvePoint left, CurvePoint right) => left.Equals(right);

    /// <summary>Compares points.</summary>
    /// <param name="left">A point.</param>
    /// <param name="right">A point.</param>
    /// <returns>Whether different.</returns>
    public static bool operator !=(CurvePoint left, CurvePoint right) => !left.Equals(right);

    /// <summary>Sums points.</summary>
    /// <param name="points">The points.</param>
    /// <returns>The sum (identity when empty).</returns>
    public static CurvePoint Sum(IEnumerable<CurvePoint> points)
    {
        var sum = Identity;
        foreach (var p in points)
        {
            sum += p;
        }

        return sum;
    }

    /// <summary>Returns <c>scalar · this</c> for a public scalar (variable time).</summary>
    /// <param name="scalar">The public scalar.</param>
    /// <returns>The point.</returns>
    public CurvePoint MultiplyPublic(in Scalar scalar)
    {
        if (this.IsIdentity || scalar.IsZero)
        {
            return Identity;
        }

        return new(ECMultContext.Instance.MultBatch([scalar], [this.point]).ToGroupElement());
    }

    /// <summary>Returns the SEC1 compressed encoding.</summary>
    /// <returns>33 bytes.</returns>
    public byte[] ToCompressed()
    {
        if (this.IsIdentity)
        {
            throw new InvalidOperationException("The identity point has no compressed encoding (synedrion cannot serialize it either).");
        }

        var bytes = new byte[33];
        ECPubKey.Serialize(this.point, true, bytes, out _);
        return bytes;
    }

    /// <summary>Writes the point (u64 33 ‖ 33 bytes).</summary>
    /// <param name="writer">The writer.</param>
    public void Write(BincodeWriter writer) => writer.Bytes(this.ToCompressed());

    /// <inheritdoc/>
    public bool Equals(CurvePoint other)
    {
        if (this.IsIdentity || other.IsIdentity)
        {
            return this.IsIdentity == other.IsIdentity;
        }

        return this.point.ToGroupElementJacobian().AddVariable(other.point.Negate()).IsInfinity;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is CurvePoint other && this.Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => this.IsIdentity ? 0 : BitConverter.ToInt32(this.ToCompressed(), 1);

    /// <inheritdoc/>
    public override string ToString() => this.IsIdentity ? "identity" : Convert.ToHexString(this.ToCompressed());
}

/// <summary>secp256k1 scalar helpers (synedrion <c>Scalar</c>: bincode = u64 32 ‖ 32 bytes big-endian).</summary>
internal static class Scalars
{
    /// <summary>Returns a uniform scalar (may be zero, as synedrion's <c>Scalar::random</c>).</summary>
    /// <returns>The scalar.</returns>
    public static Scalar Random()
    {
        Span<byte> bytes = stackalloc byte[32];
        try
        {
            while (true)
            {
                RandomNumberGenerator.Fill(bytes);
                var s = new Scalar(bytes, out int overflow);
                if (overflow == 0)
                {
                    return s;
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>Reads a canonical scalar.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="field">The field name.</param>
    /// <returns>The scalar.</returns>
    public static Scalar Read(BincodeReader reader, string field)
    {
        var bytes = reader.FixedBytes(field, 32);
        var s = new Scalar(bytes, out int overflow);
        return overflow == 0 ? s : throw reader.Fail($"{field}: scalar not below the curve order");
    }

    /// <summary>Writes a scalar.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="scalar">The scalar.</param>
    public static void Write(BincodeWriter writer, in Scalar scalar)
    {
        Span<byte> bytes = stackalloc byte[32];
        scalar.WriteToSpan(bytes);
        writer.Bytes(bytes);
        CryptographicOperations.ZeroMemory(bytes);
    }

    /// <summary>Returns the scalar as a non-negative integer.</summary>
    /// <param name="scalar">The scalar.</param>
    /// <returns>The integer.</returns>
    public static System.Numerics.BigInteger ToBigInteger(in Scalar scalar)
    {
        Span<byte> bytes = stackalloc byte[32];
        scalar.WriteToSpan(bytes);
        var value = BigInts.FromBigEndian(bytes);
        CryptographicOperations.ZeroMemory(bytes);
        return value;
    }

    /// <summary>Returns an integer reduced modulo the curve order as a scalar.</summary>
    /// <param name="value">The integer.</param>
    /// <returns>The scalar.</returns>
    public static Scalar FromBigInteger(System.Numerics.BigInteger value)
    {
        var reduced = BigInts.Mod(value, Order);
        Span<byte> bytes = stackalloc byte[32];
        BigInts.WriteBigEndian(reduced, bytes);
        var s = new Scalar(bytes, out _);
        CryptographicOperations.ZeroMemory(bytes);
        return s;
    }

    /// <summary>Gets the secp256k1 group order q.</summary>
    public static System.Numerics.BigInteger Order { get; } = BigInts.FromBigEndian(Convert.FromHexString("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"));
}
