namespace Entropy;

/// <summary>A completed registration: the account, its verifying key and what the chain stored for it.</summary>
/// <remarks>Built from the runtime's <c>RegisteredInfo</c> (entropy-core v0.0.10 <c>pallets/relayer</c>). Create instances in tests with <see cref="EntropyModelFactory"/>.</remarks>
public sealed class Registration
{
    internal Registration(
        AccountId account,
        VerifyingKey verifyingKey,
        AccessMode accessMode,
        IReadOnlyList<ProgramInstance> programs,
        AccountId programModificationAccount,
        uint? registerBlockNumber,
        uint? registeredBlockNumber)
    {
        Account = account;
        VerifyingKey = verifyingKey;
        AccessMode = accessMode;
        Programs = programs;
        ProgramModificationAccount = programModificationAccount;
        RegisterBlockNumber = registerBlockNumber;
        RegisteredBlockNumber = registeredBlockNumber;
    }

    /// <summary>Gets the signature request account that was registered.</summary>
    public AccountId Account { get; }

    /// <summary>Gets the 33-byte compressed secp256k1 verifying key the threshold servers generated.</summary>
    /// <value>Empty (<see cref="VerifyingKey.IsEmpty"/>) for an account the chain spec registered at genesis: the v0.0.10 pallet's
    /// genesis stores those (the dev spec's //Dave, //Eve and //Ferdie) with an empty key and no programs, and no server holds a share.</value>
    public VerifyingKey VerifyingKey { get; }

    /// <summary>Gets the access mode (the runtime's key visibility).</summary>
    public AccessMode AccessMode { get; }

    /// <summary>Gets the programs signature requests are checked against.</summary>
    public IReadOnlyList<ProgramInstance> Programs { get; }

    /// <summary>Gets the Account Key: the account allowed to change the programs.</summary>
    public AccountId ProgramModificationAccount { get; }

    /// <summary>Gets the number of the block that included <c>register</c>, when known.</summary>
    public uint? RegisterBlockNumber { get; }

    /// <summary>Gets the number of the block in which the account became registered, when known.</summary>
    public uint? RegisteredBlockNumber { get; }

    /// <summary>Returns the account and its verifying key.</summary>
    /// <returns>A one-line description.</returns>
    public override string ToString() => $"{Account} registered ({AccessMode}) with verifying key {VerifyingKey}";
}
