using System.Numerics;
using NSec.Cryptography;

namespace Entropy.Protocol;

/// <summary>SS58 text of 32-byte account ids, as serde writes <c>AccountId32</c> and <c>sr25519::Public</c> inside bincode.</summary>
/// <remarks>Implements docs.substrate.io SS58 (simple one-byte prefix, 2-byte Blake2b-512 "SS58PRE" checksum).</remarks>
internal static class Ss58Text
{
    /// <summary>The generic Substrate prefix that sp-core and subxt use by default.</summary>
    public const byte DefaultPrefix = 42;

    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static readonly byte[] s_context = "SS58PRE"u8.ToArray();

    /// <summary>Encodes a 32-byte account id.</summary>
    public static string Encode(ReadOnlySpan<byte> accountId, byte prefix = DefaultPrefix)
    {
        if (accountId.Length != 32)
        {
            throw new ArgumentException($"An account id is 32 bytes, not {accountId.Length}.", nameof(accountId));
        }

        Span<byte> data = stackalloc byte[35];
        data[0] = prefix;
        accountId.CopyTo(data[1..]);
        Checksum(data[..33]).CopyTo(data[33..]);
        return Base58(data);
    }

    /// <summary>Decodes SS58 text into a 32-byte account id, checking the checksum; the prefix must be a one-byte (simple) prefix.</summary>
    /// <exception cref="EntropyProtocolException">The text is not a valid SS58 account id.</exception>
    public static byte[] Decode(string text, string what)
    {
        var value = BigInteger.Zero;
        foreach (char c in text)
        {
            int digit = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (digit < 0)
            {
                throw new EntropyProtocolException(EntropyProtocolErrorKind.MalformedMessage, $"{what}: '{c}' is not a base-58 character.");
            }

            value = (value * 58) + digit;
        }

        int leadingZeros = text.TakeWhile(c => c == '1').Count();
        byte[] body = value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true);
        if (leadingZeros + body.Length != 35)
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.MalformedMessage, $"{what}: an SS58 account id is 35 bytes when decoded, not {leadingZeros + body.Length}.");
        }

        var data = new byte[35];
        body.CopyTo(data, leadingZeros);
        if (data[0] >= 64)
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.MalformedMessage, $"{what}: SS58 prefix byte {data[0]} is not a simple one-byte prefix.");
        }

        if (!Checksum(data.AsSpan(0, 33)).SequenceEqual(data.AsSpan(33)))
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.MalformedMessage, $"{what}: the SS58 checksum does not match.");
        }

        return data[1..33];
    }

    private static byte[] Checksum(ReadOnlySpan<byte> payload)
    {
        byte[] input = [.. s_context, .. payload];
        return HashAlgorithm.Blake2b_512.Hash(input)[..2];
    }

    private static string Base58(ReadOnlySpan<byte> data)
    {
        var value = new BigInteger(data, isUnsigned: true, isBigEndian: true);
        var chars = new List<char>(48);
        while (!value.IsZero)
        {
            value = BigInteger.DivRem(value, 58, out BigInteger remainder);
            chars.Add(Alphabet[(int)remainder]);
        }

        for (int i = 0; i < data.Length && data[i] == 0; i++)
        {
            chars.Add('1');
        }

        chars.Reverse();
        return new string(chars.ToArray());
    }
}
