using System.Security.Cryptography;
using Entropy.Crypto;
using Entropy.Hashing;
using Entropy.Protocol.Noise;

namespace Entropy.Simulator.ThresholdServers;

/// <summary>Derives a threshold server's X25519 static key from its sr25519 account key, as the v0.0.10 servers do.</summary>
/// <remarks>
/// PROTOCOL.md §6.1: <c>derive_static_secret(pair) = Blake2s256(pair.to_raw_vec())</c>, where <c>to_raw_vec</c> is schnorrkel's
/// <c>SecretKey::to_bytes()</c> (unscaled scalar ‖ nonce, 64 bytes).
/// </remarks>
internal static class ThresholdServerKeys
{
    /// <summary>Returns the 32-byte X25519 static secret of an sr25519 key pair; the caller zeroes it when done.</summary>
    public static byte[] DeriveX25519StaticSecret(Sr25519KeyPair pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        Span<byte> raw = stackalloc byte[Sr25519KeyPair.SecretKeyLength];
        try
        {
            pair.ExportSchnorrkelSecretKey(raw);
            var secret = new byte[32];
            Blake2s.Hash(raw, secret);
            return secret;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }

    /// <summary>Returns the X25519 public key of an sr25519 key pair's derived static secret (what the chain stores as <c>x25519_public_key</c>).</summary>
    public static byte[] DeriveX25519PublicKey(Sr25519KeyPair pair)
    {
        byte[] secret = DeriveX25519StaticSecret(pair);
        try
        {
            return NoiseCrypto.PublicKeyOf(secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }
}
