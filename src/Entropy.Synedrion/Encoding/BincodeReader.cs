using System.Buffers.Binary;
using System.Numerics;

namespace Entropy.Synedrion.Encoding;

/// <summary>Reads bincode 1 in its default configuration; every read is bounds-checked and throws <see cref="SynedrionFormatException"/>.</summary>
internal sealed class BincodeReader
{
    private readonly ReadOnlyMemory<byte> data;
    private readonly string what;
    private int position;

    /// <summary>Creates a reader.</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="what">The name of the value being read, for error messages.</param>
    public BincodeReader(ReadOnlyMemory<byte> data, string what)
    {
        this.data = data;
        this.what = what;
    }

    /// <summary>Gets the number of unread bytes.</summary>
    public int Remaining => this.data.Length - this.position;

    /// <summary>Gets the unread bytes without consuming them.</summary>
    public ReadOnlySpan<byte> Rest => this.data.Span[this.position..];

    /// <summary>Gets the read position.</summary>
    public int Position => this.position;

    /// <summary>Reads one byte.</summary>
    /// <returns>The byte.</returns>
    public byte U8() => this.Take(1, "u8")[0];

    /// <summary>Reads a bool (0 or 1).</summary>
    /// <param name="field">The field name.</param>
    /// <returns>The value.</returns>
    public bool Bool(string field)
    {
        byte b = this.Take(1, field)[0];
        return b switch
        {
            0 => false,
            1 => true,
            _ => throw this.Fail($"{field}: {b} is not a bool (0 or 1)"),
        };
    }

    /// <summary>Reads a little-endian u32.</summary>
    /// <param name="field">The field name.</param>
    /// <returns>The value.</returns>
    public uint U32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(this.Take(4, field));

    /// <summary>Reads a little-endian u64.</summary>
    /// <param name="field">The field name.</param>
    /// <returns>The value.</returns>
    public ulong U64(string field) => BinaryPrimitives.ReadUInt64LittleEndian(this.Take(8, field));

    /// <summary>Reads a sequence length and checks that at least <paramref name="minElementSize"/> bytes per element remain.</summary>
    /// <param name="field">The field name.</param>
    /// <param name="minElementSize">The smallest encoding of one element.</param>
    /// <returns>The count.</returns>
    public int SeqLength(string field, int minElementSize)
    {
        ulong count = this.U64(field + " length");
        if (count > (ulong)this.Remaining / (ulong)Math.Max(1, minElementSize))
        {
            throw this.Fail($"{field}: length {count} exceeds the {this.Remaining} remaining bytes");
        }

        return (int)count;
    }

    /// <summary>Reads a byte string (u64 length then bytes).</summary>
    /// <param name="field">The field name.</param>
    /// <returns>The bytes.</returns>
    public byte[] Bytes(string field)
    {
        int length = this.SeqLength(field, 1);
        return this.Take(length, field).ToArray();
    }

    /// <summary>Reads a byte string that must have exactly <paramref name="length"/> bytes.</summary>
    /// <param name="field">The field name.</param>
    /// <param name="length">The required length.</param>
    /// <returns>The bytes.</returns>
    public ReadOnlySpan<byte> FixedBytes(string field, int length)
    {
        ulong declared = this.U64(field + " length");
        if (declared != (ulong)length)
        {
            throw this.Fail($"{field}: length {declared}, expected {length}");
        }

        return this.Take(length, field);
    }

    /// <summary>Reads raw bytes without a length.</summary>
    /// <param name="length">The number of bytes.</param>
    /// <param name="field">The field name.</param>
    /// <returns>The bytes.</returns>
    public ReadOnlySpan<byte> Raw(int length, string field) => this.Take(length, field);

    /// <summary>Reads a crypto-bigint <c>Uint</c> of <paramref name="width"/> bytes, little-endian.</summary>
    /// <param name="width">The width in bytes.</param>
    /// <param name="field">The field name.</param>
    /// <returns>The non-negative value.</returns>
    public BigInteger Uint(int width, string field) => new(this.Take(width, field), isUnsigned: true, isBigEndian: false);

    /// <summary>Throws unless every byte was read.</summary>
    public void End()
    {
        if (this.Remaining != 0)
        {
            throw this.Fail($"{this.Remaining} unexpected trailing bytes");
        }
    }

    /// <summary>Creates the exception for a malformed value.</summary>
    /// <param name="reason">What is wrong.</param>
    /// <returns>The exception (to throw).</returns>
    public SynedrionFormatException Fail(string reason) =>
        new($"Malformed {this.what} at byte {this.position}: {reason}.");

    private ReadOnlySpan<byte> Take(int length, string field)
    {
        if (length < 0 || length > this.Remaining)
        {
            throw this.Fail($"{field}: needs {length} bytes but only {this.Remaining} remain (truncated)");
        }

        var span = this.data.Span.Slice(this.position, length);
        this.position += length;
        return span;
    }
}
