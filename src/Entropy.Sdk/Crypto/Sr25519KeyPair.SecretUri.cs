using System.Security.Cryptography;

namespace Entropy.Crypto;

public sealed partial class Sr25519KeyPair
{
    /// <summary>Creates the key pair a secret URI denotes, as subkey and polkadot-js do.</summary>
    /// <param name="suri">
    /// <c>&lt;phrase | 0x seed&gt;[//hard | /soft]*[///password]</c>. A URI starting with <c>/</c> uses Substrate's development
    /// phrase, so <c>//Alice</c> is the well-known Alice account. Junctions follow Substrate (sp-core): one that parses as a u64
    /// (decimal digits, optional leading <c>+</c>) is that number; anything else, including <c>0x1234</c> and numbers above u64, is a
    /// string. polkadot-js reads <c>0x…</c> junctions as bytes and any digit string as a 256-bit number, so those give other keys there.
    /// </param>
    /// <returns>The derived key pair.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="suri"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">The phrase, seed or path is malformed, or the URI is empty (Substrate would silently use the
    /// public development root key). The message never includes any part of the URI.</exception>
    /// <remarks>See docs/keys.md and <see href="https://docs.polkadot.com/polkadot-protocol/parachain-basics/accounts/#derivation-paths"/>.</remarks>
    public static Sr25519KeyPair FromSecretUri(string suri)
    {
        SecretUri parsed = SecretUri.Parse(suri);
        Span<byte> mini = stackalloc byte[MiniSecretLength];
        try
        {
            parsed.DeriveRootMiniSecret(mini);
            Sr25519KeyPair current = FromMiniSecret(mini);
            try
            {
                foreach (DeriveJunction junction in parsed.Junctions)
                {
                    Sr25519KeyPair next = junction.IsHard ? current.DeriveHard(junction.ChainCode) : current.DeriveSoft(junction.ChainCode);
                    current.Dispose();
                    current = next;
                }

                return current;
            }
            catch
            {
                current.Dispose();
                throw;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(mini);
            parsed.Clear();
        }
    }

    /// <summary>Creates the root key pair of a BIP-39 phrase, with the substrate-bip39 mini secret.</summary>
    /// <param name="phrase">An English BIP-39 phrase of 12 to 24 words.</param>
    /// <param name="password">The optional password; <see langword="null"/> means none.</param>
    /// <returns>The key pair.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="phrase"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">The phrase is not a valid English BIP-39 phrase.</exception>
    public static Sr25519KeyPair FromMnemonic(string phrase, string? password = null)
    {
        Span<byte> mini = stackalloc byte[MiniSecretLength];
        try
        {
            Mnemonic.DeriveMiniSecret(phrase, password, mini);
            return FromMiniSecret(mini);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(mini);
        }
    }
}
