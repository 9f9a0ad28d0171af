namespace Entropy;

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
