using System.Diagnostics.CodeAnalysis;

namespace Entropy.Crypto;

/// <summary>A 32-byte X25519 (Curve25519 Diffie-Hellman) public key, as Entropy uses for the Private access mode and threshold servers.</summary>
/// <remarks>The text form is <c>0x</c>-prefixed lowercase hex. A <see langword="default"/> instance is the all-zero key.</remarks>
public readonly struct X25519PublicKey : IEquatable<X25519PublicKey>
{
    /// <summary>The length of a public key in bytes.</summary>
    public const int Length = 32;

    private static readonly byte[] s_zero = new byte[Length];

    private readonly byte[]? _bytes;

    /// <summary>Creates a public key from its 32 bytes.</summary>
    /// <param name="bytes">The key (RFC 7748 u-coordinate, little-endian).</param>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public X25519PublicKey(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"An X25519 public key is {Length} bytes; got {bytes.Length}.", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>Compares two keys for equality.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    /// <returns><see langword="true"/> if both hold the same bytes.</returns>
    public static bool operator ==(X25519PublicKey left, X25519PublicKey right) => left.Equals(right);

    /// <summary>Compares two keys for inequality.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    /// <returns><see langword="true"/> if the bytes differ.</returns>
    public static bool operator !=(X25519PublicKey left, X25519PublicKey right) => !left.Equals(right);

    /// <summary>Returns the 32 bytes of the key.</summary>
    /// <returns>A read-only view of the bytes.</returns>
    public ReadOnlySpan<byte> AsSpan() => _bytes ?? s_zero;

    /// <summary>Returns a copy of the 32 bytes of the key.</summary>
    /// <returns>A new 32-byte array.</returns>
    public byte[] ToArray() => AsSpan().ToArray();

    /// <summary>Parses 64 hex digits, optionally prefixed by <c>0x</c>.</summary>
    /// <param name="hex">The text.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="hex"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">The text is not 32 bytes of hex.</exception>
    internal static X25519PublicKey Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        return TryParse(hex, out X25519PublicKey key)
            ? key
            : throw new FormatException("An X25519 public key is 64 hex digits, optionally prefixed by 0x.");
    }

    /// <summary>Tries to parse 64 hex digits, optionally prefixed by <c>0x</c>.</summary>
    /// <param name="hex">The text.</param>
    /// <param name="result">Receives the key, or <see langword="default"/> on failure.</param>
    /// <returns><see langword="true"/> if the text was valid.</returns>
    internal static bool TryParse([NotNullWhen(true)] string? hex, out X25519PublicKey result)
    {
        result = default;
        if (hex is null)
        {
            return false;
        }

        ReadOnlySpan<char> digits = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex.AsSpan(2) : hex;
        if (digits.Length != 2 * Length)
        {
            return false;
        }

        var bytes = new byte[Length];
        if (Convert.FromHexString(digits, bytes, out _, out int written) != System.Buffers.OperationStatus.Done || written != Length)
        {
            return false;
        }

        result = new X25519PublicKey(bytes);
        return true;
    }

    /// <summary>Returns the key as <c>0x</c>-prefixed lowercase hex.</summary>
    /// <returns>66 characters.</returns>
    public override string ToString() => "0x" + Convert.ToHexStringLower(AsSpan());

    /// <inheritdoc/>
    public bool Equals(X25519PublicKey other) => AsSpan().SequenceEqual(other.AsSpan());

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is X25519PublicKey other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(AsSpan());
        return hash.ToHashCode();
    }
}
