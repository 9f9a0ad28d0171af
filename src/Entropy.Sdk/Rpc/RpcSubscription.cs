using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;

namespace Entropy.Rpc;

/// <summary>A server-push subscription (for example <c>chain_subscribeNewHeads</c>): an async stream of notification payloads; disposing it unsubscribes.</summary>
/// <remarks>
/// When the connection drops, a subscription opened with <c>resubscribeOnReconnect</c> is opened again on the new connection and the
/// stream goes on (notifications sent while disconnected are missed). Any other subscription (an extrinsic watch) ends with an
/// <see cref="EntropyConnectionException"/> whose <see cref="EntropyConnectionException.FailureType"/> is
/// <see cref="ConnectionFailureType.ConnectionLost"/>, so that the caller can resume from chain state instead of resubmitting.
/// At most 4,096 notifications (64 MiB of JSON) are kept unread: past that the subscription ends with an <see cref="EntropyException"/>
/// saying so, and is closed on the node, so that a node flooding it (or a consumer that stopped reading) cannot exhaust memory.
/// </remarks>
internal class RpcSubscription : IAsyncEnumerable<JsonElement>, IAsyncDisposable
{
    /// <summary>The most notifications kept unread; one more ends the subscription (a node flooding it cannot exhaust memory).</summary>
    internal const int MaxUnreadNotifications = 4096;

    /// <summary>The most bytes of JSON kept unread.</summary>
    internal const long MaxUnreadBytes = 64L * 1024 * 1024;

    private readonly Channel<Notification> _channel = Channel.CreateUnbounded<Notification>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = true });

    private readonly RpcClient? _client;
    private Exception? _failure;
    private int _ended;
    private int _disposed;
    private int _unread;
    private long _unreadBytes;

    /// <summary>Initializes a subscription for mocks.</summary>
    protected RpcSubscription()
    {
        SubscribeMethod = string.Empty;
        UnsubscribeMethod = string.Empty;
        Parameters = [];
    }

    internal RpcSubscription(RpcClient client, string subscribeMethod, string unsubscribeMethod, IReadOnlyList<object?> parameters, bool resubscribeOnReconnect)
    {
        _client = client;
        SubscribeMethod = subscribeMethod;
        UnsubscribeMethod = unsubscribeMethod;
        Parameters = parameters;
        ResubscribeOnReconnect = resubscribeOnReconnect;
    }

    /// <summary>Gets the method that opened the subscription.</summary>
    public string SubscribeMethod { get; }

    /// <summary>Gets the method that closes it.</summary>
    public string UnsubscribeMethod { get; }

    /// <summary>Gets the subscription id the node assigned on the current connection, or <see langword="null"/> while none is open.</summary>
    public string? Id { get; internal set; }

    /// <summary>Gets a value indicating whether the subscription is re-opened after a reconnect.</summary>
    public bool ResubscribeOnReconnect { get; }

    /// <summary>Gets a value indicating whether the stream has ended (unsubscribed, failed, or the client closed).</summary>
    public bool IsCompleted => Volatile.Read(ref _ended) != 0;

    internal IReadOnlyList<object?> Parameters { get; }

    /// <summary>Gets or sets a value indicating whether the subscription was open when the connection dropped and must be re-opened on the next one (guarded by the client's subscription set).</summary>
    internal bool AwaitsResubscribe { get; set; }

    /// <summary>Waits for the next notification payload (the <c>params.result</c> member).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The payload.</returns>
    /// <exception cref="EntropyConnectionException">The connection was lost (for a subscription that is not resumed) or the client closed.</exception>
    /// <exception cref="InvalidOperationException">The subscription was disposed or ended normally.</exception>
    public virtual async Task<JsonElement> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (await _channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_channel.Reader.TryRead(out var item))
            {
                return Taken(item);
            }
        }

        throw _failure ?? new InvalidOperationException($"The '{SubscribeMethod}' subscription has ended.");
    }

    /// <summary>Reads notification payloads until the subscription ends; ends by throwing if it failed.</summary>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The payloads, in arrival order.</returns>
    /// <exception cref="EntropyConnectionException">The connection was lost (for a subscription that is not resumed).</exception>
    public virtual async IAsyncEnumerable<JsonElement> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await _channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_channel.Reader.TryRead(out var item))
            {
                yield return Taken(item);
            }
        }

        if (_failure is not null)
        {
            throw _failure;
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerator<JsonElement> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

    /// <summary>Unsubscribes (best effort) and ends the stream.</summary>
    /// <returns>A task that completes when the node has answered the unsubscribe request or it failed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        End(null);
        if (_client is not null)
        {
            await _client.UnsubscribeAsync(this).ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Queues a notification's payload; ends the subscription instead when too much is unread.</summary>
    /// <param name="payload">The payload (cloned: it outlives the message).</param>
    /// <param name="size">Its size in bytes of JSON.</param>
    /// <returns><see langword="false"/> when the subscription ended because of it.</returns>
    internal bool Deliver(JsonElement payload, int size)
    {
        if (Volatile.Read(ref _ended) != 0)
        {
            return true;
        }

        var unread = Interlocked.Increment(ref _unread);
        var unreadBytes = Interlocked.Add(ref _unreadBytes, size);
        if (unread > MaxUnreadNotifications || unreadBytes > MaxUnreadBytes)
        {
            End(new EntropyException(
                $"The '{SubscribeMethod}' subscription was ended: {unread - 1} notifications ({unreadBytes - size} bytes) were waiting unread, "
                + $"the most kept is {MaxUnreadNotifications} ({MaxUnreadBytes} bytes). Read it as fast as the node sends, or dispose it when done."));
            return false;
        }

        _channel.Writer.TryWrite(new Notification(payload, size));
        return true;
    }

    internal void End(Exception? failure)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        _failure = failure;
        _channel.Writer.TryComplete();
    }

    private JsonElement Taken(Notification item)
    {
        Interlocked.Decrement(ref _unread);
        Interlocked.Add(ref _unreadBytes, -item.Size);
        return item.Payload;
    }

    private readonly record struct Notification(JsonElement Payload, int Size);
}
