using Entropy.Protocol;
using Entropy.Protocol.Dkg;

namespace Entropy.Simulator.ThresholdServers;

/// <summary>
/// A capture hook around a server's DKG transport (tests): shows every message as the <see cref="ProtocolMessage"/> frame it travels
/// in — sent (false; a broadcast once per peer) before the inner transport sends and wipes it, received (true) before the session reads it.
/// </summary>
/// <param name="inner">A transport that frames messages as <see cref="ProtocolMessage"/> from <paramref name="self"/> (only authenticated frames to <paramref name="self"/> reach it).</param>
/// <param name="self">This party.</param>
/// <param name="peers">The other parties, in the order a broadcast reaches them.</param>
/// <param name="observe">Sees each frame and whether it was received.</param>
internal sealed class ObservedDkgTransport(DkgTransport inner, PartyId self, IEnumerable<PartyId> peers, Action<ProtocolMessage, bool> observe) : DkgTransport
{
    private readonly PartyId[] _peers = [.. peers];

    /// <inheritdoc/>
    public override async Task SendAsync(DkgOutgoingMessage message, CancellationToken cancellationToken = default)
    {
        foreach (var peer in message.Recipient is { } recipient ? new[] { recipient } : _peers)
        {
            observe(new ProtocolMessage(self, peer, message.Payload), false);
        }

        await inner.SendAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async Task<DkgIncomingMessage> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        var message = await inner.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        observe(new ProtocolMessage(message.From, self, message.Payload), true);
        return message;
    }

    /// <inheritdoc/>
    public override void Release(DkgIncomingMessage message) => inner.Release(message);
}
