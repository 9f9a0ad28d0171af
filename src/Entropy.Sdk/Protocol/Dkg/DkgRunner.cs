using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Entropy.Protocol.Dkg;

/// <summary>A message as the transport delivered it: the authenticated sender and the bytes.</summary>
/// <param name="From">The sender the transport authenticated (Noise channel plus sr25519 subscription in real Entropy).</param>
/// <param name="Payload">The message bytes.</param>
internal readonly record struct DkgIncomingMessage(PartyId From, ReadOnlyMemory<byte> Payload);

/// <summary>The channel a <see cref="DkgRunner"/> drives a session over: authenticated, and encrypting point-to-point messages.</summary>
internal abstract class DkgTransport
{
    /// <summary>Delivers a message to its recipient, or to every other party when it is a broadcast.</summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the message is handed to the network.</returns>
    public abstract Task SendAsync(DkgOutgoingMessage message, CancellationToken cancellationToken = default);

    /// <summary>Waits for the next message addressed to this party.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The message.</returns>
    public abstract Task<DkgIncomingMessage> ReceiveAsync(CancellationToken cancellationToken = default);

    /// <summary>Tells the transport that the session has read a received message; a transport that owns the buffer wipes it (it may hold a secret share).</summary>
    /// <param name="message">A message returned by <see cref="ReceiveAsync"/>.</param>
    public virtual void Release(DkgIncomingMessage message)
    {
    }
}

/// <summary>Drives an <see cref="IDkgSession"/> over a <see cref="DkgTransport"/> until it completes, fails or times out.</summary>
internal static class DkgRunner
{
    /// <summary>The default time a run may take: <c>SETUP_TIMEOUT_SECONDS</c> of the threshold server, 20 s.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Runs the session to completion.</summary>
    /// <param name="session">A session that was not started.</param>
    /// <param name="transport">The channel to the other parties.</param>
    /// <param name="timeout">The time the whole run may take; <see cref="DefaultTimeout"/> when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">Where rejected messages are logged.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The key share; the caller disposes it.</returns>
    /// <exception cref="DkgException">A party cheated or sent garbage (named), or the run timed out (the silent parties named).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<DkgKeyShare> RunAsync(
        IDkgSession session,
        DkgTransport transport,
        TimeSpan? timeout = null,
        TimeProvider? timeProvider = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(transport);
        logger ??= NullLogger.Instance;
        var limit = timeout ?? DefaultTimeout;
        timeProvider ??= TimeProvider.System;
        long started = timeProvider.GetTimestamp();

        using var timeoutSource = new CancellationTokenSource(limit, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            await SendAllAsync(transport, session.Start(), linked.Token).ConfigureAwait(false);
            while (session.State != DkgSessionState.Completed)
            {
                var incoming = await transport.ReceiveAsync(linked.Token).ConfigureAwait(false);
                IReadOnlyList<DkgOutgoingMessage> outgoing;
                try
                {
                    outgoing = session.Receive(incoming.From, incoming.Payload.Span);
                }
                catch (DkgException e) when (e.IsRecoverable)
                {
                    logger.LogWarning("DKG {Self}: ignored a message: {Reason}", session.Self, e.Message);
                    continue;
                }
                finally
                {
                    transport.Release(incoming); // The session keeps what it needs; a share message's plaintext is wiped.
                }

                await SendAllAsync(transport, outgoing, linked.Token).ConfigureAwait(false);
            }

            return session.TakeResult();
        }
        catch (OperationCanceledException e) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var silent = session.WaitingFor;
            var elapsed = timeProvider.GetElapsedTime(started);
            throw new DkgException(
                DkgFailureReason.Timeout,
                silent,
                $"The DKG timed out after {elapsed.TotalSeconds:0.###} s in round {session.Round}, waiting for {string.Join(", ", silent)}.",
                e);
        }
    }

    private static async Task SendAllAsync(DkgTransport transport, IReadOnlyList<DkgOutgoingMessage> messages, CancellationToken cancellationToken)
    {
        foreach (var message in messages)
        {
            await transport.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }
}
