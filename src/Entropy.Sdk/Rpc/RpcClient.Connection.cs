using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Entropy.Rpc;

/// <content>Opening, supervising and re-opening the connection: the receive loop, reconnection with backoff and resubscription.</content>
internal partial class RpcClient
{
    private static void ValidateEndpoint(Uri endpoint)
    {
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeWs && endpoint.Scheme != Uri.UriSchemeWss))
        {
            var scheme = endpoint.IsAbsoluteUri ? endpoint.Scheme + "://" : "a relative URI";
            throw new ArgumentException(
                $"The node endpoint must be a WebSocket URI (ws:// or wss://, for example ws://127.0.0.1:9944), not {scheme}: {endpoint}. "
                + "Substrate nodes serve JSON-RPC over WebSocket on the same port as HTTP.",
                nameof(endpoint));
        }
    }

    private static TaskCompletionSource NewConnectedSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static ResiliencePipeline BuildReadPipeline(RpcClientOptions options)
    {
        if (options.Retry.MaxRetryAttempts == 0)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.Retry.MaxRetryAttempts,
                Delay = options.Retry.Delay,
                BackoffType = options.Retry.BackoffType,
                UseJitter = options.Retry.UseJitter,
                ShouldHandle = new PredicateBuilder().Handle<EntropyException>(static e => e.IsTransient),
            })
            .Build();
    }

    private static ResiliencePipeline BuildReconnectPipeline(RpcClientOptions options)
    {
        var retries = options.Reconnect.MaxAttempts - 1;
        if (retries < 1)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = retries,
                Delay = options.Reconnect.Delay,
                MaxDelay = options.Reconnect.MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<EntropyException>(),
            })
            .Build();
    }

    private async Task OpenTransportAsync(CancellationToken cancellationToken)
    {
        var start = _time.GetTimestamp();
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await _transport.ConnectAsync(Endpoint, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new EntropyTimeoutException("connect", Endpoint, _options.ConnectTimeout, _time.GetElapsedTime(start));
        }
        catch (Exception ex) when (ex is not EntropyException and not OperationCanceledException)
        {
            throw new EntropyConnectionException(
                ConnectionFailureType.UnableToConnect,
                $"Could not connect to {Endpoint} after {_time.GetElapsedTime(start).TotalMilliseconds:0} ms: {ex.Message}",
                ex);
        }
    }

    private void MarkReceived()
    {
        Volatile.Write(ref _firstUnansweredSend, 0);
        Volatile.Write(ref _lastReceived, _time.GetTimestamp());
    }

    private void SetConnected()
    {
        MarkReceived();
        Volatile.Write(ref _state, (int)RpcConnectionState.Connected);
        _connected.TrySetResult();
    }

    private async Task SuperviseAsync()
    {
        // The receive loop outlives whatever span was current at connect: its resubscriptions start root spans, not children of it.
        System.Diagnostics.Activity.Current = null;
        var lifetime = _lifetime.Token;
        while (true)
        {
            var failure = await ReceiveLoopAsync(lifetime).ConfigureAwait(false);
            if (lifetime.IsCancellationRequested || Volatile.Read(ref _disposed) != 0)
            {
                return;
            }

            OnConnectionLost(failure);
            if (!await ReconnectAsync(lifetime).ConfigureAwait(false))
            {
                return;
            }

            // Resubscriptions are answered by the next receive loop, so they run alongside it.
            _ = ResubscribeAsync();
        }
    }

    private async Task<Exception?> ReceiveLoopAsync(CancellationToken lifetime)
    {
        using var buffer = new PooledBufferWriter();
        try
        {
            while (true)
            {
                buffer.Reset();
                try
                {
                    if (!await _transport.ReceiveAsync(buffer, lifetime).ConfigureAwait(false))
                    {
                        return null;
                    }

                    MarkReceived();
                }
                catch (EntropyRpcProtocolException ex)
                {
                    MarkReceived();
                    // The transport skipped one message it would not accept (RpcTransport.ReceiveAsync); the connection goes on.
                    OnGarbage(ex.ServerMessage);
                    continue;
                }

                Dispatch(buffer.WrittenMemory);
            }
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception ex) when (ex is EntropyException or IOException or System.Net.WebSockets.WebSocketException or ObjectDisposedException)
        {
            return ex;
        }
        catch (Exception ex)
        {
            // A transport that fails in an undocumented way: treat it as a lost connection (reconnect) rather than let the loop die.
            _logger.LogError(ex, "The transport to {Endpoint} failed unexpectedly; reconnecting.", Endpoint);
            return ex;
        }
    }

    private void OnConnectionLost(Exception? failure)
    {
        // Order matters: new requests must see the Reconnecting state before in-flight ones are failed.
        Volatile.Write(ref _state, (int)RpcConnectionState.Reconnecting);
        Interlocked.Exchange(ref _connected, NewConnectedSource());
        _logger.LogWarning("Lost the RPC connection to {Endpoint}: {Reason}", Endpoint, failure?.Message ?? "closed by the node");
        FailPending(p => new EntropyConnectionException(
            ConnectionFailureType.ConnectionLost,
            $"The connection to {Endpoint} was lost while '{p.Method}' waited {ElapsedMs(p)} ms for its response.",
            failure));
        _subscriptionsById.Clear();
        RpcSubscription[] ended;
        lock (_subscriptions)
        {
            ended = [.. _subscriptions.Where(s => !s.ResubscribeOnReconnect)];
            foreach (var subscription in _subscriptions)
            {
                subscription.Id = null;
                subscription.AwaitsResubscribe = subscription.ResubscribeOnReconnect;
            }

            _subscriptions.ExceptWith(ended);
        }

        foreach (var subscription in ended)
        {
            subscription.End(new EntropyConnectionException(
                ConnectionFailureType.ConnectionLost,
                $"The connection to {Endpoint} was lost; the '{subscription.SubscribeMethod}' subscription cannot be resumed.",
                failure));
        }
    }

    private async Task<bool> ReconnectAsync(CancellationToken lifetime)
    {
        try
        {
            await _transport.DisposeAsync().ConfigureAwait(false);
            await _reconnectPipeline.ExecuteAsync(
                static async (client, ct) =>
                {
                    client._logger.LogInformation("Reconnecting to {Endpoint}.", client.Endpoint);
                    await client.OpenTransportAsync(ct).ConfigureAwait(false);
                },
                this,
                lifetime).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            return false;
        }
        catch (EntropyException ex)
        {
            var gaveUp = new EntropyConnectionException(
                ConnectionFailureType.ConnectionClosed,
                $"Gave up reconnecting to {Endpoint} after {_options.Reconnect.MaxAttempts} attempts: {ex.Message}",
                ex);
            _logger.LogError("Gave up reconnecting to {Endpoint}: {Reason}", Endpoint, ex.Message);
            Volatile.Write(ref _state, (int)RpcConnectionState.Closed);
            CountReconnect("gave_up");
            _connected.TrySetException(gaveUp);
            RpcSubscription[] remaining;
            lock (_subscriptions)
            {
                remaining = [.. _subscriptions];
                _subscriptions.Clear();
            }

            foreach (var subscription in remaining)
            {
                subscription.End(gaveUp);
            }

            return false;
        }

        _logger.LogInformation("Reconnected to {Endpoint}.", Endpoint);
        CountReconnect("reconnected");
        SetConnected();
        return true;
    }

    private async Task ResubscribeAsync()
    {
        // Only what was open when the connection dropped: a subscription opened while reconnecting sends its own request once the
        // connection is back (sending it here too would, for an extrinsic watch, submit the transaction twice).
        RpcSubscription[] resumable;
        lock (_subscriptions)
        {
            resumable = [.. _subscriptions.Where(s => s.AwaitsResubscribe)];
            foreach (var subscription in resumable)
            {
                subscription.AwaitsResubscribe = false;
            }
        }

        foreach (var subscription in resumable)
        {
            try
            {
                await SendRequestAsync(subscription.SubscribeMethod, subscription.Parameters, subscription, CancellationToken.None).ConfigureAwait(false);
            }
            catch (EntropyException ex)
            {
                // A later connection loss resubscribes again; a refusal ends the stream so the consumer learns about it.
                if (ex is not EntropyConnectionException { FailureType: ConnectionFailureType.ConnectionLost })
                {
                    subscription.End(ex);
                }
            }
        }
    }
}
