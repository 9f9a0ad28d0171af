using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Entropy.Tests.Simulator;

/// <summary>A bare JSON-RPC 2.0 client over a real loopback <see cref="ClientWebSocket"/> (until the SDK's own client is used here).</summary>
internal sealed class TestRpcClient : IAsyncDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly ConcurrentDictionary<string, Channel<JsonNode?>> _subscriptions = new();
    private readonly Channel<JsonObject> _unmatched = Channel.CreateUnbounded<JsonObject>();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private Task? _receiver;
    private long _nextId;

    public static async Task<TestRpcClient> ConnectAsync(Uri endpoint)
    {
        var client = new TestRpcClient();
        client._socket.Options.SetBuffer(1 << 16, 1 << 16);
        await client._socket.ConnectAsync(endpoint, CancellationToken.None);
        client._receiver = Task.Run(client.ReceiveLoopAsync);
        return client;
    }

    public WebSocketState State => _socket.State;

    /// <summary>Sends a request and returns the whole response object (with <c>result</c> or <c>error</c>).</summary>
    public async Task<JsonObject> RequestAsync(string method, params object?[] parameters)
    {
        var id = Interlocked.Increment(ref _nextId);
        var request = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = id,
            ["method"] = method,
            ["params"] = JsonSerializer.SerializeToNode(parameters),
        };
        var completion = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        await SendRawAsync(Encoding.UTF8.GetBytes(request.ToJsonString()));
        return await completion.Task.WaitAsync(s_timeout);
    }

    /// <summary>Sends a request and returns its <c>result</c>; fails the test on an error response.</summary>
    public async Task<JsonNode?> CallAsync(string method, params object?[] parameters)
    {
        var response = await RequestAsync(method, parameters);
        if (response["error"] is { } error)
        {
            Assert.Fail($"{method} failed: {error.ToJsonString()}");
        }

        return response["result"];
    }

    /// <summary>Subscribes; notifications for the returned id are read with <see cref="NextAsync"/>.</summary>
    public async Task<string> SubscribeAsync(string method, params object?[] parameters)
    {
        var response = await RequestAsync(method, parameters);
        if (response["error"] is { } error)
        {
            Assert.Fail($"{method} failed: {error.ToJsonString()}");
        }

        var id = response["result"]!.GetValue<string>();
        _subscriptions.GetOrAdd(id, _ => Channel.CreateUnbounded<JsonNode?>());
        return id;
    }

    public async Task<JsonNode?> NextAsync(string subscription) =>
        await _subscriptions.GetOrAdd(subscription, _ => Channel.CreateUnbounded<JsonNode?>()).Reader.ReadAsync().AsTask().WaitAsync(s_timeout);

    /// <summary>Reads a message that matched no pending request (e.g. an error with a null id).</summary>
    public async Task<JsonObject> NextUnmatchedAsync() => await _unmatched.Reader.ReadAsync().AsTask().WaitAsync(s_timeout);

    public async Task SendRawAsync(byte[] message)
    {
        await _sendLock.WaitAsync();
        try
        {
            await _socket.SendAsync(message, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }

        if (_receiver is not null)
        {
            try
            {
                await _receiver;
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
        }

        _socket.Dispose();
        _stop.Dispose();
        _sendLock.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
        {
            message.SetLength(0);
            WebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);

            var node = JsonNode.Parse(message.ToArray())!;
            if (node is JsonObject obj && obj["method"] is not null && obj["params"]?["subscription"] is { } sub)
            {
                _subscriptions.GetOrAdd(sub.GetValue<string>(), _ => Channel.CreateUnbounded<JsonNode?>()).Writer.TryWrite(obj["params"]!["result"]?.DeepClone());
            }
            else if (node is JsonObject response && response["id"] is JsonValue idValue && idValue.TryGetValue<long>(out var id) && _pending.TryRemove(id, out var completion))
            {
                completion.TrySetResult(response);
            }
            else if (node is JsonObject other)
            {
                _unmatched.Writer.TryWrite(other);
            }
        }
    }
}
