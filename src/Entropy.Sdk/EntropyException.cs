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

    /// <summary>Gets a value indicating whether retrying the same idempotent operation may succeed.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public virtual bool IsTransient => false;
}
