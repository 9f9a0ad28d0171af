using System.Numerics;
using Entropy.Synedrion.Encoding;
using Entropy.Synedrion.Hashing;

namespace Entropy.Synedrion;

/// <summary>
/// synedrion's <c>Bounded&lt;T&gt;</c> and <c>Signed&lt;T&gt;</c>: an integer with a declared bit bound. The bound is part of
/// the encoding (<c>PackedBounded { bound: u32, bytes: ceil(bound/8) big-endian }</c>, <c>PackedSigned { is_negative, abs }</c>)
/// and of the hash of a Bounded, so a decoded value keeps the bound it arrived with.
/// </summary>
internal readonly record struct BoundedInt(BigInteger Value, uint Bound)
{
    /// <summary>Creates a bounded value with the bound synedrion would not reject.</summary>
    /// <param name="value">A non-negative value.</param>
    /// <param name="bound">The bound (≥ bit length).</param>
    /// <returns>The value.</returns>
    public static BoundedInt Of(BigInteger value, int bound) => new(value, (uint)Math.Max(bound, BigInts.BitLength(value)));

    /// <summary>Reads a PackedBounded of type width <paramref name="width"/> bytes.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="width">The width of T in bytes.</param>
    /// <param name="field">The field name.</param>
    /// <returns>The value.</returns>
    public static BoundedInt Read(BincodeReader reader, int width, string field)
    {
        uint bound = reader.U32(field + ".bound");
        var bytes = reader.Bytes(field + ".bytes");
        if (bytes.Length > width)
        {
            throw reader.Fail($"{field}: {bytes.Length} bytes do not fit a {width * 8}-bit integer");
        }

        var value = BigInts.FromBigEndian(bytes);
        if (bound > (uint)(width * 8) || BigInts.BitLength(value) > bound)
        {
            throw reader.Fail($"{field}: value of {BigInts.BitLength(value)} bits does not satisfy its bound {bound}");
        }

        return new BoundedInt(value, bound);
    }

    /// <summary>Writes the PackedBounded form.</summary>
    /// <param name="writer">The writer.</param>
    public void Write(BincodeWriter writer)
    {
        writer.U32(this.Bound);
        writer.Bytes(BigInts.ToBigEndian(this.Value, (int)((this.Bound + 7) / 8)));
    }

    /// <summary>Chains the value as synedrion hashes a Bounded: u32 bound then the full-width big-endian value.</summary>
    /// <param name="transcript">The transcript.</param>
    /// <param name="width">The width of T in bytes.</param>
    public void Hash(Transcript transcript, int width) => transcript.U32(this.Bound).Uint(this.Value, width);

    /// <inheritdoc/>
    public override string ToString() => $"Bounded({this.Bound} bits)";
}

/// <summary>synedrion's <c>Signed&lt;T&gt;</c>; see <see cref="BoundedInt"/>.</summary>
internal readonly record struct SignedInt(BigInteger Value, uint Bound)
{
    /// <summary>Creates a signed value with a bound synedrion accepts.</summary>
    /// <param name="value">The value.</param>
    /// <param name="bound">The nominal bound.</param>
    /// <returns>The value.</returns>
    public static SignedInt Of(BigInteger value, int bound) => new(value, (uint)Math.Max(bound, BigInts.BitLength(BigInteger.Abs(value))));

    /// <summary>Reads a PackedSigned of type width <paramref name="width"/> bytes.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="width">The width of T in bytes.</param>
    /// <param name="field">The field name.</param>
    /// <returns>The value.</returns>
    public static SignedInt Read(BincodeReader reader, int width, string field)
    {
        bool negative = reader.Bool(field + ".is_negative");
        var abs = BoundedInt.Read(reader, width, field);
        if (abs.Bound >= (uint)(width * 8))
        {
            throw reader.Fail($"{field}: bound {abs.Bound} leaves no sign bit in a {width * 8}-bit integer");
        }

        return new SignedInt(negative ? -abs.Value : abs.Value, abs.Bound);
    }

    /// <summary>Writes the PackedSigned form.</summary>
    /// <param name="writer">The writer.</param>
    public void Write(BincodeWriter writer)
    {
        writer.Bool(this.Value.Sign < 0);
        new BoundedInt(BigInteger.Abs(this.Value), this.Bound).Write(writer);
    }

    /// <summary>Returns whether |value| ≤ 2^(bits+1) (synedrion 0.1.0's <c>in_range_bits</c>).</summary>
    /// <param name="bits">The bound in bits.</param>
    /// <returns>Whether in range.</returns>
    public bool InRangeBits(int bits) => BigInteger.Abs(this.Value) <= BigInteger.One << (bits + 1);

    /// <inheritdoc/>
    public override string ToString() => $"Signed({this.Bound} bits)";
}
