namespace Entropy;

/// <summary>Why a registration ended without the account being registered.</summary>
public enum RegistrationEndReason
{
    /// <summary>The threshold servers confirmed different verifying keys, so the chain dropped the registration (<c>FailedRegistration</c>).</summary>
    KeysDiffered = 0,

    /// <summary>The registration was pruned (<c>prune_registration</c>, event <c>RegistrationCancelled</c>).</summary>
    Pruned = 1,

    /// <summary>The <c>register</c> transaction was not included before its mortal era ended; it is not resubmitted.</summary>
    NotIncluded = 2,
}

/// <summary>A registration ended on chain without the account being registered; <see cref="Reason"/> says how.</summary>
/// <remarks>In every case the account is no longer registering and may register again (check <see cref="EntropyClient.GetRegisteringAsync"/> first when the reason is <see cref="RegistrationEndReason.NotIncluded"/>).</remarks>
public sealed class RegistrationEndedException : EntropyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">How the registration ended.</param>
    /// <param name="account">The account whose registration ended.</param>
    /// <param name="blockNumber">The block that recorded the end (the event, or the block the era died at), when known.</param>
    /// <param name="operationId">The registration operation's id, when known.</param>
    public RegistrationEndedException(RegistrationEndReason reason, AccountId account, uint? blockNumber, string? operationId = null)
        : base(Describe(reason, account, blockNumber))
    {
        Reason = reason;
        Account = account;
        BlockNumber = blockNumber;
        OperationId = operationId;
    }

    /// <summary>Gets how the registration ended.</summary>
    public RegistrationEndReason Reason { get; }

    /// <summary>Gets the account whose registration ended.</summary>
    public AccountId Account { get; }

    /// <summary>Gets the block that recorded the end, when known.</summary>
    public uint? BlockNumber { get; }

    private static string Describe(RegistrationEndReason reason, AccountId account, uint? block)
    {
        var at = block is null ? string.Empty : $" in block #{block}";
        return reason switch
        {
            RegistrationEndReason.KeysDiffered => $"The registration of {account} failed: the threshold servers confirmed different verifying keys (FailedRegistration{at}). The account may register again.",
            RegistrationEndReason.Pruned => $"The registration of {account} was cancelled by prune_registration (RegistrationCancelled{at}). The account may register again.",
            RegistrationEndReason.NotIncluded => $"The register transaction of {account} was not included before its mortal era ended{(block is null ? string.Empty : $" (block #{block})")}; it is not resubmitted. Check the account's state before registering again.",
            _ => $"The registration of {account} ended ({reason}{at}).",
        };
    }
}
