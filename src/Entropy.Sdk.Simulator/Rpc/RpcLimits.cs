namespace Entropy.Simulator.Rpc;

/// <summary>
/// What one JSON-RPC server accepts, so that no client can make it grow without bound (Substrate's <c>--rpc-max-*</c> flags, with
/// their defaults where Substrate has one). Past a limit the client gets a JSON-RPC error, or, for a connection that does not read
/// its answers, the connection is closed.
/// </summary>
internal sealed record RpcLimits
{
    /// <summary>Gets the most calls in one batch (<c>--rpc-max-batch-request-len</c>); a longer batch is answered with -32010.</summary>
    public int MaxBatchLength { get; init; } = 100;

    /// <summary>Gets the largest answer to one message, a batch's answers together (<c>--rpc-max-response-size</c>, 15 MiB); past it -32008.</summary>
    public int MaxResponseBytes { get; init; } = 15 * 1024 * 1024;

    /// <summary>Gets the most live subscriptions on one connection (<c>--rpc-max-subscriptions-per-connection</c>, 1024); past it -32006.</summary>
    public int MaxSubscriptionsPerConnection { get; init; } = 1024;

    /// <summary>Gets the most simultaneous WebSocket connections (<c>--rpc-max-connections</c> is 100; the devnet allows more for load tests).</summary>
    public int MaxConnections { get; init; } = 500;

    /// <summary>Gets how many bytes may wait to be sent on one connection before it is closed as a slow consumer.</summary>
    public long MaxQueuedBytesPerConnection { get; init; } = 32L * 1024 * 1024;

    /// <summary>Gets how many messages may wait to be sent on one connection before it is closed as a slow consumer.</summary>
    public int MaxQueuedMessagesPerConnection { get; init; } = 16_384;

    /// <summary>Gets how many bytes may wait to be sent on all connections together; the connection that would pass it is closed.</summary>
    public long MaxQueuedBytesTotal { get; init; } = 256L * 1024 * 1024;
}
