using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Entropy.Chain;
using Entropy.Rpc;

namespace Entropy.Tests.Rpc;

/// <summary>
/// The client survives any node: a scriptable loopback node sends malformed messages, wrong types, huge errors and frames,
/// floods, or nothing at all. Every case asserts that the bad message is dropped, the call in flight and an open subscription carry
/// on, the client stays usable on the same connection, and memory stays bounded. Out-of-process rows: <see cref="HostileNodeProcessTests"/>.
/// </summary>
[Category("HostileNode")]
public class HostileNodeTests
{
    private const string SubscriptionId = "rv";

    private static readonly TimeSpan s_slack = TimeSpan.FromSeconds(5);

    private TestRpcServer _server = null!;

    [SetUp]
    public async Task SetUp()
    {
        _server = await TestRpcServer.StartAsync();
        _server.Handler = async request =>
        {
            switch (request.Method)
            {
                case "state_subscribeRuntimeVersion":
                    await request.ReplyAsync($"\"{SubscriptionId}\"");
                    return true;
                case "ping":
                    await request.ReplyAsync("\"pong\"");
                    return true;
                default:
                    return false; // "slow" and the rest: never answered unless the test does.
            }
        };
    }

    [TearDown]
    public async Task TearDown() => await _server.DisposeAsync();

    /// <summary>Messages no node should send; none of them may touch the call in flight, the open subscription or the connection.</summary>
    public static IEnumerable<TestCaseData> MalformedMessages()
    {
        static TestCaseData Text(string name, string text) => new TestCaseData(name, Encoding.UTF8.GetBytes(text)).SetArgDisplayNames(name);

        yield return Text("not-json", "this is {not json");
        yield return Text("empty", "");
        yield return Text("number", "42");
        yield return Text("string", "\"hello\"");
        yield return Text("null", "null");
        yield return Text("empty-array", "[]");
        yield return Text("array-of-junk", "[1,\"a\",null,[],true]");
        yield return Text("empty-object", "{}");
        yield return Text("unknown-id", "{\"jsonrpc\":\"2.0\",\"id\":987654,\"result\":1}");
        yield return Text("id-object", "{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"result\":1}");
        yield return Text("id-fraction", "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"result\":1}");
        yield return Text("id-beyond-int64", "{\"jsonrpc\":\"2.0\",\"id\":123456789012345678901234567890,\"result\":1}");
        yield return Text("id-word", "{\"jsonrpc\":\"2.0\",\"id\":\"one\",\"result\":1}");
        yield return Text("id-bool", "{\"jsonrpc\":\"2.0\",\"id\":true,\"error\":{\"code\":1,\"message\":\"x\"}}");
        yield return Text("error-null-id", "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}");
        yield return Text("error-wrong-types", "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":\"x\",\"message\":5,\"data\":[{}]}}");
        yield return Text("error-not-object", "{\"jsonrpc\":\"2.0\",\"error\":\"boom\"}");
        yield return Text("method-not-string", "{\"jsonrpc\":\"2.0\",\"method\":5,\"params\":{\"subscription\":\"rv\",\"result\":1}}");
        yield return Text("params-array", "{\"jsonrpc\":\"2.0\",\"method\":\"state_runtimeVersion\",\"params\":[1,2]}");
        yield return Text("params-string", "{\"jsonrpc\":\"2.0\",\"method\":\"state_runtimeVersion\",\"params\":\"rv\"}");
        yield return Text("subscription-object", "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"subscription\":{\"x\":1},\"result\":1}}");
        yield return Text("subscription-unknown", "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"subscription\":\"nobody\",\"result\":1}}");
        yield return Text("subscription-unknown-error-code-string",
            "{\"jsonrpc\":\"2.0\",\"method\":\"state_runtimeVersion\",\"params\":{\"subscription\":\"nobody\",\"error\":{\"code\":\"boom\",\"message\":\"x\"}}}");
        yield return Text("notification-without-subscription", "{\"jsonrpc\":\"2.0\",\"method\":\"state_runtimeVersion\",\"params\":{\"result\":1}}");
        yield return Text("deep-arrays", new string('[', 100_000) + new string(']', 100_000));
        yield return Text("deep-objects-in-result", "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"subscription\":\"rv\",\"result\":"
            + string.Concat(Enumerable.Repeat("{\"a\":", 300)) + "1" + new string('}', 300) + "}}");
        yield return Text("truncated", "{\"jsonrpc\":\"2.0\",\"id\":1,\"res");
        yield return Text("trailing-garbage", "{\"jsonrpc\":\"2.0\",\"id\":987654,\"result\":1} xyz");
        yield return Text("batch-of-bad-items", "[{\"id\":{\"x\":1}},5,{\"method\":7},{\"jsonrpc\":\"2.0\",\"error\":{\"code\":[],\"message\":{}}}]");
        yield return Text("huge-numbers", "{\"jsonrpc\":\"2.0\",\"method\":\"state_runtimeVersion\",\"params\":{\"subscription\":\"nobody\",\"error\":{\"code\":1e999999,\"message\":\"x\"}}}");
        // In a text frame invalid UTF-8 fails the WebSocket itself (RFC 6455 §8.1; see InvalidUtf8InATextFrame_...); a binary frame reaches the parser.
        yield return new TestCaseData("invalid-utf8-binary-frame", (byte[])[.. "{\"jsonrpc\":\"2.0\",\"id\":987654,\"error\":{\"code\":1,\"message\":\"a"u8, 0xfe, 0xc3, 0x28, .. "\"}}"u8])
            .SetArgDisplayNames("invalid-utf8-binary-frame");
        yield return new TestCaseData("lone-surrogate-escape", "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":1,\"message\":\"\\ud800\"}}"u8.ToArray())
            .SetArgDisplayNames("lone-surrogate-escape");
    }

