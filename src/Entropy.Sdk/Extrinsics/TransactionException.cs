namespace Entropy.Extrinsics;

/// <summary>How a submitted transaction failed.</summary>
public enum TransactionFailureKind
{
    /// <summary>The node's pool refused it (RPC errors 1010–1016, or a watched transaction turned <c>invalid</c>); nothing was spent. Thrown as <see cref="InvalidTransactionException"/>.</summary>
    Invalid = 0,

    /// <summary>It left the pool without the inclusion that was waited for (dropped, usurped, finality timeout); the message names the node's last status.</summary>
    Dropped = 1,

    /// <summary>It was included but its call failed (<c>System.ExtrinsicFailed</c>); the fee was paid. Thrown as <see cref="DispatchException"/>.</summary>
    DispatchFailed = 2,
}

/// <summary>The exception thrown when a submitted transaction failed; <see cref="Kind"/> says how.</summary>
/// <remarks>
/// The SDK never resubmits a transaction. <see cref="TransactionFailureKind.Invalid"/> and <see cref="TransactionFailureKind.DispatchFailed"/> are
/// thrown as the derived <see cref="InvalidTransactionException"/> (with the pool's reason) and <see cref="DispatchException"/> (with the
/// runtime's error); <see cref="TransactionFailureKind.Dropped"/> as this type, its message naming the node's final status: the transaction may or may
/// not have been included elsewhere, so check the signer's nonce and the chain state before building a new one.
/// </remarks>
public class TransactionException : EntropyException
{
    /// <summary>Creates the exception (for example in a test).</summary>
    /// <param name="kind">How the transaction failed.</param>
    /// <param name="message">What went wrong, and where.</param>
    /// <param name="innerException">The failure that caused this one, if any.</param>
    public TransactionException(TransactionFailureKind kind, string message, Exception? innerException = null)
        : this(kind, null, message, innerException)
    {
    }

    /// <summary>Creates the exception with the node's final status.</summary>
    /// <param name="kind">How the transaction failed.</param>
    /// <param name="status">The final status the node reported, when there was one.</param>
    /// <param name="message">What went wrong, and where.</param>
    /// <param name="innerException">The failure that caused this one, if any.</param>
    internal TransactionException(TransactionFailureKind kind, TransactionStatus? status, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        Status = status;
    }

    /// <summary>Gets how the transaction failed.</summary>
    public TransactionFailureKind Kind { get; }

    /// <summary>Gets the final status the node reported for a watched transaction, when there was one.</summary>
    internal TransactionStatus? Status { get; }
}
