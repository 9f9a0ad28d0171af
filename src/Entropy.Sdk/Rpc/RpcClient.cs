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
internal partial class RpcClient : IAsyncDisposable
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
    private long _firstUnansweredSend;
    private long _lastReceived;

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
    /// <param name="parameters">Positional parameters: strings, finite numbers, booleans, <see langword="null"/>, <see cref="JsonElement"/>, byte arrays (sent as 0x-hex), or lists and string-keyed dictionaries of these (nothing is serialised by reflection).</param>
    /// <param name="cancellationToken">Cancels the wait for the response.</param>
    /// <returns>The response's <c>result</c> member.</returns>
    /// <exception cref="EntropyRpcException">The node answered with an error.</exception>
    /// <exception cref="EntropyRpcProtocolException">The node's answer was not valid JSON-RPC.</exception>
    /// <exception cref="EntropyConnectionException">The connection was lost or closed.</exception>
    /// <exception cref="EntropyTimeoutException">No response within <see cref="RpcClientOptions.RequestTimeout"/>.</exception>
    /// <exception cref="ArgumentException">A parameter is of a type that cannot be sent (the message names it).</exception>
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
}