    [TestCaseSource(nameof(MalformedMessages))]
    public async Task MalformedMessage_IsDropped_CallInFlightSubscriptionAndConnectionCarryOn(string name, byte[] message)
    {
        await using var client = await ConnectAsync();
        var subscription = await client.SubscribeAsync("state_subscribeRuntimeVersion", "state_unsubscribeRuntimeVersion", resubscribeOnReconnect: true);
        var slow = client.InvokeAsync("slow");
        var request = await _server.NextRequestAsync("slow");

        await request.Connection.SendBytesAsync(message, name.EndsWith("binary-frame", StringComparison.Ordinal) ? WebSocketMessageType.Binary : WebSocketMessageType.Text);
        await request.ReplyAsync("\"answer\"");
        await request.Connection.NotifyAsync("state_runtimeVersion", SubscriptionId, "{\"specVersion\":7}");

        Assert.That((await slow).GetString(), Is.EqualTo("answer"), name);
        Assert.That((await subscription.ReadAsync()).GetProperty("specVersion").GetInt32(), Is.EqualTo(7), name);
        Assert.That((await client.InvokeAsync("ping")).GetString(), Is.EqualTo("pong"));
        Assert.That(client.State, Is.EqualTo(RpcConnectionState.Connected));
        Assert.That(_server.ConnectionCount, Is.EqualTo(1), "the connection was never dropped");
        Assert.That(async () => await client.DisposeAsync(), Throws.Nothing);
    }

    [Test]
    public async Task MalformedMessageAsBinaryFrame_IsDropped()
    {
        await using var client = await ConnectAsync();
        var connection = await FirstConnectionAsync(client);

        await connection.SendBytesAsync(new byte[] { 0, 1, 2, 0xff }, WebSocketMessageType.Binary);

        Assert.That((await client.InvokeAsync("ping")).GetString(), Is.EqualTo("pong"));
        Assert.That(client.DroppedMessages, Is.EqualTo(1));
    }

