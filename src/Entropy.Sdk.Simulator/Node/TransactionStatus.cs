namespace Entropy.Simulator.Node;

/// <summary>The lifecycle of a transaction as <c>author_submitAndWatchExtrinsic</c> reports it.</summary>
internal enum TransactionStatus
{
    Future,
    Ready,
    InBlock,
    Finalized,
    Invalid,
    Dropped,
    Usurped,
    Retracted,
}

/// <summary>Called when a watched transaction changes status; <paramref name="block"/> is set for in-block, retracted and finalized.</summary>
/// <param name="status">The new status.</param>
/// <param name="block">The block of an in-block, retracted or finalized status.</param>
/// <param name="usurpedBy">The hash of the transaction that replaced this one (usurped).</param>
internal delegate void TransactionWatcher(TransactionStatus status, Block? block, byte[]? usurpedBy = null);

/// <summary>One submission the node received (kept so tests can prove what a client sent, and how often).</summary>
internal sealed record SubmissionRecord(byte[] Hash, byte[]? Signer, uint Nonce, string CallName);
