using System.Buffers;
using System.Net.WebSockets;
using Entropy.Protocol.Noise;

namespace Entropy.Protocol;

/// <summary>
/// An Entropy protocol connection: a websocket carrying binary frames, a Noise_XK_25519_ChaChaPoly_BLAKE2s channel with the
/// prologue "Entropy signing protocol", and a signed <see cref="SubscribeMessage"/> in the third handshake message.
/// </summary>
/// <remarks>
/// Wire format per PROTOCOL.md §6.3 (entropy-core a9463b08 <c>protocol_transport/noise.rs</c>): each application message is one
/// websocket binary frame; its plaintext is cut into chunks of at most 65519 bytes, each encrypted as its own Noise message, and
/// the receiver splits the frame every 65535 bytes. One send and one receive may run concurrently.
/// </remarks>
internal sealed class EncryptedWebSocketChannel : IAsyncDisposable
{
    /// <summary>The Noise prologue both sides hash.</summary>
    public static ReadOnlySpan<byte> Prologue => "Entropy signing protocol"u8;

    private readonly WebSocket _socket;
    private readonly NoiseTransportState _transport;
    private readonly EncryptedChannelOptions _options;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly SemaphoreSlim _receiveLock = new(1, 1);
    private readonly byte[] _remoteStatic;
    private int _disposed;

