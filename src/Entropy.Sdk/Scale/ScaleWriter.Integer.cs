using System.Buffers.Binary;
using System.Numerics;

namespace Entropy.Scale;

internal readonly partial struct ScaleWriter
{
    /// <summary>Writes a <c>bool</c> as one byte, 0x00 or 0x01.</summary>
    /// <param name="value">The value.</param>
    /// <exception cref="InvalidOperationException">The writer is a <see langword="default"/> instance.</exception>
    public void WriteBool(bool value) => WriteU8(value ? (byte)1 : (byte)0);

    /// <summary>Writes a <c>u8</c>.</summary>
    /// <param name="value">The value.</param>
    /// <exception cref="InvalidOperationException">The writer is a <see langword="default"/> instance.</exception>
    public void WriteU8(byte value)
    {
        GetSpan(1)[0] = value;
        Advance(1);
    }

    /// <summary>Writes a little-endian <c>u16</c>.</summary>
    /// <param name="value">The value.</param>
    /// <exception cref="InvalidOperationException">The writer is a <see langword="default"/> instance.</exception>
    public void WriteU16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(GetSpan(2), value);
        Advance(2);
    }

    /// <summary>Writes a little-endian <c>u32</c>.</summary>
    /// <param name="value">The value.</param>
    /// <exception cref="InvalidOperationException">The writer is a <see langword="default"/> instance.</exception>
    public void WriteU32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(GetSpan(4), value);
        Advance(4);
    }

    /// <summary>Writes a little-endian <c>u64</c>.</summary>
    /// <param name="value">The value.</param>
    /// <exception cref="InvalidOperationException">The writer is a <see langword="default"/> instance.</exception>
    public void WriteU64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(GetSpan(8), value);
        Advance(8);
    }

    /// <summary>Writes a little-endian <c>u128</c>.</summary>
    /// <param name="value">The value.</param>
    /// <exception cref="InvalidOperationException">The writer is a <see langword="default"/> instance.</exception>
    public void WriteU128(UInt128 value)
    {
        BinaryPrimitives.WriteUInt128LittleEndian(GetSpan(16), value);
        Advance(16);
    }

    /// <summary>Writes an <c>i8</c>.</summary>
    /// <param name="value">The value.</param>
    /// <exception cref="InvalidOperationException">The writer is a <see langword="default"/> instance.</exception>
    public void WriteI8(sbyte value) => WriteU8(unchecked((byte)value));

    /// <summary>Writes a little-endian two's-complement <c>i16</c>.</summary>
    /// <param name="value">The value.</param>
    /// <exception cref="InvalidOperationException">The writer is a <see langword="default"/> instance.</exception>
    public void WriteI16(short value)
    {
        BinaryPrimitives.WriteInt16LittleEndian(GetSpan(2), value);
        Advance(2);
    }

    /// <summary>Writes a little-endian two's-complement <c>i32</c>.</summary>
    /// <param name="value">The value.</param>
    /// <exception cref="InvalidOperationException">The writer is a <see langword="default"/> instance.</exception>
    public void WriteI32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(GetSpan(4), value);
        Advance(4);
    }

    /// <summary>Writes a little-endian two's-complement <c>i64</c>.</summary>
    /// <param name="value">The value.</param>
    /// <exception cref="InvalidOperationException">The writer is a <see langword="default"/> instance.</exception>
    public void WriteI64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(GetSpan(8), value);
        Advance(8);
    }

    /// <summary>Writes a little-endian two's-complement <c>i128</c>.</summary>
    /// <param name="value">The value.</param>
    /// <exception cref="InvalidOperationException">The writer is a <see langword="default"/> instance.</exception>
    public void WriteI128(Int128 value)
    {
        BinaryPrimitives.WriteInt128LittleEndian(GetSpan(16), value);
        Advance(16);
    }

    /// <summary>Writes a compact integer (<c>Compact&lt;u8..u64&gt;</c>, and compact length prefixes).</summary>
    /// <param name="value">The value.</param>
    /// <exception cref="InvalidOperationException">The writer is a <see langword="default"/> instance.</exception>
    public void WriteCompact(ulong value)
    {
        int written = ScaleCodec.WriteCompact(GetSpan(9), value);
        Advance(written);
    }

    /// <summary>Writes a compact integer (<c>Compact&lt;u128&gt;</c>).</summary>
    /// <param name="value">The value.</param>
    /// <exception cref="InvalidOperationException">The writer is a <see langword="default"/> instance.</exception>
    public void WriteCompact(UInt128 value)
    {
        if (value <= ulong.MaxValue)
        {
            WriteCompact((ulong)value);
            return;
        }

        int n = 16 - ((int)UInt128.LeadingZeroCount(value) >> 3);
        Span<byte> span = GetSpan(17);
        span[0] = (byte)(((n - 4) << 2) | 3);
        BinaryPrimitives.WriteUInt128LittleEndian(span.Slice(1), value);
        Advance(n + 1);
    }

    /// <summary>Writes a compact integer of any size up to 2^536 - 1 (such as <c>Compact&lt;u256&gt;</c>).</summary>
    /// <param name="value">The value.</param>
    /// <exception cref="OverflowException"><paramref name="value"/> is negative or larger than 2^536 - 1.</exception>
    /// <exception cref="InvalidOperationException">The writer is a <see langword="default"/> instance.</exception>
    public void WriteCompact(BigInteger value)
    {
        if (value.Sign < 0 || value > ScaleCodec.MaxCompactBigInteger)
        {
            throw new OverflowException("A SCALE compact integer must be between 0 and 2^536 - 1.");
        }

        if (value <= ulong.MaxValue)
        {
            WriteCompact((ulong)value);
            return;
        }

        int n = value.GetByteCount(isUnsigned: true);
        Span<byte> span = GetSpan(n + 1);
        span[0] = (byte)(((n - 4) << 2) | 3);
        value.TryWriteBytes(span.Slice(1, n), out _, isUnsigned: true, isBigEndian: false);
        Advance(n + 1);
    }
}
