using System.Buffers;
using System.Net.WebSockets;

namespace Entropy.Rpc;

/// <summary>The default <see cref="RpcTransport"/>: JSON-RPC messages as WebSocket text messages over <see cref="ClientWebSocket"/>.</summary>
/// <remarks>
/// A dead peer is detected by WebSocket keep-alive: a ping every <see cref="KeepAliveInterval"/>, and the connection is aborted
/// when no pong arrives within <see cref="KeepAliveTimeout"/> (RFC 6455 §5.5.2).
/// </remarks>
internal sealed class WebSocketRpcTransport : RpcTransport
{
    private const int ReceiveChunk = 64 * 1024;
    private ClientWebSocket? _socket;
    private Uri? _endpoint;

    /// <summary>Gets or sets how often a keep-alive ping is sent.</summary>
    /// <value>The default value is 15 seconds.</value>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Gets or sets how long to wait for the pong before the connection is considered lost; <see cref="Timeout.InfiniteTimeSpan"/> disables the check.</summary>
    /// <value>The default value is 15 seconds.</value>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Gets or sets the largest message accepted, in bytes; a larger one is skipped (logged and dropped by <see cref="RpcClient"/>) and the connection goes on.</summary>
    /// <value>The default value is 64 MiB (V15 metadata responses are several hundred KiB of hex).</value>
    public int MaxMessageSize { get; init; } = 64 * 1024 * 1024;

    /// <inheritdoc/>
    public override async Task ConnectAsync(Uri endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _socket?.Dispose();
        _endpoint = endpoint;
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = KeepAliveInterval;
        socket.Options.KeepAliveTimeout = KeepAliveTimeout;
        _socket = socket;
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException)
        {
            throw new EntropyConnectionException(
                ConnectionFailureType.UnableToConnect, $"Could not open a WebSocket connection to {endpoint}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc/>
    public override async ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        var socket = _socket ?? throw NotConnected();
        try
        {
            await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or InvalidOperationException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // ManagedWebSocket reports a send on a socket the peer reset as OperationCanceledException(IOException).
            throw new EntropyConnectionException(
                ConnectionFailureType.ConnectionLost, $"Sending to {_endpoint} failed: the connection is broken ({ex.Message}).", ex);
        }
    }

    /// <inheritdoc/>
    /// <remarks>A message over <see cref="MaxMessageSize"/> is read to its end and discarded (memory stays bounded by the limit), then
    /// reported by an <see cref="EntropyRpcProtocolException"/>; the connection stays open.</remarks>
    public override async ValueTask<bool> ReceiveAsync(IBufferWriter<byte> destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var socket = _socket ?? throw NotConnected();
        long total = 0;
        try
        {
            while (true)
            {
                var memory = destination.GetMemory(ReceiveChunk);
                if (memory.Length > MaxMessageSize - total + 1)
                {
                    memory = memory[..(int)(MaxMessageSize - total + 1)];
                }

                var result = await socket.ReceiveAsync(memory, cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await CompleteCloseAsync(socket, cancellationToken).ConfigureAwait(false);
                    return false;
                }

                destination.Advance(result.Count);
                total += result.Count;
                if (total > MaxMessageSize)
                {
                    if (!result.EndOfMessage && !await SkipRestOfMessageAsync(socket, cancellationToken).ConfigureAwait(false))
                    {
                        return false;
                    }

                    throw new EntropyRpcProtocolException(
                        EntropyRpcProtocolException.InvalidMessageCode,
                        $"a message exceeded the {MaxMessageSize}-byte limit (WebSocketRpcTransport.MaxMessageSize) and was skipped",
                        "(incoming message)",
                        _endpoint,
                        TimeSpan.Zero);
                }

                if (result.EndOfMessage)
                {
                    return true;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new EntropyConnectionException(
                ConnectionFailureType.ConnectionLost, $"The connection to {_endpoint} was lost: {ex.Message}", ex);
        }
    }

    /// <inheritdoc/>
    public override async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        var socket = _socket;
        if (socket is null || socket.State != WebSocketState.Open)
        {
            return;
        }

        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client closing", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The connection is already gone; nothing left to close gracefully.
        }
    }

    /// <inheritdoc/>
    public override ValueTask DisposeAsync()
    {
        _socket?.Dispose();
        _socket = null;
        return ValueTask.CompletedTask;
    }

    private static async Task CompleteCloseAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        if (socket.State == WebSocketState.CloseReceived)
        {
            // Complete the close handshake the peer started (RFC 6455 §5.5.1).
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads and discards the rest of an oversized message through a small buffer; <see langword="false"/> if the peer closed.</summary>
    private static async Task<bool> SkipRestOfMessageAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(ReceiveChunk);
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(scratch.AsMemory(), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await CompleteCloseAsync(socket, cancellationToken).ConfigureAwait(false);
                    return false;
                }

                if (result.EndOfMessage)
                {
                    return true;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private EntropyConnectionException NotConnected() =>
        new(ConnectionFailureType.ConnectionLost, $"The WebSocket to {_endpoint?.ToString() ?? "(no endpoint)"} is not connected.");
}
