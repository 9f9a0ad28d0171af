using System.Numerics;

namespace Entropy.Scale;

internal ref partial struct ScaleReader
{
    /// <summary>Reads a canonical <c>Compact&lt;u32&gt;</c>.</summary>
    /// <returns>The decoded value.</returns>
    /// <exception cref="ScaleFormatException">The encoding is truncated, non-canonical, or its value exceeds <see cref="uint.MaxValue"/>.</exception>
    public uint ReadCompactU32()
    {
        ulong value = ReadCompactU64Core("Compact<u32>", 4);
        return (uint)value;
    }

    /// <summary>Reads a canonical <c>Compact&lt;u64&gt;</c>.</summary>
    /// <returns>The decoded value.</returns>
    /// <exception cref="ScaleFormatException">The encoding is truncated, non-canonical, or its value exceeds <see cref="ulong.MaxValue"/>.</exception>
    public ulong ReadCompactU64() => ReadCompactU64Core("Compact<u64>", 8);

    /// <summary>Reads a canonical <c>Compact&lt;u128&gt;</c>.</summary>
    /// <returns>The decoded value.</returns>
    /// <exception cref="ScaleFormatException">The encoding is truncated, non-canonical, or its value exceeds <see cref="UInt128.MaxValue"/>.</exception>
    public UInt128 ReadCompactU128()
    {
        ReadOnlySpan<byte> rest = _buffer.Slice(_position);
        if (rest.Length > 0 && (rest[0] & 3) == 3)
        {
            ReadOnlySpan<byte> big = ReadBigCompactPayload("Compact<u128>", 16);
            UInt128 value = 0;
            for (int i = big.Length - 1; i >= 0; i--)
            {
                value = (value << 8) | big[i];
            }

            return value;
        }

        return ReadCompactU64Core("Compact<u128>", 8);
    }

    /// <summary>Reads a canonical compact integer of any size (up to 2^536 - 1), such as a <c>Compact&lt;u256&gt;</c>.</summary>
    /// <returns>The decoded, non-negative value.</returns>
    /// <exception cref="ScaleFormatException">The encoding is truncated or non-canonical.</exception>
    public BigInteger ReadCompactBigInteger()
    {
        ReadOnlySpan<byte> rest = _buffer.Slice(_position);
        if (rest.Length > 0 && (rest[0] & 3) == 3)
        {
            ReadOnlySpan<byte> big = ReadBigCompactPayload("compact integer", 67);
            return new BigInteger(big, isUnsigned: true, isBigEndian: false);
        }

        return ReadCompactU64Core("compact integer", 8);
    }

    /// <summary>Reads a compact length prefix and checks that that many one-byte elements fit in the remaining input.</summary>
    /// <returns>The length.</returns>
    /// <exception cref="ScaleFormatException">The prefix is malformed, or the length exceeds the remaining input.</exception>
    public int ReadLength() => ReadLength(1);

    /// <summary>Reads a compact length prefix and checks that that many elements of at least <paramref name="minElementSize"/> bytes fit in the remaining input.</summary>
    /// <param name="minElementSize">The smallest number of bytes one element can be encoded in; 0 disables the check.</param>
    /// <returns>The length, in elements.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minElementSize"/> is negative.</exception>
    /// <exception cref="ScaleFormatException">The prefix is malformed, or the elements cannot fit in the remaining input.</exception>
    public int ReadLength(int minElementSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minElementSize);
        int start = _position;
        ulong length = ReadCompactU64Core("length prefix", 4);
        int following = Remaining;
        if (length > int.MaxValue || (ulong)minElementSize * length > (ulong)following)
        {
            _position = start;
            throw new ScaleFormatException(
                $"Length prefix {length} (element size >= {minElementSize}) exceeds the {following} byte(s) that follow it",
                start);
        }

        return (int)length;
    }

    private ulong ReadCompactU64Core(string what, int maxBytes)
    {
        switch (ScaleCodec.DecodeCompactU64(_buffer.Slice(_position), maxBytes, out ulong value, out int consumed))
        {
            case ScaleCodec.CompactStatus.Ok:
                _position += consumed;
                return value;
            case ScaleCodec.CompactStatus.Truncated:
                throw new ScaleFormatException($"Unexpected end of input reading {what}", _position);
            case ScaleCodec.CompactStatus.NonCanonical:
                throw new ScaleFormatException($"Non-canonical {what} encoding", _position);
            default:
                throw new ScaleFormatException($"{what} value is out of range", _position);
        }
    }

    private ReadOnlySpan<byte> ReadBigCompactPayload(string what, int maxBytes)
    {
        int start = _position;
        int n = (_buffer[start] >> 2) + 4;
        if (n > maxBytes)
        {
            throw new ScaleFormatException($"{what} value is out of range: {n} bytes", start);
        }

        if (_buffer.Length - start - 1 < n)
        {
            throw new ScaleFormatException($"Unexpected end of input reading {what}", start);
        }

        ReadOnlySpan<byte> payload = _buffer.Slice(start + 1, n);

        // Canonical big-integer mode: the top byte is non-zero (shortest length) and the value is at least 2^30.
        if (payload[n - 1] == 0 || (n == 4 && payload[3] < 0x40))
        {
            throw new ScaleFormatException($"Non-canonical {what} encoding", start);
        }

        _position = start + 1 + n;
        return payload;
    }
}
