using Entropy.Crypto;

namespace Entropy;

/// <summary>Creates the SDK's result models with chosen values, for tests of code that consumes <see cref="EntropyClient"/> (for example with Moq).</summary>
public static class EntropyModelFactory
{
    /// <summary>Creates a <see cref="Entropy.Registration"/>.</summary>
    /// <param name="account">The registered account.</param>
    /// <param name="verifyingKey">Its verifying key.</param>
    /// <param name="accessMode">Its access mode.</param>
    /// <param name="programs">Its programs; <see langword="null"/> for none.</param>
    /// <param name="programModificationAccount">Its Account Key; <see langword="null"/> for <paramref name="account"/>.</param>
    /// <param name="registerBlockNumber">The block that included <c>register</c>.</param>
    /// <param name="registeredBlockNumber">The block in which the account became registered.</param>
    /// <returns>The model.</returns>
    public static Registration Registration(
        AccountId account,
        VerifyingKey verifyingKey,
        AccessMode accessMode = AccessMode.Public,
        IReadOnlyList<ProgramInstance>? programs = null,
        AccountId? programModificationAccount = null,
        uint? registerBlockNumber = null,
        uint? registeredBlockNumber = null) =>
        new(account, verifyingKey, accessMode, programs ?? [], programModificationAccount ?? account, registerBlockNumber, registeredBlockNumber);

    /// <summary>Creates a <see cref="Entropy.RegisteringStatus"/>.</summary>
    /// <param name="account">The account being registered.</param>
    /// <param name="confirmedSubgroups">The subgroups that confirmed so far.</param>
    /// <param name="requiredConfirmations">How many confirmations the chain needs.</param>
    /// <param name="accessMode">The requested access mode.</param>
    /// <param name="programs">The requested programs; <see langword="null"/> for none.</param>
    /// <param name="proposedVerifyingKey">The key the first confirmation reported.</param>
    /// <returns>The model.</returns>
    public static RegisteringStatus RegisteringStatus(
        AccountId account,
        IReadOnlyList<byte>? confirmedSubgroups = null,
        int requiredConfirmations = 2,
        AccessMode accessMode = AccessMode.Public,
        IReadOnlyList<ProgramInstance>? programs = null,
        VerifyingKey? proposedVerifyingKey = null) =>
        new(account, account, accessMode, programs ?? [], confirmedSubgroups ?? [], requiredConfirmations, proposedVerifyingKey);

    /// <summary>Creates a <see cref="Entropy.ThresholdServer"/>.</summary>
    /// <param name="stash">The validator's stash account.</param>
    /// <param name="tssAccount">The server's account.</param>
    /// <param name="x25519PublicKey">The server's x25519 public key.</param>
    /// <param name="endpoint">The server's <c>host:port</c>.</param>
    /// <param name="subgroup">The validator's signing subgroup.</param>
    /// <returns>The model.</returns>
    public static ThresholdServer ThresholdServer(AccountId stash, AccountId tssAccount, X25519PublicKey x25519PublicKey, string endpoint, byte subgroup) =>
        new(stash, tssAccount, x25519PublicKey.ToArray(), endpoint, subgroup);

    /// <summary>Creates a <see cref="Entropy.RegistrationProgress"/> report.</summary>
    /// <param name="stage">The stage.</param>
    /// <param name="account">The account being registered.</param>
    /// <param name="blockNumber">The block the stage was seen at.</param>
    /// <param name="confirmations">Confirmations so far.</param>
    /// <param name="requiredConfirmations">Confirmations needed.</param>
    /// <returns>The model.</returns>
    public static RegistrationProgress RegistrationProgress(RegistrationStage stage, AccountId account, uint? blockNumber = null, int confirmations = 0, int requiredConfirmations = 2) =>
        new(stage, account, blockNumber, [], confirmations, requiredConfirmations);

    /// <summary>Creates a <see cref="Extrinsics.TransactionStatus"/>, for example to build a <see cref="Extrinsics.TransactionException"/> in a test.</summary>
    /// <param name="kind">The state.</param>
    /// <param name="blockHash">The <c>0x</c>-hex block hash for in-block, retracted, finalized and finality-timeout states, or the usurping transaction's hash for <see cref="Extrinsics.TransactionStatusKind.Usurped"/>.</param>
    /// <returns>The status.</returns>
    internal static Extrinsics.TransactionStatus TransactionStatus(Extrinsics.TransactionStatusKind kind, string? blockHash = null) =>
        new(kind, blockHash);

    /// <summary>Creates a <see cref="Entropy.ProgramInfo"/>; its pointer is computed from the bytecode and configuration interface as the chain does.</summary>
    /// <param name="bytecode">The program's bytecode.</param>
    /// <param name="deployer">The account that deployed it.</param>
    /// <param name="configurationInterface">Its configuration interface; <see langword="null"/> for none.</param>
    /// <param name="referenceCount">How many registrations use it.</param>
    /// <returns>The model.</returns>
    public static ProgramInfo ProgramInfo(byte[] bytecode, AccountId deployer, byte[]? configurationInterface = null, UInt128 referenceCount = default)
    {
        ArgumentNullException.ThrowIfNull(bytecode);
        configurationInterface ??= [];
        return new(ProgramPointer.Compute(bytecode, configurationInterface), [.. bytecode], [.. configurationInterface], deployer, referenceCount);
    }
}
