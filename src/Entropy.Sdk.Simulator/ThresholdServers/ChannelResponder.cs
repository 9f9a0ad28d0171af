using System.Net.WebSockets;
using Entropy.Protocol;
using Entropy.Protocol.Noise;

namespace Entropy.Simulator.ThresholdServers;

/// <summary>
/// The server half of the Entropy protocol connection (PROTOCOL.md §6.3): the Noise_XK responder on an accepted websocket, the
/// subscribe message checks and the answer. The client SDK holds only the initiator (<see cref="EncryptedWebSocketChannel.ConnectAsync(WebSocket, ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, SubscribeMessage, EncryptedChannelOptions?, CancellationToken)"/>).
/// </summary>
internal static class ChannelResponder
{
    /// <summary>Decides who opens the connection between two threshold servers: the one with the larger sr25519 public key (byte-wise) dials.</summary>
    /// <remarks>A user taking part in a Private-mode DKG always dials every server (PROTOCOL.md §6.3).</remarks>
    /// <param name="mySr25519PublicKey">This server's account id.</param>
    /// <param name="peerSr25519PublicKey">The peer's account id.</param>
    /// <returns>True when this server dials the peer.</returns>
    public static bool ShouldDial(ReadOnlySpan<byte> mySr25519PublicKey, ReadOnlySpan<byte> peerSr25519PublicKey) =>
        mySr25519PublicKey.SequenceCompareTo(peerSr25519PublicKey) > 0;

    /// <summary>Runs the responder side: handshake, reads and checks the subscribe message; the caller then accepts or rejects the peer.</summary>
    /// <param name="socket">An accepted websocket (server side).</param>
    /// <param name="localStaticSecret">This server's 32-byte X25519 static secret.</param>
    /// <param name="options">Limits and timeouts, or null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The checked subscription, waiting for <see cref="PendingSubscription.AcceptAsync"/> or <see cref="PendingSubscription.RejectAsync"/>.</returns>
    /// <exception cref="EntropyProtocolException">The handshake failed, the subscribe message is malformed or its sr25519 signature is invalid (the peer is told and the socket closed), or it timed out.</exception>
    public static async Task<PendingSubscription> AcceptAsync(
        WebSocket socket,
        ReadOnlyMemory<byte> localStaticSecret,
        EncryptedChannelOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        options ??= EncryptedChannelOptions.Default;
        using var timer = options.HandshakeTimeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(options.HandshakeTimeout, options.TimeProvider);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer?.Token ?? CancellationToken.None);
        var handshake = NoiseHandshakeState.CreateResponder(localStaticSecret.Span, EncryptedWebSocketChannel.Prologue);
        EncryptedWebSocketChannel? channel = null;
        try
        {
            byte[] first = await EncryptedWebSocketChannel.ReceiveFrameAsync(socket, NoiseCipherState.MaxMessageLength, "handshake message 1", EntropyProtocolErrorKind.HandshakeFailed, timeout.Token).ConfigureAwait(false);
            handshake.ReadMessage(first);
            await EncryptedWebSocketChannel.SendFrameAsync(socket, handshake.WriteMessage([]), timeout.Token).ConfigureAwait(false);
            byte[] third = await EncryptedWebSocketChannel.ReceiveFrameAsync(socket, NoiseCipherState.MaxMessageLength, "handshake message 3", EntropyProtocolErrorKind.HandshakeFailed, timeout.Token).ConfigureAwait(false);
            byte[] payload = handshake.ReadMessage(third);
            channel = EncryptedWebSocketChannel.FromHandshake(socket, handshake.Split(), options);

            SubscribeMessage subscribe;
            try
            {
                subscribe = SubscribeMessage.FromBincode(payload, options.Envelope);
            }
            catch (EntropyProtocolException ex)
            {
                await RefuseAsync(channel, $"Malformed subscribe message: {ex.Message}", timeout.Token).ConfigureAwait(false);
                throw;
            }

            if (!subscribe.Verify())
            {
                await RefuseAsync(channel, "Invalid signature", timeout.Token).ConfigureAwait(false);
                throw new EntropyProtocolException(EntropyProtocolErrorKind.InvalidSignature, $"The subscribe message for {subscribe.SessionId} from {Ss58Text.Encode(subscribe.PublicKey)} has an invalid sr25519 signature.");
            }

            var pending = new PendingSubscription(channel, subscribe, payload);
            channel = null;
            return pending;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.Timeout, $"The Noise handshake and subscription did not complete within {options.HandshakeTimeout}.", ex);
        }
        catch (EntropyProtocolException ex) when (ex.Kind == EntropyProtocolErrorKind.HandshakeFailed)
        {
            await EncryptedWebSocketChannel.CloseGracefullyAsync(socket, WebSocketCloseStatus.PolicyViolation, "Noise handshake failed", drain: true).ConfigureAwait(false);
            throw;
        }
        finally
        {
            handshake.Dispose();
            if (channel is not null)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Encodes the answer to a subscribe message, <c>bincode(Result&lt;(), String&gt;)</c>: <c>Ok(())</c> when <paramref name="error"/> is null, else <c>Err(error)</c>.</summary>
    /// <param name="error">The refusal, or null to accept.</param>
    /// <returns>The bincode bytes.</returns>
    public static byte[] EncodeSubscribeResponse(string? error)
    {
        var writer = new BincodeWriter();
        if (error is null)
        {
            writer.WriteU32(0);
        }
        else
        {
            writer.WriteU32(1);
            writer.WriteString(error);
        }

        return writer.ToArray();
    }

    /// <summary>Tells the peer it is refused, then closes the socket; failures to deliver the refusal are ignored.</summary>
    internal static async Task RefuseAsync(EncryptedWebSocketChannel channel, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await channel.SendAsync(EncodeSubscribeResponse(reason), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or EntropyProtocolException or ObjectDisposedException)
        {
            // The peer may already be gone; the refusal is best effort.
        }

        await EncryptedWebSocketChannel.CloseGracefullyAsync(channel.Socket, WebSocketCloseStatus.PolicyViolation, "subscription refused", drain: true).ConfigureAwait(false);
    }
}
