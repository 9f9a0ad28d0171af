using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Entropy.Rpc;
using Polly;
using Microsoft.Extensions.Time.Testing;

namespace Entropy.Tests.Rpc;

public class RpcClientTests
{
    private TestRpcServer _server = null!;

    [SetUp]
    public async Task SetUp() => _server = await TestRpcServer.StartAsync();

    [TearDown]
    public async Task TearDown() => await _server.DisposeAsync();

    private Task<RpcClient> ConnectAsync(Action<RpcClientOptions>? configure = null)
    {
        var options = new RpcClientOptions();
        configure?.Invoke(options);
        return RpcClient.ConnectAsync(_server.Endpoint, options);
    }

    [Test]
    public async Task InvokeAsync_CannedResult_ReturnsResultMember()
    {
        _server.Results["chain_getBlockHash"] = "\"0x4545\"";
        await using var client = await ConnectAsync();

        var result = await client.InvokeAsync("chain_getBlockHash", [0]);

        Assert.That(result.GetString(), Is.EqualTo("0x4545"));
        Assert.That(client.State, Is.EqualTo(RpcConnectionState.Connected));
    }

    [Test]
    public async Task InvokeAsync_Parameters_AreSerializedAsJsonRpcPositionalParams()
    {
        _server.Results["m"] = "null";
        await using var client = await ConnectAsync();

        await client.InvokeAsync("m", ["s", 42, true, null, new byte[] { 0xab, 0x01 }, new object?[] { 1u, "x" }]);
        var request = await _server.NextRequestAsync("m");

        Assert.That(request.Params.GetRawText(), Is.EqualTo("[\"s\",42,true,null,\"0xab01\",[1,\"x\"]]"));
        Assert.That(request.Message.GetProperty("jsonrpc").GetString(), Is.EqualTo("2.0"));
    }

    [Test]
    public async Task InvokeAsync_DictionaryParameter_IsSerializedAsJsonObject()
    {
        _server.Results["dev_newBlock"] = "null";
        await using var client = await ConnectAsync();

        await client.InvokeAsync("dev_newBlock", [new Dictionary<string, object?> { ["count"] = 3, ["to"] = null }]);
        var request = await _server.NextRequestAsync("dev_newBlock");

        Assert.That(request.Params.GetRawText(), Is.EqualTo("[{\"count\":3,\"to\":null}]"));
    }

