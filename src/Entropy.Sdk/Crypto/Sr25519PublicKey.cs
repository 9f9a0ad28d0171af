using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Entropy.Crypto;

/// <summary>A 32-byte sr25519 public key: the Ristretto255 encoding of the signer's point.</summary>
/// <remarks>
/// Any 32 bytes can be held (the value is what appears on chain); whether they encode a valid point is checked when the
/// key is used. See <see href="https://github.com/w3f/schnorrkel">schnorrkel</see>.
/// </remarks>
public readonly struct Sr25519PublicKey : IEquatable<Sr25519PublicKey>
{
    /// <summary>The length of an encoded public key in bytes.</summary>
    public const int Length = 32;

    private readonly ulong _w0, _w1, _w2, _w3;

    /// <summary>Creates a public key from its 32-byte encoding.</summary>
    /// <param name="bytes">The 32-byte Ristretto255 encoding.</param>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public Sr25519PublicKey(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"An sr25519 public key is {Length} bytes, but {bytes.Length} were given.", nameof(bytes));
        }

        _w0 = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        _w1 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]);
        _w2 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
        _w3 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]);
    }

    /// <summary>Copies the 32-byte encoding into <paramref name="destination"/>.</summary>
    /// <param name="destination">A buffer of at least 32 bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 32 bytes.</exception>
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
    }

    /// <summary>Returns the 32-byte encoding as a new array.</summary>
    /// <returns>A new 32-byte array.</returns>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>Returns the 32-byte Substrate account id of this key (for sr25519 the account id is the public key itself).</summary>
    /// <returns>The account id.</returns>
    public AccountId ToAccountId()
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        return new AccountId(bytes);
    }

    /// <summary>Derives the public key of a soft (non-hardened) child, as Substrate's <c>/junction</c> paths do.</summary>
    /// <param name="chainCode">The 32-byte chain code (SCALE of the junction, padded or hashed to 32 bytes).</param>
    /// <returns>The child public key, equal to the public key of the matching <see cref="Sr25519KeyPair.DeriveSoft(ReadOnlySpan{byte})"/> child.</returns>
    /// <exception cref="ArgumentException"><paramref name="chainCode"/> is not 32 bytes long.</exception>
    /// <exception cref="CryptographicException">This key is not a valid Ristretto255 point encoding.</exception>
    /// <remarks>Implements schnorrkel <c>PublicKey::derived_key_simple</c> (transcript "SchnorrRistrettoHDKD").</remarks>
    internal Sr25519PublicKey DeriveSoft(ReadOnlySpan<byte> chainCode)
    {
        Sr25519.CheckChainCode(chainCode);
        Span<byte> encoded = stackalloc byte[Length];
        CopyTo(encoded);
        if (!Ristretto255.TryDecode(encoded, out var point))
        {
            throw new CryptographicException("The sr25519 public key is not a valid Ristretto255 point encoding.");
        }

        var t = Sr25519.SoftDerivationTranscript(encoded, chainCode, out var scalar);
        t.Clear();
        var child = EdwardsPoint.Add(point, ScalarMultiplication.MultiplyBase(scalar));
        Ristretto255.Encode(child, encoded);
        return new Sr25519PublicKey(encoded);
    }

    /// <summary>Parses a hexadecimal public key, with or without a <c>0x</c> prefix.</summary>
    /// <param name="hex">64 hexadecimal digits, optionally prefixed by <c>0x</c>.</param>
    /// <returns>The public key.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="hex"/> is null.</exception>
    /// <exception cref="FormatException"><paramref name="hex"/> is not 32 bytes of hexadecimal.</exception>
    internal static Sr25519PublicKey Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (!TryParse(hex, out var key))
        {
            throw new FormatException("An sr25519 public key must be 64 hexadecimal digits, optionally prefixed by 0x.");
        }

        return key;
    }

    /// <summary>Tries to parse a hexadecimal public key, with or without a <c>0x</c> prefix.</summary>
    /// <param name="hex">64 hexadecimal digits, optionally prefixed by <c>0x</c>.</param>
    /// <param name="result">The parsed key, or the default value on failure.</param>
    /// <returns><see langword="true"/> if <paramref name="hex"/> was well formed.</returns>
    internal static bool TryParse([NotNullWhen(true)] string? hex, out Sr25519PublicKey result)
    {
        Span<byte> bytes = stackalloc byte[Length];
        if (!Sr25519.TryDecodeHex(hex, bytes))
        {
            result = default;
            return false;
        }

        result = new Sr25519PublicKey(bytes);
        return true;
    }

    /// <summary>Returns the key as <c>0x</c>-prefixed lowercase hexadecimal.</summary>
    /// <returns>The hexadecimal encoding.</returns>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        return "0x" + Convert.ToHexStringLower(bytes);
    }

    /// <inheritdoc/>
    public bool Equals(Sr25519PublicKey other) => _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Sr25519PublicKey other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3);

    /// <summary>Compares two keys for equality.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    /// <returns><see langword="true"/> if the encodings are equal.</returns>
    public static bool operator ==(Sr25519PublicKey left, Sr25519PublicKey right) => left.Equals(right);

    /// <summary>Compares two keys for inequality.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    /// <returns><see langword="true"/> if the encodings differ.</returns>
    public static bool operator !=(Sr25519PublicKey left, Sr25519PublicKey right) => !left.Equals(right);
}
