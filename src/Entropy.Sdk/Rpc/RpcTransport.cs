using System.Buffers;

namespace Entropy.Rpc;

/// <summary>A message-oriented connection to a JSON-RPC node: the seam under <see cref="RpcClient"/> (default: <see cref="WebSocketRpcTransport"/>).</summary>
/// <remarks>
/// The client calls <see cref="ConnectAsync"/> again after a connection is lost, so an implementation must be reusable. It never calls
/// <see cref="SendAsync"/> concurrently with itself, nor <see cref="ReceiveAsync"/> concurrently with itself; a send and a receive
/// may run at the same time.
/// </remarks>
internal abstract class RpcTransport : IAsyncDisposable
{
    /// <summary>Initializes the base class (for implementations and mocks).</summary>
    protected RpcTransport()
    {
    }

    /// <summary>Opens a connection to the endpoint, replacing any previous one.</summary>
    /// <param name="endpoint">The node's endpoint, for example <c>ws://127.0.0.1:9944</c>.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>A task that completes when the connection is open.</returns>
    /// <exception cref="EntropyConnectionException">The connection could not be opened.</exception>
    public abstract Task ConnectAsync(Uri endpoint, CancellationToken cancellationToken = default);

    /// <summary>Sends one complete UTF-8 JSON message.</summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the send (which may break the connection).</param>
    /// <returns>A task that completes when the message has been handed to the network.</returns>
    /// <exception cref="EntropyConnectionException">The connection is not open or dropped.</exception>
    public abstract ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default);

    /// <summary>Receives one complete message, however many frames it spans, into <paramref name="destination"/>.</summary>
    /// <param name="destination">Where the message's bytes are written.</param>
    /// <param name="cancellationToken">Cancels the receive (which may break the connection).</param>
    /// <returns><see langword="true"/> when a message was written; <see langword="false"/> when the peer closed the connection.</returns>
    /// <exception cref="EntropyConnectionException">The connection dropped.</exception>
    /// <exception cref="EntropyRpcProtocolException">The message is larger than the transport accepts; it was skipped and the connection stays usable (the client logs it and receives the next message).</exception>
    public abstract ValueTask<bool> ReceiveAsync(IBufferWriter<byte> destination, CancellationToken cancellationToken = default);

    /// <summary>Starts a graceful close; a pending or later <see cref="ReceiveAsync"/> returns <see langword="false"/> once the peer agrees.</summary>
    /// <param name="cancellationToken">Cancels the close.</param>
    /// <returns>A task that completes when the close request has been sent.</returns>
    public abstract Task CloseAsync(CancellationToken cancellationToken = default);

    /// <summary>Releases the connection without a close handshake.</summary>
    /// <returns>A task that completes when the connection is released.</returns>
    public abstract ValueTask DisposeAsync();
}
