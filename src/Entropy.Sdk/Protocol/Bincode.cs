using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Entropy.Protocol;

/// <summary>Writes the subset of bincode 1.3 default options (fixed-width little-endian integers, u32 enum tags, u64 lengths) the Entropy transport uses.</summary>
/// <remarks>Implements the encoding of bincode 1.3.3 <c>bincode::serialize</c> (github.com/bincode-org/bincode/blob/v1.3.3/docs/spec.md).</remarks>
internal sealed class BincodeWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    /// <summary>Gets the bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    /// <summary>Writes a u32 (enum variant tags are u32).</summary>
    public void WriteU32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    /// <summary>Writes a u64.</summary>
    public void WriteU64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    /// <summary>Writes raw bytes with no length prefix (a fixed-size array such as [u8; 32]).</summary>
    public void WriteFixed(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    /// <summary>Writes a string: u64 byte length, then UTF-8.</summary>
    public void WriteString(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        WriteU64((ulong)length);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(length);
    }

    /// <summary>Writes a Vec&lt;u8&gt;: u64 length, then the bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        WriteU64((ulong)bytes.Length);
        _buffer.Write(bytes);
    }

    /// <summary>Returns a copy of the bytes written.</summary>
    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}

/// <summary>Reads the subset of bincode 1.3 default options the Entropy transport uses; malformed input raises <see cref="EntropyProtocolException"/>.</summary>
internal ref struct BincodeReader
{
    private readonly ReadOnlySpan<byte> _source;
    private readonly string _what;
    private int _position;

    /// <summary>Creates a reader; <paramref name="what"/> names the value in error messages.</summary>
    public BincodeReader(ReadOnlySpan<byte> source, string what)
    {
        _source = source;
        _what = what;
        _position = 0;
    }

    /// <summary>Gets the number of bytes consumed so far.</summary>
    public readonly int Position => _position;

    /// <summary>Reads a u32.</summary>
    public uint ReadU32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, "u32"));

    /// <summary>Reads a u64.</summary>
    public ulong ReadU64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, "u64"));

    /// <summary>Reads <paramref name="length"/> raw bytes (a fixed-size array).</summary>
    public ReadOnlySpan<byte> ReadFixed(int length) => Take(length, $"[u8; {length}]");

    /// <summary>Reads a u64-length-prefixed UTF-8 string.</summary>
    public string ReadString()
    {
        int start = _position;
        ReadOnlySpan<byte> bytes = ReadLengthPrefixed("string");
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.MalformedMessage, $"{_what}: the string at byte {start} is not valid UTF-8.", ex);
        }
    }

    /// <summary>Reads a u64-length-prefixed Vec&lt;u8&gt;.</summary>
    public ReadOnlySpan<byte> ReadBytes() => ReadLengthPrefixed("Vec<u8>");

    /// <summary>Fails unless every byte has been consumed.</summary>
    public readonly void EnsureEnd()
    {
        if (_position != _source.Length)
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.MalformedMessage, $"{_what}: {_source.Length - _position} trailing bytes after byte {_position}.");
        }
    }

    /// <summary>Raises a malformed-message error at the current position.</summary>
    public readonly EntropyProtocolException Error(string message) =>
        new(EntropyProtocolErrorKind.MalformedMessage, $"{_what}: {message} (at byte {_position}).");

    private ReadOnlySpan<byte> ReadLengthPrefixed(string kind)
    {
        ulong length = ReadU64();
        if (length > (ulong)(_source.Length - _position))
        {
            throw Error($"the {kind} length {length} exceeds the {_source.Length - _position} remaining bytes");
        }

        return Take((int)length, kind);
    }

    private ReadOnlySpan<byte> Take(int count, string kind)
    {
        if (_source.Length - _position < count)
        {
            throw Error($"needs {count} bytes for a {kind} but only {_source.Length - _position} remain");
        }

        ReadOnlySpan<byte> slice = _source.Slice(_position, count);
        _position += count;
        return slice;
    }
}
