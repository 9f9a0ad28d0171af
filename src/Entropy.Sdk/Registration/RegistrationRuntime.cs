using Entropy.Metadata;

namespace Entropy;

/// <summary>
/// The Entropy-specific view of a runtime: names resolved through its metadata, never hard-coded indices or layouts, so
/// the same code serves v0.0.10 (<c>Relayer</c>) and the 2024-03-21 runtime (<c>Registry</c>).
/// </summary>
internal sealed partial class RegistrationRuntime
{
    private readonly int _keyVisibilityTypeId;
    private readonly ValueShape _registered;
    private readonly ValueShape _registering;

    public RegistrationRuntime(RuntimeMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        Metadata = metadata;
        var pallet = EntropyPallets.Registration(metadata);
        RegistrationPallet = pallet.Name;
        _keyVisibilityTypeId = FindCallField(metadata, pallet, "register", "key_visibility")
            ?? throw new MetadataException($"{RegistrationPallet}.register has no key_visibility argument: this runtime does not use the access-mode registration flow of v0.0.10. {SupportedRuntimes}");
        CheckStorageShape(metadata, pallet, FindCallField(metadata, pallet, "register", "program_modification_account"));
        _registered = new ValueShape(RegistrationPallet, "Registered");
        _registering = new ValueShape(RegistrationPallet, "Registering");
        // v0.0.10 does not export MaxProgramHashes or SigningPartySize as #[pallet::constant]s; later runtimes may. The
        // fallbacks are the v0.0.10 runtime configuration (PROTOCOL.md §2.1: MaxProgramHashes = 5, SIGNING_PARTY_SIZE = 2).
        MaxProgramHashes = ReadConstant(metadata, pallet, "MaxProgramHashes") ?? DefaultMaxProgramHashes;
        SigningPartySize = ReadConstant(metadata, pallet, "SigningPartySize") ?? DefaultSigningPartySize;
        ExistentialDeposit = ReadExistentialDeposit(metadata);
    }

    /// <summary>The v0.0.10 runtime's <c>MaxProgramHashes</c>, used when the metadata does not export it.</summary>
    public const int DefaultMaxProgramHashes = 5;

    /// <summary>The v0.0.10 <c>SIGNING_PARTY_SIZE</c>, used when the metadata does not export it.</summary>
    public const int DefaultSigningPartySize = 2;

    public RuntimeMetadata Metadata { get; }

    /// <summary>Gets the registration pallet's name: <c>Relayer</c> or <c>Registry</c>.</summary>
    public string RegistrationPallet { get; }

    /// <summary>Gets the entropy-protocol envelope this runtime's threshold servers shipped with: <c>Relayer</c> is v0.0.10, <c>Registry</c> is d7a7f3c2.</summary>
    public Protocol.ProtocolEnvelope ProtocolEnvelope =>
        RegistrationPallet == "Registry" ? Protocol.ProtocolEnvelope.Registry20240321 : Protocol.ProtocolEnvelope.V0010;

    /// <summary>Gets the runtime's limit on programs per account.</summary>
    public int MaxProgramHashes { get; }

    /// <summary>Gets how many subgroups must confirm a registration (one per signing subgroup).</summary>
    public int SigningPartySize { get; }

    /// <summary>Gets the <c>Balances.ExistentialDeposit</c> constant (0 when the runtime has no Balances pallet).</summary>
    public UInt128 ExistentialDeposit { get; }

    /// <summary>Reads <c>Balances.ExistentialDeposit</c>; 0 when the runtime has no Balances pallet or no such constant.</summary>
    public static UInt128 ReadExistentialDeposit(RuntimeMetadata metadata)
    {
        if (metadata.FindPallet("Balances")?.FindConstant("ExistentialDeposit") is null)
        {
            return 0;
        }

        var value = metadata.GetConstant("Balances", "ExistentialDeposit").AsNumber();
        return value >= 0 && value <= (System.Numerics.BigInteger)UInt128.MaxValue
            ? (UInt128)value
            : throw new MetadataException($"Balances.ExistentialDeposit is out of range ({value}).");
    }

    /// <summary>Gets whether the runtime's <c>KeyVisibility</c> has a variant for the access mode.</summary>
    public bool Supports(AccessMode mode) =>
        Metadata.Types[_keyVisibilityTypeId].Definition is VariantDefinition v && v.FindByName(mode.ToString()) is not null;

