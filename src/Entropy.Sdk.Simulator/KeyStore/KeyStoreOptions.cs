namespace Entropy.Simulator.KeyStore;

/// <summary>The scrypt parameters of a new <see cref="EncryptedKeyStore"/>; an existing store keeps the parameters it was created with.</summary>
internal sealed class KeyStoreOptions
{
    /// <summary>Gets or sets the scrypt cost N (a power of two).</summary>
    /// <value>The default value is 2^15, as the <c>scrypt</c> crate's defaults used by Entropy's kvdb (log_n = 15).</value>
    public long ScryptCost { get; set; } = 1L << 15;

    /// <summary>Gets or sets the scrypt block size r.</summary>
    /// <value>The default value is 8.</value>
    public int ScryptBlockSize { get; set; } = 8;

    /// <summary>Gets or sets the scrypt parallelization p.</summary>
    /// <value>The default value is 1.</value>
    public int ScryptParallelization { get; set; } = 1;

    internal void Validate()
    {
        if (ScryptCost < 2 || (ScryptCost & (ScryptCost - 1)) != 0)
        {
            throw new ArgumentException($"ScryptCost must be a power of two of at least 2, not {ScryptCost}.", nameof(ScryptCost));
        }

        if (ScryptBlockSize < 1)
        {
            throw new ArgumentException($"ScryptBlockSize must be positive, not {ScryptBlockSize}.", nameof(ScryptBlockSize));
        }

        if (ScryptParallelization < 1)
        {
            throw new ArgumentException($"ScryptParallelization must be positive, not {ScryptParallelization}.", nameof(ScryptParallelization));
        }
    }
}
