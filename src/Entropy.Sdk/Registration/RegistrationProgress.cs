namespace Entropy;

/// <summary>The stages a registration goes through, in order.</summary>
public enum RegistrationStage
{
    /// <summary>The signed <c>register</c> extrinsic was accepted by the node's transaction pool.</summary>
    Submitted = 0,

    /// <summary>The extrinsic is in a block and <c>SignalRegister</c> for the signer was emitted.</summary>
    InBlock = 1,

    /// <summary>The chain selected the DKG committee (one threshold server per subgroup) for the block after.</summary>
    CommitteeSelected = 2,

    /// <summary>A subgroup confirmed the verifying key on chain.</summary>
    Confirmed = 3,

    /// <summary>Every subgroup confirmed the same key: the account is registered.</summary>
    Registered = 4,

    /// <summary>Private mode only, between <see cref="CommitteeSelected"/> and <see cref="Confirmed"/>: the client took part in the DKG and holds its key share.</summary>
    KeyGenerated = 5,
}

/// <summary>A progress report of a registration, passed to <see cref="IProgress{T}"/>.</summary>
public sealed class RegistrationProgress
{
    internal RegistrationProgress(
        RegistrationStage stage,
        AccountId account,
        uint? blockNumber,
        IReadOnlyList<ThresholdServer> committee,
        int confirmations,
        int requiredConfirmations)
    {
        Stage = stage;
        Account = account;
        BlockNumber = blockNumber;
        Committee = committee;
        Confirmations = confirmations;
        RequiredConfirmations = requiredConfirmations;
    }

    /// <summary>Gets the stage reached.</summary>
    public RegistrationStage Stage { get; }

    /// <summary>Gets the signature request account being registered.</summary>
    public AccountId Account { get; }

    /// <summary>Gets the block number the stage was observed at, when known.</summary>
    public uint? BlockNumber { get; }

    /// <summary>Gets the DKG committee, once selected (empty before <see cref="RegistrationStage.CommitteeSelected"/>).</summary>
    public IReadOnlyList<ThresholdServer> Committee { get; }

    /// <summary>Gets how many subgroups have confirmed so far.</summary>
    public int Confirmations { get; }

    /// <summary>Gets how many confirmations the chain needs (one per signing subgroup).</summary>
    public int RequiredConfirmations { get; }

    /// <summary>Returns the stage with its details, for logs and consoles.</summary>
    /// <returns>A one-line description.</returns>
    public override string ToString() => Stage switch
    {
        RegistrationStage.Submitted => $"Submitted register for {Account}",
        RegistrationStage.InBlock => $"register for {Account} is in block #{BlockNumber}",
        RegistrationStage.CommitteeSelected => $"Committee for block #{BlockNumber}: {string.Join(", ", Committee.Select(s => s.Endpoint))}",
        RegistrationStage.Confirmed => $"Confirmed {Confirmations} of {RequiredConfirmations} at block #{BlockNumber}",
        RegistrationStage.Registered => $"{Account} registered at block #{BlockNumber}",
        RegistrationStage.KeyGenerated => $"Key generation for {Account} done with {Committee.Count} committee servers",
        _ => Stage.ToString(),
    };
}
