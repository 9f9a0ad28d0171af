using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;

namespace Entropy.Synedrion.Encoding;

/// <summary>Writes bincode 1 in its default configuration (little-endian, fixed-width integers, u64 lengths).</summary>
internal sealed class BincodeWriter
{
    private readonly ArrayBufferWriter<byte> buffer = new();

    /// <summary>Gets the number of bytes written.</summary>
    public int Length => this.buffer.WrittenCount;

    /// <summary>Writes one byte.</summary>
    /// <param name="value">The value.</param>
    public void U8(byte value)
    {
        this.buffer.GetSpan(1)[0] = value;
        this.buffer.Advance(1);
    }

    /// <summary>Writes a bool as one byte.</summary>
    /// <param name="value">The value.</param>
    public void Bool(bool value) => this.U8(value ? (byte)1 : (byte)0);

    /// <summary>Writes a little-endian u32.</summary>
    /// <param name="value">The value.</param>
    public void U32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(this.buffer.GetSpan(4), value);
        this.buffer.Advance(4);
    }

    /// <summary>Writes a little-endian u64 (sequence lengths).</summary>
    /// <param name="value">The value.</param>
    public void U64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(this.buffer.GetSpan(8), value);
        this.buffer.Advance(8);
    }

    /// <summary>Writes raw bytes without a length (tuples, fixed arrays).</summary>
    /// <param name="bytes">The bytes.</param>
    public void Raw(ReadOnlySpan<byte> bytes) => this.buffer.Write(bytes);

    /// <summary>Writes a byte string: u64 length then the bytes (serde <c>serialize_bytes</c>).</summary>
    /// <param name="bytes">The bytes.</param>
    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        this.U64((ulong)bytes.Length);
        this.Raw(bytes);
    }

    /// <summary>Writes a sequence length.</summary>
    /// <param name="count">The number of elements.</param>
    public void SeqLength(int count) => this.U64((ulong)count);

    /// <summary>Writes a crypto-bigint <c>Uint</c>: exactly <paramref name="width"/> bytes little-endian.</summary>
    /// <param name="value">A non-negative value that fits.</param>
    /// <param name="width">The width in bytes.</param>
    public void Uint(BigInteger value, int width)
    {
        var span = this.buffer.GetSpan(width)[..width];
        BigInts.WriteLittleEndian(value, span);
        this.buffer.Advance(width);
    }

    /// <summary>Returns the bytes written.</summary>
    /// <returns>A new array.</returns>
    public byte[] ToArray() => this.buffer.WrittenSpan.ToArray();
}
