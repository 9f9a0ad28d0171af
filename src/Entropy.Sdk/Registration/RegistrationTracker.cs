using Entropy.Chain;
using Entropy.Metadata;

namespace Entropy;

/// <summary>What the registration pallet recorded about one account in one block (<c>SignalRegister</c>, <c>AccountRegistering</c>, …).</summary>
/// <param name="Name">The event name.</param>
/// <param name="Subgroup">For <c>AccountRegistering</c>, the confirming signing subgroup.</param>
internal readonly record struct RegistrationEvent(string Name, byte? Subgroup)
{
    /// <summary>Picks the registration pallet's events about <paramref name="account"/> out of a block's events.</summary>
    public static List<RegistrationEvent> Select(IReadOnlyList<EventRecord> events, string pallet, AccountId account)
    {
        var selected = new List<RegistrationEvent>();
        foreach (var e in events)
        {
            if (e.Pallet == pallet && e.Fields.Count > 0 && e.Fields[0].TryGetBytes(out var who) && who.AsSpan().SequenceEqual(account.AsSpan()))
            {
                byte? subgroup = e.Name == "AccountRegistering" && e.Fields.Count > 1 && e.Fields[1].Unwrap() is NumberValue n && n.Value >= 0 && n.Value <= byte.MaxValue ? (byte)n.Value : null;
                selected.Add(new RegistrationEvent(e.Name, subgroup));
            }
        }

        return selected;
    }
}

/// <summary>
/// The registration state machine: fed with what the chain records (inclusion, each block's registration events, the account's
/// <c>Registering</c>/<c>Registered</c> entries, new heads) it decides the stage and the progress reports. It does no I/O; the
/// operation reads the chain and feeds it. Not thread-safe: the operation calls it under its update gate.
/// </summary>
internal sealed class RegistrationTracker
{
    private readonly Action<RegistrationProgress> _report;
    private readonly HashSet<byte> _confirmedSubgroups = [];

    /// <param name="account">The account being registered.</param>
    /// <param name="requiredConfirmations">One per signing subgroup (the runtime's <c>SIGNING_PARTY_SIZE</c>).</param>
    /// <param name="eraDeath">The block from which the <c>register</c> transaction can no longer be included; <see langword="null"/> for an immortal one or when unknown.</param>
    /// <param name="report">Receives each progress report, in order.</param>
    public RegistrationTracker(AccountId account, int requiredConfirmations, ulong? eraDeath, Action<RegistrationProgress> report)
    {
        Account = account;
        RequiredConfirmations = requiredConfirmations;
        EraDeath = eraDeath;
        _report = report;
    }

    public AccountId Account { get; }

    public int RequiredConfirmations { get; }

    public ulong? EraDeath { get; }

    /// <summary>Gets the last stage reported.</summary>
    public RegistrationStage? Stage { get; private set; }

    public uint? RegisterBlock { get; private set; }

    public BlockHash? RegisterBlockHash { get; private set; }

    /// <summary>Gets the last block whose events were fed (0 when none).</summary>
    public uint ScannedThrough { get; private set; }

    public IReadOnlyList<ThresholdServer> Committee { get; private set; } = [];

    public RegisteringStatus? LastStatus { get; private set; }

    /// <summary>Gets the number of subgroups whose confirmation the chain recorded.</summary>
    public int Confirmations => _confirmedSubgroups.Count;

    public Registration? Value { get; private set; }

    /// <summary>Gets the block whose events hold <c>AccountRegistered</c>, once seen and until <see cref="Value"/> is read.</summary>
    public (uint Number, BlockHash Hash)? RegisteredIn { get; private set; }

    /// <summary>Gets how the registration ended, if it ended without being registered.</summary>
    public RegistrationEndedException? Ended { get; private set; }

    public bool IsFinished => Value is not null || Ended is not null;

    /// <summary>Gets a value indicating whether the committee should be read now (the block after <c>register</c> exists).</summary>
    public bool NeedsCommittee(uint head) => RegisterBlock is { } n && Committee.Count == 0 && head >= n + 1 && !IsFinished;

    /// <summary>Sets where a forward scan starts (the head when the transaction was submitted).</summary>
    public void StartScanAt(uint block) => ScannedThrough = Math.Max(ScannedThrough, block);

