namespace Entropy;

/// <summary>How long a long-running operation method waits before it returns the operation.</summary>
public enum WaitUntil
{
    /// <summary>Return once the operation has started on chain (for registration: <c>SignalRegister</c> for the signer is in a block).</summary>
    Started = 0,

    /// <summary>Return once the operation has completed (for registration: the account is registered, or the registration failed).</summary>
    Completed = 1,
}
