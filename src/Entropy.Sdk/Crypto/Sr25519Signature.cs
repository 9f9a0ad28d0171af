using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Entropy.Crypto;

/// <summary>A 64-byte sr25519 (schnorrkel) signature: R (32 bytes) ‖ s (32 bytes, with the 0x80 marker on byte 63).</summary>
public readonly struct Sr25519Signature : IEquatable<Sr25519Signature>
{
    /// <summary>The length of a signature in bytes.</summary>
    public const int Length = 64;

    private readonly ulong _w0, _w1, _w2, _w3, _w4, _w5, _w6, _w7;

    /// <summary>Creates a signature from its 64 bytes.</summary>
    /// <param name="bytes">The 64-byte signature.</param>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 64 bytes long.</exception>
    public Sr25519Signature(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"An sr25519 signature is {Length} bytes, but {bytes.Length} were given.", nameof(bytes));
        }

        _w0 = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        _w1 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]);
        _w2 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
        _w3 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]);
        _w4 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[32..]);
        _w5 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[40..]);
        _w6 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[48..]);
        _w7 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[56..]);
    }

    /// <summary>Copies the 64 bytes into <paramref name="destination"/>.</summary>
    /// <param name="destination">A buffer of at least 64 bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 64 bytes.</exception>
    public void CopyTo(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException($"The destination must hold {Length} bytes, but has {destination.Length}.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt64LittleEndian(destination, _w0);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], _w1);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], _w2);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], _w3);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[32..], _w4);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[40..], _w5);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[48..], _w6);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[56..], _w7);
    }

    /// <summary>Returns the 64 bytes as a new array.</summary>
    /// <returns>A new 64-byte array.</returns>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>Parses a hexadecimal signature, with or without a <c>0x</c> prefix.</summary>
    /// <param name="hex">128 hexadecimal digits, optionally prefixed by <c>0x</c>.</param>
    /// <returns>The signature.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="hex"/> is null.</exception>
    /// <exception cref="FormatException"><paramref name="hex"/> is not 64 bytes of hexadecimal.</exception>
    internal static Sr25519Signature Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (!TryParse(hex, out var signature))
        {
            throw new FormatException("An sr25519 signature must be 128 hexadecimal digits, optionally prefixed by 0x.");
        }

        return signature;
    }

    /// <summary>Tries to parse a hexadecimal signature, with or without a <c>0x</c> prefix.</summary>
    /// <param name="hex">128 hexadecimal digits, optionally prefixed by <c>0x</c>.</param>
    /// <param name="result">The parsed signature, or the default value on failure.</param>
    /// <returns><see langword="true"/> if <paramref name="hex"/> was well formed.</returns>
    internal static bool TryParse([NotNullWhen(true)] string? hex, out Sr25519Signature result)
    {
        Span<byte> bytes = stackalloc byte[Length];
        if (!Sr25519.TryDecodeHex(hex, bytes))
        {
            result = default;
            return false;
        }

        result = new Sr25519Signature(bytes);
        return true;
    }

    /// <summary>Returns the signature as <c>0x</c>-prefixed lowercase hexadecimal.</summary>
    /// <returns>The hexadecimal encoding.</returns>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        return "0x" + Convert.ToHexStringLower(bytes);
    }

    /// <inheritdoc/>
    public bool Equals(Sr25519Signature other) =>
        _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3 &&
        _w4 == other._w4 && _w5 == other._w5 && _w6 == other._w6 && _w7 == other._w7;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Sr25519Signature other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3, _w4, _w5, _w6, _w7);

    /// <summary>Compares two signatures for equality.</summary>
    /// <param name="left">The first signature.</param>
    /// <param name="right">The second signature.</param>
    /// <returns><see langword="true"/> if the bytes are equal.</returns>
    public static bool operator ==(Sr25519Signature left, Sr25519Signature right) => left.Equals(right);

    /// <summary>Compares two signatures for inequality.</summary>
    /// <param name="left">The first signature.</param>
    /// <param name="right">The second signature.</param>
    /// <returns><see langword="true"/> if the bytes differ.</returns>
    public static bool operator !=(Sr25519Signature left, Sr25519Signature right) => !left.Equals(right);
}
