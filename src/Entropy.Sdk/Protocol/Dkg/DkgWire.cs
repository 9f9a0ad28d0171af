using System.Buffers.Binary;

namespace Entropy.Protocol.Dkg;

/// <summary>Raised by the DKG message decoder for malformed bytes; the session turns it into a <see cref="DkgException"/>.</summary>
internal sealed class DkgWireFormatException(string message, int offset) : Exception($"{message} (at byte {offset})")
{
    public int Offset { get; } = offset;
}

/// <summary>A strict SCALE reader for the few shapes the DKG messages use.</summary>
internal ref struct DkgWireReader(ReadOnlySpan<byte> buffer)
{
    private readonly ReadOnlySpan<byte> _buffer = buffer;
    private int _position;

    public readonly int Position => _position;

    public byte ReadU8() => ReadBytes(1)[0];

    public void ExpectU8(byte expected)
    {
        byte actual = ReadU8();
        if (actual != expected)
        {
            throw new DkgWireFormatException($"Expected message kind {expected}, found {actual}.", _position - 1);
        }
    }

    public uint ReadU32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (_buffer.Length - _position < count)
        {
            throw new DkgWireFormatException($"The message ends early: {count} bytes needed, {_buffer.Length - _position} left.", _position);
        }

        var slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }

    /// <summary>Reads a canonical SCALE compact integer that fits in 32 bits.</summary>
    public uint ReadCompact()
    {
        int start = _position;
        byte first = ReadU8();
        uint value;
        switch (first & 0b11)
        {
            case 0b00:
                return (uint)(first >> 2);
            case 0b01:
                value = (uint)(first | (ReadU8() << 8)) >> 2;
                if (value < 0x40)
                {
                    throw new DkgWireFormatException("Non-canonical compact integer.", start);
                }

                return value;
            case 0b10:
                _position = start;
                value = ReadU32() >> 2;
                if (value < 0x4000)
                {
                    throw new DkgWireFormatException("Non-canonical compact integer.", start);
                }

                return value;
            default:
                if (first != 0b11)
                {
                    throw new DkgWireFormatException("Compact integer too large.", start);
                }

                value = ReadU32();
                if (value < 0x4000_0000)
                {
                    throw new DkgWireFormatException("Non-canonical compact integer.", start);
                }

                return value;
        }
    }

    public readonly void EnsureEnd()
    {
        if (_position != _buffer.Length)
        {
            throw new DkgWireFormatException($"{_buffer.Length - _position} trailing bytes after the message.", _position);
        }
    }
}

/// <summary>A SCALE writer for the DKG messages into a buffer of the exact message size (no growth, so no stray copies of a share).</summary>
internal sealed class DkgWireWriter(int length)
{
    private readonly byte[] _buffer = new byte[length];
    private int _position;

    public void WriteU8(byte value) => Take(1)[0] = value;

    public void WriteU32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Take(4), value);

    public void WriteFixed(ReadOnlySpan<byte> value, int expectedLength)
    {
        if (value.Length != expectedLength)
        {
            throw new InvalidOperationException($"A field of {expectedLength} bytes was given {value.Length}.");
        }

        value.CopyTo(Take(expectedLength));
    }

    public void WriteCompact(uint value)
    {
        if (value < 0x40)
        {
            WriteU8((byte)(value << 2));
        }
        else if (value < 0x4000)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(Take(2), (ushort)((value << 2) | 0b01));
        }
        else if (value < 0x4000_0000)
        {
            WriteU32((value << 2) | 0b10);
        }
        else
        {
            WriteU8(0b11);
            WriteU32(value);
        }
    }

    /// <summary>Returns the message; the writer must have been sized to a maximum, so the result is trimmed.</summary>
    public byte[] ToArray() => _position == _buffer.Length ? _buffer : _buffer.AsSpan(0, _position).ToArray();

    private Span<byte> Take(int count)
    {
        var span = _buffer.AsSpan(_position, count);
        _position += count;
        return span;
    }
}
