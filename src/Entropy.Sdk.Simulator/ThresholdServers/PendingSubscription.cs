using Entropy.Protocol;

namespace Entropy.Simulator.ThresholdServers;

/// <summary>An inbound connection whose handshake and subscribe signature have been checked, waiting for the server to accept or refuse the peer.</summary>
/// <remarks>The server compares <see cref="AccountId"/> and <see cref="RemoteStaticPublicKey"/> with the session's expected committee (the chain's <c>x25519_public_key</c>).</remarks>
internal sealed class PendingSubscription : IAsyncDisposable
{
    private EncryptedWebSocketChannel? _channel;

    /// <summary>Holds a checked subscription.</summary>
    /// <param name="channel">The channel the subscription arrived on.</param>
    /// <param name="subscribe">The verified subscribe message.</param>
    /// <param name="payload">The message as sent, or null to re-encode it.</param>
    internal PendingSubscription(EncryptedWebSocketChannel channel, SubscribeMessage subscribe, byte[]? payload = null)
    {
        _channel = channel;
        Subscribe = subscribe;
        Payload = payload ?? subscribe.ToBincode();
        RemoteStaticPublicKey = channel.RemoteStaticPublicKey.ToArray();
    }

    /// <summary>Gets the verified subscribe message (session id, sr25519 public key and signature).</summary>
    public SubscribeMessage Subscribe { get; }

    /// <summary>Gets the subscribe message exactly as the peer sent it (the payload of the third handshake message).</summary>
    public byte[] Payload { get; }

    /// <summary>Gets the account id (sr25519 public key) the peer claims and proved with its signature.</summary>
    public ReadOnlySpan<byte> AccountId => Subscribe.AccountId;

    /// <summary>Gets the peer's X25519 static key, authenticated by the Noise handshake.</summary>
    public byte[] RemoteStaticPublicKey { get; }

    /// <summary>Sends <c>Ok(())</c> and hands over the channel.</summary>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>The channel, now the caller's.</returns>
    /// <exception cref="InvalidOperationException">The subscription was already accepted or refused.</exception>
    public async Task<EncryptedWebSocketChannel> AcceptAsync(CancellationToken cancellationToken = default)
    {
        EncryptedWebSocketChannel channel = Interlocked.Exchange(ref _channel, null)
            ?? throw new InvalidOperationException("This subscription was already accepted or refused.");
        await channel.SendAsync(ChannelResponder.EncodeSubscribeResponse(null), cancellationToken).ConfigureAwait(false);
        return channel;
    }

    /// <summary>Sends <c>Err(reason)</c> and closes the connection.</summary>
    /// <param name="reason">The error text the peer receives.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <exception cref="InvalidOperationException">The subscription was already accepted or refused.</exception>
    public async Task RejectAsync(string reason, CancellationToken cancellationToken = default)
    {
        EncryptedWebSocketChannel channel = Interlocked.Exchange(ref _channel, null)
            ?? throw new InvalidOperationException("This subscription was already accepted or refused.");
        await ChannelResponder.RefuseAsync(channel, reason, cancellationToken).ConfigureAwait(false);
        await channel.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        EncryptedWebSocketChannel? channel = Interlocked.Exchange(ref _channel, null);
        if (channel is not null)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }
    }
}
