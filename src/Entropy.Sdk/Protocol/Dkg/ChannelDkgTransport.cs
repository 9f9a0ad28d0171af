using System.Threading.Channels;

namespace Entropy.Protocol.Dkg;

/// <summary>Carries DKG messages over one Noise-encrypted WebSocket channel per peer; each peer's identity was checked at subscribe time.</summary>
/// <remarks>Used by the simulator's threshold servers and by the client taking part in a Private-mode DKG; the hooks are fault injection for tests.</remarks>
internal sealed class ChannelDkgTransport : DkgTransport, IAsyncDisposable
{
    private readonly IReadOnlyDictionary<PartyId, EncryptedWebSocketChannel> _peers;
    private readonly Channel<DkgIncomingMessage> _inbox = Channel.CreateUnbounded<DkgIncomingMessage>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _readers;
    private readonly Func<bool> _dropOutgoing;
    private readonly Func<TimeSpan> _delayOutgoing;
    private readonly Func<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>? _tamperPointToPoint;

    /// <summary>Starts reading from every peer's channel.</summary>
    /// <param name="peers">One subscribed channel per other party.</param>
    /// <param name="dropOutgoing">Fault hook: when it answers true, an outgoing message is dropped.</param>
    /// <param name="delayOutgoing">Fault hook: a delay before each outgoing message.</param>
    /// <param name="tamperPointToPoint">Fault hook: rewrites each point-to-point payload before it is sent.</param>
    public ChannelDkgTransport(
        IReadOnlyDictionary<PartyId, EncryptedWebSocketChannel> peers,
        Func<bool>? dropOutgoing = null,
        Func<TimeSpan>? delayOutgoing = null,
        Func<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>? tamperPointToPoint = null)
    {
        _peers = peers;
        _dropOutgoing = dropOutgoing ?? (() => false);
        _delayOutgoing = delayOutgoing ?? (() => TimeSpan.Zero);
        _tamperPointToPoint = tamperPointToPoint;
        _readers = peers.Select(p => Task.Run(() => ReadLoopAsync(p.Key, p.Value))).ToArray();
    }

    /// <remarks>A point-to-point payload (a secret share) is wiped once it is encrypted and sent, or dropped: the session made it for this send only.</remarks>
    public override async Task SendAsync(DkgOutgoingMessage message, CancellationToken cancellationToken = default)
    {
        if (message.Recipient is not { } recipient)
        {
            if (_dropOutgoing())
            {
                return;
            }

            await DelayAsync(cancellationToken).ConfigureAwait(false);
            foreach (var channel in _peers.Values)
            {
                await channel.SendAsync(message.Payload, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var payload = message.Payload;
        try
        {
            if (_dropOutgoing())
            {
                return;
            }

            await DelayAsync(cancellationToken).ConfigureAwait(false);
            if (_tamperPointToPoint is not null)
            {
                payload = _tamperPointToPoint(message.Payload);
            }

            await _peers[recipient].SendAsync(payload, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Wipe(message.Payload);
            Wipe(payload);
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

    private async Task DelayAsync(CancellationToken cancellationToken)
    {
        var delay = _delayOutgoing();
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
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
