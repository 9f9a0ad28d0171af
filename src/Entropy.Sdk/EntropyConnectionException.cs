namespace Entropy;

/// <summary>A connection to a node or a threshold server could not be opened, was lost, or was closed.</summary>
public class EntropyConnectionException : EntropyException
{
    /// <summary>Creates an exception describing a connection failure.</summary>
    /// <param name="failureType">What kind of failure happened.</param>
    /// <param name="message">What went wrong, naming the endpoint and the operation.</param>
    /// <param name="innerException">The failure that caused this one, if any.</param>
    public EntropyConnectionException(ConnectionFailureType failureType, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        FailureType = failureType;
    }

    /// <summary>Gets what kind of failure happened.</summary>
    public ConnectionFailureType FailureType { get; }

    /// <summary>Gets a value indicating whether the connection may come back (it could not be opened or it dropped), so that retrying a read may succeed.</summary>
    public override bool IsTransient => FailureType is ConnectionFailureType.UnableToConnect or ConnectionFailureType.ConnectionLost;
}

/// <summary>The kinds of connection failure an <see cref="EntropyConnectionException"/> reports.</summary>
public enum ConnectionFailureType
{
    /// <summary>The connection could not be opened (refused, unreachable, handshake failed, or timed out).</summary>
    UnableToConnect = 1,

    /// <summary>An open connection dropped while the operation was in flight.</summary>
    ConnectionLost = 2,

    /// <summary>The connection was closed on purpose (the client was disposed) or gave up reconnecting.</summary>
    ConnectionClosed = 3,
}
