using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Entropy.Rpc;

namespace Entropy.Benchmarks;

/// <summary>JSON-RPC round trips over a loopback WebSocket: <c>state_getStorage</c> against a minimal in-process server.</summary>
[MemoryDiagnoser]
public class RpcBenchmarks
{
    private static readonly object?[] s_params = ["0x26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9de1e86a9a8c739864cf3cc5ec2bea59fd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"];
    private HttpListener _listener = null!;
    private CancellationTokenSource _stop = null!;
    private RpcClient _client = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var port = FreePort();
        _listener = new HttpListener();
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _stop = new CancellationTokenSource();
        _ = AcceptLoopAsync();
        _client = await RpcClient.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/"));
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _client.DisposeAsync();
        await _stop.CancelAsync();
        _listener.Close();
    }

    /// <summary>One request, one response.</summary>
    [Benchmark]
    public Task<JsonElement> GetStorageRoundTrip() => _client.InvokeIdempotentAsync("state_getStorage", s_params);

    /// <summary>Sixteen requests in flight on one connection.</summary>
    [Benchmark(OperationsPerInvoke = 16)]
    public Task GetStorage16Concurrent()
    {
        var tasks = new Task[16];
        for (var i = 0; i < tasks.Length; i++)
        {
            tasks[i] = _client.InvokeIdempotentAsync("state_getStorage", s_params);
        }

        return Task.WhenAll(tasks);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(context);
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        var ws = (await context.AcceptWebSocketAsync(null)).WebSocket;
        var buffer = new byte[64 * 1024];
        var value = "0x" + string.Concat(Enumerable.Repeat("0000000001000000010000000000000000a0dec5adc9353600000000000000", 1));
        var sendLock = new SemaphoreSlim(1, 1);
        try
        {
            while (ws.State == WebSocketState.Open)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await ws.ReceiveAsync(buffer.AsMemory(count), _stop.Token);
                    count += result.Count;
                }
                while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return;
                }

                using var request = JsonDocument.Parse(buffer.AsMemory(0, count));
                var id = request.RootElement.GetProperty("id").GetRawText();
                var response = Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":\"{value}\"}}");
                await sendLock.WaitAsync();
                try
                {
                    await ws.SendAsync(response, WebSocketMessageType.Text, true, _stop.Token);
                }
                finally
                {
                    sendLock.Release();
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Client gone or benchmark over.
        }
    }
}
