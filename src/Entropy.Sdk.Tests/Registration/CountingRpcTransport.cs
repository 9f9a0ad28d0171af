using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Entropy.Rpc;

namespace Entropy.Tests.Registration;

/// <summary>A WebSocket transport that counts the JSON-RPC requests the client sends, by method (batches count each request).</summary>
internal sealed class CountingRpcTransport : RpcTransport
{
    private readonly WebSocketRpcTransport _inner = new();
    private readonly ConcurrentQueue<string> _methods = new();

    /// <summary>Gets every method sent so far, in order.</summary>
    public IReadOnlyList<string> Methods => [.. _methods];

    /// <summary>Gets how many requests were sent so far.</summary>
    public int Count => _methods.Count;

    /// <summary>Gets the methods sent after the first <paramref name="skip"/> requests.</summary>
    public IReadOnlyList<string> Since(int skip) => [.. _methods.Skip(skip)];

    public override Task ConnectAsync(Uri endpoint, CancellationToken cancellationToken = default) => _inner.ConnectAsync(endpoint, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        using (var document = JsonDocument.Parse(message))
        {
            var root = document.RootElement;
            foreach (var request in root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToArray() : [root])
            {
                if (request.TryGetProperty("method", out var method))
                {
                    _methods.Enqueue(method.GetString() ?? "?");
                }
            }
        }

        return _inner.SendAsync(message, cancellationToken);
    }

    public override ValueTask<bool> ReceiveAsync(IBufferWriter<byte> destination, CancellationToken cancellationToken = default) =>
        _inner.ReceiveAsync(destination, cancellationToken);

    public override Task CloseAsync(CancellationToken cancellationToken = default) => _inner.CloseAsync(cancellationToken);

    public override ValueTask DisposeAsync() => _inner.DisposeAsync();
}
