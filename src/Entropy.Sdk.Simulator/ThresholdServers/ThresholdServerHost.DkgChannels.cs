using System.Collections.Concurrent;
using System.Net.WebSockets;
using Entropy.Protocol;
using Entropy.Protocol.Dkg;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;


namespace Entropy.Simulator.ThresholdServers;

/// <summary>The channels of a DKG run (PROTOCOL.md §6.3): dialling peers, accepting <c>/ws</c> subscriptions, then handing the open channels to <see cref="IServerDkg"/>.</summary>
internal sealed partial class ThresholdServerHost
{
    /// <summary>
    /// Opens the channels of one account's DKG (dials the peers this server dials, waits for the others and the user to subscribe on
    /// <c>/ws</c>), runs <see cref="Dkg"/> over them, and closes them (after a grace period on success).
    /// </summary>
    private async Task<ServerDkgResult> RunDkgAsync(OcwMessageDkg message, AccountId account, byte[]? userX25519, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var span = Diagnostics.DevnetTelemetry.Source.StartActivity("ThresholdServer.Dkg");
        if (span is not null)
        {
            span.SetTag("entropy.devnet.server", Name);
            span.SetTag("server.port", Port);
            span.SetTag("entropy.account", account.ToSs58());
            span.SetTag("entropy.block.number", (long)message.BlockNumber);
            span.SetTag("entropy.devnet.dkg.user_party", userX25519 is not null);
        }

        try
        {
            var result = await RunDkgCoreAsync(message, account, userX25519, cancellationToken).ConfigureAwait(false);
            RecordDkg(started, null);
            return result;
        }
        catch (Exception e)
        {
            var errorType = e switch
            {
                DkgException => "dkg",
                OperationCanceledException => "canceled",
                _ => e.GetType().FullName ?? "unknown",
            };
            RecordDkg(started, errorType);
            if (span is not null)
            {
                span.SetTag("error.type", errorType);
                span.SetStatus(System.Diagnostics.ActivityStatusCode.Error, errorType);
            }

            throw;
        }
    }

    private void RecordDkg(long started, string? errorType)
    {
        if (!Diagnostics.DevnetTelemetry.DkgDuration.Enabled)
        {
            return;
        }

        var tags = new System.Diagnostics.TagList { { "entropy.devnet.server", Name }, { "server.port", Port } };
        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        Diagnostics.DevnetTelemetry.DkgDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }

    private async Task<ServerDkgResult> RunDkgCoreAsync(OcwMessageDkg message, AccountId account, byte[]? userX25519, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _dkgRuns);
        var me = new PartyId(Account.AsSpan());
        var sessionId = Envelope.DkgSessionId(account.AsSpan(), message.BlockNumber);
        var peers = message.ValidatorsInfo.Where(v => !v.TssAccount.AsSpan().SequenceEqual(Account.AsSpan())).ToList();
        var inbound = peers.Where(p => !ChannelResponder.ShouldDial(Account.AsSpan(), p.TssAccount)).ToList();
        var expected = inbound.ToDictionary(p => new PartyId(p.TssAccount), p => p.X25519PublicKey);
        var parties = message.ValidatorsInfo.Select(v => new PartyId(v.TssAccount)).ToList();
        if (userX25519 is not null)
        {
            // The user always dials (PROTOCOL.md §6.3), as its account, with the x25519 key it registered; its share never reaches us.
            var user = new PartyId(account.AsSpan());
            expected[user] = userX25519;
            parties.Add(user);
        }

        var listener = new DkgListener(expected);
        _listeners[sessionId.ToString()] = listener;
        Interlocked.Exchange(ref _listenerAdded, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        var channels = new Dictionary<PartyId, EncryptedWebSocketChannel>();
        ServerDkgRun? run = null;
        var linger = TimeSpan.Zero;
        try
        {
            foreach (var peer in peers.Except(inbound))
            {
                var party = new PartyId(peer.TssAccount);
                try
                {
                    var socket = new ClientWebSocket();
                    await socket.ConnectAsync(new Uri($"ws://{peer.Endpoint}/ws"), cancellationToken).ConfigureAwait(false);
                    var subscribe = SubscribeMessage.Create(sessionId, _pair);
                    channels[party] = await EncryptedWebSocketChannel.ConnectAsync(socket, _x25519Secret, peer.X25519PublicKey, subscribe, null, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // A peer that missed the block (its /user/new outlived the off-chain worker's deadline) refuses the subscription
                    // after waiting for it: name it, as a listener names a peer that never dials.
                    throw new DkgException(DkgFailureReason.Timeout, [party], $"Party {party} did not join the DKG: the channel to {peer.Endpoint} could not be opened: {e.Message}", e);
                }
            }

            using var setupTimer = new CancellationTokenSource(_dkgTimeout, TimeProvider);
            using var setup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, setupTimer.Token);
            foreach (var (party, channel) in await listener.AllAsync(setup.Token).ConfigureAwait(false))
            {
                channels[party] = channel;
            }

            // v0.0.10 has no timeout on the DKG rounds: a stalled party holds the run until the server stops.
            var roundsTimeout = Behavior == ThresholdServerBehavior.V0010 ? Timeout.InfiniteTimeSpan : _dkgTimeout;
            run = new ServerDkgRun(account, message.BlockNumber, me, parties, sessionId, Envelope, channels, _pair, roundsTimeout, Faults, _logger) { TimeProvider = TimeProvider };
            var dkg = userX25519 is null && PublicModeDkg is { } standIn ? standIn : Dkg;
            var result = await dkg.RunAsync(run, cancellationToken).ConfigureAwait(false);

            // A party that finishes first must not hang up at once: closing cancels its pending receives, which aborts the
            // sockets, and the reset can make a peer's kernel discard our last share before the peer has read it.
            linger = s_channelLinger;
            return result;
        }
        finally
        {
            _listeners.TryRemove(sessionId.ToString(), out _);
            var cleanup = CloseChannelsAsync(run?.CloseWithChannels ?? [], channels, listener, linger, cancellationToken);
            lock (_background)
            {
                _background.Add(cleanup);
            }
        }
    }