    [Test]
    public async Task InvalidUtf8InATextFrame_WebSocketFailsPerRfc6455_CallFailsTransientAndTheClientReconnectsAndResubscribes()
    {
        await using var client = await ConnectAsync();
        var subscription = await client.SubscribeAsync("state_subscribeRuntimeVersion", "state_unsubscribeRuntimeVersion", resubscribeOnReconnect: true);
        var slow = client.InvokeAsync("slow");
        var request = await _server.NextRequestAsync("slow");

        // ClientWebSocket must fail the connection on a text frame that is not UTF-8 (RFC 6455 §8.1); the client treats it as a lost connection.
        await request.Connection.SendBytesAsync(new byte[] { (byte)'"', 0xfe, (byte)'"' });

        var lost = Assert.ThrowsAsync<EntropyConnectionException>(() => slow);
        Assert.That(lost!.FailureType, Is.EqualTo(ConnectionFailureType.ConnectionLost));
        Assert.That(lost.IsTransient, Is.True);
        await _server.WaitForConnectionsAsync(2);
        var resubscribed = await _server.NextRequestAsync("state_subscribeRuntimeVersion");
        Assert.That(resubscribed.Connection.Number, Is.EqualTo(2));
        Assert.That((await client.InvokeAsync("ping")).GetString(), Is.EqualTo("pong"));
        await _server.LatestConnection.NotifyAsync("state_runtimeVersion", SubscriptionId, "{\"specVersion\":8}");
        Assert.That((await subscription.ReadAsync()).GetProperty("specVersion").GetInt32(), Is.EqualTo(8));
    }

    // The #13 reproduction: one state_runtimeVersion notification whose error.code is a string killed the connection for good (the next
    // call hung 60 s, later calls failed at once, DisposeAsync threw InvalidOperationException).
    [Test]
    public async Task NotificationErrorWithStringCode_EndsThatSubscriptionTyped_ConnectionCallsAndDisposeCarryOn()
    {
        var client = await ConnectAsync(o => o.RequestTimeout = TimeSpan.FromSeconds(10));
        var subscription = await client.SubscribeAsync("state_subscribeRuntimeVersion", "state_unsubscribeRuntimeVersion", resubscribeOnReconnect: true);
        var slow = client.InvokeAsync("slow");
        var request = await _server.NextRequestAsync("slow");

        await request.Connection.SendRawAsync(
            "{\"jsonrpc\":\"2.0\",\"method\":\"state_runtimeVersion\",\"params\":{\"subscription\":\"rv\",\"error\":{\"code\":\"boom\",\"message\":\"runtime gone\"}}}");
        var clock = Stopwatch.StartNew();
        var ended = Assert.ThrowsAsync<EntropyRpcException>(() => subscription.ReadAsync());
        var ping = await client.InvokeAsync("ping");
        await request.ReplyAsync("1");

        Assert.That(ended!.Code, Is.Zero, "a code that is not an integer reads as 0");
        Assert.That(ended.ServerMessage, Is.EqualTo("runtime gone"));
        Assert.That(ping.GetString(), Is.EqualTo("pong"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "the next call is answered, not left to its timeout");
        Assert.That((await slow).GetInt32(), Is.EqualTo(1));
        Assert.That(client.State, Is.EqualTo(RpcConnectionState.Connected));
        Assert.That(async () => await client.DisposeAsync(), Throws.Nothing);
    }

    [Test]
    public async Task ResponseWithMalformedErrorObject_FailsOnlyThatCallWithProtocolError()
    {
        await using var client = await ConnectAsync();
        var first = client.InvokeAsync("slow");
        var firstRequest = await _server.NextRequestAsync("slow");
        var second = client.InvokeAsync("slow");
        var secondRequest = await _server.NextRequestAsync("slow");

        await firstRequest.Connection.SendRawAsync($"{{\"jsonrpc\":\"2.0\",\"id\":{firstRequest.IdRaw},\"error\":{{\"code\":\"x\",\"message\":[1]}}}}");
        await secondRequest.ReplyAsync("2");

        var ex = Assert.ThrowsAsync<EntropyRpcProtocolException>(() => first);
        Assert.That(ex!.Message, Does.Contain("malformed error object"));
        Assert.That((await second).GetInt32(), Is.EqualTo(2));
    }

    [Test]
    public async Task HugeErrorResponse_MessageServerMessageAndDataAreCappedAtOneKilobyte()
    {
        var tenMegabytes = new string('e', 10 * 1024 * 1024);
        _server.Handler = async request =>
        {
            await request.ReplyErrorAsync(1010, tenMegabytes, JsonSerializer.Serialize(tenMegabytes));
            return true;
        };
        await using var client = await ConnectAsync();

        var ex = Assert.ThrowsAsync<EntropyRpcException>(() => client.InvokeAsync("author_submitExtrinsic", ["0x00"]));

        Assert.That(ex!.Code, Is.EqualTo(1010));
        Assert.That(ex.ServerMessage.Length, Is.LessThanOrEqualTo(1024));
        Assert.That(ex.ServerMessage, Does.StartWith("eeee").And.Contain("more characters elided"));
        Assert.That(ex.Data!.Length, Is.LessThanOrEqualTo(1024));
        Assert.That(ex.Data, Does.Contain("more bytes elided"));
        Assert.That(ex.Message.Length, Is.LessThan(2 * 1024), "the exception message holds at most 1 KB of the node's text (plus 512 of data)");
    }

    [Test]
    public async Task HugeNotificationError_SubscriptionEndsWithCappedMessage()
    {
        await using var client = await ConnectAsync();
        var subscription = await client.SubscribeAsync("state_subscribeRuntimeVersion", "state_unsubscribeRuntimeVersion");
        var connection = await FirstConnectionAsync(client);

        await connection.SendRawAsync("{\"jsonrpc\":\"2.0\",\"method\":\"state_runtimeVersion\",\"params\":{\"subscription\":\"rv\",\"error\":{\"code\":1,\"message\":"
            + JsonSerializer.Serialize(new string('m', 10 * 1024 * 1024)) + "}}}");

        var ex = Assert.ThrowsAsync<EntropyRpcException>(() => subscription.ReadAsync());
        Assert.That(ex!.ServerMessage.Length, Is.LessThanOrEqualTo(1024));
        Assert.That(ex.Message.Length, Is.LessThan(2 * 1024));
        Assert.That((await client.InvokeAsync("ping")).GetString(), Is.EqualTo("pong"));
    }

    [Test]
    public async Task FramesOverMaxMessageSize_AreSkipped_ConnectionCarriesOn()
    {
        await using var client = await ConnectAsync(o => o.Transport = new WebSocketRpcTransport { MaxMessageSize = 1024 * 1024 });
        var slow = client.InvokeAsync("slow");
        var request = await _server.NextRequestAsync("slow");
        var huge = Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":987654,\"result\":\"" + new string('x', 8 * 1024 * 1024) + "\"}");

        for (var i = 0; i < 3; i++)
        {
            await request.Connection.SendBytesAsync(huge);
        }

        await request.ReplyAsync("\"after\"");

        Assert.That((await slow).GetString(), Is.EqualTo("after"));
        Assert.That((await client.InvokeAsync("ping")).GetString(), Is.EqualTo("pong"));
        Assert.That(client.DroppedMessages, Is.EqualTo(3));
        Assert.That(_server.ConnectionCount, Is.EqualTo(1));
    }

