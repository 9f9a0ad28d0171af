using System.Threading.Channels;

namespace Entropy.Protocol.Dkg;

/// <summary>Carries DKG messages over one Noise-encrypted WebSocket channel per peer; each peer's identity was checked at subscribe time.</summary>
/// <remarks>
/// Used by the client taking part in a Private-mode DKG and by the simulator's threshold servers (which add their fault injection as a
/// decorator of their own).
/// With <c>self</c> given, every message goes out as entropy-protocol's <see cref="ProtocolMessage"/> (from, to, payload), one per
/// recipient, and every frame received must be one from the channel's authenticated party to this party; without it, payloads travel bare.
/// </remarks>
internal sealed class ChannelDkgTransport : DkgTransport, IAsyncDisposable
{
    private readonly IReadOnlyDictionary<PartyId, EncryptedWebSocketChannel> _peers;
    private readonly Channel<DkgIncomingMessage> _inbox = Channel.CreateUnbounded<DkgIncomingMessage>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _readers;
    private readonly PartyId? _self;

    /// <summary>Starts reading from every peer's channel.</summary>
    /// <param name="peers">One subscribed channel per other party.</param>
    /// <param name="self">This party: frames every message as a <see cref="ProtocolMessage"/>; null sends bare payloads.</param>
    public ChannelDkgTransport(IReadOnlyDictionary<PartyId, EncryptedWebSocketChannel> peers, PartyId? self = null)
    {
        _peers = peers;
        _self = self;
        _readers = peers.Select(p => Task.Run(() => ReadLoopAsync(p.Key, p.Value))).ToArray();
    }

    /// <remarks>A point-to-point payload (a secret share) is wiped once it is encrypted and sent: the session made it for this send only.</remarks>
    public override async Task SendAsync(DkgOutgoingMessage message, CancellationToken cancellationToken = default)
    {
        if (message.Recipient is not { } recipient)
        {
            foreach (var (peer, channel) in _peers)
            {
                await SendToAsync(peer, channel, message.Payload, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        try
        {
            await SendToAsync(recipient, _peers[recipient], message.Payload, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Wipe(message.Payload);
        }
    }

    /// <summary>Wipes a received plaintext once the session has read it (the runner calls this for every message it took).</summary>
    /// <param name="message">A message this transport returned.</param>
    public override void Release(DkgIncomingMessage message) => Wipe(message.Payload);

    public override async Task<DkgIncomingMessage> ReceiveAsync(CancellationToken cancellationToken = default) =>
        await _inbox.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var channel in _peers.Values)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await Task.WhenAll(_readers).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The readers end with the channels; their failures were already reported through the inbox.
        }

        _stop.Dispose();

        // Messages nobody read (the run ended first) may hold shares too.
        while (_inbox.Reader.TryRead(out var unread))
        {
            Wipe(unread.Payload);
        }
    }

    private async Task SendToAsync(PartyId peer, EncryptedWebSocketChannel channel, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (_self is not { } self)
        {
            await channel.SendAsync(payload, cancellationToken).ConfigureAwait(false);
            return;
        }

        var message = new ProtocolMessage(self, peer, payload);
        var frame = message.ToBincode();
        try
        {
            await channel.SendAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Wipe(frame);
        }
    }

    private static void Wipe(ReadOnlyMemory<byte> buffer) =>
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsMemory(buffer).Span);

    private async Task ReadLoopAsync(PartyId from, EncryptedWebSocketChannel channel)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var message = await channel.ReceiveAsync(_stop.Token).ConfigureAwait(false);
                ReadOnlyMemory<byte> payload = message;
                if (_self is { } self)
                {
                    ProtocolMessage framed;
                    try
                    {
                        framed = ProtocolMessage.FromBincode(message);
                    }
                    catch (EntropyProtocolException)
                    {
                        // Not a ProtocolMessage: dropped, like a message in another party's name below.
                        continue;
                    }
                    finally
                    {
                        Wipe(message);
                    }

                    if (framed.From != from || framed.To != self)
                    {
                        // Only what the authenticated peer says in its own name, to us, reaches the session; anything else is dropped.
                        Wipe(framed.Payload);
                        continue;
                    }

                    payload = framed.Payload;
                }

                await _inbox.Writer.WriteAsync(new DkgIncomingMessage(from, payload), _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (EntropyProtocolException)
        {
            // A peer that hangs up is a silent party: the runner's timeout names it.
        }
    }
}
