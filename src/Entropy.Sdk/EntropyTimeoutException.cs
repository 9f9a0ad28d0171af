namespace Entropy;

/// <summary>An operation against a node or a threshold server did not complete within its timeout.</summary>
/// <remarks>
/// This type derives from <see cref="EntropyException"/> rather than <see cref="TimeoutException"/>: the project's rule is that every
/// failure coming from outside the process is an <see cref="EntropyException"/>, so one <c>catch (EntropyException)</c> with
/// <see cref="EntropyException.IsTransient"/> is enough for callers and for the retry pipeline. A timeout is always transient.
/// </remarks>
public class EntropyTimeoutException : EntropyException
{
    /// <summary>Creates an exception for an operation that timed out.</summary>
    /// <param name="operation">The operation (for a JSON-RPC call, the method name).</param>
    /// <param name="endpoint">The endpoint the operation was sent to.</param>
    /// <param name="timeout">The timeout that expired.</param>
    /// <param name="elapsed">How long the operation had been running.</param>
    public EntropyTimeoutException(string operation, Uri? endpoint, TimeSpan timeout, TimeSpan elapsed)
        : this(operation, endpoint, timeout, elapsed, null)
    {
    }

    /// <summary>Creates an exception for an operation that timed out, with the last failure seen while waiting.</summary>
    /// <param name="operation">The operation (for a JSON-RPC call, the method name).</param>
    /// <param name="endpoint">The endpoint the operation was sent to, when there is one.</param>
    /// <param name="timeout">The timeout that expired.</param>
    /// <param name="elapsed">How long the operation had been running.</param>
    /// <param name="innerException">The last failure seen while waiting, if any.</param>
    public EntropyTimeoutException(string operation, Uri? endpoint, TimeSpan timeout, TimeSpan elapsed, Exception? innerException)
        : base($"'{operation}'{(endpoint is null ? string.Empty : $" to {endpoint}")} timed out after {elapsed.TotalMilliseconds:0} ms (timeout {timeout.TotalMilliseconds:0} ms).", innerException)
    {
        Operation = operation;
        Endpoint = endpoint;
        Timeout = timeout;
        Elapsed = elapsed;
    }

    /// <summary>Gets the operation that timed out (for a JSON-RPC call, the method name).</summary>
    public string Operation { get; }

    /// <summary>Gets the endpoint the operation was sent to.</summary>
    public Uri? Endpoint { get; }

    /// <summary>Gets the timeout that expired.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Gets how long the operation had been running.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Gets <see langword="true"/>: the same idempotent operation may succeed when retried.</summary>
    public override bool IsTransient => true;
}