    /// <summary>Gets, for each DKG this server is setting up, the parties that have not connected yet (tests: advance a fake clock only once a run waits for the party the test keeps silent).</summary>
    internal IReadOnlyList<IReadOnlyList<PartyId>> DkgPartiesNotConnected() => [.. _listeners.Values.Select(l => l.NotConnected)];

    /// <summary>Closes a DKG's channels (after a grace period on success), then releases the inbound WebSocket requests.</summary>
    private static async Task CloseChannelsAsync(IReadOnlyList<IAsyncDisposable> closeFirst, Dictionary<PartyId, EncryptedWebSocketChannel> channels, DkgListener listener, TimeSpan linger, CancellationToken stopping)
    {
        try
        {
            if (linger > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(linger, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The server stops: hang up now.
                }
            }

            foreach (var resource in closeFirst)
            {
                await resource.DisposeAsync().ConfigureAwait(false);
            }

            foreach (var channel in channels.Values)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // Best effort: the channels are gone either way.
        }
        finally
        {
            listener.Complete();
        }
    }

    private async Task HandleWebSocketAsync(HttpContext context)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        PendingSubscription pending;
        try
        {
            pending = await ChannelResponder.AcceptAsync(socket, _x25519Secret, new EncryptedChannelOptions { Envelope = Envelope }, context.RequestAborted).ConfigureAwait(false);
        }
        catch (EntropyProtocolException e)
        {
            _logger.LogWarning("{Name} /ws: handshake refused: {Error}", Name, e.Message);
            return;
        }

        await using (pending.ConfigureAwait(false))
        {
            var key = pending.Subscribe.SessionId.ToString();
            // The peer may dial before this server has read the OCW message: wait (woken by each new session) for our side of it.
            DkgListener? listener;
            using (var waitTimer = new CancellationTokenSource(s_subscribeTimeout, TimeProvider))
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, waitTimer.Token))
            {
                while (true)
                {
                    var added = Volatile.Read(ref _listenerAdded).Task;
                    if (_listeners.TryGetValue(key, out listener))
                    {
                        break;
                    }

                    try
                    {
                        await added.WaitAsync(wait.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
                    {
                        break;
                    }
                }
            }

            var party = new PartyId(pending.AccountId);
            if (listener is null || !listener.Expects(party, pending.RemoteStaticPublicKey))
            {
                await pending.RejectAsync($"{Name} does not expect {new AccountId(pending.AccountId)} with this x25519 key in {key}", context.RequestAborted).ConfigureAwait(false);
                return;
            }

            var channel = await pending.AcceptAsync(context.RequestAborted).ConfigureAwait(false);
            listener.Deliver(party, channel);

            // Kestrel owns the socket: keep the request open until the DKG is over.
            await listener.Completion.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>The peers a DKG session waits for (PROTOCOL.md §6.3 <c>Listener</c>): each must subscribe with its expected x25519 key.</summary>
    private sealed class DkgListener(Dictionary<PartyId, byte[]> expected)
    {
        private readonly ConcurrentDictionary<PartyId, TaskCompletionSource<EncryptedWebSocketChannel>> _arrivals =
            new(expected.Keys.Select(k => KeyValuePair.Create(k, new TaskCompletionSource<EncryptedWebSocketChannel>(TaskCreationOptions.RunContinuationsAsynchronously))));

        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Completion => _done.Task;

        public IReadOnlyList<PartyId> NotConnected => [.. _arrivals.Where(a => !a.Value.Task.IsCompleted).Select(a => a.Key)];

        public bool Expects(PartyId party, ReadOnlySpan<byte> remoteStatic) =>
            expected.TryGetValue(party, out var key) && key.AsSpan().SequenceEqual(remoteStatic) && !_arrivals[party].Task.IsCompleted;

        public void Deliver(PartyId party, EncryptedWebSocketChannel channel) => _arrivals[party].TrySetResult(channel);

        public async Task<IReadOnlyList<(PartyId Party, EncryptedWebSocketChannel Channel)>> AllAsync(CancellationToken cancellationToken)
        {
            var result = new List<(PartyId, EncryptedWebSocketChannel)>();
            foreach (var (party, arrival) in _arrivals)
            {
                try
                {
                    result.Add((party, await arrival.Task.WaitAsync(cancellationToken).ConfigureAwait(false)));
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw new DkgException(DkgFailureReason.Timeout, [party], $"Party {party} never connected for the DKG.");
                }
            }

            return result;
        }

        public void Complete() => _done.TrySetResult();
    }
}
