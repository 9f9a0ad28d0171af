namespace Entropy;

/// <summary>The node's transaction pool refused a transaction (JSON-RPC errors 1010/1011/1012): it was never included.</summary>
/// <remarks>
/// Typical reasons are a bad signature (<c>badProof</c>), a stale nonce, an expired era or a balance too low for the fee.
/// Nothing was spent; fix the cause and submit again.
/// </remarks>
public sealed class TransactionRejectedException : EntropyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">The pool's reason, as the node reported it (for example <c>badProof</c> or <c>stale</c>).</param>
    /// <param name="message">What happened and what to do.</param>
    /// <param name="innerException">The RPC error.</param>
    public TransactionRejectedException(string reason, string message, Exception? innerException)
        : base(message, innerException)
    {
        Reason = reason;
    }

    /// <summary>Gets the pool's reason as the node reported it, for example <c>badProof</c>, <c>stale</c>, <c>payment</c> or <c>ancientBirthBlock</c>.</summary>
    public string Reason { get; }
}

/// <summary>A submitted transaction left the pool without being included: dropped, usurped, invalid or retracted past its mortality.</summary>
/// <remarks>The SDK never resubmits automatically; read the account's state before submitting again.</remarks>
public sealed class TransactionDroppedException : EntropyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="status">The final status the node reported (<c>dropped</c>, <c>usurped</c>, <c>invalid</c>, …).</param>
    /// <param name="transactionHash">The transaction's hash, 0x-hex.</param>
    public TransactionDroppedException(string status, string transactionHash)
        : base($"Transaction {transactionHash} was not included: the node reported '{status}'. Nothing was executed; check the account's state before submitting again.")
    {
        Status = status;
        TransactionHash = transactionHash;
    }

    /// <summary>Gets the final status the node reported.</summary>
    public string Status { get; }

    /// <summary>Gets the transaction's hash, 0x-hex.</summary>
    public string TransactionHash { get; }
}

/// <summary>A transaction was included in a block but its call failed (<c>ExtrinsicFailed</c>); the fee was paid.</summary>
public sealed class DispatchException : EntropyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pallet">The pallet whose error it is, or <see langword="null"/> for a non-module error.</param>
    /// <param name="error">The error's name (for example <c>AlreadySubmitted</c>), or the dispatch error kind.</param>
    /// <param name="documentation">The error's documentation from the runtime metadata.</param>
    /// <param name="blockHash">The block that included the transaction, 0x-hex.</param>
    public DispatchException(string? pallet, string error, string documentation, string blockHash)
        : base($"The transaction failed in block {blockHash}: {(pallet is null ? error : $"{pallet}.{error}")}{(documentation.Length == 0 ? string.Empty : $" ({documentation})")}.")
    {
        Pallet = pallet;
        Error = error;
        Documentation = documentation;
        BlockHash = blockHash;
    }

    /// <summary>Gets the pallet whose error it is, or <see langword="null"/> for a non-module error.</summary>
    public string? Pallet { get; }

    /// <summary>Gets the error's name, for example <c>AlreadySubmitted</c>.</summary>
    public string Error { get; }

    /// <summary>Gets the error's documentation from the runtime metadata.</summary>
    public string Documentation { get; }

    /// <summary>Gets the block that included the transaction, 0x-hex.</summary>
    public string BlockHash { get; }
}

/// <summary>A registration did not complete within its timeout; carries the last state seen on chain.</summary>
public sealed class RegistrationTimeoutException : EntropyTimeoutException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="account">The account being registered.</param>
    /// <param name="timeout">The timeout that expired.</param>
    /// <param name="elapsed">How long the wait ran.</param>
    /// <param name="lastStatus">The account's <c>Registering</c> entry at the last look, or <see langword="null"/> if it had none.</param>
    /// <param name="committee">The DKG committee, when known.</param>
    public RegistrationTimeoutException(AccountId account, TimeSpan timeout, TimeSpan elapsed, RegisteringStatus? lastStatus, IReadOnlyList<ThresholdServer> committee)
        : base($"registration of {account}", null, timeout, elapsed)
    {
        Account = account;
        LastStatus = lastStatus;
        Committee = committee;
    }

    /// <summary>Gets the account being registered.</summary>
    public AccountId Account { get; }

    /// <summary>Gets the account's <c>Registering</c> entry at the last look (confirmations so far), or <see langword="null"/> if it had none.</summary>
    public RegisteringStatus? LastStatus { get; }

    /// <summary>Gets the DKG committee, when known; a member that never confirmed is the usual cause.</summary>
    public IReadOnlyList<ThresholdServer> Committee { get; }

    /// <inheritdoc/>
    public override string Message =>
        base.Message + (LastStatus is null
            ? " The account is not registering (the register transaction may not have been included)."
            : $" Still registering: {LastStatus.Confirmations} of {LastStatus.RequiredConfirmations} confirmations; committee: {(Committee.Count == 0 ? "unknown" : string.Join(", ", Committee.Select(s => s.Endpoint)))}. Wait longer, or call PruneRegistrationAsync to leave the registration.");
}
