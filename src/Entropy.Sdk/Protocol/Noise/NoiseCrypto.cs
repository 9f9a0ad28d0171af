using System.Security.Cryptography;
using Entropy.Hashing;
using NSec.Cryptography;

namespace Entropy.Protocol.Noise;

/// <summary>The Noise primitives of Noise_*_25519_ChaChaPoly_BLAKE2s: BLAKE2s hashing, HMAC, HKDF and X25519.</summary>
/// <remarks>Implements noiseprotocol.org/noise.html revision 34, §4.1 (DH), §4.3 (hash functions) and §12 (25519, BLAKE2s).</remarks>
internal static partial class NoiseCrypto
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
        Blake2sHasher.Initialize(HashLength, out var hasher);
        Blake2sHasher.Update(ref hasher, first);
        Blake2sHasher.Update(ref hasher, second);
        Blake2sHasher.Finalize(ref hasher, destination);
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

            Blake2sHasher.Initialize(HashLength, out var hasher);
            Blake2sHasher.Update(ref hasher, block);
            Blake2sHasher.Update(ref hasher, first);
            Blake2sHasher.Update(ref hasher, second);
            Blake2sHasher.Finalize(ref hasher, inner);

            // 0x36 ^ 0x5c turns the inner pad into the outer pad.
            for (int i = 0; i < BlockLength; i++)
            {
                block[i] ^= 0x36 ^ 0x5c;
            }

            Blake2sHasher.Initialize(HashLength, out hasher);
            Blake2sHasher.Update(ref hasher, block);
            Blake2sHasher.Update(ref hasher, inner);
            Blake2sHasher.Finalize(ref hasher, destination);
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
    public static unsafe byte[] PublicKeyOf(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != DhLength)
        {
            throw new ArgumentException($"An X25519 private key is {DhLength} bytes, not {privateKey.Length}.", nameof(privateKey));
        }

        EnsureSodium();
        var publicKey = new byte[DhLength];
        fixed (byte* q = publicKey)
        fixed (byte* n = privateKey)
        {
            if (Sodium.crypto_scalarmult_curve25519_base(q, n) != 0)
            {
                throw new CryptographicException("libsodium refused to compute an X25519 public key.");
            }
        }

        return publicKey;
    }

    /// <summary>Computes the raw X25519 shared secret; a low-order remote key (all-zero result) raises <see cref="EntropyProtocolException"/>.</summary>
    /// <remarks>
    /// libsodium's <c>crypto_scalarmult_curve25519</c> directly (the function NSec's <c>KeyAgreementAlgorithm.X25519</c> calls), on
    /// the caller's buffers: the private key and the secret never leave them, and no guarded heap allocation (mmap + mprotect per
    /// key, as NSec's <c>Key</c> and <c>SharedSecret</c> make) is paid per DH — a Noise XK handshake makes six DHs and two public keys.
    /// </remarks>
    public static unsafe void Dh(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> remotePublicKey, Span<byte> destination, EntropyProtocolErrorKind failureKind)
    {
        if (remotePublicKey.Length != DhLength)
        {
            throw new EntropyProtocolException(failureKind, "The remote X25519 public key is not a valid 32-byte Curve25519 point.");
        }

        if (privateKey.Length != DhLength || destination.Length < DhLength)
        {
            throw new ArgumentException($"X25519 takes a {DhLength}-byte private key and a {DhLength}-byte destination.");
        }

        EnsureSodium();
        int result;
        fixed (byte* q = destination)
        fixed (byte* n = privateKey)
        fixed (byte* p = remotePublicKey)
        {
            result = Sodium.crypto_scalarmult_curve25519(q, n, p);
        }

        if (result != 0)
        {
            CryptographicOperations.ZeroMemory(destination[..DhLength]);
            throw new EntropyProtocolException(failureKind, "The X25519 key agreement with the remote public key gave the all-zero secret (low-order point).");
        }
    }

    /// <summary>Makes NSec initialise libsodium (<c>sodium_init</c>) before the first direct call.</summary>
    private static void EnsureSodium() => _ = KeyAgreementAlgorithm.X25519;

    /// <summary>The two libsodium functions used directly; the library is the one NSec.Cryptography ships and loads.</summary>
    private static unsafe partial class Sodium
    {
        [System.Runtime.InteropServices.LibraryImport("libsodium")]
        [System.Runtime.InteropServices.UnmanagedCallConv(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
        internal static partial int crypto_scalarmult_curve25519(byte* q, byte* n, byte* p);

        [System.Runtime.InteropServices.LibraryImport("libsodium")]
        [System.Runtime.InteropServices.UnmanagedCallConv(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
        internal static partial int crypto_scalarmult_curve25519_base(byte* q, byte* n);
    }
}
