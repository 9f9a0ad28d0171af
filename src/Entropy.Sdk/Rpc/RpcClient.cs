using System.Collections;
using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace Entropy.Rpc;

/// <summary>A thread-safe JSON-RPC 2.0 client for a Substrate node: correlated requests, subscriptions, timeouts, retries of idempotent reads and reconnection.</summary>
/// <remarks>
/// One instance is meant to be shared. Requests may run concurrently; responses are matched by id. After a lost connection the client
/// reconnects with backoff: requests in flight fail with a transient <see cref="EntropyConnectionException"/>, requests made while
/// reconnecting wait for the new connection (within their timeout), and subscriptions are resumed or ended as described on
/// <see cref="RpcSubscription"/>. See https://www.jsonrpc.org/specification for the message format.
/// </remarks>
public class RpcClient : IAsyncDisposable
{
    private static readonly JsonElement s_nullElement = JsonDocument.Parse("null").RootElement;

    private readonly RpcTransport _transport;
    private readonly RpcClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _readPipeline;
    private readonly ResiliencePipeline _reconnectPipeline;
    private readonly ConcurrentDictionary<long, PendingRequest> _pending = new();
    private readonly ConcurrentDictionary<string, RpcSubscription> _subscriptionsById = new(StringComparer.Ordinal);
    private readonly HashSet<RpcSubscription> _subscriptions = [];
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _lifetime = new();
    private TaskCompletionSource _connected = NewConnectedSource();
    private Task _supervisor = Task.CompletedTask;
    private long _nextId;
    private int _state;
    private int _disposed;
    private long _droppedMessages;

    /// <summary>Initializes a client for mocks; every virtual member must be set up.</summary>
    protected RpcClient()
    {
        _transport = null!;
        _options = new RpcClientOptions();
        _time = TimeProvider.System;
        _logger = NullLogger.Instance;
        _readPipeline = ResiliencePipeline.Empty;
        _reconnectPipeline = ResiliencePipeline.Empty;
        Endpoint = new Uri("ws://127.0.0.1/");
    }

    private RpcClient(Uri endpoint, RpcClientOptions options)
    {
        Endpoint = endpoint;
        _options = options;
        _transport = options.Transport ?? new WebSocketRpcTransport();
        _time = options.TimeProvider;
        _logger = options.Logger ?? NullLogger.Instance;
        _readPipeline = options.ReadPipeline ?? BuildReadPipeline(options);
        _reconnectPipeline = BuildReconnectPipeline(options);
        _state = (int)RpcConnectionState.Reconnecting;
    }

    /// <summary>Gets the node's endpoint.</summary>
    public Uri Endpoint { get; }

    /// <summary>Gets the current connection state.</summary>
    public virtual RpcConnectionState State => (RpcConnectionState)Volatile.Read(ref _state);