    // Memory under floods of huge messages is measured with the node out of process (HostileNodeProcessTests): an in-process server's
    // own buffers would be counted too.

    [Test]
    public async Task NotificationFloodOnAnUnreadSubscription_EndsItTypedAndUnsubscribes_MemoryStaysBounded()
    {
        await using var client = await ConnectAsync();
        var subscription = await client.SubscribeAsync("state_subscribeRuntimeVersion", "state_unsubscribeRuntimeVersion");
        var connection = await FirstConnectionAsync(client);
        for (var i = 0; i < RpcSubscription.MaxUnreadNotifications + 2000; i++)
        {
            await connection.NotifyAsync("state_runtimeVersion", SubscriptionId, "{\"specVersion\":" + i + ",\"pad\":\"" + new string('p', 1000) + "\"}");
        }

        var unsubscribe = await _server.NextRequestAsync("state_unsubscribeRuntimeVersion");
        Assert.That(unsubscribe.Params[0].GetString(), Is.EqualTo(SubscriptionId));
        var read = 0;
        var ex = Assert.ThrowsAsync<EntropyException>(async () =>
        {
            await foreach (var item in subscription)
            {
                Assert.That(item.GetProperty("specVersion").GetInt32(), Is.EqualTo(read));
                read++;
            }
        });

        Assert.That(read, Is.EqualTo(RpcSubscription.MaxUnreadNotifications), "every notification up to the cap is delivered, in order");
        Assert.That(ex!.Message, Does.Contain("unread"));
        Assert.That(subscription.IsCompleted, Is.True);
        Assert.That((await client.InvokeAsync("ping")).GetString(), Is.EqualTo("pong"));
    }

