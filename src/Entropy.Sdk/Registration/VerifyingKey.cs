namespace Entropy;

/// <summary>The 33-byte SEC1-compressed secp256k1 public key that a registration produces.</summary>
/// <remarks>
/// Stored on chain as <c>BoundedVec&lt;u8, ConstU32&lt;33&gt;&gt;</c> in <c>RegisteredInfo.verifying_key</c>
/// (entropy-core v0.0.10, <c>pallets/relayer</c>).
/// </remarks>
public readonly struct VerifyingKey : IEquatable<VerifyingKey>
{
    private readonly byte[]? _bytes;

    /// <summary>The length of a compressed verifying key in bytes.</summary>
    public const int Length = 33;

    /// <summary>Creates a verifying key from its 33 compressed bytes.</summary>
    /// <param name="bytes">33 bytes starting with 0x02 or 0x03.</param>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not a compressed point encoding.</exception>
    public VerifyingKey(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A verifying key is {Length} bytes (SEC1 compressed); got {bytes.Length}.", nameof(bytes));
        }

        if (bytes[0] is not (0x02 or 0x03))
        {
            throw new ArgumentException($"A compressed verifying key starts with 0x02 or 0x03; got 0x{bytes[0]:x2}.", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>Gets a value indicating whether this is the default (empty) value rather than a key.</summary>
    public bool IsEmpty => _bytes is null;

    /// <summary>Gets the 33 bytes of the key.</summary>
    /// <returns>A read-only view of the bytes (empty for the default value).</returns>
    public ReadOnlySpan<byte> AsSpan() => _bytes;

    /// <summary>Copies the key into a new array.</summary>
    /// <returns>The 33 bytes.</returns>
    public byte[] ToArray() => AsSpan().ToArray();

    /// <summary>Parses a 0x-prefixed (or bare) 66-digit hex string.</summary>
    /// <param name="hex">The hex string.</param>
    /// <returns>The key.</returns>
    /// <exception cref="FormatException"><paramref name="hex"/> is not a compressed key in hex.</exception>
    public static VerifyingKey Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var digits = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex;
        byte[] bytes;
        try
        {
            bytes = Convert.FromHexString(digits);
        }
        catch (FormatException e)
        {
            throw new FormatException($"'{hex}' is not hex.", e);
        }

        try
        {
            return new VerifyingKey(bytes);
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }
    }

    /// <inheritdoc/>
    public bool Equals(VerifyingKey other) => AsSpan().SequenceEqual(other.AsSpan());

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is VerifyingKey other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(AsSpan());
        return hash.ToHashCode();
    }

    /// <summary>Returns the key as 0x-prefixed lowercase hex.</summary>
    /// <returns>The hex string.</returns>
    public override string ToString() => IsEmpty ? string.Empty : "0x" + Convert.ToHexStringLower(AsSpan());

    /// <summary>Compares two keys for equality.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    /// <returns><see langword="true"/> when both hold the same bytes.</returns>
    public static bool operator ==(VerifyingKey left, VerifyingKey right) => left.Equals(right);

    /// <summary>Compares two keys for inequality.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    /// <returns><see langword="true"/> when the bytes differ.</returns>
    public static bool operator !=(VerifyingKey left, VerifyingKey right) => !left.Equals(right);
}
