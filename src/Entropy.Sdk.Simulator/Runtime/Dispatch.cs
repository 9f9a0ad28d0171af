namespace Entropy.Simulator.Runtime;

/// <summary>A SCALE-encoded <c>sp_runtime::DispatchError</c> (variant order per the metadata: Other 0, CannotLookup 1, BadOrigin 2, Module 3, …, Token 7).</summary>
internal sealed class DispatchError
{
    private DispatchError(byte[] encoded, string description)
    {
        Encoded = encoded;
        Description = description;
    }

    public byte[] Encoded { get; }

    public string Description { get; }

    public static DispatchError Other { get; } = new([0], "Other");

    public static DispatchError CannotLookup { get; } = new([1], "CannotLookup");

    public static DispatchError BadOrigin { get; } = new([2], "BadOrigin");

    /// <summary><c>ConsumerRemaining</c>: an account's last provider cannot go while it has consumers (for example a reserve).</summary>
    public static DispatchError ConsumerRemaining { get; } = new([4], "ConsumerRemaining");

    /// <summary><c>Module(ModuleError { index, error: [u8; 4] })</c>; the error index is the variant index of the pallet's <c>Error</c> enum.</summary>
    public static DispatchError Module(byte pallet, byte error, string name) => new([3, pallet, error, 0, 0, 0], name);

    /// <summary><c>Token(TokenError)</c>: FundsUnavailable 0, OnlyProvider 1, BelowMinimum 2, CannotCreate 3, UnknownAsset 4, Frozen 5, Unsupported 6, CannotCreateHold 7, NotExpendable 8, Blocked 9.</summary>
    public static DispatchError Token(byte error, string name) => new([7, error], "Token." + name);

    public override string ToString() => Description;
}

/// <summary>Aborts a dispatch with a <see cref="DispatchError"/>; the storage changes of the call are rolled back, fees and nonce stay.</summary>
internal sealed class DispatchException : Exception
{
    public DispatchException(DispatchError error)
        : base(error.Description)
    {
        Error = error;
    }

    public DispatchError Error { get; }
}

/// <summary>The <c>InvalidTransaction</c> kinds of <c>sp_runtime::transaction_validity</c>.</summary>
internal enum InvalidKind
{
    Call,
    Payment,
    Future,
    Stale,
    BadProof,
    AncientBirthBlock,
    ExhaustsResources,
    Custom,
    BadMandatory,
    MandatoryValidation,
    BadSigner,
}

/// <summary>Why a transaction is not (yet) valid: <c>TransactionValidityError::{Invalid, Unknown}</c>.</summary>
internal sealed class TransactionValidityError
{
    private TransactionValidityError(InvalidKind? invalid, byte custom, string? unknown, string? detail = null)
    {
        Invalid = invalid;
        Custom = custom;
        Unknown = unknown;
        Detail = detail;
    }

    /// <summary>Gets what the devnet adds to Substrate's message (e.g. which call it does not implement), or <see langword="null"/>.</summary>
    public string? Detail { get; }

    public InvalidKind? Invalid { get; }

    public byte Custom { get; }

    /// <summary>Gets the <c>UnknownTransaction</c> variant name (e.g. <c>CannotLookup</c>), when the validity is unknown rather than invalid.</summary>
    public string? Unknown { get; }

    /// <summary>Gets the message Substrate puts in the JSON-RPC error's <c>data</c> (<c>&lt;&amp;str&gt;::from(InvalidTransaction)</c>).</summary>
    public string Message => Detail is null ? BaseMessage : $"{BaseMessage}: {Detail}";

    private string BaseMessage => Unknown is not null
        ? Unknown
        : Invalid switch
        {
            InvalidKind.Call => "Transaction call is not expected",
            InvalidKind.Payment => "Inability to pay some fees (e.g. account balance too low)",
            InvalidKind.Future => "Transaction will be valid in the future",
            InvalidKind.Stale => "Transaction is outdated",
            InvalidKind.BadProof => "Transaction has a bad signature",
            InvalidKind.AncientBirthBlock => "Transaction has an ancient birth block",
            InvalidKind.ExhaustsResources => "Transaction would exhaust the block limits",
            InvalidKind.Custom => $"Custom error: {Custom}",
            InvalidKind.BadMandatory => "A call was labelled as mandatory, but resulted in an Error.",
            InvalidKind.MandatoryValidation => "Transaction dispatch is mandatory; transactions must not be validated.",
            InvalidKind.BadSigner => "Invalid signing address",
            _ => "Invalid transaction",
        };

    public static TransactionValidityError Of(InvalidKind kind) => new(kind, 0, null);

    public static TransactionValidityError Of(InvalidKind kind, string detail) => new(kind, 0, null, detail);

    public static TransactionValidityError OfCustom(byte code) => new(InvalidKind.Custom, code, null);

    public static TransactionValidityError OfUnknown(string kind) => new(null, 0, kind);

    public override string ToString() => Message;
}
