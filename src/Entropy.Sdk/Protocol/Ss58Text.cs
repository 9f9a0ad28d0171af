using Entropy.Crypto;

namespace Entropy.Protocol;

/// <summary>SS58 text of 32-byte account ids as serde writes <c>AccountId32</c> and <c>sr25519::Public</c> inside bincode, with protocol-typed errors.</summary>
internal static class Ss58Text
{
    /// <summary>Encodes a 32-byte account id with the generic Substrate prefix 42 (the sp-core and subxt default).</summary>
    public static string Encode(ReadOnlySpan<byte> accountId) => Ss58.Encode(accountId, Ss58.SubstratePrefix);

    /// <summary>Decodes SS58 text into a 32-byte account id, checking the checksum.</summary>
    /// <exception cref="EntropyProtocolException">The text is not a valid SS58 account id (<see cref="EntropyProtocolErrorKind.MalformedMessage"/>).</exception>
    public static byte[] Decode(string text, string what)
    {
        if (!Ss58.TryDecode(text, out byte[]? accountId, out _) || accountId is null || accountId.Length != 32)
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.MalformedMessage, $"{what}: '{text}' is not a valid SS58 address of a 32-byte account id.");
        }

        return accountId;
    }
}