    private EncryptedWebSocketChannel(WebSocket socket, NoiseTransportState transport, EncryptedChannelOptions options)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        _socket = socket;
        _transport = transport;
        _options = options;
        _remoteStatic = transport.RemoteStaticPublicKey.ToArray();
    }

    /// <summary>Gets the remote party's X25519 static public key, authenticated by the handshake.</summary>
    public ReadOnlySpan<byte> RemoteStaticPublicKey => _remoteStatic;

    /// <summary>Gets the Noise handshake hash (channel binding).</summary>
    public ReadOnlySpan<byte> HandshakeHash => _transport.HandshakeHash;

    /// <summary>Gets the underlying websocket.</summary>
    public WebSocket Socket => _socket;

    /// <summary>Wraps a websocket whose Noise handshake has completed (the responder side lives with the servers, in the simulator).</summary>
    /// <param name="socket">The websocket the handshake ran on.</param>
    /// <param name="transport">The transport state the handshake split into; the channel owns it from now on.</param>
    /// <param name="options">Limits and timeouts.</param>
    /// <returns>The channel.</returns>
    internal static EncryptedWebSocketChannel FromHandshake(WebSocket socket, NoiseTransportState transport, EncryptedChannelOptions options) =>
        new(socket, transport, options);

    /// <summary>Runs the initiator side over a connected websocket: handshake, subscribe, and waits for the responder's answer.</summary>
    /// <param name="socket">A connected websocket (client side).</param>
    /// <param name="localStaticSecret">This party's 32-byte X25519 static secret.</param>
    /// <param name="remoteStaticPublicKey">The responder's X25519 public key from the chain (<c>ThresholdServers[stash].x25519_public_key</c>).</param>
    /// <param name="subscribe">The signed subscribe message sent in the third handshake message.</param>
    /// <param name="options">Limits and timeouts, or null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <exception cref="EntropyProtocolException">The handshake failed, the responder refused the subscription, or it timed out.</exception>
    public static async Task<EncryptedWebSocketChannel> ConnectAsync(
        WebSocket socket,
        ReadOnlyMemory<byte> localStaticSecret,
        ReadOnlyMemory<byte> remoteStaticPublicKey,
        SubscribeMessage subscribe,
        EncryptedChannelOptions? options = null,
        CancellationToken cancellationToken = default) =>
        await ConnectAsync(socket, localStaticSecret, remoteStaticPublicKey, subscribe, default, options, cancellationToken).ConfigureAwait(false);

    /// <summary>Initiator with an injectable ephemeral key (test seam).</summary>
    internal static async Task<EncryptedWebSocketChannel> ConnectAsync(
        WebSocket socket,
        ReadOnlyMemory<byte> localStaticSecret,
        ReadOnlyMemory<byte> remoteStaticPublicKey,
        SubscribeMessage subscribe,
        ReadOnlyMemory<byte> ephemeralSecret,
        EncryptedChannelOptions? options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(subscribe);
        options ??= EncryptedChannelOptions.Default;
        using var timeout = CreateTimeout(options.HandshakeTimeout, options, cancellationToken);
        var handshake = NoiseHandshakeState.CreateInitiator(localStaticSecret.Span, remoteStaticPublicKey.Span, Prologue, ephemeralSecret.Span);
        NoiseTransportState? transport = null;
        try
        {
            await SendFrameAsync(socket, handshake.WriteMessage([]), timeout.Token).ConfigureAwait(false);
            byte[] second = await ReceiveFrameAsync(socket, NoiseCipherState.MaxMessageLength, "handshake message 2", EntropyProtocolErrorKind.HandshakeFailed, timeout.Token).ConfigureAwait(false);
            handshake.ReadMessage(second);
            await SendFrameAsync(socket, handshake.WriteMessage(subscribe.ToBincode()), timeout.Token).ConfigureAwait(false);
            transport = handshake.Split();
            var channel = new EncryptedWebSocketChannel(socket, transport, options);
            byte[] response = await channel.ReceiveCoreAsync(timeout.Token).ConfigureAwait(false);
            string? error = SubscribeResponse.Decode(response);
            if (error is not null)
            {
                throw new EntropyProtocolException(EntropyProtocolErrorKind.SubscribeRejected, $"The responder refused the subscription to {subscribe.SessionId}: {error}");
            }

            return channel;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            transport?.Dispose();
            socket.Abort();
            throw new EntropyProtocolException(EntropyProtocolErrorKind.Timeout, $"The Noise handshake and subscription did not complete within {options.HandshakeTimeout}.", ex);
        }
        catch
        {
            transport?.Dispose();
            await AbortQuietlyAsync(socket, WebSocketCloseStatus.PolicyViolation, "handshake failed").ConfigureAwait(false);
            throw;
        }
        finally
        {
            handshake.Dispose();
        }
    }

    /// <summary>Encrypts and sends one application message as one binary frame.</summary>
    /// <param name="message">The plaintext, of any length (including zero).</param>
    /// <param name="cancellationToken">Cancels the send; a cancelled send leaves the channel unusable.</param>
    /// <exception cref="EntropyProtocolException">The send timed out or the connection is closed.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public async Task SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        using var timeout = CreateTimeout(_options.SendTimeout, _options, cancellationToken);
        await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
        try
        {
            await SendCoreAsync(message, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.Timeout, $"Sending a {message.Length}-byte message did not complete within {_options.SendTimeout}.", ex);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Receives and decrypts the next application message.</summary>
    /// <param name="cancellationToken">Cancels the receive; a cancelled receive leaves the channel unusable.</param>
    /// <exception cref="EntropyProtocolException">The frame fails authentication, is malformed or too large, the peer closed the connection, or the receive timed out.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public async Task<byte[]> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        using var timeout = CreateTimeout(_options.ReceiveTimeout, _options, cancellationToken);
        await _receiveLock.WaitAsync(timeout.Token).ConfigureAwait(false);
        try
        {
            return await ReceiveCoreAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.Timeout, $"No message arrived within {_options.ReceiveTimeout}.", ex);
        }
        finally
        {
            _receiveLock.Release();
        }
    }

    /// <summary>Closes the websocket with a normal closure.</summary>
    /// <param name="cancellationToken">Cancels the close handshake.</param>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Drain only if no ReceiveAsync is running; a running one sees the peer's close frame itself.
        bool drain = await _receiveLock.WaitAsync(0).ConfigureAwait(false);
        await CloseGracefullyAsync(_socket, WebSocketCloseStatus.NormalClosure, "closing", drain).ConfigureAwait(false);
        _socket.Dispose();
        _transport.Dispose();
        _sendLock.Dispose();
        _receiveLock.Dispose();
    }

    private async Task SendCoreAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        int chunks = (message.Length + NoiseTransportState.MaxPlaintextLength - 1) / NoiseTransportState.MaxPlaintextLength;
        int frameLength = checked(message.Length + (chunks * NoiseCipherState.TagLength));
        byte[] frame = ArrayPool<byte>.Shared.Rent(Math.Max(frameLength, 1));
        try
        {
            int written = 0;
            for (int offset = 0; offset < message.Length; offset += NoiseTransportState.MaxPlaintextLength)
            {
                int length = Math.Min(NoiseTransportState.MaxPlaintextLength, message.Length - offset);
                written += _transport.Encrypt(message.Span.Slice(offset, length), frame.AsSpan(written));
            }

            await SendFrameAsync(_socket, frame.AsMemory(0, written), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    private async Task<byte[]> ReceiveCoreAsync(CancellationToken cancellationToken)
    {
        byte[] frame = await ReceiveFrameAsync(_socket, _options.MaxFrameLength, "transport message", EntropyProtocolErrorKind.ConnectionClosed, cancellationToken).ConfigureAwait(false);
        int chunks = (frame.Length + NoiseCipherState.MaxMessageLength - 1) / NoiseCipherState.MaxMessageLength;
        int lastChunk = frame.Length - ((chunks - 1) * NoiseCipherState.MaxMessageLength);
        if (chunks > 0 && lastChunk < NoiseCipherState.TagLength)
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.MalformedMessage, $"A {frame.Length}-byte frame ends with a {lastChunk}-byte chunk, shorter than the {NoiseCipherState.TagLength}-byte tag.");
        }

        var plaintext = new byte[frame.Length - (chunks * NoiseCipherState.TagLength)];
        int written = 0;
        for (int offset = 0; offset < frame.Length; offset += NoiseCipherState.MaxMessageLength)
        {
            int length = Math.Min(NoiseCipherState.MaxMessageLength, frame.Length - offset);
            written += _transport.Decrypt(frame.AsSpan(offset, length), plaintext.AsSpan(written));
        }

        return plaintext;
    }

    /// <summary>Sends one binary websocket frame; a websocket failure becomes <see cref="EntropyProtocolErrorKind.ConnectionClosed"/>.</summary>
    internal static async Task SendFrameAsync(WebSocket socket, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        try
        {
            await socket.SendAsync(frame, WebSocketMessageType.Binary, true, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException ex)
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.ConnectionClosed, $"Sending a {frame.Length}-byte websocket frame failed: {ex.Message}", ex);
        }
    }

    /// <summary>Receives one whole binary websocket frame of at most <paramref name="maxLength"/> bytes; <paramref name="what"/> names it in errors.</summary>
    internal static async Task<byte[]> ReceiveFrameAsync(WebSocket socket, int maxLength, string what, EntropyProtocolErrorKind closedKind, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer.GetMemory(Math.Min(Math.Max(4096, buffer.WrittenCount), 1 << 20)), cancellationToken).ConfigureAwait(false);
            }
            catch (WebSocketException ex)
            {
                throw new EntropyProtocolException(closedKind, $"The connection failed while waiting for the {what}: {ex.Message}", ex);
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new EntropyProtocolException(closedKind, $"The peer closed the connection ({socket.CloseStatus} '{socket.CloseStatusDescription}') instead of sending the {what}.");
            }

            if (result.MessageType != WebSocketMessageType.Binary)
            {
                throw new EntropyProtocolException(EntropyProtocolErrorKind.MalformedMessage, $"The {what} arrived as a {result.MessageType} websocket frame; only binary frames are allowed.");
            }

            buffer.Advance(result.Count);
            if (buffer.WrittenCount > maxLength)
            {
                throw new EntropyProtocolException(EntropyProtocolErrorKind.MessageTooLarge, $"The {what} exceeds the {maxLength}-byte limit.");
            }

            if (result.EndOfMessage)
            {
                return buffer.WrittenSpan.ToArray();
            }
        }
    }

    /// <summary>
    /// Sends a close frame and, when <paramref name="drain"/>, reads until the peer's close frame (at most 2 s) so that the peer has
    /// read everything sent before; closing the TCP connection earlier can reset it and lose the last frames.
    /// </summary>
    internal static async Task CloseGracefullyAsync(WebSocket socket, WebSocketCloseStatus status, string description, bool drain)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(status, description, cts.Token).ConfigureAwait(false);
            }

            byte[] scratch = new byte[1024];
            while (drain && socket.State == WebSocketState.CloseSent)
            {
                await socket.ReceiveAsync(scratch.AsMemory(), cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // Closing is best effort.
        }
    }

    private static async Task AbortQuietlyAsync(WebSocket socket, WebSocketCloseStatus status, string description)
    {
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await socket.CloseOutputAsync(status, description, cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Closing is best effort; the socket is aborted below.
        }
        finally
        {
            socket.Abort();
        }
    }

    private static Deadline CreateTimeout(TimeSpan timeout, EncryptedChannelOptions options, CancellationToken cancellationToken) =>
        new(timeout, options.TimeProvider, cancellationToken);

    /// <summary>A cancellation token that fires when the caller cancels or when a timeout measured on the options' clock expires.</summary>
    private sealed class Deadline : IDisposable
    {
        private readonly CancellationTokenSource? _timer;
        private readonly CancellationTokenSource _linked;

        public Deadline(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
        {
            if (timeout == Timeout.InfiniteTimeSpan)
            {
                _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            }
            else
            {
                _timer = new CancellationTokenSource(timeout, timeProvider);
                _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timer.Token);
            }
        }

        public CancellationToken Token => _linked.Token;

        public void Dispose()
        {
            _linked.Dispose();
            _timer?.Dispose();
        }
    }
}
