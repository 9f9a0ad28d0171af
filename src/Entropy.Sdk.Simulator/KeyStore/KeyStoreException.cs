namespace Entropy.Simulator.KeyStore;

/// <summary>Says why a <see cref="EncryptedKeyStore"/> operation failed.</summary>
internal enum KeyStoreError
{
    /// <summary>The password does not decrypt the store's verification record.</summary>
    WrongPassword,

    /// <summary>A record failed authentication (it was altered or damaged); the other records are unaffected.</summary>
    CorruptRecord,

    /// <summary>The store's metadata or verification record is missing or damaged.</summary>
    CorruptStore,

    /// <summary>The key already exists (reserved or holding a value).</summary>
    KeyExists,

    /// <summary>The key has no reservation to put a value under.</summary>
    NotReserved,

    /// <summary>The key is only reserved (a placeholder), which delete refuses.</summary>
    ReservedPlaceholder,

    /// <summary>The key is not in the store.</summary>
    KeyNotFound,

    /// <summary>The key is one of <see cref="EncryptedKeyStore.ForbiddenKeys"/> or the store's own verification key.</summary>
    ForbiddenKey,

    /// <summary>Another process holds the store open.</summary>
    Locked,

    /// <summary>The store's <c>keystore.meta</c> asks for a weaker scrypt cost than the opener's minimum (the file was edited or comes from elsewhere).</summary>
    WeakParameters,

    /// <summary>Writing to the store's disk failed; the store refuses further writes until it is reopened.</summary>
    WriteFailed,
}

/// <summary>The failure of a key-store operation, naming the key concerned (never the value or the password).</summary>
internal sealed class KeyStoreException : EntropyException
{
    /// <summary>Creates a key-store failure.</summary>
    /// <param name="error">What failed.</param>
    /// <param name="key">The key concerned, if any.</param>
    /// <param name="message">What went wrong, and where.</param>
    /// <param name="innerException">The failure that caused this one, if any.</param>
    public KeyStoreException(KeyStoreError error, string? key, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
        Key = key;
    }

    /// <summary>Gets what failed.</summary>
    public KeyStoreError Error { get; }

    /// <summary>Gets the key concerned, or <see langword="null"/>.</summary>
    public string? Key { get; }
}
