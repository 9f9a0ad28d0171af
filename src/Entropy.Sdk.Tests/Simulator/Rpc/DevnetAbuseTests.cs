using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Entropy.Tests.Devnet;

namespace Entropy.Tests.Simulator.Rpc;

/// <summary>
/// A hostile JSON-RPC client against a devnet process (black box, 100 ms blocks): one frame with a batch of 1,000
/// <c>state_getMetadata</c>, a batch whose answers pass the response cap, 1,100 subscriptions on one socket, and a client that asks
/// for 200 metadata answers and never reads them. The devnet answers with jsonrpsee's errors, drops the slow consumer, keeps
/// producing blocks and stays under its memory ceiling (docs/reliability.md).
/// </summary>
[Category("Abuse")]
[NonParallelizable]
public class DevnetAbuseTests
{
    /// <summary>The resident-set ceiling the abuse must not push the devnet past (docs/reliability.md; 2.2–2.4 GB before the caps).</summary>
    private const long RssCeilingBytes = 1L << 30;
    private DevnetProcess _devnet = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        Assume.That(OperatingSystem.IsLinux(), "the devnet's resident set is read from /proc (Linux)");
        _devnet = await DevnetProcess.StartAsync("--block-time", "100");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_devnet is not null)
        {
            await _devnet.DisposeAsync();
        }
    }

    [Test]
    public async Task Batch_1000StateGetMetadata_RefusedAsTooLargeWithoutBuildingAnswers()
    {
        using var socket = await ConnectAsync();
        var before = Rss();
        await SendAsync(socket, Batch("state_getMetadata", 1000));
        using var answer = JsonDocument.Parse(await ReceiveAsync(socket));
        TestContext.Progress.WriteLine($"abuse: batch of 1,000 state_getMetadata → RSS {before / 1048576} → {Rss() / 1048576} MiB");
        var rss = Rss();
        Assert.Multiple(() =>
        {
            Assert.That(answer.RootElement.GetProperty("error").GetProperty("code").GetInt32(), Is.EqualTo(-32010), answer.RootElement.ToString());
            Assert.That(answer.RootElement.GetProperty("error").GetProperty("data").GetString(), Is.EqualTo("Exceeded max limit of 100"));
            Assert.That(rss, Is.LessThan(RssCeilingBytes));
        });
    }

    [Test]
    public async Task Batch_100StateGetMetadata_AnswersPastTheResponseCap_OneOversizedResponseError()
    {
        using var socket = await ConnectAsync();
        await SendAsync(socket, Batch("state_getMetadata", 100));
        var text = await ReceiveAsync(socket);
        using var answer = JsonDocument.Parse(text);
        TestContext.Progress.WriteLine($"abuse: batch of 100 state_getMetadata → {text.Length} bytes answered, RSS {Rss() / 1048576} MiB");
        var rss = Rss();
        Assert.Multiple(() =>
        {
            Assert.That(answer.RootElement.GetProperty("error").GetProperty("code").GetInt32(), Is.EqualTo(-32008), text[..Math.Min(300, text.Length)]);
            Assert.That(text.Length, Is.LessThan(1024));
            Assert.That(rss, Is.LessThan(RssCeilingBytes));
        });

        // A batch within both caps is still answered in full.
        await SendAsync(socket, Batch("chain_getBlockHash", 10));
        using var small = JsonDocument.Parse(await ReceiveAsync(socket));
        Assert.That(small.RootElement.GetArrayLength(), Is.EqualTo(10));
    }

    [Test]
    public async Task Subscriptions_1100OnOneSocket_1024AcceptedRestRefused_BlocksKeepComingAndCleanUpIsQuick()
    {
        var socket = await ConnectAsync();
        var accepted = 0;
        var refused = 0;
        var started = Stopwatch.GetTimestamp();
        var reader = new Reader(socket);
        for (var sent = 0; sent < 1100; sent += 100)
        {
            await SendAsync(socket, Batch("chain_subscribeNewHeads", 100, sent));
            foreach (var response in (await reader.NextResponseAsync()).RootElement.EnumerateArray())
            {
                if (response.TryGetProperty("result", out _))
                {
                    accepted++;
                }
                else if (response.GetProperty("error").GetProperty("code").GetInt32() == -32006)
                {
                    refused++;
                }
            }
        }

        var acceptTime = Stopwatch.GetElapsedTime(started);
        var bestBefore = await BestNumberAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var bestAfter = await BestNumberAsync();
        var notifications = reader.Notifications;
        var disconnected = Stopwatch.GetTimestamp();
        await reader.DisposeAsync();
        socket.Dispose();

        // After the disconnect the devnet answers a fresh connection at once, and its subscriptions work.
        using var fresh = await ConnectAsync();
        await SendAsync(fresh, """{"jsonrpc":"2.0","id":1,"method":"chain_subscribeNewHeads","params":[]}""");
        using var subscribed = JsonDocument.Parse(await ReceiveAsync(fresh));
        var cleanUp = Stopwatch.GetElapsedTime(disconnected);
        var rss = Rss();
        TestContext.Progress.WriteLine(
            $"abuse: 1,100 subscriptions → {accepted} accepted in {acceptTime.TotalMilliseconds:0} ms, {refused} refused; blocks {bestBefore}→{bestAfter} in 2 s with {notifications} notifications; fresh subscription {cleanUp.TotalMilliseconds:0} ms after disconnect; RSS {rss / 1048576} MiB");
        Assert.Multiple(() =>
        {
            Assert.That(accepted, Is.EqualTo(1024));
            Assert.That(refused, Is.EqualTo(76));
            Assert.That(bestAfter - bestBefore, Is.GreaterThanOrEqualTo(10), "100 ms blocks keep coming (at least half the rate) with 1,024 subscribers");
            Assert.That(subscribed.RootElement.GetProperty("result").GetString(), Has.Length.EqualTo(16));
            Assert.That(cleanUp, Is.LessThan(TimeSpan.FromSeconds(5)));
            Assert.That(rss, Is.LessThan(RssCeilingBytes));
        });
    }

    [Test]
    public async Task SlowConsumer_Asks200MetadataAndNeverReads_ConnectionDroppedAndMemoryReleased()
    {
        var socket = await ConnectAsync();
        for (var i = 0; i < 200; i++)
        {
            await SendAsync(socket, $$"""{"jsonrpc":"2.0","id":{{i}},"method":"state_getMetadata","params":[]}""");
        }

        // Read only after a while (a consumer slower than its requests): the devnet must have closed the connection rather than
        // keep ~77 MB of answers queued for it.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var dropped = false;
        var answers = 0;
        var buffer = new byte[1 << 20];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    dropped = true;
                    break;
                }

                if (result.EndOfMessage && ++answers == 200)
                {
                    break;
                }
            }
        }
        catch (WebSocketException)
        {
            dropped = true;
        }

        socket.Dispose();
        var rss = Rss();
        var best = await BestNumberAsync();
        TestContext.Progress.WriteLine($"abuse: slow consumer of 200 metadata answers → dropped {dropped} after {answers} answers, RSS {rss / 1048576} MiB");
        Assert.Multiple(() =>
        {
            Assert.That(dropped, Is.True, "the connection is closed by the devnet");
            Assert.That(rss, Is.LessThan(RssCeilingBytes));
            Assert.That(best, Is.GreaterThan(0u), "the devnet still answers");
        });
    }

    private static string Batch(string method, int count, int firstId = 0) =>
        "[" + string.Join(',', Enumerable.Range(firstId, count).Select(i => $$"""{"jsonrpc":"2.0","id":{{i}},"method":"{{method}}","params":[]}""")) + "]";

    private long Rss()
    {
        var line = File.ReadLines($"/proc/{_devnet.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    private async Task<ClientWebSocket> ConnectAsync()
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(_devnet.Endpoint, CancellationToken.None);
        return socket;
    }

    private async Task<uint> BestNumberAsync()
    {
        using var socket = await ConnectAsync();
        await SendAsync(socket, """{"jsonrpc":"2.0","id":1,"method":"chain_getHeader","params":[]}""");
        using var answer = JsonDocument.Parse(await ReceiveAsync(socket));
        return Convert.ToUInt32(answer.RootElement.GetProperty("result").GetProperty("number").GetString()![2..], 16);
    }

    private static Task SendAsync(ClientWebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    private static async Task<string> ReceiveAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var message = new MemoryStream();
        var buffer = new byte[1 << 16];
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, timeout.Token);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return Encoding.UTF8.GetString(message.ToArray());
    }

    /// <summary>Reads a socket continuously (a well-behaved subscriber), counting notifications and handing responses over.</summary>
    private sealed class Reader : IAsyncDisposable
    {
        private readonly System.Threading.Channels.Channel<JsonDocument> _responses = System.Threading.Channels.Channel.CreateUnbounded<JsonDocument>();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private int _notifications;

        public Reader(ClientWebSocket socket) => _loop = Task.Run(() => LoopAsync(socket));

        public int Notifications => Volatile.Read(ref _notifications);

        public async Task<JsonDocument> NextResponseAsync() => await _responses.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _loop;
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException)
            {
            }

            _stop.Dispose();
        }

        private async Task LoopAsync(ClientWebSocket socket)
        {
            while (!_stop.IsCancellationRequested)
            {
                var text = await ReceiveCoreAsync(socket, _stop.Token);
                if (text.StartsWith("{\"jsonrpc\":\"2.0\",\"method\"", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _notifications);
                }
                else
                {
                    _responses.Writer.TryWrite(JsonDocument.Parse(text));
                }
            }
        }

        private static async Task<string> ReceiveCoreAsync(ClientWebSocket socket, CancellationToken cancellationToken)
        {
            using var message = new MemoryStream();
            var buffer = new byte[1 << 16];
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, cancellationToken);
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);
            return Encoding.UTF8.GetString(message.ToArray());
        }
    }
}
