using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace Entropy.Scale;

/// <summary>Static helpers for the SCALE codec: sizes, one-shot encoding and decoding, and non-throwing compact reads.</summary>
/// <remarks>See the SCALE specification: <see href="https://docs.polkadot.com/polkadot-protocol/parachain-basics/data-encoding/"/>.</remarks>
internal static class ScaleCodec
{
    /// <summary>Gets the largest value a compact integer can encode: 2^536 - 1.</summary>
    internal static readonly BigInteger MaxCompactBigInteger = (BigInteger.One << 536) - 1;

    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    internal enum CompactStatus
    {
        Ok,
        Truncated,
        NonCanonical,
        OutOfRange,
    }

    /// <summary>Returns the number of bytes the compact encoding of <paramref name="value"/> takes.</summary>
    /// <param name="value">The value.</param>
    /// <returns>1, 2, 4, or 5 to 9.</returns>
    public static int CompactLength(ulong value)
    {
        if (value < 1UL << 6)
        {
            return 1;
        }

        if (value < 1UL << 14)
        {
            return 2;
        }

        if (value < 1UL << 30)
        {
            return 4;
        }

        return 1 + BigModeByteCount(value);
    }

    /// <summary>Encodes a value into a new array with a caller-supplied write action.</summary>
    /// <param name="write">Writes the value to the given writer.</param>
    /// <returns>The encoded bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    public static byte[] Encode(Action<ScaleWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new ArrayBufferWriter<byte>();
        write(new ScaleWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Encodes a value into a new array with a caller-supplied write action and state, without a closure.</summary>
    /// <typeparam name="TState">The type of the state passed to <paramref name="write"/>.</typeparam>
    /// <param name="state">The value (or context) to encode.</param>
    /// <param name="write">Writes the value to the given writer.</param>
    /// <returns>The encoded bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    public static byte[] Encode<TState>(TState state, Action<ScaleWriter, TState> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new ArrayBufferWriter<byte>();
        write(new ScaleWriter(buffer), state);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Returns the compact encoding of <paramref name="value"/> as a new array.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The encoded bytes.</returns>
    public static byte[] EncodeCompact(ulong value)
    {
        var result = new byte[CompactLength(value)];
        WriteCompact(result, value);
        return result;
    }

    /// <summary>Decodes a whole value from <paramref name="source"/>, requiring that every byte is consumed.</summary>
    /// <typeparam name="T">The type of the decoded value.</typeparam>
    /// <param name="source">The encoded bytes.</param>
    /// <param name="read">Reads the value.</param>
    /// <returns>The decoded value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="read"/> is <see langword="null"/>.</exception>
    /// <exception cref="ScaleFormatException">The bytes are malformed or have trailing bytes.</exception>
    public static T Decode<T>(ReadOnlySpan<byte> source, ScaleReadFunc<T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var reader = new ScaleReader(source);
        T value = read(ref reader);
        reader.EnsureEnd();
        return value;
    }

    /// <summary>Tries to read a canonical compact integer of at most 64 bits from the start of <paramref name="source"/>.</summary>
    /// <param name="source">The encoded bytes; trailing bytes are ignored.</param>
    /// <param name="value">The decoded value, or 0 on failure.</param>
    /// <param name="bytesConsumed">The number of bytes the encoding took, or 0 on failure.</param>
    /// <returns><see langword="true"/> if a canonical compact integer that fits in 64 bits was read.</returns>
    public static bool TryReadCompact(ReadOnlySpan<byte> source, out ulong value, out int bytesConsumed)
    {
        if (DecodeCompactU64(source, 8, out value, out bytesConsumed) == CompactStatus.Ok)
        {
            return true;
        }

        value = 0;
        bytesConsumed = 0;
        return false;
    }

    internal static CompactStatus DecodeCompactU64(ReadOnlySpan<byte> s, int maxBytes, out ulong value, out int consumed)
    {
        value = 0;
        consumed = 0;
        if (s.IsEmpty)
        {
            return CompactStatus.Truncated;
        }

        byte b0 = s[0];
        switch (b0 & 3)
        {
            case 0:
                value = (ulong)(b0 >> 2);
                consumed = 1;
                return CompactStatus.Ok;
            case 1:
                if (s.Length < 2)
                {
                    return CompactStatus.Truncated;
                }

                value = (ulong)(BinaryPrimitives.ReadUInt16LittleEndian(s) >> 2);
                if (value < 1UL << 6)
                {
                    return CompactStatus.NonCanonical;
                }

                consumed = 2;
                return CompactStatus.Ok;
            case 2:
                if (s.Length < 4)
                {
                    return CompactStatus.Truncated;
                }

                value = BinaryPrimitives.ReadUInt32LittleEndian(s) >> 2;
                if (value < 1UL << 14)
                {
                    return CompactStatus.NonCanonical;
                }

                consumed = 4;
                return CompactStatus.Ok;
            default:
                int n = (b0 >> 2) + 4;
                if (n > maxBytes)
                {
                    return CompactStatus.OutOfRange;
                }

                if (s.Length < n + 1)
                {
                    return CompactStatus.Truncated;
                }

                // Canonical big-integer mode: the top byte is non-zero (shortest length) and the value is at least 2^30.
                if (s[n] == 0)
                {
                    return CompactStatus.NonCanonical;
                }

                ulong v = 0;
                for (int i = n; i >= 1; i--)
                {
                    v = (v << 8) | s[i];
                }

                if (v < 1UL << 30)
                {
                    return CompactStatus.NonCanonical;
                }

                value = v;
                consumed = n + 1;
                return CompactStatus.Ok;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int BigModeByteCount(ulong value) => (64 - BitOperations.LeadingZeroCount(value) + 7) >> 3;

    /// <summary>Writes the compact encoding of <paramref name="value"/>; the destination must be exactly <see cref="CompactLength"/> bytes or longer.</summary>
    internal static int WriteCompact(Span<byte> destination, ulong value)
    {
        if (value < 1UL << 6)
        {
            destination[0] = (byte)(value << 2);
            return 1;
        }

        if (value < 1UL << 14)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)((value << 2) | 1));
            return 2;
        }

        if (value < 1UL << 30)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)((value << 2) | 2));
            return 4;
        }

        int n = BigModeByteCount(value);
        destination[0] = (byte)(((n - 4) << 2) | 3);
        for (int i = 1; i <= n; i++)
        {
            destination[i] = (byte)value;
            value >>= 8;
        }

        return n + 1;
    }
}