    /// <summary>The node accepted the transaction into its pool.</summary>
    public void Submitted()
    {
        if (Stage is null)
        {
            Report(RegistrationStage.Submitted, null);
        }
    }

    /// <summary>The transaction was included (from the submission watch, or found by a scan), and <c>SignalRegister</c> was emitted.</summary>
    public void Included(uint block, BlockHash hash)
    {
        if (RegisterBlockHash == hash)
        {
            return;
        }

        RegisterBlock = block;
        RegisterBlockHash = hash;
        ScannedThrough = Math.Max(ScannedThrough, block);
        if (Stage is null)
        {
            Report(RegistrationStage.Submitted, null);
        }

        Report(RegistrationStage.InBlock, block);
    }

    /// <summary>A block's registration events about the account, in block order; blocks must be fed in ascending order.</summary>
    public void Block(uint number, BlockHash hash, IReadOnlyList<RegistrationEvent> events)
    {
        if (IsFinished)
        {
            return;
        }

        foreach (var e in events)
        {
            switch (e.Name)
            {
                case "SignalRegister" when RegisterBlock is null:
                    Included(number, hash);
                    break;
                case "AccountRegistering" when e.Subgroup is { } subgroup:
                    if (_confirmedSubgroups.Add(subgroup))
                    {
                        Report(RegistrationStage.Confirmed, number);
                    }

                    break;
                case "AccountRegistered":
                    RegisteredIn = (number, hash);
                    break;
                case "FailedRegistration":
                    Ended = new RegistrationEndedException(RegistrationEndReason.KeysDiffered, Account, number);
                    return;
                case "RegistrationCancelled":
                    Ended = new RegistrationEndedException(RegistrationEndReason.Pruned, Account, number);
                    return;
            }
        }

        ScannedThrough = Math.Max(ScannedThrough, number);
    }

    /// <summary>The committee of the block after <c>register</c> was read.</summary>
    public void CommitteeSelected(uint block, IReadOnlyList<ThresholdServer> committee)
    {
        if (committee.Count == 0 || Committee.Count != 0)
        {
            return;
        }

        Committee = committee;
        Report(RegistrationStage.CommitteeSelected, block);
    }

    /// <summary>Private mode: the client finished its part of the key generation.</summary>
    public void KeyGenerated(uint block) => Report(RegistrationStage.KeyGenerated, block);

    /// <summary>The account's <c>Registering</c> entry as read at <paramref name="head"/>: confirmations the events did not show yet (an operation re-created from its id) are reported from it.</summary>
    public void Registering(RegisteringStatus status, uint head)
    {
        LastStatus = status;
        var added = false;
        foreach (var subgroup in status.ConfirmedSubgroups)
        {
            added |= _confirmedSubgroups.Add(subgroup);
        }

        if (added)
        {
            Report(RegistrationStage.Confirmed, head);
        }
    }

    /// <summary>The account's <c>Registered</c> entry was read: the registration is complete.</summary>
    public void Registered(Registration value, uint block)
    {
        if (Value is not null)
        {
            return;
        }

        Value = value;
        RegisteredIn = null;
        Report(RegistrationStage.Registered, block);
    }

    /// <summary>A new best head: ends a registration whose transaction can no longer be included.</summary>
    public void Head(uint number)
    {
        if (!IsFinished && RegisterBlock is null && EraDeath is { } death && number >= death)
        {
            Ended = new RegistrationEndedException(RegistrationEndReason.NotIncluded, Account, (uint)Math.Min(death, uint.MaxValue));
        }
    }

    /// <summary>The block that included <c>register</c> was retracted by a reorg: forget it and scan again from the block before.</summary>
    public void Retracted()
    {
        if (RegisterBlock is not { } n)
        {
            return;
        }

        RegisterBlock = null;
        RegisterBlockHash = null;
        Committee = [];
        ScannedThrough = n == 0 ? 0 : n - 1;
    }

    private void Report(RegistrationStage stage, uint? block)
    {
        Stage = stage;
        var confirmations = stage == RegistrationStage.Registered ? RequiredConfirmations : Confirmations;
        _report(new RegistrationProgress(stage, Account, block, Committee, confirmations, LastStatus?.RequiredConfirmations ?? RequiredConfirmations));
    }
}
