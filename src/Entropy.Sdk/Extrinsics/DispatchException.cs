namespace Entropy.Extrinsics;

/// <summary>The exception thrown when a transaction was included in a block but its call failed (<c>System.ExtrinsicFailed</c>).</summary>
/// <remarks>
/// The fee was charged and the nonce used: the transaction must not be resubmitted as is. See <c>sp_runtime::DispatchError</c>.
/// </remarks>
public sealed class DispatchException : TransactionException
{
    /// <summary>Creates the exception (for example in a test).</summary>
    /// <param name="kind">The <c>DispatchError</c> variant, for example <c>Module</c>, <c>BadOrigin</c> or <c>Token</c>.</param>
    /// <param name="pallet">The pallet that raised a <c>Module</c> error; otherwise <see langword="null"/>.</param>
    /// <param name="error">The error's name; otherwise <see langword="null"/>.</param>
    /// <param name="docs">The error's documentation from the metadata.</param>
    /// <param name="message">What went wrong, and where.</param>
    public DispatchException(string kind, string? pallet, string? error, IReadOnlyList<string> docs, string message)
        : this(kind, pallet, error, docs, null, message)
    {
    }

    /// <summary>Creates the exception with the inclusion it belongs to.</summary>
    /// <param name="kind">The <c>DispatchError</c> variant, for example <c>Module</c>, <c>BadOrigin</c> or <c>Token</c>.</param>
    /// <param name="pallet">The pallet that raised a <c>Module</c> error; otherwise <see langword="null"/>.</param>
    /// <param name="error">The error's name (the module error, or the inner variant such as <c>FundsUnavailable</c>); otherwise <see langword="null"/>.</param>
    /// <param name="docs">The error's documentation from the metadata.</param>
    /// <param name="result">The inclusion the failure belongs to.</param>
    /// <param name="message">What went wrong, and where.</param>
    internal DispatchException(string kind, string? pallet, string? error, IReadOnlyList<string> docs, ExtrinsicResult? result, string message)
        : base(TransactionFailureKind.DispatchFailed, null, message)
    {
        DispatchErrorKind = kind;
        Pallet = pallet;
        Error = error;
        Docs = docs ?? [];
        Result = result;
    }

    /// <summary>Gets the <c>DispatchError</c> variant, for example <c>Module</c>, <c>BadOrigin</c>, <c>Token</c> or <c>Arithmetic</c>.</summary>
    public string DispatchErrorKind { get; }

    /// <summary>Gets the pallet that raised a <c>Module</c> error, for example <c>Balances</c>; otherwise <see langword="null"/>.</summary>
    public string? Pallet { get; }

    /// <summary>Gets the error name, for example <c>InsufficientBalance</c>; <see langword="null"/> when the variant has none.</summary>
    public string? Error { get; }

    /// <summary>Gets the error's documentation lines from the metadata.</summary>
    public IReadOnlyList<string> Docs { get; }

    /// <summary>Gets the inclusion (block, index, events) the failure belongs to.</summary>
    internal ExtrinsicResult? Result { get; }
}
