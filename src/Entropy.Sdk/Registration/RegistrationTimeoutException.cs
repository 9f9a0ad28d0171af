namespace Entropy;

/// <summary>A registration did not complete within <see cref="EntropyClientOptions.RegistrationTimeout"/>; carries the last state seen on chain and the operation's id.</summary>
/// <remarks>The registration may still complete on chain: re-create the operation from <see cref="EntropyException.OperationId"/> to keep following it.</remarks>
public sealed class RegistrationTimeoutException : EntropyTimeoutException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="account">The account being registered.</param>
    /// <param name="timeout">The timeout that expired.</param>
    /// <param name="elapsed">How long the wait ran.</param>
    /// <param name="stage">The last stage observed, or <see langword="null"/> when the transaction was not yet seen by the node.</param>
    /// <param name="confirmations">How many subgroups the chain recorded as confirmed.</param>
    /// <param name="requiredConfirmations">How many confirmations the chain needs.</param>
    /// <param name="committee">The DKG committee, when known.</param>
    /// <param name="operationId">The operation's id, when the transaction was signed.</param>
    /// <param name="innerException">The last failure seen while waiting (for example the node being unreachable), if any.</param>
    public RegistrationTimeoutException(
        AccountId account,
        TimeSpan timeout,
        TimeSpan elapsed,
        RegistrationStage? stage,
        int confirmations,
        int requiredConfirmations,
        IReadOnlyList<ThresholdServer> committee,
        string? operationId,
        Exception? innerException = null)
        : base($"registration of {account}", null, timeout, elapsed, innerException)
    {
        Account = account;
        Stage = stage;
        Confirmations = confirmations;
        RequiredConfirmations = requiredConfirmations;
        Committee = committee ?? [];
        OperationId = operationId;
    }

    /// <summary>Gets the account being registered.</summary>
    public AccountId Account { get; }

    /// <summary>Gets the last stage observed, or <see langword="null"/> when none was (the node never acknowledged the transaction).</summary>
    public RegistrationStage? Stage { get; }

    /// <summary>Gets how many subgroups the chain recorded as confirmed when the wait ended.</summary>
    public int Confirmations { get; }

    /// <summary>Gets how many confirmations the chain needs (one per signing subgroup).</summary>
    public int RequiredConfirmations { get; }

    /// <summary>Gets the DKG committee, when known; a member that never confirmed is the usual cause.</summary>
    public IReadOnlyList<ThresholdServer> Committee { get; }

    /// <inheritdoc/>
    public override string Message => base.Message + " " + Explain();

    private string Explain()
    {
        var unreachable = InnerException is EntropyConnectionException or EntropyTimeoutException
            ? $" At the deadline, {InnerException.Message.TrimEnd('.')}."
            : string.Empty;
        if (Stage is not (null or RegistrationStage.Submitted or RegistrationStage.Registered))
        {
            return $"Still registering: {Confirmations} of {RequiredConfirmations} confirmations; committee: {(Committee.Count == 0 ? "unknown" : string.Join(", ", Committee.Select(s => s.Endpoint)))}.{unreachable} Wait longer, or call PruneRegistrationAsync to leave the registration.";
        }

        return Stage switch
        {
            null => $"The register transaction was signed but the node did not acknowledge it.{unreachable}",
            RegistrationStage.Submitted => $"The register transaction was submitted but not yet seen in a block (it may still be included until its era ends).{unreachable}",
            RegistrationStage.Registered => "The account is registered.",
            _ => $"The node reports no registration for the account.{unreachable}",
        };
    }
}
