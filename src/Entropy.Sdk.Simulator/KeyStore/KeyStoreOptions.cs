namespace Entropy.Simulator.KeyStore;

/// <summary>
/// The scrypt parameters of a new <see cref="EncryptedKeyStore"/>. An existing store keeps the parameters it was created with, but
/// they must be at least these (and at least <see cref="MinimumScryptCost"/>): <c>keystore.meta</c> is not authenticated, so an
/// edited file could otherwise lower the cost of the key that protects every share written afterwards.
/// </summary>
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

    /// <summary>Gets or sets the lowest scrypt cost N an existing store may ask for; <see langword="null"/> means <see cref="ScryptCost"/>.</summary>
    /// <value>The default value is <see langword="null"/>: a store is opened only with a cost at least the one this opener would create.</value>
    public long? MinimumScryptCost { get; set; }

    /// <summary>The largest scrypt memory (128 · N · r bytes) a store may ask for: 1 GiB; past it the metadata is refused rather than allocated.</summary>
    internal const long MaxScryptMemory = 1L << 30;

    /// <summary>Gets the floor of N for an existing store.</summary>
    internal long EffectiveMinimumCost => MinimumScryptCost ?? ScryptCost;

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

        if (ScryptParallelization is < 1 or > 16)
        {
            throw new ArgumentException($"ScryptParallelization must be between 1 and 16, not {ScryptParallelization}.", nameof(ScryptParallelization));
        }

        if (ScryptBlockSize > 64 || 128L * ScryptBlockSize > MaxScryptMemory / ScryptCost)
        {
            throw new ArgumentException($"The scrypt memory 128·N·r (N = {ScryptCost}, r = {ScryptBlockSize}) exceeds {MaxScryptMemory >> 20} MiB.", nameof(ScryptCost));
        }

        if (MinimumScryptCost is { } minimum && (minimum < 2 || (minimum & (minimum - 1)) != 0))
        {
            throw new ArgumentException($"MinimumScryptCost must be a power of two of at least 2, not {minimum}.", nameof(MinimumScryptCost));
        }
    }
}