    /// <summary>Connects to a node.</summary>
    /// <param name="endpoint">The node's WebSocket endpoint, for example <c>ws://127.0.0.1:9944</c>.</param>
    /// <param name="options">Timeouts, retries, reconnection, clock, logger and transport; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the connection attempt.</param>
    /// <returns>The connected client; dispose it to close the connection.</returns>
    /// <exception cref="ArgumentException"><paramref name="endpoint"/> is not a <c>ws://</c> or <c>wss://</c> URI, or an option is invalid (the message names it).</exception>
    /// <exception cref="EntropyConnectionException">The connection could not be opened.</exception>
    /// <exception cref="EntropyTimeoutException">Opening the connection took longer than <see cref="RpcClientOptions.ConnectTimeout"/>.</exception>
    public static async Task<RpcClient> ConnectAsync(Uri endpoint, RpcClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ValidateEndpoint(endpoint);
        options ??= new RpcClientOptions();
        options.Validate();
        var client = new RpcClient(endpoint, options);
        try
        {
            await client.OpenTransportAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await client._transport.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        client.SetConnected();
        client._supervisor = client.SuperviseAsync();
        return client;
    }

    /// <summary>
    /// Connects and runs the caller's initial reads (genesis, runtime, metadata), all within <see cref="RpcClientOptions.ConnectTimeout"/>:
    /// a node that accepts the connection and never answers fails the whole connect by that deadline, not after each read's own
    /// timeout and retries. The client is disposed when anything fails.
    /// </summary>
    /// <typeparam name="T">What the initial reads build.</typeparam>
    /// <param name="endpoint">The node's <c>ws://</c> or <c>wss://</c> endpoint.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="initialize">The initial reads; the token it gets ends at the connect deadline.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>What <paramref name="initialize"/> built.</returns>
    /// <exception cref="EntropyTimeoutException">Connecting and the initial reads took longer than <see cref="RpcClientOptions.ConnectTimeout"/>.</exception>
    internal static async Task<T> ConnectAndInitializeAsync<T>(
        Uri endpoint, RpcClientOptions? options, Func<RpcClient, CancellationToken, Task<T>> initialize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ValidateEndpoint(endpoint);
        options ??= new RpcClientOptions();
        options.Validate();
        var time = options.TimeProvider;
        var start = time.GetTimestamp();
        using var deadline = new CancellationTokenSource(options.ConnectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        RpcClient? rpc = null;
        try
        {
            rpc = await ConnectAsync(endpoint, options, linked.Token).ConfigureAwait(false);
            return await initialize(rpc, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested
            && ex is OperationCanceledException or EntropyException)
        {
            // The deadline passed: whatever the read in flight reported (its cancellation, a lost connection), the cause is the deadline.
            if (rpc is not null)
            {
                await rpc.DisposeAsync().ConfigureAwait(false);
            }

            throw new EntropyTimeoutException("connect", endpoint, options.ConnectTimeout, time.GetElapsedTime(start));
        }
        catch
        {
            if (rpc is not null)
            {
                await rpc.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Sends a request once, with no retry (use it for anything that is not a pure read, such as a submission).</summary>
    /// <param name="method">The JSON-RPC method, for example <c>author_submitExtrinsic</c>.</param>
    /// <param name="parameters">Positional parameters: strings, numbers, booleans, <see langword="null"/>, <see cref="JsonElement"/>, byte arrays (sent as 0x-hex), or lists of these.</param>
    /// <param name="cancellationToken">Cancels the wait for the response.</param>
    /// <returns>The response's <c>result</c> member.</returns>
    /// <exception cref="EntropyRpcException">The node answered with an error.</exception>
    /// <exception cref="EntropyRpcProtocolException">The node's answer was not valid JSON-RPC.</exception>
    /// <exception cref="EntropyConnectionException">The connection was lost or closed.</exception>
    /// <exception cref="EntropyTimeoutException">No response within <see cref="RpcClientOptions.RequestTimeout"/>.</exception>
    public virtual Task<JsonElement> InvokeAsync(string method, IReadOnlyList<object?>? parameters = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        return SendRequestAsync(method, parameters ?? [], null, cancellationToken);
    }

    /// <summary>Sends a read that is safe to repeat, retrying transient failures through the read pipeline (<see cref="RpcClientOptions.Retry"/> or <see cref="RpcClientOptions.ReadPipeline"/>).</summary>
    /// <param name="method">The JSON-RPC method, for example <c>state_getStorage</c>.</param>
    /// <param name="parameters">Positional parameters, as for <see cref="InvokeAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the call, including retries.</param>
    /// <returns>The response's <c>result</c> member.</returns>
    /// <exception cref="EntropyRpcException">The node answered with an error.</exception>
    /// <exception cref="EntropyRpcProtocolException">The node's answer was not valid JSON-RPC.</exception>
    /// <exception cref="EntropyConnectionException">The connection was lost or closed, after the retries.</exception>
    /// <exception cref="EntropyTimeoutException">No response within <see cref="RpcClientOptions.RequestTimeout"/>, after the retries.</exception>
    public virtual async Task<JsonElement> InvokeIdempotentAsync(
        string method, IReadOnlyList<object?>? parameters = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        var args = parameters ?? [];
        return await _readPipeline.ExecuteAsync(
            static (state, ct) => new ValueTask<JsonElement>(state.Client.SendRequestAsync(state.Method, state.Args, null, ct)),
            (Client: this, Method: method, Args: args),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a subscription (for example <c>chain_subscribeNewHeads</c> / <c>chain_unsubscribeNewHeads</c>).</summary>
    /// <param name="subscribeMethod">The method that opens it.</param>
    /// <param name="unsubscribeMethod">The method that closes it (called with the subscription id when the subscription is disposed).</param>
    /// <param name="parameters">Positional parameters of the subscribe call, as for <see cref="InvokeAsync"/>.</param>
    /// <param name="resubscribeOnReconnect">
    /// <see langword="true"/> to re-open it after a reconnect (safe for heads, runtime versions, storage); <see langword="false"/> to end it
    /// with an <see cref="EntropyConnectionException"/> instead (extrinsic watches, which must never be re-submitted).
    /// </param>
    /// <param name="cancellationToken">Cancels the subscribe request.</param>
    /// <returns>The subscription; dispose it to unsubscribe.</returns>
    /// <exception cref="EntropyRpcException">The node refused the subscription.</exception>
    /// <exception cref="EntropyConnectionException">The connection was lost or closed.</exception>
    /// <exception cref="EntropyTimeoutException">No response within <see cref="RpcClientOptions.RequestTimeout"/>.</exception>
    public virtual async Task<RpcSubscription> SubscribeAsync(
        string subscribeMethod,
        string unsubscribeMethod,
        IReadOnlyList<object?>? parameters = null,
        bool resubscribeOnReconnect = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(subscribeMethod);
        ArgumentException.ThrowIfNullOrEmpty(unsubscribeMethod);
        var subscription = new RpcSubscription(this, subscribeMethod, unsubscribeMethod, parameters ?? [], resubscribeOnReconnect);
        lock (_subscriptions)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            _subscriptions.Add(subscription);
        }

        try
        {
            await SendRequestAsync(subscribeMethod, subscription.Parameters, subscription, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_subscriptions)
            {
                _subscriptions.Remove(subscription);
            }

            subscription.End(null);
            throw;
        }

        return subscription;
    }

    /// <summary>Closes the connection gracefully, fails requests still waiting and ends all subscriptions.</summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the connection; derived mocks may override it.</summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    protected virtual async ValueTask DisposeAsyncCore()
    {
        if (_transport is null || Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Volatile.Write(ref _state, (int)RpcConnectionState.Closed);
        var closed = new EntropyConnectionException(ConnectionFailureType.ConnectionClosed, $"The RPC client for {Endpoint} was closed.");
        _connected.TrySetException(closed);
        try
        {
            using var closeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(2), _time);
            await _transport.CloseAsync(closeTimeout.Token).ConfigureAwait(false);
            await _supervisor.WaitAsync(TimeSpan.FromSeconds(2), _time).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Whatever the transport or the node did, disposing must complete: the close is best effort.
            _logger.LogDebug("Graceful close of {Endpoint} did not complete: {Reason}", Endpoint, ex.Message);
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        try
        {
            await _supervisor.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The supervisor stops by cancellation.
        }
        catch (Exception ex)
        {
            // The supervisor catches everything itself; this is a last line so that DisposeAsync never throws.
            _logger.LogError(ex, "The receive loop for {Endpoint} had failed.", Endpoint);
        }

        FailPending(_ => closed);
        RpcSubscription[] subscriptions;
        lock (_subscriptions)
        {
            subscriptions = [.. _subscriptions];
            _subscriptions.Clear();
        }

        foreach (var subscription in subscriptions)
        {
            subscription.End(null);
        }

        _subscriptionsById.Clear();
        await _transport.DisposeAsync().ConfigureAwait(false);
        _lifetime.Dispose();
        _logger.LogInformation("Closed the RPC connection to {Endpoint}.", Endpoint);
    }

    private async Task UnsubscribeQuietlyAsync(RpcSubscription subscription)
    {
        try
        {
            await UnsubscribeAsync(subscription).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is EntropyException or ObjectDisposedException or OperationCanceledException)
        {
            _logger.LogDebug("Could not close the '{Method}' subscription on the node: {Reason}", subscription.SubscribeMethod, ex.Message);
        }
    }

    internal async Task UnsubscribeAsync(RpcSubscription subscription)
    {
        lock (_subscriptions)
        {
            _subscriptions.Remove(subscription);
        }

        var id = subscription.Id;
        if (id is null)
        {
            return;
        }

        _subscriptionsById.TryRemove(id, out _);
        if (State != RpcConnectionState.Connected)
        {
            return;
        }

        try
        {
            await SendRequestAsync(subscription.UnsubscribeMethod, [id], null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (EntropyException ex)
        {
            // The subscription is gone on our side; the node drops it with the connection at the latest.
            _logger.LogDebug("'{Method}' for subscription {Id} failed: {Reason}", subscription.UnsubscribeMethod, id, ex.Message);
        }
    }

    /// <summary>Creates a client with no connection, whose incoming-message parser is fed by hand (fuzz targets and parser tests).</summary>
    internal static RpcClient CreateDetached(RpcClientOptions? options = null) => new(new Uri("ws://127.0.0.1/"), options ?? new RpcClientOptions());

    /// <summary>Registers a request as if it had been sent with <paramref name="id"/>; the task completes when a response is dispatched.</summary>
    internal Task<JsonElement> ExpectResponse(long id, string method, RpcSubscription? subscription = null)
    {
        var pending = new PendingRequest(method, _time.GetTimestamp(), subscription);
        _pending[id] = pending;
        return pending.Completion.Task;
    }

    /// <summary>Creates a subscription (not sent) that a response to <see cref="ExpectResponse"/> can register.</summary>
    internal RpcSubscription CreateSubscription(string subscribeMethod, string unsubscribeMethod) =>
        new(this, subscribeMethod, unsubscribeMethod, [], resubscribeOnReconnect: false);

    /// <summary>Gets how many incoming messages were dropped as invalid (logged and ignored) since the client was created.</summary>
    internal long DroppedMessages => Interlocked.Read(ref _droppedMessages);

    /// <summary>Parses and dispatches one incoming message, exactly as the receive loop does.</summary>
    internal void DispatchIncoming(ReadOnlyMemory<byte> message) => Dispatch(message);

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

    private void SetConnected()
    {
        Volatile.Write(ref _state, (int)RpcConnectionState.Connected);
        _connected.TrySetResult();
    }

    private async Task SuperviseAsync()
    {
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
                }
                catch (EntropyRpcProtocolException ex)
                {
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

    private async Task<JsonElement> SendRequestAsync(
        string method, IReadOnlyList<object?> parameters, RpcSubscription? subscription, CancellationToken cancellationToken)
    {
        var start = _time.GetTimestamp();
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var token = linked.Token;
        long id = 0;
        try
        {
            await WaitConnectedAsync(token).ConfigureAwait(false);
            id = Interlocked.Increment(ref _nextId);
            var pending = new PendingRequest(method, start, subscription);
            _pending[id] = pending;
            using (var message = new PooledBufferWriter(256))
            {
                WriteRequest(message, id, method, parameters);
                await _sendLock.WaitAsync(token).ConfigureAwait(false);
                try
                {
                    await _transport.SendAsync(message.WrittenMemory, token).ConfigureAwait(false);
                }
                catch (EntropyConnectionException ex)
                {
                    throw new EntropyConnectionException(
                        ConnectionFailureType.ConnectionLost,
                        $"'{method}' could not be sent to {Endpoint} after {_time.GetElapsedTime(start).TotalMilliseconds:0} ms: the connection was lost.",
                        ex);
                }
                finally
                {
                    _sendLock.Release();
                }
            }

            return await pending.Completion.Task.WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new EntropyTimeoutException(method, Endpoint, _options.RequestTimeout, _time.GetElapsedTime(start));
        }
        finally
        {
            if (id != 0)
            {
                _pending.TryRemove(id, out _);
            }
        }
    }

    private async Task WaitConnectedAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var connected = Volatile.Read(ref _connected).Task;
        if (!connected.IsCompletedSuccessfully)
        {
            await connected.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Dispatch(ReadOnlyMemory<byte> message)
    {
        // The dispatcher runs on the receive loop: whatever a message holds, it is logged and dropped, never thrown.
        try
        {
            DispatchDocument(message);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            OnGarbage($"the message could not be dispatched ({ex.GetType().Name}: {RpcText.Cap(ex.Message)})");
        }
    }

    private void DispatchDocument(ReadOnlyMemory<byte> message)
    {
        // JsonDocument checks the UTF-8 of strings only when they are read, which would throw InvalidOperationException mid-dispatch.
        if (!System.Text.Unicode.Utf8.IsValid(message.Span))
        {
            OnGarbage("the message is not valid UTF-8");
            return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            OnGarbage($"the message is not JSON ({RpcText.Cap(ex.Message)})");
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in root.EnumerateArray())
                {
                    DispatchOneSafely(item);
                }
            }
            else
            {
                DispatchOne(root);
            }
        }
    }

    private void DispatchOneSafely(JsonElement message)
    {
        try
        {
            DispatchOne(message);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            OnGarbage($"a batch item could not be dispatched ({ex.GetType().Name}: {RpcText.Cap(ex.Message)})");
        }
    }

    private void DispatchOne(JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            OnGarbage($"expected a JSON object, got {message.ValueKind}");
            return;
        }

        var hasId = message.TryGetProperty("id"u8, out var idElement) && idElement.ValueKind != JsonValueKind.Null;
        if (hasId)
        {
            DispatchResponse(message, idElement);
            return;
        }

        if (message.TryGetProperty("method"u8, out var method) && method.ValueKind == JsonValueKind.String
            && message.TryGetProperty("params"u8, out var parameters) && parameters.ValueKind == JsonValueKind.Object
            && parameters.TryGetProperty("subscription"u8, out var subscriptionId))
        {
            DispatchNotification(method.GetString()!, parameters, subscriptionId);
            return;
        }

        if (message.TryGetProperty("error"u8, out var error))
        {
            // An error with a null id answers a request the node could not parse; it cannot be matched to one, so the requests in
            // flight carry on (each ends by its answer or its timeout).
            OnGarbage($"an error without a request id: {RpcText.Cap(error.GetRawText())}");
            return;
        }

        OnGarbage("a message that is neither a response nor a subscription notification");
    }

    private void DispatchResponse(JsonElement message, JsonElement idElement)
    {
        long id;
        if (idElement.ValueKind == JsonValueKind.Number && idElement.TryGetInt64(out var numeric))
        {
            id = numeric;
        }
        else if (idElement.ValueKind == JsonValueKind.String && long.TryParse(idElement.GetString(), out var parsed))
        {
            id = parsed;
        }
        else
        {
            OnGarbage($"a response with an id we never sent: {RpcText.Cap(idElement.GetRawText())}");
            return;
        }

        if (!_pending.TryRemove(id, out var pending))
        {
            _logger.LogDebug("Ignoring a response to request {Id}, which is no longer waiting.", id);
            return;
        }

        try
        {
            CompleteResponse(message, pending);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The request was taken off the pending list: it must end here, not by its timeout.
            pending.Completion.TrySetException(new EntropyRpcProtocolException(
                EntropyRpcProtocolException.InvalidMessageCode,
                $"the response could not be read ({ex.GetType().Name}: {RpcText.Cap(ex.Message)})",
                pending.Method,
                Endpoint,
                _time.GetElapsedTime(pending.Start)));
        }
    }

    private void CompleteResponse(JsonElement message, PendingRequest pending)
    {
        var elapsed = _time.GetElapsedTime(pending.Start);
        if (message.TryGetProperty("error"u8, out var error))
        {
            if (error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("code"u8, out var code) && code.ValueKind == JsonValueKind.Number && code.TryGetInt32(out var codeValue))
            {
                var text = error.TryGetProperty("message"u8, out var m) && m.ValueKind == JsonValueKind.String ? RpcText.Cap(m) : string.Empty;
                var data = error.TryGetProperty("data"u8, out var d) ? RpcText.CapRaw(d) : null;
                pending.Completion.TrySetException(new EntropyRpcException(codeValue, text, data, pending.Method, Endpoint, elapsed));
            }
            else
            {
                pending.Completion.TrySetException(new EntropyRpcProtocolException(
                    EntropyRpcProtocolException.InvalidMessageCode, $"malformed error object {RpcText.CapRaw(error)}", pending.Method, Endpoint, elapsed));
            }

            return;
        }

        if (!message.TryGetProperty("result"u8, out var result))
        {
            pending.Completion.TrySetException(new EntropyRpcProtocolException(
                EntropyRpcProtocolException.InvalidMessageCode, "the response has neither 'result' nor 'error'", pending.Method, Endpoint, elapsed));
            return;
        }

        if (pending.Subscription is { } subscription)
        {
            // Register before completing: the node may push the first notification right behind this response.
            string subscriptionId;
            if (result.ValueKind == JsonValueKind.String)
            {
                subscriptionId = result.GetString()!;
            }
            else if (result.ValueKind == JsonValueKind.Number)
            {
                subscriptionId = result.GetRawText();
            }
            else
            {
                pending.Completion.TrySetException(new EntropyRpcProtocolException(
                    EntropyRpcProtocolException.InvalidMessageCode, $"a subscription id must be a string or a number, got {result.ValueKind}", pending.Method, Endpoint, elapsed));
                return;
            }

            subscription.Id = subscriptionId;
            _subscriptionsById[subscriptionId] = subscription;
        }

        pending.Completion.TrySetResult(result.Clone());
    }

    private void DispatchNotification(string method, JsonElement parameters, JsonElement subscriptionId)
    {
        var key = subscriptionId.ValueKind == JsonValueKind.String ? subscriptionId.GetString()! : subscriptionId.GetRawText();
        if (!_subscriptionsById.TryGetValue(key, out var subscription))
        {
            _logger.LogDebug("Ignoring a '{Method}' notification for unknown subscription {Id}.", method, key);
            return;
        }

        if (parameters.TryGetProperty("error"u8, out var error))
        {
            _subscriptionsById.TryRemove(key, out _);
            // Any shape is accepted here: a code that is not an integer (a string, a fraction, an object) reads as 0.
            var code = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("code"u8, out var c)
                && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var v) ? v : 0;
            var text = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message"u8, out var m) && m.ValueKind == JsonValueKind.String
                ? RpcText.Cap(m)
                : RpcText.CapRaw(error);
            subscription.End(new EntropyRpcException(code, text, null, subscription.SubscribeMethod, Endpoint, TimeSpan.Zero));
            return;
        }

        var payload = parameters.TryGetProperty("result"u8, out var result) ? result : s_nullElement;
        if (!subscription.Deliver(payload.Clone(), System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(payload).Length))
        {
            _logger.LogWarning("Ended the '{Method}' subscription {Id}: too many notifications waited unread.", subscription.SubscribeMethod, key);
            _subscriptionsById.TryRemove(key, out _);
            _ = UnsubscribeQuietlyAsync(subscription);
        }
    }

    private void OnGarbage(string problem)
    {
        // Logged and dropped: the connection, the requests in flight and the subscriptions carry on (a request whose answer this was
        // ends by its timeout). Failing every request in flight would let one bad message from the node break unrelated calls.
        Interlocked.Increment(ref _droppedMessages);
        _logger.LogWarning("The node at {Endpoint} sent an invalid JSON-RPC message, which was dropped: {Problem}", Endpoint, problem);
    }

    private void FailPending(Func<PendingRequest, Exception> error)
    {
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var pending))
            {
                pending.Completion.TrySetException(error(pending));
            }
        }
    }

    private long ElapsedMs(PendingRequest pending) => (long)_time.GetElapsedTime(pending.Start).TotalMilliseconds;

    private static void WriteRequest(PooledBufferWriter destination, long id, string method, IReadOnlyList<object?> parameters)
    {
        using var writer = new Utf8JsonWriter(destination, new JsonWriterOptions { SkipValidation = true });
        writer.WriteStartObject();
        writer.WriteString("jsonrpc"u8, "2.0"u8);
        writer.WriteNumber("id"u8, id);
        writer.WriteString("method"u8, method);
        writer.WriteStartArray("params"u8);
        foreach (var parameter in parameters)
        {
            WriteValue(writer, parameter);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case JsonElement e:
                e.WriteTo(writer);
                break;
            case byte[] bytes:
                writer.WriteStringValue(Hex.Encode(bytes));
                break;
            case ReadOnlyMemory<byte> memory:
                writer.WriteStringValue(Hex.Encode(memory.Span));
                break;
            case int or long or uint or ulong or short or ushort or byte or sbyte:
                writer.WriteNumberValue(Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case IDictionary dictionary:
                // A map parameter (e.g. dev_newBlock's {count}) is a JSON object, not an array of key/value pairs.
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    writer.WritePropertyName(Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
                    WriteValue(writer, entry.Value);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                JsonSerializer.Serialize(writer, value, value.GetType());
                break;
        }
    }

    private sealed class PendingRequest(string method, long start, RpcSubscription? subscription)
    {
        public string Method { get; } = method;

        public long Start { get; } = start;

        public RpcSubscription? Subscription { get; } = subscription;

        public TaskCompletionSource<JsonElement> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