    [Test]
    public async Task InvokeAsync_ManyConcurrentRequestsAnsweredInReverseOrder_EachGetsItsOwnResponse()
    {
        const int count = 64;
        var received = new List<TestRequest>();
        _server.Handler = async request =>
        {
            List<TestRequest>? batch = null;
            lock (received)
            {
                received.Add(request);
                if (received.Count == count)
                {
                    batch = [.. received];
                }
            }

            if (batch is not null)
            {
                batch.Reverse();
                foreach (var r in batch)
                {
                    await r.ReplyAsync((r.Params[0].GetInt32() * 2).ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            return true;
        };
        await using var client = await ConnectAsync();

        var tasks = Enumerable.Range(0, count).Select(i => client.InvokeAsync("double", [i])).ToArray();
        var results = await Task.WhenAll(tasks);

        Assert.That(results.Select(r => r.GetInt32()), Is.EqualTo(Enumerable.Range(0, count).Select(i => i * 2)));
    }

    [Test]
    public async Task InvokeAsync_ErrorResponse_ThrowsEntropyRpcExceptionWithCodeDataAndMethod()
    {
        _server.Handler = async request =>
        {
            await request.ReplyErrorAsync(1010, "Invalid Transaction", "\"Transaction has a bad signature\"");
            return true;
        };
        await using var client = await ConnectAsync();

        var ex = Assert.ThrowsAsync<EntropyRpcException>(() => client.InvokeAsync("author_submitExtrinsic", ["0x00"]));

        Assert.That(ex!.Code, Is.EqualTo(1010));
        Assert.That(ex.ServerMessage, Is.EqualTo("Invalid Transaction"));
        Assert.That(ex.Data, Is.EqualTo("\"Transaction has a bad signature\""));
        Assert.That(ex.Method, Is.EqualTo("author_submitExtrinsic"));
        Assert.That(ex.IsTransient, Is.False);
        Assert.That(ex.Message, Does.Contain("author_submitExtrinsic").And.Contain(_server.Endpoint.ToString()).And.Contain(" ms"));
    }

    [Test]
    public async Task InvokeAsync_ServerBusyError_IsTransient()
    {
        _server.Handler = async request =>
        {
            await request.ReplyErrorAsync(-32009, "Server is busy");
            return true;
        };
        await using var client = await ConnectAsync();

        var ex = Assert.ThrowsAsync<EntropyRpcException>(() => client.InvokeAsync("state_getStorage", ["0x00"]));

        Assert.That(ex!.IsTransient, Is.True);
        Assert.That(ex.Data, Is.Null);
    }

    [Test]
    public async Task InvokeAsync_NodeAnswersGarbage_GarbageIsDroppedAndTheCallEndsByItsTimeout()
    {
        _server.Handler = async request =>
        {
            await request.Connection.SendRawAsync("this is {not json");
            return true;
        };
        await using var client = await ConnectAsync(o => o.RequestTimeout = TimeSpan.FromMilliseconds(500));

        var ex = Assert.ThrowsAsync<EntropyTimeoutException>(() => client.InvokeAsync("system_health"));

        Assert.That(ex!.Operation, Is.EqualTo("system_health"));
        Assert.That(ex.Message, Does.Contain(_server.Endpoint.ToString()));
        Assert.That(client.DroppedMessages, Is.EqualTo(1));
        Assert.That(client.State, Is.EqualTo(RpcConnectionState.Connected));
    }

    [Test]
    public async Task InvokeAsync_ResponseWithNeitherResultNorError_ThrowsProtocolException()
    {
        _server.Handler = async request =>
        {
            await request.Connection.SendRawAsync($"{{\"jsonrpc\":\"2.0\",\"id\":{request.IdRaw}}}");
            return true;
        };
        await using var client = await ConnectAsync();

        var ex = Assert.ThrowsAsync<EntropyRpcProtocolException>(() => client.InvokeAsync("system_health"));

        Assert.That(ex!.Code, Is.EqualTo(EntropyRpcProtocolException.InvalidMessageCode));
        Assert.That(ex.Message, Does.Contain("neither 'result' nor 'error'"));
    }

    [Test]
    public async Task InvokeAsync_GarbageThenValidUse_ConnectionStaysUsable()
    {
        var first = true;
        _server.Handler = async request =>
        {
            if (first)
            {
                first = false;
                await request.Connection.SendRawAsync("42");
            }
            else
            {
                await request.ReplyAsync("7");
            }

            return true;
        };
        await using var client = await ConnectAsync(o => o.RequestTimeout = TimeSpan.FromMilliseconds(500));

        Assert.ThrowsAsync<EntropyTimeoutException>(() => client.InvokeAsync("a"));
        var second = await client.InvokeAsync("b");

        Assert.That(second.GetInt32(), Is.EqualTo(7));
    }

    [Test]
    public async Task InvokeAsync_NoResponseWithinTimeout_ThrowsEntropyTimeoutExceptionNamingMethodAndEndpoint()
    {
        var time = new FakeTimeProvider();
        await using var client = await ConnectAsync(o =>
        {
            o.TimeProvider = time;
            o.RequestTimeout = TimeSpan.FromSeconds(5);
        });

        var call = client.InvokeAsync("state_getMetadata");
        await _server.NextRequestAsync("state_getMetadata");
        time.Advance(TimeSpan.FromSeconds(6));

        var ex = Assert.ThrowsAsync<EntropyTimeoutException>(() => call);
        Assert.That(ex!.Operation, Is.EqualTo("state_getMetadata"));
        Assert.That(ex.Endpoint, Is.EqualTo(_server.Endpoint));
        Assert.That(ex.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(ex.IsTransient, Is.True);
        Assert.That(ex, Is.InstanceOf<EntropyException>());
        Assert.That(ex.Message, Does.Contain("state_getMetadata").And.Contain(_server.Endpoint.ToString()).And.Contain("6000 ms"));
    }

    [Test]
    public async Task InvokeAsync_CallerCancels_ThrowsOperationCanceledNotTimeout()
    {
        await using var client = await ConnectAsync();
        using var cts = new CancellationTokenSource();

        var call = client.InvokeAsync("never", cancellationToken: cts.Token);
        await _server.NextRequestAsync("never");
        await cts.CancelAsync();

        Assert.That(async () => await call, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task InvokeAsync_LargeResultInManyFrames_IsReassembledExactly()
    {
        var hex = "0x" + string.Concat(Enumerable.Range(0, 600_000).Select(i => (i % 16).ToString("x", System.Globalization.CultureInfo.InvariantCulture)));
        _server.Handler = async request =>
        {
            await request.Connection.SendFragmentedAsync($"{{\"jsonrpc\":\"2.0\",\"id\":{request.IdRaw},\"result\":\"{hex}\"}}", 7_777);
            return true;
        };
        await using var client = await ConnectAsync();

        var first = await client.InvokeAsync("state_getMetadata");
        var second = await client.InvokeAsync("state_getMetadata");

        Assert.That(first.GetString(), Is.EqualTo(hex));
        Assert.That(second.GetString(), Is.EqualTo(hex));
    }

    [Test]
    public async Task SubscribeAsync_NotificationRightBehindResponse_IsDeliveredInOrder()
    {
        _server.Handler = async request =>
        {
            if (request.Method == "chain_subscribeNewHeads")
            {
                await request.ReplyAsync("\"sub-1\"");
                await request.Connection.NotifyAsync("chain_newHead", "sub-1", "{\"number\":\"0x1\"}");
                await request.Connection.NotifyAsync("chain_newHead", "other", "{\"number\":\"0x99\"}");
                await request.Connection.NotifyAsync("chain_newHead", "sub-1", "{\"number\":\"0x2\"}");
                return true;
            }

            return false;
        };
        _server.Results["chain_unsubscribeNewHeads"] = "true";
        await using var client = await ConnectAsync();

        await using var heads = await client.SubscribeAsync("chain_subscribeNewHeads", "chain_unsubscribeNewHeads");
        var a = await heads.ReadAsync();
        var b = await heads.ReadAsync();

        Assert.That(heads.Id, Is.EqualTo("sub-1"));
        Assert.That(a.GetProperty("number").GetString(), Is.EqualTo("0x1"));
        Assert.That(b.GetProperty("number").GetString(), Is.EqualTo("0x2"));
    }

    [Test]
    public async Task SubscriptionDisposeAsync_SendsUnsubscribeWithTheIdAndEndsTheStream()
    {
        _server.Results["state_subscribeRuntimeVersion"] = "7";
        _server.Results["state_unsubscribeRuntimeVersion"] = "true";
        await using var client = await ConnectAsync();
        var subscription = await client.SubscribeAsync("state_subscribeRuntimeVersion", "state_unsubscribeRuntimeVersion");

        await subscription.DisposeAsync();
        var unsubscribe = await _server.NextRequestAsync("state_unsubscribeRuntimeVersion");

        Assert.That(unsubscribe.Params.GetRawText(), Is.EqualTo("[\"7\"]"));
        Assert.That(subscription.IsCompleted, Is.True);
        Assert.ThrowsAsync<InvalidOperationException>(() => subscription.ReadAsync());
    }

    [Test]
    public async Task SubscribeAsync_NodeRefuses_ThrowsEntropyRpcException()
    {
        _server.Handler = async request =>
        {
            await request.ReplyErrorAsync(-32601, "Method not found");
            return true;
        };
        await using var client = await ConnectAsync();

        var ex = Assert.ThrowsAsync<EntropyRpcException>(() => client.SubscribeAsync("x_subscribe", "x_unsubscribe"));

        Assert.That(ex!.Code, Is.EqualTo(-32601));
    }

    [Test]
    public async Task ServerDrop_PendingRequestFailsTransient_ClientReconnectsAndResubscribesHeadsButEndsWatches()
    {
        var headsSubscribed = 0;
        _server.Handler = async request =>
        {
            switch (request.Method)
            {
                case "chain_subscribeNewHeads":
                    var n = Interlocked.Increment(ref headsSubscribed);
                    await request.ReplyAsync($"\"heads-{n}\"");
                    return true;
                case "author_submitAndWatchExtrinsic":
                    await request.ReplyAsync("\"watch-1\"");
                    return true;
                case "hang":
                    return true;
                default:
                    return false;
            }
        };
        _server.Results["system_health"] = "{\"peers\":0}";
        await using var client = await ConnectAsync();
        var heads = await client.SubscribeAsync("chain_subscribeNewHeads", "chain_unsubscribeNewHeads", resubscribeOnReconnect: true);
        var watch = await client.SubscribeAsync("author_submitAndWatchExtrinsic", "author_unwatchExtrinsic", ["0x00"]);
        var pending = client.InvokeAsync("hang");
        await _server.NextRequestAsync("hang");

        _server.DropAll();

        var lost = Assert.ThrowsAsync<EntropyConnectionException>(() => pending);
        Assert.That(lost!.FailureType, Is.EqualTo(ConnectionFailureType.ConnectionLost));
        Assert.That(lost.IsTransient, Is.True);
        Assert.That(lost.Message, Does.Contain("hang").And.Contain(_server.Endpoint.ToString()));
        var watchEnded = Assert.ThrowsAsync<EntropyConnectionException>(() => watch.ReadAsync());
        Assert.That(watchEnded!.FailureType, Is.EqualTo(ConnectionFailureType.ConnectionLost));

        await _server.WaitForConnectionsAsync(2);
        var resubscribe = await _server.NextRequestAsync("chain_subscribeNewHeads");
        Assert.That(resubscribe.Connection.Number, Is.EqualTo(2));
        var health = await client.InvokeAsync("system_health");
        await _server.LatestConnection.NotifyAsync("chain_newHead", "heads-2", "{\"number\":\"0x5\"}");
        var head = await heads.ReadAsync();

        Assert.That(health.GetProperty("peers").GetInt32(), Is.Zero);
        Assert.That(head.GetProperty("number").GetString(), Is.EqualTo("0x5"));
        Assert.That(heads.Id, Is.EqualTo("heads-2"));
        Assert.That(client.State, Is.EqualTo(RpcConnectionState.Connected));
    }

    [Test]
    public async Task InvokeIdempotentAsync_ConnectionDropsOnFirstAttempt_RetriesAndSucceeds()
    {
        var attempts = 0;
        _server.Handler = async request =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                request.Connection.Abort();
            }
            else
            {
                await request.ReplyAsync("\"0x01\"");
            }

            return true;
        };
        await using var client = await ConnectAsync(o => o.Retry.Delay = TimeSpan.Zero);

        var result = await client.InvokeIdempotentAsync("state_getStorage", ["0xaa"]);

        Assert.That(result.GetString(), Is.EqualTo("0x01"));
        Assert.That(attempts, Is.EqualTo(2));
    }

    [Test]
    public async Task InvokeAsync_ConnectionDropsDuringSubmission_IsNotRetried()
    {
        var attempts = 0;
        _server.Handler = request =>
        {
            Interlocked.Increment(ref attempts);
            request.Connection.Abort();
            return Task.FromResult(true);
        };
        await using var client = await ConnectAsync(o => o.Retry.Delay = TimeSpan.Zero);

        var ex = Assert.ThrowsAsync<EntropyConnectionException>(() => client.InvokeAsync("author_submitExtrinsic", ["0x00"]));
        await _server.WaitForConnectionsAsync(2);

        Assert.That(ex!.IsTransient, Is.True);
        Assert.That(_server.Methods.Count(m => m == "author_submitExtrinsic"), Is.EqualTo(1));
    }

    [Test]
    public async Task ReadPipeline_CustomPipeline_IsUsedForIdempotentReads()
    {
        var executions = 0;
        var pipeline = new Polly.ResiliencePipelineBuilder()
            .AddStrategy(_ => new CountingStrategy(() => Interlocked.Increment(ref executions)), new CountingOptions())
            .Build();
        _server.Results["state_getStorage"] = "null";
        await using var client = await ConnectAsync(o => o.ReadPipeline = pipeline);

        var result = await client.InvokeIdempotentAsync("state_getStorage", ["0x00"]);
        await client.InvokeAsync("state_getStorage", ["0x00"]);

        Assert.That(result.ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(executions, Is.EqualTo(1));
    }

    [Test]
    public async Task ReconnectGivesUp_StateClosed_RequestsAndSubscriptionsFailWithConnectionClosed()
    {
        _server.Results["chain_subscribeFinalizedHeads"] = "\"f\"";
        var client = await ConnectAsync(o => o.Reconnect.MaxAttempts = 1);
        var finalized = await client.SubscribeAsync("chain_subscribeFinalizedHeads", "chain_unsubscribeFinalizedHeads", resubscribeOnReconnect: true);

        await _server.DisposeAsync();
        var ended = Assert.ThrowsAsync<EntropyConnectionException>(() => finalized.ReadAsync());
        var later = Assert.ThrowsAsync<EntropyConnectionException>(() => client.InvokeAsync("system_health"));

        Assert.That(ended!.FailureType, Is.EqualTo(ConnectionFailureType.ConnectionClosed));
        Assert.That(later!.FailureType, Is.EqualTo(ConnectionFailureType.ConnectionClosed));
        Assert.That(client.State, Is.EqualTo(RpcConnectionState.Closed));
        await client.DisposeAsync();
        _server = await TestRpcServer.StartAsync();
    }

    [Test]
    public async Task DisposeAsync_PendingRequestFailsClosed_AndLaterCallsThrowObjectDisposed()
    {
        var client = await ConnectAsync();
        var pending = client.InvokeAsync("hang");
        await _server.NextRequestAsync("hang");

        await client.DisposeAsync();

        var ex = Assert.ThrowsAsync<EntropyConnectionException>(() => pending);
        Assert.That(ex!.FailureType, Is.EqualTo(ConnectionFailureType.ConnectionClosed));
        Assert.That(ex.IsTransient, Is.False);
        Assert.That(client.State, Is.EqualTo(RpcConnectionState.Closed));
        Assert.ThrowsAsync<ObjectDisposedException>(() => client.InvokeAsync("system_health"));
    }

    [Test]
    public void ConnectAsync_NothingListening_ThrowsUnableToConnect()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var ex = Assert.ThrowsAsync<EntropyConnectionException>(() => RpcClient.ConnectAsync(new Uri($"ws://127.0.0.1:{port}")));

        Assert.That(ex!.FailureType, Is.EqualTo(ConnectionFailureType.UnableToConnect));
        Assert.That(ex.Message, Does.Contain($"127.0.0.1:{port}"));
    }

    [TestCase("http://127.0.0.1:9944")]
    [TestCase("https://rpc.example.org/")]
    [TestCase("tcp://127.0.0.1:9944")]
    public void ConnectAsync_NotAWebSocketEndpoint_ThrowsArgumentExceptionNamingWsAndWss(string endpoint)
    {
        var uri = new Uri(endpoint);

        var rpc = Assert.ThrowsAsync<ArgumentException>(() => RpcClient.ConnectAsync(uri));
        var chain = Assert.ThrowsAsync<ArgumentException>(() => Entropy.Chain.SubstrateClient.ConnectAsync(uri));
        var entropy = Assert.ThrowsAsync<ArgumentException>(() => EntropyClient.ConnectAsync(uri));

        foreach (var ex in new[] { rpc!, chain!, entropy! })
        {
            Assert.That(ex.ParamName, Is.EqualTo("endpoint"));
            Assert.That(ex.Message, Does.Contain("ws://").And.Contain("wss://").And.Contain(uri.Scheme + "://"));
        }
    }

    [Test]
    public void ConnectAsync_InvalidOption_ThrowsArgumentExceptionNamingTheProperty()
    {
        var options = new RpcClientOptions { RequestTimeout = TimeSpan.FromSeconds(-1) };

        var ex = Assert.ThrowsAsync<ArgumentException>(() => RpcClient.ConnectAsync(_server.Endpoint, options));

        Assert.That(ex!.ParamName, Is.EqualTo(nameof(RpcClientOptions.RequestTimeout)));
    }

    [Test]
    public async Task WebSocketTransport_MessageOverMaxSize_IsSkippedAndTheConnectionGoesOn()
    {
        _server.Handler = async request =>
        {
            await request.ReplyAsync(request.Method == "big" ? "\"" + new string('a', 5000) + "\"" : "1");
            return true;
        };
        await using var client = await ConnectAsync(o =>
        {
            o.Transport = new WebSocketRpcTransport { MaxMessageSize = 1000 };
            o.Reconnect.MaxAttempts = 0;
            o.RequestTimeout = TimeSpan.FromMilliseconds(500);
        });

        Assert.ThrowsAsync<EntropyTimeoutException>(() => client.InvokeAsync("big"));
        var small = await client.InvokeAsync("small");

        Assert.That(small.GetInt32(), Is.EqualTo(1));
        Assert.That(client.DroppedMessages, Is.EqualTo(1));
        Assert.That(_server.ConnectionCount, Is.EqualTo(1));
    }

    [Test]
    public async Task SubscribeAsync_WatchOpenedWhileReconnecting_IsSentOnceOnTheNewConnection()
    {
        // A watch opened while the client reconnects must go out once: its own request, not also a "resubscription" (which, for an
        // extrinsic watch, would submit the transaction twice and make one of the two answers "already imported").
        _server.Handler = async request =>
        {
            if (request.Method != "author_submitAndWatchExtrinsic")
            {
                return false;
            }

            await request.ReplyAsync("\"watch-" + request.Connection.Number + "\"");
            return true;
        };
        _server.Results["system_health"] = "{\"peers\":0}";
        var transport = new GatedTransport();
        await using var client = await ConnectAsync(o => o.Transport = transport);
        transport.HoldNextConnect();

        _server.DropAll();
        await transport.ConnectHeld.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(client.State, Is.EqualTo(RpcConnectionState.Reconnecting));
        var opening = client.SubscribeAsync("author_submitAndWatchExtrinsic", "author_unwatchExtrinsic", ["0x00"]);
        transport.Release();
        var watch = await opening;
        await client.InvokeAsync("system_health"); // after anything else the reconnect sent

        Assert.That(_server.Methods.Count(m => m == "author_submitAndWatchExtrinsic"), Is.EqualTo(1));
        Assert.That(watch.Id, Is.EqualTo("watch-2"));
    }

    /// <summary>A WebSocket transport whose next connect waits until released (to hold the client in the reconnecting state).</summary>
    private sealed class GatedTransport : RpcTransport
    {
        private readonly WebSocketRpcTransport _inner = new();
        private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _hold;

        public Task ConnectHeld => _held.Task;

        public void HoldNextConnect() => Volatile.Write(ref _hold, 1);

        public void Release() => _release.TrySetResult();

        public override async Task ConnectAsync(Uri endpoint, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _hold, 0) == 1)
            {
                _held.TrySetResult();
                await _release.Task.WaitAsync(cancellationToken);
            }

            await _inner.ConnectAsync(endpoint, cancellationToken);
        }

        public override ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default) => _inner.SendAsync(message, cancellationToken);

        public override ValueTask<bool> ReceiveAsync(System.Buffers.IBufferWriter<byte> destination, CancellationToken cancellationToken = default) => _inner.ReceiveAsync(destination, cancellationToken);

        public override Task CloseAsync(CancellationToken cancellationToken = default) => _inner.CloseAsync(cancellationToken);

        public override ValueTask DisposeAsync() => _inner.DisposeAsync();
    }

    private sealed class CountingOptions : Polly.ResilienceStrategyOptions;

    private sealed class CountingStrategy(Action onExecute) : Polly.ResilienceStrategy
    {
        protected override ValueTask<Polly.Outcome<TResult>> ExecuteCore<TResult, TState>(
            Func<Polly.ResilienceContext, TState, ValueTask<Polly.Outcome<TResult>>> callback, Polly.ResilienceContext context, TState state)
        {
            onExecute();
            return callback(context, state);
        }
    }
}
