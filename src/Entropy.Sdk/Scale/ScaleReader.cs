using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Entropy.Scale;

/// <summary>A forward-only, strict reader of SCALE-encoded values over a span of bytes.</summary>
/// <remarks>
/// <para>
/// The reader rejects anything that is not the canonical encoding of the requested type: non-canonical compact integers,
/// lengths that exceed the remaining input (checked before anything is allocated), invalid bool, option and result tags,
/// invalid UTF-8, and (through <see cref="EnsureEnd"/>) trailing bytes. Every failure is a <see cref="ScaleFormatException"/>
/// carrying the offset of the item that could not be decoded; a failed read leaves the reader where the item started.
/// </para>
/// <para>See the SCALE specification: <see href="https://docs.polkadot.com/polkadot-protocol/parachain-basics/data-encoding/"/>.</para>
/// </remarks>
internal ref partial struct ScaleReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    /// <summary>Creates a reader positioned at the start of <paramref name="buffer"/>.</summary>
    /// <param name="buffer">The SCALE-encoded input.</param>
    public ScaleReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    /// <summary>Gets the number of bytes read so far.</summary>
    public readonly int BytesConsumed => _position;

    /// <summary>Gets the number of bytes not read yet.</summary>
    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>Throws unless every byte of the input has been read.</summary>
    /// <exception cref="ScaleFormatException">Bytes remain after the decoded value.</exception>
    public readonly void EnsureEnd()
    {
        if (_position != _buffer.Length)
        {
            throw new ScaleFormatException($"{Remaining} trailing byte(s) after the end of the value", _position);
        }
    }

    /// <summary>Reads <paramref name="count"/> raw bytes (no length prefix) and returns a view of them.</summary>
    /// <param name="count">The number of bytes to read.</param>
    /// <returns>A slice of the input; it is valid as long as the input is.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="ScaleFormatException">Fewer than <paramref name="count"/> bytes remain.</exception>
    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        EnsureAvailable(count, "raw bytes");
        ReadOnlySpan<byte> slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }

    /// <summary>Reads exactly <c>destination.Length</c> raw bytes (no length prefix) into <paramref name="destination"/>.</summary>
    /// <param name="destination">Where to copy the bytes; its length is the number of bytes read.</param>
    /// <exception cref="ScaleFormatException">Fewer than <c>destination.Length</c> bytes remain.</exception>
    public void ReadBytes(scoped Span<byte> destination)
    {
        EnsureAvailable(destination.Length, "raw bytes");
        _buffer.Slice(_position, destination.Length).CopyTo(destination);
        _position += destination.Length;
    }

    /// <summary>Reads a compact-length-prefixed byte vector (<c>Vec&lt;u8&gt;</c>).</summary>
    /// <returns>A new array holding the bytes.</returns>
    /// <exception cref="ScaleFormatException">The length prefix is malformed or exceeds the remaining input.</exception>
    public byte[] ReadByteVec()
    {
        int length = ReadLength();
        byte[] result = _buffer.Slice(_position, length).ToArray();
        _position += length;
        return result;
    }

    /// <summary>Reads a compact-length-prefixed UTF-8 string (<c>String</c>/<c>Text</c>).</summary>
    /// <returns>The decoded string.</returns>
    /// <exception cref="ScaleFormatException">The length prefix is malformed or too large, or the bytes are not valid UTF-8.</exception>
    public string ReadString()
    {
        int start = _position;
        int length = ReadLength();
        try
        {
            string result = ScaleCodec.StrictUtf8.GetString(_buffer.Slice(_position, length));
            _position += length;
            return result;
        }
        catch (System.Text.DecoderFallbackException ex)
        {
            _position = start;
            throw new ScaleFormatException("String is not valid UTF-8", start, ex);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void EnsureAvailable(int count, string what)
    {
        if ((uint)count > (uint)(_buffer.Length - _position))
        {
            ThrowTruncated(count, what);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowTruncated(int count, string what) =>
        throw new ScaleFormatException($"Unexpected end of input reading {what}: needed {count} byte(s), {Remaining} remain", _position);
}
