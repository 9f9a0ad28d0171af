using System.Runtime.CompilerServices;
using System.Text.Json;
using Entropy.Rpc;

namespace Entropy.Chain;

/// <summary>A typed subscription (for example to new heads): an async stream of decoded notifications; disposing it unsubscribes.</summary>
/// <typeparam name="T">The notification type.</typeparam>
internal sealed class ChainSubscription<T> : IAsyncEnumerable<T>, IAsyncDisposable
{
    private readonly RpcSubscription _inner;
    private readonly Func<JsonElement, T> _decode;

    internal ChainSubscription(RpcSubscription inner, Func<JsonElement, T> decode)
    {
        _inner = inner;
        _decode = decode;
    }

    /// <summary>Waits for the next notification.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The decoded notification.</returns>
    /// <exception cref="EntropyConnectionException">The connection was lost and the subscription could not be resumed, or the client closed.</exception>
    /// <exception cref="EntropyRpcProtocolException">The notification does not have the expected shape.</exception>
    /// <exception cref="InvalidOperationException">The subscription has ended.</exception>
    public async Task<T> ReadAsync(CancellationToken cancellationToken = default) =>
        _decode(await _inner.ReadAsync(cancellationToken).ConfigureAwait(false));

    /// <inheritdoc/>
    public async IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        await foreach (var item in _inner.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return _decode(item);
        }
    }

    /// <summary>Unsubscribes and ends the stream.</summary>
    /// <returns>A task that completes when the node has answered or the request failed.</returns>
    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
