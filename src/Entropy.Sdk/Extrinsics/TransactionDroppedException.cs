namespace Entropy.Extrinsics;

/// <summary>The exception thrown when a watched transaction ends without the inclusion that was waited for (dropped, usurped, finality timeout).</summary>
/// <remarks>
/// The transaction may or may not have been included elsewhere; the SDK never resubmits it. Check the signer's nonce and the chain state
/// before building a new one.
/// </remarks>
public sealed class TransactionDroppedException : EntropyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="status">The final status the node reported.</param>
    /// <param name="message">What went wrong, and where.</param>
    public TransactionDroppedException(TransactionStatus status, string message)
        : base(message)
    {
        ArgumentNullException.ThrowIfNull(status);
        Status = status;
    }

    /// <summary>Gets the final status the node reported.</summary>
    public TransactionStatus Status { get; }
}
