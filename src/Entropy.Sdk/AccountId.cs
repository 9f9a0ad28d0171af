using System.Diagnostics.CodeAnalysis;
using Entropy.Crypto;

namespace Entropy;

/// <summary>A 32-byte Substrate account identifier (<c>AccountId32</c>), usually an sr25519 public key.</summary>
/// <remarks>
/// The canonical text form is the SS58 address with the generic Substrate prefix 42, which Entropy uses.
/// <see cref="Parse"/> accepts SS58 with any prefix, or <c>0x</c>-prefixed hex. A <see langword="default"/> instance is the all-zero account.
/// </remarks>
public readonly struct AccountId : IEquatable<AccountId>
{
    /// <summary>The length of an account identifier in bytes.</summary>
    public const int Length = 32;

    private static readonly byte[] s_zero = new byte[Length];

    private readonly byte[]? _bytes;

    /// <summary>Creates an account identifier from its 32 bytes.</summary>
    /// <param name="bytes">The 32 bytes, usually a public key.</param>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public AccountId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"An AccountId is {Length} bytes; got {bytes.Length}.", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    private AccountId(byte[] bytes, bool owned)
    {
        _ = owned;
        _bytes = bytes;
    }

    /// <summary>Compares two account identifiers for equality.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> if both hold the same bytes.</returns>
    public static bool operator ==(AccountId left, AccountId right) => left.Equals(right);

    /// <summary>Compares two account identifiers for inequality.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> if the bytes differ.</returns>
    public static bool operator !=(AccountId left, AccountId right) => !left.Equals(right);

    /// <summary>Returns the 32 bytes of the account identifier.</summary>
    /// <returns>A read-only view of the bytes.</returns>
    public ReadOnlySpan<byte> AsSpan() => _bytes ?? s_zero;

    /// <summary>Returns a copy of the 32 bytes of the account identifier.</summary>
    /// <returns>A new 32-byte array.</returns>
    public byte[] ToArray() => AsSpan().ToArray();

    /// <summary>Returns the SS58 address of this account for a network prefix.</summary>
    /// <param name="prefix">The network prefix, 0 to 16383 except 46 and 47.</param>
    /// <returns>The SS58 address.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="prefix"/> is reserved (46, 47) or above 16383.</exception>
    public string ToSs58(ushort prefix = Ss58.SubstratePrefix) => Ss58.Encode(AsSpan(), prefix);

    /// <summary>Returns the bytes as lowercase <c>0x</c>-prefixed hex.</summary>
    /// <returns>66 characters.</returns>
    public string ToHex() => "0x" + Convert.ToHexStringLower(AsSpan());

    /// <summary>Returns the canonical text form: the SS58 address with prefix 42.</summary>
    /// <returns>The SS58 address.</returns>
    public override string ToString() => ToSs58();

    /// <summary>Parses an SS58 address (any prefix) or <c>0x</c>-prefixed 64-digit hex.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The account identifier.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">The text is neither a valid 32-byte SS58 address nor 32 bytes of hex.</exception>
    public static AccountId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return TryParseHex(text, out AccountId hexId)
                ? hexId
                : throw new FormatException($"An AccountId in hex is '0x' followed by {2 * Length} hex digits; got {text.Length - 2} characters.");
        }

        byte[] key = Ss58.Decode(text, out _);
        if (key.Length != Length)
        {
            throw new FormatException($"The SS58 address holds a {key.Length}-byte key, not a {Length}-byte AccountId.");
        }

        return new AccountId(key, owned: true);
    }

    /// <summary>Tries to parse an SS58 address (any prefix) or <c>0x</c>-prefixed 64-digit hex.</summary>
    /// <param name="text">The text.</param>
    /// <param name="result">Receives the account identifier, or <see langword="default"/> on failure.</param>
    /// <returns><see langword="true"/> if the text was valid.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, out AccountId result)
    {
        result = default;
        if (text is null)
        {
            return false;
        }

        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return TryParseHex(text, out result);
        }

        if (Ss58.TryDecode(text, out byte[]? key, out _) && key!.Length == Length)
        {
            result = new AccountId(key, owned: true);
            return true;
        }

        return false;
    }

    /// <inheritdoc/>
    public bool Equals(AccountId other) => AsSpan().SequenceEqual(other.AsSpan());

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is AccountId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(AsSpan());
        return hash.ToHashCode();
    }

    private static bool TryParseHex(string text, out AccountId result)
    {
        result = default;
        if (text.Length != 2 + (2 * Length))
        {
            return false;
        }

        var bytes = new byte[Length];
        if (Convert.FromHexString(text.AsSpan(2), bytes, out _, out int written) != System.Buffers.OperationStatus.Done || written != Length)
        {
            return false;
        }

        result = new AccountId(bytes, owned: true);
        return true;
    }
}
