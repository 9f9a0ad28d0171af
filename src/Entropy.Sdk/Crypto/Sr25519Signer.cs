namespace Entropy.Crypto;

/// <summary>Signs with an sr25519 key that may live elsewhere: in memory, in a browser wallet or in a hardware security module.</summary>
/// <remarks>
/// Derive from this class to plug in an external signer; the SDK only needs the public key and an asynchronous signature over
/// the exact message bytes (Substrate signing context <c>"substrate"</c>). Disposing a signer created by
/// <see cref="FromSecretUri"/> or <see cref="FromMnemonic"/> wipes its key; one created by <see cref="FromKeyPair"/> leaves the
/// caller's key pair alone.
/// </remarks>
public abstract class Sr25519Signer : IDisposable
{
    /// <summary>Initialises the base of a signer implementation.</summary>
    protected Sr25519Signer()
    {
    }

    /// <summary>Gets the public key whose signatures this signer produces.</summary>
    public abstract Sr25519PublicKey PublicKey { get; }

    /// <summary>Gets the account identifier of the public key.</summary>
    public AccountId AccountId
    {
        get
        {
            Span<byte> key = stackalloc byte[Sr25519PublicKey.Length];
            PublicKey.CopyTo(key);
            return new AccountId(key);
        }
    }

    /// <summary>Wraps an in-memory key pair; the caller keeps ownership and must keep it alive and undisposed while the signer is used.</summary>
    /// <param name="keyPair">The key pair.</param>
    /// <returns>A signer that signs with <paramref name="keyPair"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="keyPair"/> is <see langword="null"/>.</exception>
    public static Sr25519Signer FromKeyPair(Sr25519KeyPair keyPair)
    {
        ArgumentNullException.ThrowIfNull(keyPair);
        return new InMemorySr25519Signer(keyPair, ownsKeyPair: false);
    }

    /// <summary>Creates a signer for the key a secret URI denotes (such as <c>//Alice</c> or <c>phrase//hard/soft///password</c>).</summary>
    /// <param name="suri">The secret URI; see <see cref="Sr25519KeyPair.FromSecretUri(string)"/>.</param>
    /// <returns>A signer that owns the derived key pair and wipes it when disposed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="suri"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">The secret URI is malformed.</exception>
    public static Sr25519Signer FromSecretUri(string suri) => new InMemorySr25519Signer(Sr25519KeyPair.FromSecretUri(suri), ownsKeyPair: true);

    /// <summary>Creates a signer for the root key of a BIP-39 phrase.</summary>
    /// <param name="phrase">An English BIP-39 phrase.</param>
    /// <param name="password">The optional password; <see langword="null"/> means none.</param>
    /// <returns>A signer that owns the key pair and wipes it when disposed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="phrase"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">The phrase is not a valid English BIP-39 phrase.</exception>
    public static Sr25519Signer FromMnemonic(string phrase, string? password = null) =>
        new InMemorySr25519Signer(Sr25519KeyPair.FromMnemonic(phrase, password), ownsKeyPair: true);

    /// <summary>Signs <paramref name="message"/> in the Substrate signing context.</summary>
    /// <param name="message">The exact bytes to sign (for an extrinsic, the payload or its BLAKE2b-256 when longer than 256 bytes).</param>
    /// <param name="cancellationToken">Cancels a signature that waits for a device or a user.</param>
    /// <returns>The 64-byte signature.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The signer or its key pair was disposed.</exception>
    public abstract Task<Sr25519Signature> SignAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default);

    /// <summary>Releases the signer's key material, if it owns any.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources; override to wipe key material an implementation owns.</summary>
    /// <param name="disposing"><see langword="true"/> when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>A signer over an <see cref="Sr25519KeyPair"/> held in this process.</summary>
internal sealed class InMemorySr25519Signer : Sr25519Signer
{
    private readonly Sr25519KeyPair _keyPair;
    private readonly bool _ownsKeyPair;
    private readonly Sr25519PublicKey _publicKey;
    private bool _disposed;

    public InMemorySr25519Signer(Sr25519KeyPair keyPair, bool ownsKeyPair)
    {
        _keyPair = keyPair;
        _ownsKeyPair = ownsKeyPair;
        _publicKey = keyPair.PublicKey;
    }

    public override Sr25519PublicKey PublicKey => _publicKey;

    public override Task<Sr25519Signature> SignAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<Sr25519Signature>(cancellationToken);
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        return Task.FromResult(_keyPair.Sign(message.Span));
    }

    public override string ToString() => $"Sr25519Signer {_publicKey}";

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            if (_ownsKeyPair)
            {
                _keyPair.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
