using System.Threading.Channels;
using Entropy.Protocol;
using Entropy.Protocol.Dkg;

namespace Entropy.Simulator.ThresholdServers;

/// <summary>Carries DKG messages over one Noise-encrypted WebSocket channel per peer; each peer's identity was checked at subscribe time.</summary>
internal sealed class ChannelDkgTransport : DkgTransport, IAsyncDisposable
{
    private readonly IReadOnlyDictionary<PartyId, EncryptedWebSocketChannel> _peers;
    private readonly Channel<DkgIncomingMessage> _inbox = Channel.CreateUnbounded<DkgIncomingMessage>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _readers;
    private readonly Func<bool> _dropOutgoing;
    private readonly Func<TimeSpan> _delayOutgoing;
    private readonly Func<bool> _corruptShares;

    public ChannelDkgTransport(IReadOnlyDictionary<PartyId, EncryptedWebSocketChannel> peers, Func<bool> dropOutgoing, Func<TimeSpan> delayOutgoing, Func<bool>? corruptShares = null)
    {
        _corruptShares = corruptShares ?? (() => false);
        _peers = peers;
        _dropOutgoing = dropOutgoing;
        _delayOutgoing = delayOutgoing;
        _readers = peers.Select(p => Task.Run(() => ReadLoopAsync(p.Key, p.Value))).ToArray();
    }

    public override async Task SendAsync(DkgOutgoingMessage message, CancellationToken cancellationToken = default)
    {
        if (_dropOutgoing())
        {
            return;
        }

        var delay = _delayOutgoing();
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }

        if (message.Recipient is { } recipient)
        {
            var payload = _corruptShares() ? CorruptShare(message.Payload) : message.Payload;
            await _peers[recipient].SendAsync(payload, cancellationToken).ConfigureAwait(false);
            return;
        }

        foreach (var channel in _peers.Values)
        {
            await channel.SendAsync(message.Payload, cancellationToken).ConfigureAwait(false);
        }
    }

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
    }

    /// <summary>A cheating dealer (fault injection): the round-2 share is changed by one bit, so it no longer matches the dealer's commitments.</summary>
    private static ReadOnlyMemory<byte> CorruptShare(ReadOnlyMemory<byte> payload)
    {
        if (DkgMessageCodec.ReadHeader(payload.Span, out _) != DkgMessageKind.Share)
        {
            return payload;
        }

        using var share = DkgMessageCodec.DecodeShare(payload.Span);
        var corrupted = share.Share.ToArray();
        corrupted[^1] ^= 1; // big-endian scalar: the lowest bit
        using var cheat = new ShareMessage
        {
            SessionId = share.SessionId,
            Sender = share.Sender,
            Recipient = share.Recipient,
            Transcript = share.Transcript,
            Share = corrupted,
        };
        return DkgMessageCodec.Encode(cheat);
    }

    private async Task ReadLoopAsync(PartyId from, EncryptedWebSocketChannel channel)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var message = await channel.ReceiveAsync(_stop.Token).ConfigureAwait(false);
                await _inbox.Writer.WriteAsync(new DkgIncomingMessage(from, message), _stop.Token).ConfigureAwait(false);
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
