namespace Entropy;

/// <summary>A registration in progress: what the chain holds in <c>Registering</c> for an account.</summary>
/// <remarks>Built from the runtime's <c>RegisteringDetails</c> (entropy-core v0.0.10 <c>pallets/relayer</c>).</remarks>
public sealed class RegisteringStatus
{
    internal RegisteringStatus(
        AccountId account,
        AccountId programModificationAccount,
        AccessMode accessMode,
        IReadOnlyList<ProgramInstance> programs,
        IReadOnlyList<byte> confirmedSubgroups,
        int requiredConfirmations,
        VerifyingKey? proposedVerifyingKey)
    {
        Account = account;
        ProgramModificationAccount = programModificationAccount;
        AccessMode = accessMode;
        Programs = programs;
        ConfirmedSubgroups = confirmedSubgroups;
        RequiredConfirmations = requiredConfirmations;
        ProposedVerifyingKey = proposedVerifyingKey;
    }

    /// <summary>Gets the signature request account being registered.</summary>
    public AccountId Account { get; }

    /// <summary>Gets the Account Key: the account allowed to change the programs.</summary>
    public AccountId ProgramModificationAccount { get; }

    /// <summary>Gets the requested access mode.</summary>
    public AccessMode AccessMode { get; }

    /// <summary>Gets the requested programs.</summary>
    public IReadOnlyList<ProgramInstance> Programs { get; }

    /// <summary>Gets the signing subgroups that have confirmed so far.</summary>
    public IReadOnlyList<byte> ConfirmedSubgroups { get; }

    /// <summary>Gets how many confirmations the chain has so far.</summary>
    public int Confirmations => ConfirmedSubgroups.Count;

    /// <summary>Gets how many confirmations the chain needs (one per signing subgroup).</summary>
    public int RequiredConfirmations { get; }

    /// <summary>Gets the verifying key the first confirming subgroup reported, when one has.</summary>
    public VerifyingKey? ProposedVerifyingKey { get; }

    /// <summary>Returns the account and its confirmations so far.</summary>
    /// <returns>A one-line description.</returns>
    public override string ToString() => $"{Account} registering: {Confirmations} of {RequiredConfirmations} confirmations";
}
