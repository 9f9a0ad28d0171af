using System.Security.Cryptography;
using Entropy.Hashing;
using NSec.Cryptography;

namespace Entropy.Protocol.Noise;

/// <summary>The Noise primitives of Noise_*_25519_ChaChaPoly_BLAKE2s: BLAKE2s hashing, HMAC, HKDF and X25519.</summary>
/// <remarks>Implements noiseprotocol.org/noise.html revision 34, §4.1 (DH), §4.3 (hash functions) and §12 (25519, BLAKE2s).</remarks>
internal static class NoiseCrypto
{
    /// <summary>HASHLEN of BLAKE2s.</summary>
    public const int HashLength = 32;

    /// <summary>BLOCKLEN of BLAKE2s, used by HMAC.</summary>
    public const int BlockLength = 64;

    /// <summary>DHLEN of Curve25519.</summary>
    public const int DhLength = 32;

    /// <summary>Computes BLAKE2s-256 of the concatenation of two inputs.</summary>
    public static void Hash(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
    {
        var hasher = new Blake2sHasher(HashLength);
        hasher.Append(first);
        hasher.Append(second);
        hasher.Finish(destination);
    }

    /// <summary>Computes HMAC-BLAKE2s (RFC 2104 with a 64-byte block) of <paramref name="first"/> ‖ <paramref name="second"/>.</summary>
    public static void Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
    {
        Span<byte> block = stackalloc byte[BlockLength];
        Span<byte> inner = stackalloc byte[HashLength];
        try
        {
            if (key.Length > BlockLength)
            {
                Hash(key, default, block);
            }
            else
            {
                key.CopyTo(block);
            }

            for (int i = 0; i < BlockLength; i++)
            {
                block[i] ^= 0x36;
            }

            var hasher = new Blake2sHasher(HashLength);
            hasher.Append(block);
            hasher.Append(first);
            hasher.Append(second);
            hasher.Finish(inner);

            // 0x36 ^ 0x5c turns the inner pad into the outer pad.
            for (int i = 0; i < BlockLength; i++)
            {
                block[i] ^= 0x36 ^ 0x5c;
            }

            hasher = new Blake2sHasher(HashLength);
            hasher.Append(block);
            hasher.Append(inner);
            hasher.Finish(destination);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(block);
            CryptographicOperations.ZeroMemory(inner);
        }
    }

    /// <summary>HKDF of Noise §4.3 with two or three 32-byte outputs; <paramref name="output3"/> may be empty.</summary>
    public static void Hkdf(ReadOnlySpan<byte> chainingKey, ReadOnlySpan<byte> inputKeyMaterial, Span<byte> output1, Span<byte> output2, Span<byte> output3)
    {
        Span<byte> tempKey = stackalloc byte[HashLength];
        Span<byte> previous = stackalloc byte[HashLength + 1];
        try
        {
            Hmac(chainingKey, inputKeyMaterial, default, tempKey);
            previous[0] = 0x01;
            Hmac(tempKey, previous[..1], default, output1);
            output1.CopyTo(previous);
            previous[HashLength] = 0x02;
            Hmac(tempKey, previous, default, output2);
            if (!output3.IsEmpty)
            {
                output2.CopyTo(previous);
                previous[HashLength] = 0x03;
                Hmac(tempKey, previous, default, output3);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(tempKey);
            CryptographicOperations.ZeroMemory(previous);
        }
    }

    /// <summary>Creates a fresh random X25519 private key.</summary>
    public static byte[] GeneratePrivateKey() => RandomNumberGenerator.GetBytes(DhLength);

    /// <summary>Computes the X25519 public key of a 32-byte private key.</summary>
    public static byte[] PublicKeyOf(ReadOnlySpan<byte> privateKey)
    {
        using var key = Key.Import(KeyAgreementAlgorithm.X25519, privateKey, KeyBlobFormat.RawPrivateKey);
        return key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>Computes the raw X25519 shared secret; a low-order remote key (all-zero result) raises <see cref="EntropyProtocolException"/>.</summary>
    public static void Dh(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> remotePublicKey, Span<byte> destination, EntropyProtocolErrorKind failureKind)
    {
        if (remotePublicKey.Length != DhLength
            || !NSec.Cryptography.PublicKey.TryImport(KeyAgreementAlgorithm.X25519, remotePublicKey, KeyBlobFormat.RawPublicKey, out var remote)
            || remote is null)
        {
            throw new EntropyProtocolException(failureKind, "The remote X25519 public key is not a valid 32-byte Curve25519 point.");
        }

        using var key = Key.Import(KeyAgreementAlgorithm.X25519, privateKey, KeyBlobFormat.RawPrivateKey);
        var parameters = new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        using var shared = KeyAgreementAlgorithm.X25519.Agree(key, remote, in parameters)
            ?? throw new EntropyProtocolException(failureKind, "The X25519 key agreement with the remote public key gave the all-zero secret (low-order point).");
        byte[] raw = shared.Export(SharedSecretBlobFormat.RawSharedSecret);
        raw.CopyTo(destination);
        CryptographicOperations.ZeroMemory(raw);
    }
}
