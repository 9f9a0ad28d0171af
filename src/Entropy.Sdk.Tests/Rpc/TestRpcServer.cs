using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Entropy.Tests.Rpc;

/// <summary>A scriptable JSON-RPC WebSocket server on 127.0.0.1 (Kestrel, ephemeral port) for transport tests.</summary>
internal sealed class TestRpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentBag<TestConnection> _connections = [];
    private readonly Channel<TestRequest> _requests = Channel.CreateUnbounded<TestRequest>();
    private readonly Channel<TestConnection> _arrivals = Channel.CreateUnbounded<TestConnection>();
    private int _connectionCount;
    private int _lastNumber;

    private TestRpcServer(WebApplication app)
    {
        _app = app;
    }

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Canned results by method (raw JSON); methods not listed get no answer unless <see cref="Handler"/> answers.</summary>
    public ConcurrentDictionary<string, string> Results { get; } = new();

    /// <summary>Optional handler run for every request; return true when it answered (or chose not to).</summary>
    public Func<TestRequest, Task<bool>>? Handler { get; set; }

    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    public ConcurrentQueue<string> Methods { get; } = new();

    public static async Task<TestRpcServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new TestRpcServer(app);
        app.UseWebSockets();
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Endpoint = new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal));
        return server;
    }

    /// <summary>Waits for the next request the server receives (any connection).</summary>
    public async Task<TestRequest> NextRequestAsync(string? method = null)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var request = await _requests.Reader.ReadAsync(cts.Token);
            if (method is null || request.Method == method)
            {
                return request;
            }
        }
    }

    public TestConnection LatestConnection => _connections.OrderByDescending(c => c.Number).First();

    /// <summary>Aborts every open connection (a crashed or unplugged node).</summary>
    public void DropAll()
    {
        foreach (var connection in _connections)
        {
            connection.Abort();
        }
    }

    public async Task WaitForConnectionsAsync(int count)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (ConnectionCount < count)
        {
            await _arrivals.Reader.ReadAsync(cts.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        DropAll();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        // Listed before it is counted: a test that waited for the count finds the connection.
        var connection = new TestConnection(socket, Interlocked.Increment(ref _lastNumber));
        _connections.Add(connection);
        Interlocked.Increment(ref _connectionCount);
        _arrivals.Writer.TryWrite(connection);
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var request = new TestRequest(connection, JsonDocument.Parse(message.ToArray()).RootElement.Clone());
                message.SetLength(0);
                Methods.Enqueue(request.Method);
                _requests.Writer.TryWrite(request);
                if (Handler is { } handler && await handler(request))
                {
                    continue;
                }

                if (Results.TryGetValue(request.Method, out var raw))
                {
                    await request.ReplyAsync(raw);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the test aborted the connection.
        }
    }
}

internal sealed class TestConnection(WebSocket socket, int number)
{
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    public int Number { get; } = number;

    public Task SendRawAsync(string text) => SendBytesAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>Sends bytes as one message, valid UTF-8 or not.</summary>
    public async Task SendBytesAsync(ReadOnlyMemory<byte> bytes, WebSocketMessageType type = WebSocketMessageType.Text)
    {
        await _sendLock.WaitAsync();
        try
        {
            await socket.SendAsync(bytes, type, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends one message as several WebSocket frames.</summary>
    public async Task SendFragmentedAsync(string text, int frameSize)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await _sendLock.WaitAsync();
        try
        {
            for (var offset = 0; offset < bytes.Length; offset += frameSize)
            {
                var count = Math.Min(frameSize, bytes.Length - offset);
                await socket.SendAsync(bytes.AsMemory(offset, count), WebSocketMessageType.Text, offset + count == bytes.Length, CancellationToken.None);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public Task NotifyAsync(string method, string subscriptionId, string rawResult) =>
        SendRawAsync($"{{\"jsonrpc\":\"2.0\",\"method\":\"{method}\",\"params\":{{\"subscription\":\"{subscriptionId}\",\"result\":{rawResult}}}}}");

    public void Abort() => socket.Abort();
}

internal sealed class TestRequest(TestConnection connection, JsonElement message)
{
    public TestConnection Connection { get; } = connection;

    public JsonElement Message { get; } = message;

    public string Method => Message.GetProperty("method").GetString()!;

    public string IdRaw => Message.GetProperty("id").GetRawText();

    public JsonElement Params => Message.GetProperty("params");

    public Task ReplyAsync(string rawResult) =>
        Connection.SendRawAsync($"{{\"jsonrpc\":\"2.0\",\"id\":{IdRaw},\"result\":{rawResult}}}");

    public Task ReplyErrorAsync(int code, string message, string? rawData = null) =>
        Connection.SendRawAsync(
            $"{{\"jsonrpc\":\"2.0\",\"id\":{IdRaw},\"error\":{{\"code\":{code},\"message\":{JsonSerializer.Serialize(message)}{(rawData is null ? "" : ",\"data\":" + rawData)}}}}}");
}
