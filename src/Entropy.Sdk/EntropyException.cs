namespace Entropy;

/// <summary>The base type of every failure the chain, the network or the Entropy protocol reports to the SDK.</summary>
/// <remarks>
/// Caller misuse raises the standard CLR exceptions (<see cref="ArgumentException"/>, <see cref="InvalidOperationException"/>,
/// <see cref="ObjectDisposedException"/>); everything that comes from outside the process derives from this type.
/// </remarks>
public class EntropyException : Exception
{
    /// <summary>Creates an exception with a message that says what went wrong.</summary>
    /// <param name="message">What went wrong, and where.</param>
    public EntropyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception that wraps the failure that caused it.</summary>
    /// <param name="message">What went wrong, and where.</param>
    /// <param name="innerException">The failure that caused this one.</param>
    public EntropyException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the id of the operation this failure interrupted after it reached the chain, or <see langword="null"/> when nothing was submitted.</summary>
    /// <remarks>When set, the transaction was submitted and may still take effect: never submit it again; re-create the operation from this id
    /// (for a registration <see cref="RegisterOperation(string, EntropyClient)"/>) to follow it, or read the chain state.</remarks>
    public string? OperationId { get; internal set; }

    /// <inheritdoc/>
    public override string Message => OperationId is null
        ? base.Message
        : $"{base.Message} The submitted transaction may still take effect; operation id {OperationId} (resume with it, never submit again).";

    /// <summary>Gets a value indicating whether retrying the same idempotent operation may succeed.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public virtual bool IsTransient => false;
}
