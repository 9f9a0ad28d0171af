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
/// </remarks>
public class RpcSubscription : IAsyncEnumerable<JsonElement>, IAsyncDisposable
{
    private readonly Channel<JsonElement> _channel = Channel.CreateUnbounded<JsonElement>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = true });

    private readonly RpcClient? _client;
    private Exception? _failure;
    private int _ended;
    private int _disposed;

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
                return item;
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
                yield return item;
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

    internal void Deliver(JsonElement payload) => _channel.Writer.TryWrite(payload);

    internal void End(Exception? failure)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        _failure = failure;
        _channel.Writer.TryComplete();
    }
}