    [Test]
    public async Task SilentNode_CallEndsByRequestTimeoutTyped()
    {
        _server.Handler = _ => Task.FromResult(true);
        await using var client = await ConnectAsync(o => o.RequestTimeout = TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();

        var ex = Assert.ThrowsAsync<EntropyTimeoutException>(() => client.InvokeAsync("system_health"));

        Assert.That(ex!.Operation, Is.EqualTo("system_health"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1) + s_slack));
        Assert.That(client.State, Is.EqualTo(RpcConnectionState.Connected));
    }

    // #13 §2: against a node that accepts and never answers, ConnectAsync took 121 s for a 10 s ConnectTimeout (each initial read had
    // its own 30 s timeout and three retries).
    [Test]
    public void SubstrateClientConnect_NodeAcceptsAndNeverAnswers_TimesOutWithinConnectTimeout()
    {
        _server.Handler = _ => Task.FromResult(true);
        var options = new RpcClientOptions { ConnectTimeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();

        var ex = Assert.ThrowsAsync<EntropyTimeoutException>(() => SubstrateClient.ConnectAsync(_server.Endpoint, options));

        Assert.That(clock.Elapsed, Is.LessThan(options.ConnectTimeout + s_slack));
        Assert.That(ex!.Operation, Is.EqualTo("connect"));
        Assert.That(ex.Timeout, Is.EqualTo(options.ConnectTimeout));
        Assert.That(ex.Message, Does.Contain(_server.Endpoint.ToString()));
    }

    [Test]
    public void EntropyClientConnect_NodeAcceptsAndNeverAnswers_TimesOutWithinConnectTimeout()
    {
        _server.Handler = _ => Task.FromResult(true);
        var options = new EntropyClientOptions();
        options.Rpc.ConnectTimeout = TimeSpan.FromSeconds(2);
        var clock = Stopwatch.StartNew();

        var ex = Assert.ThrowsAsync<EntropyTimeoutException>(() => EntropyClient.ConnectAsync(_server.Endpoint, options));

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2) + s_slack));
        Assert.That(ex!.Operation, Is.EqualTo("connect"));
    }

    [Test]
    public void Connect_TcpAcceptedButNoWebSocketAnswer_TimesOutWithinConnectTimeout()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(); // The kernel completes the TCP handshake; nothing ever answers the HTTP upgrade.
        var endpoint = new Uri($"ws://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
        var options = new RpcClientOptions { ConnectTimeout = TimeSpan.FromSeconds(1) };
        var clock = Stopwatch.StartNew();

        var ex = Assert.ThrowsAsync<EntropyTimeoutException>(() => SubstrateClient.ConnectAsync(endpoint, options));

        Assert.That(clock.Elapsed, Is.LessThan(options.ConnectTimeout + s_slack));
        Assert.That(ex!.Operation, Is.EqualTo("connect"));
    }

    [Test]
    public async Task MixedGoodAndBadItemsInOneBatch_GoodItemsAreDispatched()
    {
        await using var client = await ConnectAsync();
        var slow = client.InvokeAsync("slow");
        var request = await _server.NextRequestAsync("slow");

        await request.Connection.SendRawAsync(
            $"[{{\"id\":{{}}}},{{\"jsonrpc\":\"2.0\",\"method\":\"state_runtimeVersion\",\"params\":{{\"subscription\":\"x\",\"error\":{{\"code\":\"s\"}}}}}},{{\"jsonrpc\":\"2.0\",\"id\":{request.IdRaw},\"result\":3}}]");

        Assert.That((await slow).GetInt32(), Is.EqualTo(3));
    }

    private async Task<RpcClient> ConnectAsync(Action<RpcClientOptions>? configure = null)
    {
        var options = new RpcClientOptions { RequestTimeout = TimeSpan.FromSeconds(20) };
        configure?.Invoke(options);
        return await RpcClient.ConnectAsync(_server.Endpoint, options);
    }

    private async Task<TestConnection> FirstConnectionAsync(RpcClient client)
    {
        Assert.That((await client.InvokeAsync("ping")).GetString(), Is.EqualTo("pong"));
        return _server.LatestConnection;
    }
}
