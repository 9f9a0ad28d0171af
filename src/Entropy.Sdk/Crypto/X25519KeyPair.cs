using System.Diagnostics;
using System.Security.Cryptography;
using NSec.Cryptography;

namespace Entropy.Crypto;

/// <summary>An X25519 key pair, used for Entropy's Private access mode and encrypted messages to threshold servers.</summary>
/// <remarks>
/// The secret lives in libsodium secure memory (through NSec) and is never exposed publicly; <see cref="Dispose"/> wipes it.
/// See <see href="https://www.rfc-editor.org/rfc/rfc7748"/>.
/// </remarks>
[DebuggerDisplay("X25519KeyPair {PublicKey}")]
public sealed class X25519KeyPair : IDisposable
{
    /// <summary>The length of an X25519 secret key in bytes.</summary>
    public const int SecretKeyLength = 32;

    private readonly Key _key;
    private readonly X25519PublicKey _publicKey;

    private X25519KeyPair(Key key)
    {
        _key = key;
        _publicKey = new X25519PublicKey(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    /// <summary>Gets the public key.</summary>
    /// <exception cref="ObjectDisposedException">The key pair was disposed.</exception>
    public X25519PublicKey PublicKey
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            return _publicKey;
        }
    }

    private bool IsDisposed { get; set; }

    /// <summary>Creates a key pair from fresh randomness.</summary>
    /// <returns>A new key pair.</returns>
    public static X25519KeyPair Generate()
    {
        Span<byte> secret = stackalloc byte[SecretKeyLength];
        RandomNumberGenerator.Fill(secret);
        try
        {
            return Import(secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Creates a key pair from a 32-byte secret key (clamped as RFC 7748 describes when used).</summary>
    /// <param name="secretKey">The 32-byte secret key; the caller should wipe its copy afterwards.</param>
    /// <returns>The key pair.</returns>
    /// <exception cref="ArgumentException"><paramref name="secretKey"/> is not 32 bytes long.</exception>
    public static X25519KeyPair Import(ReadOnlySpan<byte> secretKey)
    {
        if (secretKey.Length != SecretKeyLength)
        {
            throw new ArgumentException($"An X25519 secret key is {SecretKeyLength} bytes; got {secretKey.Length}.", nameof(secretKey));
        }

        // Exportable only inside the SDK (CopySecretTo): the Noise handshake of the Private-mode DKG needs the raw scalar.
        var parameters = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        return new X25519KeyPair(Key.Import(KeyAgreementAlgorithm.X25519, secretKey, KeyBlobFormat.RawPrivateKey, in parameters));
    }

    /// <summary>Computes the raw X25519 shared secret with a peer; Entropy uses it directly, with no KDF.</summary>
    /// <param name="peer">The peer's public key.</param>
    /// <param name="sharedSecret">Receives the 32-byte shared secret; the caller should wipe it after use.</param>
    /// <exception cref="ArgumentException"><paramref name="sharedSecret"/> is not 32 bytes long.</exception>
    /// <exception cref="CryptographicException">The peer key is a low-order point, so the shared secret would be all zeros.</exception>
    /// <exception cref="ObjectDisposedException">The key pair was disposed.</exception>
    internal void Agree(X25519PublicKey peer, Span<byte> sharedSecret)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (sharedSecret.Length != 32)
        {
            throw new ArgumentException($"The shared secret is 32 bytes; got {sharedSecret.Length}.", nameof(sharedSecret));
        }

        var peerKey = NSec.Cryptography.PublicKey.Import(KeyAgreementAlgorithm.X25519, peer.AsSpan(), KeyBlobFormat.RawPublicKey);
        var parameters = new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        using SharedSecret shared = KeyAgreementAlgorithm.X25519.Agree(_key, peerKey, in parameters)
            ?? throw new CryptographicException("The X25519 peer public key is a low-order point; the shared secret would be all zeros.");
        byte[] raw = shared.Export(SharedSecretBlobFormat.RawSharedSecret);
        raw.CopyTo(sharedSecret);
        CryptographicOperations.ZeroMemory(raw);
    }

    /// <summary>Copies the 32-byte secret key for the SDK's own Noise handshake; the caller wipes the copy.</summary>
    /// <param name="destination">32 bytes.</param>
    /// <exception cref="ObjectDisposedException">The key pair was disposed.</exception>
    internal void CopySecretTo(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        byte[] raw = _key.Export(KeyBlobFormat.RawPrivateKey);
        try
        {
            raw.CopyTo(destination);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }

    /// <summary>Wipes the secret key.</summary>
    public void Dispose()
    {
        if (!IsDisposed)
        {
            IsDisposed = true;
            _key.Dispose();
        }
    }
}
