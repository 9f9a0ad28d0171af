using Entropy.Protocol.Dkg;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;

namespace Entropy.Simulator.ThresholdServers.StandIn;

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
                catch (DkgException e) when (StandInDkgFailures.IsRecoverable(e))
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
