using System.Diagnostics;
using System.Text.Json;
using Entropy.Chain;
using Entropy.Rpc;

namespace Entropy.Tests.Rpc;

/// <summary>
/// Hostile-node rows that run the node out of process (Rpc/HostileNode/hostile-node.js under Node.js, killed by PID): a node that
/// accepts TCP and never speaks, one that completes the WebSocket handshake and never answers, a notification whose error code is a string, and a
/// node killed while a call waits. Each asserts a typed exception within its timeout plus a fixed slack, and a client that can still be
/// disposed.
/// </summary>
[Category("HostileNode")]
public class HostileNodeProcessTests
{
    private static readonly TimeSpan s_slack = TimeSpan.FromSeconds(5);

    [Test]
    public async Task Connect_ProcessAcceptsTcpAndNeverSpeaks_TimesOutWithinConnectTimeout()
    {
        await using var node = await HostileNodeProcess.StartAsync("silent-tcp");
        var options = new RpcClientOptions { ConnectTimeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();

        var ex = Assert.ThrowsAsync<EntropyTimeoutException>(() => SubstrateClient.ConnectAsync(node.Endpoint, options));

        Assert.That(clock.Elapsed, Is.LessThan(options.ConnectTimeout + s_slack));
        Assert.That(ex!.Operation, Is.EqualTo("connect"));
        Assert.That(ex.Endpoint, Is.EqualTo(node.Endpoint));
    }

    [Test]
    public async Task Connect_ProcessAcceptsWebSocketAndNeverAnswers_TimesOutWithinConnectTimeout()
    {
        await using var node = await HostileNodeProcess.StartAsync("script", new Dictionary<string, object[]>());
        var options = new EntropyClientOptions();
        options.Rpc.ConnectTimeout = TimeSpan.FromSeconds(3);
        var clock = Stopwatch.StartNew();

        var ex = Assert.ThrowsAsync<EntropyTimeoutException>(() => EntropyClient.ConnectAsync(node.Endpoint, options));

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3) + s_slack));
        Assert.That(ex!.Operation, Is.EqualTo("connect"));
        Assert.That(ex.Timeout, Is.EqualTo(TimeSpan.FromSeconds(3)));
    }

    [Test]
    public async Task RuntimeVersionNotificationWithStringErrorCode_ClientKeepsWorkingAndDisposesCleanly()
    {
        await using var node = await HostileNodeProcess.StartAsync("script", new Dictionary<string, object[]>
        {
            ["state_subscribeRuntimeVersion"] =
            [
                "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"rv\"}",
                "{\"jsonrpc\":\"2.0\",\"method\":\"state_runtimeVersion\",\"params\":{\"subscription\":\"rv\",\"error\":{\"code\":\"boom\",\"message\":\"bad\"}}}",
            ],
            ["system_name"] = ["{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"hostile\"}"],
        });
        var client = await RpcClient.ConnectAsync(node.Endpoint, new RpcClientOptions { RequestTimeout = TimeSpan.FromSeconds(10) });
        var subscription = await client.SubscribeAsync("state_subscribeRuntimeVersion", "state_unsubscribeRuntimeVersion", resubscribeOnReconnect: true);

        var ended = Assert.ThrowsAsync<EntropyRpcException>(() => subscription.ReadAsync());
        var clock = Stopwatch.StartNew();
        var names = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => client.InvokeAsync("system_name")));

        Assert.That(ended!.ServerMessage, Is.EqualTo("bad"));
        Assert.That(names.Select(n => n.GetString()), Is.All.EqualTo("hostile"));
        Assert.That(clock.Elapsed, Is.LessThan(s_slack), "answered at once, not after a timeout");
        Assert.That(client.State, Is.EqualTo(RpcConnectionState.Connected));
        Assert.That(async () => await client.DisposeAsync(), Throws.Nothing);
    }

    [Test]
    public async Task NodeKilledByPidWhileACallWaits_CallFailsTransientAtOnce_ThenClientClosesTyped()
    {
        var node = await HostileNodeProcess.StartAsync("script", new Dictionary<string, object[]>
        {
            ["state_subscribeRuntimeVersion"] = ["{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"rv\"}"],
            ["system_name"] = ["{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"hostile\"}"],
        });
        var options = new RpcClientOptions { RequestTimeout = TimeSpan.FromSeconds(30), ConnectTimeout = TimeSpan.FromSeconds(2) };
        options.Reconnect.MaxAttempts = 2;
        options.Reconnect.Delay = TimeSpan.FromMilliseconds(100);
        var client = await RpcClient.ConnectAsync(node.Endpoint, options);
        var subscription = await client.SubscribeAsync("state_subscribeRuntimeVersion", "state_unsubscribeRuntimeVersion", resubscribeOnReconnect: true);
        Assert.That((await client.InvokeAsync("system_name")).GetString(), Is.EqualTo("hostile"));
        var waiting = client.InvokeAsync("never_answered");
        await Task.Delay(200);

        var clock = Stopwatch.StartNew();
        await node.DisposeAsync(); // Kills the process by PID.

        var lost = Assert.ThrowsAsync<EntropyConnectionException>(() => waiting);
        Assert.That(clock.Elapsed, Is.LessThan(s_slack), "the call fails when the connection drops, not after its 30 s timeout");
        Assert.That(lost!.FailureType, Is.EqualTo(ConnectionFailureType.ConnectionLost));
        Assert.That(lost.IsTransient, Is.True);
        var closed = Assert.ThrowsAsync<EntropyConnectionException>(() => subscription.ReadAsync());
        Assert.That(closed!.FailureType, Is.EqualTo(ConnectionFailureType.ConnectionClosed));
        Assert.That(clock.Elapsed, Is.LessThan(options.ConnectTimeout * 2 + s_slack), "two reconnect attempts, then it gives up");
        var later = Assert.ThrowsAsync<EntropyConnectionException>(() => client.InvokeAsync("system_name"));
        Assert.That(later!.FailureType, Is.EqualTo(ConnectionFailureType.ConnectionClosed));
        Assert.That(client.State, Is.EqualTo(RpcConnectionState.Closed));
        Assert.That(async () => await client.DisposeAsync(), Throws.Nothing);
    }

    [Test]
    public async Task FloodOfOversizedFrames_AreSkipped_ConnectionCarriesOnAndClientMemoryStaysFlat()
    {
        await using var node = await HostileNodeProcess.StartAsync("script", new Dictionary<string, object[]>
        {
            ["flood"] =
            [
                new { text = "{\"jsonrpc\":\"2.0\",\"id\":987654,\"result\":\"$PAD\"}", pad = 4 * 1024 * 1024, repeat = 10 },
                "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"flooded\"}",
            ],
        });
        await using var client = await RpcClient.ConnectAsync(node.Endpoint, new RpcClientOptions
        {
            Transport = new WebSocketRpcTransport { MaxMessageSize = 1024 * 1024 },
            RequestTimeout = TimeSpan.FromSeconds(60),
        });

        var memory = await FloodRoundsAsync(client, rounds: 4);

        Assert.That(client.DroppedMessages, Is.EqualTo(40));
        Assert.That(client.State, Is.EqualTo(RpcConnectionState.Connected));
        Assert.That(memory[^1] - memory[0], Is.LessThan(8L * 1024 * 1024),
            $"120 MB more went through (a leak of the skipped frames would keep 40 MB a round); heap after each round: {Describe(memory)}");
    }

    [Test]
    public async Task FloodOfHugeUncorrelatedErrors_AreDropped_ConnectionCarriesOnAndClientMemoryStaysFlat()
    {
        await using var node = await HostileNodeProcess.StartAsync("script", new Dictionary<string, object[]>
        {
            ["flood"] =
            [
                new { text = "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":1,\"message\":\"$PAD\"}}", pad = 2 * 1024 * 1024, repeat = 20 },
                "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"flooded\"}",
            ],
        });
        await using var client = await RpcClient.ConnectAsync(node.Endpoint, new RpcClientOptions { RequestTimeout = TimeSpan.FromSeconds(60) });

        var memory = await FloodRoundsAsync(client, rounds: 4);

        Assert.That(client.DroppedMessages, Is.EqualTo(80));
        Assert.That(memory[^1] - memory[0], Is.LessThan(8L * 1024 * 1024),
            $"120 MB more went through (a leak of the dropped messages would keep 40 MB a round); heap after each round: {Describe(memory)}");
    }

    private static async Task<List<long>> FloodRoundsAsync(RpcClient client, int rounds)
    {
        var memory = new List<long>();
        for (var round = 0; round < rounds; round++)
        {
            Assert.That((await client.InvokeAsync("flood")).GetString(), Is.EqualTo("flooded"));
            GC.Collect();
            GC.WaitForPendingFinalizers();
            memory.Add(GC.GetTotalMemory(forceFullCollection: true));
        }

        return memory;
    }

    private static string Describe(List<long> memory) => string.Join(", ", memory.Select(m => $"{m / 1024 / 1024} MB"));

    /// <summary>Rpc/HostileNode/hostile-node.js run under Node.js on an ephemeral 127.0.0.1 port; disposing kills it by PID.</summary>
    private sealed class HostileNodeProcess : IAsyncDisposable
    {
        private readonly Process _process;

        private HostileNodeProcess(Process process, Uri endpoint)
        {
            _process = process;
            Endpoint = endpoint;
        }

        public Uri Endpoint { get; }

        public static async Task<HostileNodeProcess> StartAsync(string mode, IReadOnlyDictionary<string, object[]>? script = null)
        {
            var start = new ProcessStartInfo("node")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Rpc", "HostileNode", "hostile-node.js"));
            start.ArgumentList.Add(mode);
            if (script is not null)
            {
                start.ArgumentList.Add(JsonSerializer.Serialize(script));
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node (Node.js 18+ must be on PATH).");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                if (line is null || !line.StartsWith("port=", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"hostile-node.js did not start: {line} {await process.StandardError.ReadToEndAsync(timeout.Token)}");
                }

                return new HostileNodeProcess(process, new Uri($"ws://127.0.0.1:{line["port=".Length..]}"));
            }
            catch
            {
                process.Kill();
                process.Dispose();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }
    }
}
