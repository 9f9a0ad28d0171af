using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Entropy.Protocol.Dkg;

namespace Entropy.Simulator.ThresholdServers;

/// <summary>
/// Fault injection around a server's DKG transport (tests only): drops or delays outgoing messages and rewrites point-to-point
/// payloads, as <see cref="ThresholdServerFaults"/> asks at the moment of each send. The client's transport has no such hooks.
/// </summary>
/// <param name="inner">The transport that carries the messages.</param>
/// <param name="dropOutgoing">When it answers true, an outgoing message (a broadcast to all peers, or one share) is dropped.</param>
/// <param name="delayOutgoing">A delay before each outgoing message.</param>
/// <param name="tamperPointToPoint">Rewrites each point-to-point payload before it is sent (a cheating dealer).</param>
/// <param name="timeProvider">The clock the delays run on (the server's, as its DKG timeouts); <see cref="TimeProvider.System"/> when null.</param>
internal sealed class FaultyDkgTransport(
    DkgTransport inner,
    Func<bool> dropOutgoing,
    Func<TimeSpan> delayOutgoing,
    Func<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> tamperPointToPoint,
    TimeProvider? timeProvider = null) : DkgTransport
{
    /// <remarks>A point-to-point payload (a secret share) is wiped here whatever happens: dropped, replaced by a tampered copy or sent.</remarks>
    public override async Task SendAsync(DkgOutgoingMessage message, CancellationToken cancellationToken = default)
    {
        if (message.Recipient is not { } recipient)
        {
            if (!dropOutgoing())
            {
                await DelayAsync(cancellationToken).ConfigureAwait(false);
                await inner.SendAsync(message, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        try
        {
            if (dropOutgoing())
            {
                return;
            }

            await DelayAsync(cancellationToken).ConfigureAwait(false);
            var payload = tamperPointToPoint(message.Payload);
            await inner.SendAsync(payload.Equals(message.Payload) ? message : new DkgOutgoingMessage(recipient, payload), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Wipe(message.Payload);
        }
    }

    /// <inheritdoc/>
    public override Task<DkgIncomingMessage> ReceiveAsync(CancellationToken cancellationToken = default) => inner.ReceiveAsync(cancellationToken);

    /// <inheritdoc/>
    public override void Release(DkgIncomingMessage message) => inner.Release(message);

    private async Task DelayAsync(CancellationToken cancellationToken)
    {
        var delay = delayOutgoing();
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, timeProvider ?? TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void Wipe(ReadOnlyMemory<byte> buffer) => CryptographicOperations.ZeroMemory(MemoryMarshal.AsMemory(buffer).Span);
}
