using Entropy.Hashing;

namespace Entropy.Crypto;

/// <summary>Encodes and decodes SS58 addresses: Base58 of a network prefix, a public key and a BLAKE2b-512 checksum.</summary>
/// <remarks>
/// Prefixes 0 to 63 take one byte and 64 to 16383 take two; 46 and 47 are reserved and rejected, as polkadot-js does.
/// 32- and 33-byte keys carry a 2-byte checksum; 1-, 2-, 4- and 8-byte account indices carry one.
/// See <see href="https://docs.polkadot.com/polkadot-protocol/parachain-basics/accounts/#address-formats"/>.
/// </remarks>
internal static class Ss58
{
    /// <summary>The prefix of generic Substrate addresses, which Entropy uses.</summary>
    public const ushort SubstratePrefix = 42;

    private const ushort MaxPrefix = 16383;

    private static ReadOnlySpan<byte> ChecksumContext => "SS58PRE"u8;

    /// <summary>Encodes a public key (or account index) as an SS58 address.</summary>
    /// <param name="publicKey">The key: 32 or 33 bytes for a public key, or 1, 2, 4 or 8 bytes for an account index.</param>
    /// <param name="prefix">The network prefix, 0 to 16383 except 46 and 47.</param>
    /// <returns>The address.</returns>
    /// <exception cref="ArgumentException"><paramref name="publicKey"/> has an unsupported length.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="prefix"/> is reserved (46, 47) or above 16383.</exception>
    public static string Encode(ReadOnlySpan<byte> publicKey, ushort prefix = SubstratePrefix)
    {
        int checksumLength = ChecksumLength(publicKey.Length)
            ?? throw new ArgumentException($"An SS58 key is 1, 2, 4, 8, 32 or 33 bytes; got {publicKey.Length}.", nameof(publicKey));
        if (prefix is 46 or 47 or > MaxPrefix)
        {
            throw new ArgumentOutOfRangeException(nameof(prefix), prefix, "SS58 prefixes 46 and 47 are reserved and the largest prefix is 16383.");
        }

        int prefixLength = prefix < 64 ? 1 : 2;
        Span<byte> payload = stackalloc byte[2 + 33 + 2];
        payload = payload.Slice(0, prefixLength + publicKey.Length + checksumLength);
        if (prefixLength == 1)
        {
            payload[0] = (byte)prefix;
        }
        else
        {
            // The 14-bit prefix is split as in polkadot-js util-crypto/address/encode.js: bits 2..7 in byte 0 (with 0b01 on top),
            // bits 0..1 and 8..13 in byte 1.
            payload[0] = (byte)(((prefix & 0b0000_0000_1111_1100) >> 2) | 0b0100_0000);
            payload[1] = (byte)((prefix >> 8) | ((prefix & 0b0000_0000_0000_0011) << 6));
        }

        publicKey.CopyTo(payload.Slice(prefixLength));
        int body = prefixLength + publicKey.Length;
        Checksum(payload.Slice(0, body), payload.Slice(body));
        return Base58.Encode(payload);
    }

    /// <summary>Decodes an SS58 address, verifying its checksum.</summary>
    /// <param name="address">The address.</param>
    /// <param name="prefix">Receives the network prefix.</param>
    /// <returns>The public key (or account index) bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">The address is not valid Base58, has an invalid length or prefix, or its checksum does not match.</exception>
    public static byte[] Decode(string address, out ushort prefix)
    {
        ArgumentNullException.ThrowIfNull(address);
        byte[]? key = TryDecodeCore(address, out prefix, out string? error);
        return key ?? throw new FormatException(error);
    }

    /// <summary>Tries to decode an SS58 address, verifying its checksum.</summary>
    /// <param name="address">The address.</param>
    /// <param name="publicKey">Receives the public key (or account index) bytes, or <see langword="null"/> on failure.</param>
    /// <param name="prefix">Receives the network prefix, or 0 on failure.</param>
    /// <returns><see langword="true"/> if the address is valid.</returns>
    public static bool TryDecode(string? address, out byte[]? publicKey, out ushort prefix)
    {
        prefix = 0;
        publicKey = address is null ? null : TryDecodeCore(address, out prefix, out _);
        if (publicKey is null)
        {
            prefix = 0;
            return false;
        }

        return true;
    }

    private static byte[]? TryDecodeCore(string address, out ushort prefix, out string? error)
    {
        prefix = 0;
        byte[]? decoded = Base58.TryDecode(address, out int badIndex);
        if (decoded is null)
        {
            error = $"SS58 address has a character outside the Base58 alphabet at index {badIndex}.";
            return null;
        }

        if (decoded.Length == 0 || decoded[0] >= 128)
        {
            error = "SS58 address does not start with a valid prefix byte.";
            return null;
        }

        int prefixLength = (decoded[0] & 0b0100_0000) != 0 ? 2 : 1;
        int keyLength = decoded.Length - prefixLength - 2;
        int checksumLength = 2;
        if (keyLength is not (32 or 33))
        {
            keyLength = decoded.Length - prefixLength - 1;
            checksumLength = 1;
            if (keyLength is not (1 or 2 or 4 or 8))
            {
                error = $"SS58 address decodes to {decoded.Length} bytes, which is not a valid length for a {prefixLength}-byte prefix.";
                return null;
            }
        }

        int value = prefixLength == 1
            ? decoded[0]
            : ((decoded[0] & 0b0011_1111) << 2) | (decoded[1] >> 6) | ((decoded[1] & 0b0011_1111) << 8);
        if (value is 46 or 47)
        {
            error = $"SS58 prefix {value} is reserved.";
            return null;
        }

        int body = prefixLength + keyLength;
        Span<byte> expected = stackalloc byte[2];
        expected = expected.Slice(0, checksumLength);
        Checksum(decoded.AsSpan(0, body), expected);
        if (!expected.SequenceEqual(decoded.AsSpan(body)))
        {
            error = "SS58 address checksum does not match; the address is mistyped or corrupted.";
            return null;
        }

        error = null;
        prefix = (ushort)value;
        return decoded.AsSpan(prefixLength, keyLength).ToArray();
    }

    private static int? ChecksumLength(int keyLength) => keyLength switch
    {
        32 or 33 => 2,
        1 or 2 or 4 or 8 => 1,
        _ => null,
    };

    private static void Checksum(ReadOnlySpan<byte> body, Span<byte> checksum)
    {
        Blake2bHasher.Initialize(64, out var hasher);
        Blake2bHasher.Update(ref hasher, ChecksumContext);
        Blake2bHasher.Update(ref hasher, body);
        Span<byte> hash = stackalloc byte[64];
        Blake2bHasher.Finalize(ref hasher, hash);
        hash.Slice(0, checksum.Length).CopyTo(checksum);
    }
}
