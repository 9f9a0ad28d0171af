namespace Entropy.Extrinsics;

/// <summary>The per-transaction values that go into the signed extensions: nonce, tip and era (with its birth block hash).</summary>
/// <remarks>
/// A mortal era needs the hash of the block it was created at (<see cref="BirthBlockHash"/>), normally a recent finalized block;
/// see <see href="https://github.com/paritytech/polkadot-sdk/blob/master/docs/sdk/src/reference_docs/extrinsic_encoding.rs">extrinsic_encoding.rs</see>.
/// </remarks>
internal sealed record TransactionParameters
{
    /// <summary>Gets the signer's account nonce (from <c>system_accountNextIndex</c>).</summary>
    public required ulong Nonce { get; init; }

    /// <summary>Gets the tip paid to the block author, in the smallest unit.</summary>
    /// <value>The default value is 0.</value>
    public UInt128 Tip { get; init; }

    /// <summary>Gets the era the transaction is valid in.</summary>
    /// <value>The default value is <see cref="Era.Immortal"/>.</value>
    public Era Era { get; init; } = Era.Immortal;

    /// <summary>Gets the 32-byte hash of the era's birth block; required for a mortal era, ignored for an immortal one.</summary>
    /// <value>The default value is empty.</value>
    public ReadOnlyMemory<byte> BirthBlockHash { get; init; }

    /// <summary>Creates parameters for an immortal transaction.</summary>
    /// <param name="nonce">The signer's account nonce.</param>
    /// <param name="tip">The tip, in the smallest unit.</param>
    /// <returns>The parameters.</returns>
    public static TransactionParameters Immortal(ulong nonce, UInt128 tip = default) => new() { Nonce = nonce, Tip = tip };

    /// <summary>Creates parameters for a mortal transaction born at a given block.</summary>
    /// <param name="nonce">The signer's account nonce.</param>
    /// <param name="birthBlockNumber">The number of the birth block (normally the latest finalized block).</param>
    /// <param name="birthBlockHash">The 32-byte hash of that block.</param>
    /// <param name="period">The validity length in blocks; rounded up to a power of two.</param>
    /// <param name="tip">The tip, in the smallest unit.</param>
    /// <returns>The parameters.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="birthBlockHash"/> is not 32 bytes, or the period is above 4096 and the era's quantised phase does not
    /// land on <paramref name="birthBlockNumber"/> (the runtime would then check the hash of an earlier block).
    /// </exception>
    public static TransactionParameters Mortal(ulong nonce, ulong birthBlockNumber, ReadOnlyMemory<byte> birthBlockHash, ulong period = Era.DefaultPeriod, UInt128 tip = default)
    {
        if (birthBlockHash.Length != 32)
        {
            throw new ArgumentException($"A block hash has 32 bytes, not {birthBlockHash.Length}.", nameof(birthBlockHash));
        }

        Era era = Era.Mortal(period, birthBlockNumber);
        if (era.Birth(birthBlockNumber) != birthBlockNumber)
        {
            throw new ArgumentException(
                $"A mortal era of period {era.Period} cannot start at block {birthBlockNumber} (its quantised birth is block " +
                $"{era.Birth(birthBlockNumber)}); use that block as the birth block or a period of at most 4096.",
                nameof(birthBlockNumber));
        }

        return new() { Nonce = nonce, Tip = tip, Era = era, BirthBlockHash = birthBlockHash };
    }
}
