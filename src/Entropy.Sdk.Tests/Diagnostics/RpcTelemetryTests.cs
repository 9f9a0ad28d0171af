using System.Diagnostics;
using System.Reflection;
using Entropy.Rpc;
using Entropy.Tests.Rpc;

namespace Entropy.Tests.Diagnostics;

/// <summary>The JSON-RPC client's spans and metrics (OpenTelemetry JSON-RPC conventions), seen through listeners.</summary>
public class RpcTelemetryTests
{
    private const string Payload = "0x5ec7e75ec7e75ec7e75ec7e7";
    private TestRpcServer _server = null!;
    private TelemetryRecorder _recorder = null!;

    private int Port => _server.Endpoint.Port;

    [SetUp]
    public async Task SetUp()
    {
        _recorder = new TelemetryRecorder();
        _server = await TestRpcServer.StartAsync();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _server.DisposeAsync();
        _recorder.Dispose();
    }

    [Test]
    public async Task InvokeAsync_Answered_EmitsClientSpanWithJsonRpcAttributesAndNoPayload()
    {
        _server.Results["state_getStorage"] = $"\"{Payload}ff\"";
        await using var client = await RpcClient.ConnectAsync(_server.Endpoint);

        await client.InvokeAsync("state_getStorage", [Payload]);

        var span = _recorder.SpansOf(Port).Single(a => a.OperationName == "state_getStorage");
        Assert.Multiple(() =>
        {
            Assert.That(span.Source.Name, Is.EqualTo("Entropy.Sdk"));
            Assert.That(span.Kind, Is.EqualTo(ActivityKind.Client));
            Assert.That(span.GetTagItem("rpc.system.name"), Is.EqualTo("jsonrpc"));
            Assert.That(span.GetTagItem("rpc.method"), Is.EqualTo("state_getStorage"));
            Assert.That(span.GetTagItem("jsonrpc.protocol.version"), Is.EqualTo("2.0"));
            Assert.That(span.GetTagItem("server.address"), Is.EqualTo("127.0.0.1"));
            Assert.That(span.GetTagItem("jsonrpc.request.id") as string, Does.Match("^[0-9]+$"));
            Assert.That(span.Status, Is.Not.EqualTo(ActivityStatusCode.Error));
            Assert.That(span.GetTagItem("error.type"), Is.Null);
            Assert.That(span.Duration, Is.GreaterThan(TimeSpan.Zero));
            // Neither the parameter nor the result is recorded anywhere on the span.
            Assert.That(span.TagObjects.Select(t => Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture)), Has.None.Contains("5ec7e7"));
            Assert.That(span.Events, Is.Empty);
        });
    }

    [Test]
    public async Task InvokeAsync_ErrorResponse_SpanAndDurationCarryTheErrorCode()
    {
        _server.Handler = async request =>
        {
            await request.ReplyErrorAsync(1010, "Invalid Transaction", "\"bad signature\"");
            return true;
        };
        await using var client = await RpcClient.ConnectAsync(_server.Endpoint);

        Assert.ThrowsAsync<EntropyRpcException>(() => client.InvokeAsync("author_submitExtrinsic", [Payload]));

        var span = _recorder.SpansOf(Port).Single(a => a.OperationName == "author_submitExtrinsic");
        var duration = _recorder.Of("rpc.client.call.duration", Port).Single(m => m.Tag("rpc.method") == "author_submitExtrinsic");
        Assert.Multiple(() =>
        {
            Assert.That(span.Status, Is.EqualTo(ActivityStatusCode.Error));
            Assert.That(span.GetTagItem("error.type"), Is.EqualTo("1010"));
            Assert.That(span.GetTagItem("rpc.response.status_code"), Is.EqualTo("1010"));
            Assert.That(span.GetTagItem("exception.type"), Is.EqualTo(typeof(EntropyRpcException).FullName));
            Assert.That(duration.Unit, Is.EqualTo("s"));
            Assert.That(duration.Tag("error.type"), Is.EqualTo("1010"));
            Assert.That(duration.Tag("rpc.system.name"), Is.EqualTo("jsonrpc"));
            Assert.That(duration.Value, Is.GreaterThanOrEqualTo(0).And.LessThan(20));
        });
    }

    [Test]
    public async Task InvokeAsync_NoAnswer_RecordsTimeoutOnce()
    {
        await using var client = await RpcClient.ConnectAsync(_server.Endpoint, new RpcClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(300) });

        Assert.ThrowsAsync<EntropyTimeoutException>(() => client.InvokeAsync("system_health"));

        var durations = _recorder.Of("rpc.client.call.duration", Port).Where(m => m.Tag("rpc.method") == "system_health").ToList();
        var span = _recorder.SpansOf(Port).Single(a => a.OperationName == "system_health");
        Assert.Multiple(() =>
        {
            Assert.That(durations, Has.Count.EqualTo(1));
            Assert.That(durations[0].Tag("error.type"), Is.EqualTo("timeout"));
            Assert.That(durations[0].Value, Is.GreaterThanOrEqualTo(0.25));
            Assert.That(span.GetTagItem("error.type"), Is.EqualTo("timeout"));
        });
    }

    [Test]
    public async Task InvokeIdempotentAsync_Answered_DurationHasNoErrorType()
    {
        _server.Results["chain_getBlockHash"] = "\"0x4545\"";
        await using var client = await RpcClient.ConnectAsync(_server.Endpoint);

        await client.InvokeIdempotentAsync("chain_getBlockHash", [0]);

        var duration = _recorder.Of("rpc.client.call.duration", Port).Single(m => m.Tag("rpc.method") == "chain_getBlockHash");
        Assert.That(duration.Tags.ContainsKey("error.type"), Is.False);
        Assert.That(duration.Tag("server.address"), Is.EqualTo("127.0.0.1"));
    }

    [Test]
    public async Task InvalidMessage_IsCountedAsDropped()
    {
        await using var client = await RpcClient.ConnectAsync(_server.Endpoint);
        await _server.WaitForConnectionsAsync(1);

        await _server.LatestConnection.SendRawAsync("{not json");
        await _server.LatestConnection.SendRawAsync("[1,2]");
        await WaitUntilAsync(() => client.DroppedMessages >= 3);

        var dropped = _recorder.Of("entropy.rpc.dropped_messages", Port);
        Assert.That(dropped.Sum(m => m.Value), Is.EqualTo(client.DroppedMessages));
        Assert.That(dropped.Sum(m => m.Value), Is.EqualTo(3), "one for the text that is not JSON, one per batch item that is not an object");
    }

    [Test]
    public async Task LostConnection_ReconnectIsCounted()
    {
        _server.Results["system_health"] = "{}";
        await using var client = await RpcClient.ConnectAsync(_server.Endpoint, new RpcClientOptions { Reconnect = { Delay = TimeSpan.FromMilliseconds(10) } });
        await _server.WaitForConnectionsAsync(1);

        _server.DropAll();
        await _server.WaitForConnectionsAsync(2);
        await WaitUntilAsync(() => client.State == RpcConnectionState.Connected && _recorder.Of("entropy.rpc.reconnects", Port).Count > 0);
        await client.InvokeAsync("system_health");

        var reconnects = _recorder.Of("entropy.rpc.reconnects", Port);
        Assert.That(reconnects.Select(m => (m.Tag("entropy.rpc.reconnect.outcome"), m.Value)), Is.EqualTo(new[] { ("reconnected", 1.0) }));
    }

    [Test]
    public async Task InvokeAsync_ParameterWithoutJsonMapping_IsRefusedWithoutReflection()
    {
        _server.Results["m"] = "null";
        await using var client = await RpcClient.ConnectAsync(_server.Endpoint);

        var ex = Assert.ThrowsAsync<ArgumentException>(() => client.InvokeAsync("m", [new Uri("http://x")]));
        await client.InvokeAsync("m", [1.5, 2m, "after"]);
        var request = await _server.NextRequestAsync("m");

        Assert.That(ex!.Message, Does.Contain("System.Uri").And.Contain("JsonElement"));
        Assert.That(request.Params.GetRawText(), Is.EqualTo("[1.5,2,\"after\"]"), "the refused call sent nothing; the connection carries on");
    }

    [Test]
    public void SdkAssembly_IsMarkedAotCompatible()
    {
        // IsAotCompatible turns on the trim/AOT analyzers, whose warnings fail the build; this keeps the switch from being dropped.
        var metadata = typeof(RpcClient).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value);
        Assert.That(metadata.GetValueOrDefault("IsAotCompatible"), Is.EqualTo("True"));
        Assert.That(metadata.GetValueOrDefault("IsTrimmable"), Is.EqualTo("True"));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(20, cts.Token);
        }
    }
}