    public byte[] EncodeRegister(AccountId programModificationAccount, AccessMode mode, ReadOnlySpan<byte> userX25519, IReadOnlyList<ProgramInstance> programs)
    {
        if (!Supports(mode))
        {
            throw new RegistrationPreflightException(
                RegistrationPreflightFailure.AccessModeNotSupported,
                $"The connected runtime's KeyVisibility has no '{mode}' variant (it has {string.Join(", ", KeyVisibilityVariants())}); choose one of those.");
        }

        var visibility = mode == AccessMode.Private
            ? ScaleValue.Variant("Private", ScaleValue.Bytes(userX25519))
            : ScaleValue.Variant(mode.ToString());
        var programValues = programs.Select(p => (ScaleValue)ScaleValue.Named(
            ("program_pointer", ScaleValue.Bytes(p.Pointer.AsSpan())),
            ("program_config", ScaleValue.Bytes(p.Configuration.Span)))).ToArray();
        return Metadata.EncodeCall(RegistrationPallet, "register", ScaleValue.Named(
            ("program_modification_account", ScaleValue.Bytes(programModificationAccount.AsSpan())),
            ("key_visibility", visibility),
            ("programs_data", ScaleValue.Sequence(programValues))));
    }

    /// <summary><c>change_program_instance(sig_request_account, new_program_instance)</c> (positional arguments).</summary>
    public byte[] EncodeChangeProgramInstance(AccountId account, IReadOnlyList<ProgramInstance> programs) =>
        Metadata.EncodeCall(RegistrationPallet, "change_program_instance", ScaleValue.Unnamed(
            ScaleValue.Bytes(account.AsSpan()),
            ScaleValue.Sequence(programs.Select(p => (ScaleValue)ScaleValue.Named(
                ("program_pointer", ScaleValue.Bytes(p.Pointer.AsSpan())),
                ("program_config", ScaleValue.Bytes(p.Configuration.Span)))).ToArray())));

    public byte[] EncodePruneRegistration() => Metadata.EncodeCall(RegistrationPallet, "prune_registration");

    public byte[] EncodeConfirmRegister(AccountId account, byte subgroup, VerifyingKey verifyingKey) =>
        Metadata.EncodeCall(RegistrationPallet, "confirm_register", ScaleValue.Named(
            ("sig_req_account", ScaleValue.Bytes(account.AsSpan())),
            ("signing_subgroup", ScaleValue.Number(subgroup)),
            ("verifying_key", ScaleValue.Bytes(verifyingKey.AsSpan()))));

    public byte[] RegisteredKey(AccountId account) => Metadata.StorageKey(RegistrationPallet, "Registered", ScaleValue.Bytes(account.AsSpan()));

    public byte[] RegisteringKey(AccountId account) => Metadata.StorageKey(RegistrationPallet, "Registering", ScaleValue.Bytes(account.AsSpan()));

    public byte[] DkgKey(uint blockNumber) => Metadata.StorageKey(RegistrationPallet, "Dkg", ScaleValue.Number(blockNumber));

    public byte[] ProgramKey(ProgramPointer pointer) => Metadata.StorageKey("Programs", "Programs", ScaleValue.Bytes(pointer.AsSpan()));

    public byte[] SigningGroupKey(byte subgroup) => Metadata.StorageKey("StakingExtension", "SigningGroups", ScaleValue.Number(subgroup));

    public byte[] ThresholdServerKey(AccountId stash) => Metadata.StorageKey("StakingExtension", "ThresholdServers", ScaleValue.Bytes(stash.AsSpan()));

    public byte[] IsValidatorSyncedKey(AccountId stash) => Metadata.StorageKey("StakingExtension", "IsValidatorSynced", ScaleValue.Bytes(stash.AsSpan()));

    private IEnumerable<string> KeyVisibilityVariants() =>
        Metadata.Types[_keyVisibilityTypeId].Definition is VariantDefinition v ? v.Variants.Select(x => x.Name) : [];

    private static int? ReadConstant(RuntimeMetadata metadata, PalletMetadata pallet, string name) =>
        pallet.FindConstant(name) is null ? null : (int)metadata.GetConstant(pallet.Name, name).AsNumber();

    private static int? FindCallField(RuntimeMetadata metadata, PalletMetadata pallet, string call, string field)
    {
        if (pallet.CallTypeId is not { } callType || metadata.Types[callType].Definition is not VariantDefinition calls)
        {
            return null;
        }

        return calls.FindByName(call)?.Fields.FirstOrDefault(f => f.Name == field)?.TypeId;
    }
}
