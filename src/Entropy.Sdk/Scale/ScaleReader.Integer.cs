using System.Buffers.Binary;

namespace Entropy.Scale;

internal ref partial struct ScaleReader
{
    /// <summary>Reads a <c>bool</c> (one byte, 0 or 1).</summary>
    /// <returns>The decoded value.</returns>
    /// <exception cref="ScaleFormatException">The input is empty or the byte is neither 0 nor 1.</exception>
    public bool ReadBool()
    {
        EnsureAvailable(1, "bool");
        byte b = _buffer[_position];
        if (b > 1)
        {
            throw new ScaleFormatException($"Invalid bool byte 0x{b:x2}; expected 0x00 or 0x01", _position);
        }

        _position++;
        return b == 1;
    }

    /// <summary>Reads a <c>u8</c>.</summary>
    /// <returns>The decoded value.</returns>
    /// <exception cref="ScaleFormatException">The input is exhausted.</exception>
    public byte ReadU8()
    {
        EnsureAvailable(1, "u8");
        return _buffer[_position++];
    }

    /// <summary>Reads a little-endian <c>u16</c>.</summary>
    /// <returns>The decoded value.</returns>
    /// <exception cref="ScaleFormatException">Fewer than 2 bytes remain.</exception>
    public ushort ReadU16()
    {
        EnsureAvailable(2, "u16");
        ushort value = BinaryPrimitives.ReadUInt16LittleEndian(_buffer.Slice(_position));
        _position += 2;
        return value;
    }

    /// <summary>Reads a little-endian <c>u32</c>.</summary>
    /// <returns>The decoded value.</returns>
    /// <exception cref="ScaleFormatException">Fewer than 4 bytes remain.</exception>
    public uint ReadU32()
    {
        EnsureAvailable(4, "u32");
        uint value = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.Slice(_position));
        _position += 4;
        return value;
    }

    /// <summary>Reads a little-endian <c>u64</c>.</summary>
    /// <returns>The decoded value.</returns>
    /// <exception cref="ScaleFormatException">Fewer than 8 bytes remain.</exception>
    public ulong ReadU64()
    {
        EnsureAvailable(8, "u64");
        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(_buffer.Slice(_position));
        _position += 8;
        return value;
    }

    /// <summary>Reads a little-endian <c>u128</c>.</summary>
    /// <returns>The decoded value.</returns>
    /// <exception cref="ScaleFormatException">Fewer than 16 bytes remain.</exception>
    public UInt128 ReadU128()
    {
        EnsureAvailable(16, "u128");
        UInt128 value = BinaryPrimitives.ReadUInt128LittleEndian(_buffer.Slice(_position));
        _position += 16;
        return value;
    }

    /// <summary>Reads an <c>i8</c>.</summary>
    /// <returns>The decoded value.</returns>
    /// <exception cref="ScaleFormatException">The input is exhausted.</exception>
    public sbyte ReadI8()
    {
        EnsureAvailable(1, "i8");
        return unchecked((sbyte)_buffer[_position++]);
    }

    /// <summary>Reads a little-endian two's-complement <c>i16</c>.</summary>
    /// <returns>The decoded value.</returns>
    /// <exception cref="ScaleFormatException">Fewer than 2 bytes remain.</exception>
    public short ReadI16()
    {
        EnsureAvailable(2, "i16");
        short value = BinaryPrimitives.ReadInt16LittleEndian(_buffer.Slice(_position));
        _position += 2;
        return value;
    }

    /// <summary>Reads a little-endian two's-complement <c>i32</c>.</summary>
    /// <returns>The decoded value.</returns>
    /// <exception cref="ScaleFormatException">Fewer than 4 bytes remain.</exception>
    public int ReadI32()
    {
        EnsureAvailable(4, "i32");
        int value = BinaryPrimitives.ReadInt32LittleEndian(_buffer.Slice(_position));
        _position += 4;
        return value;
    }

    /// <summary>Reads a little-endian two's-complement <c>i64</c>.</summary>
    /// <returns>The decoded value.</returns>
    /// <exception cref="ScaleFormatException">Fewer than 8 bytes remain.</exception>
    public long ReadI64()
    {
        EnsureAvailable(8, "i64");
        long value = BinaryPrimitives.ReadInt64LittleEndian(_buffer.Slice(_position));
        _position += 8;
        return value;
    }

    /// <summary>Reads a little-endian two's-complement <c>i128</c>.</summary>
    /// <returns>The decoded value.</returns>
    /// <exception cref="ScaleFormatException">Fewer than 16 bytes remain.</exception>
    public Int128 ReadI128()
    {
        EnsureAvailable(16, "i128");
        Int128 value = BinaryPrimitives.ReadInt128LittleEndian(_buffer.Slice(_position));
        _position += 16;
        return value;
    }
}
