using Entropy.Chain;
using Entropy.Rpc;
using Entropy.Tests.RealNode;
using Entropy.Tests.Rpc;

namespace Entropy.Tests.Chain;

public class SubstrateClientTests
{
    private const string Genesis = "0x4545454545454545454545454545454545454545454545454545454545454545";
    private TestRpcServer _server = null!;

    [SetUp]
    public async Task SetUp()
    {
        _server = await TestRpcServer.StartAsync();
        _server.Results["chain_getBlockHash"] = $"\"{Genesis}\"";
        _server.Results["system_properties"] = """{"ss58Format":42,"tokenDecimals":10,"tokenSymbol":"BITS"}""";
        _server.Results["state_subscribeRuntimeVersion"] = "\"rv\"";
        _server.Results["state_unsubscribeRuntimeVersion"] = "true";
    }

    [TearDown]
    public async Task TearDown() => await _server.DisposeAsync();

    private static string RuntimeVersionJson(uint spec, uint metadataApi) =>
        $$"""{"specName":"entropy","implName":"entropy","authoringVersion":1,"specVersion":{{spec}},"implVersion":0,"apis":[["0x37e397fc7c91f5e4",{{metadataApi}}]],"transactionVersion":9,"stateVersion":1}""";

    private static string Hex(byte[] bytes) => "\"0x" + Convert.ToHexStringLower(bytes) + "\"";

    [Test]
    public async Task ConnectAsync_MetadataApiV2_FetchesV15ThroughStateCall()
    {
        var v15 = await File.ReadAllBytesAsync(ChopsticksNode.Fixture("metadata/entropy-v0.0.10.scale"));
        var option = new List<byte> { 1 };
        option.AddRange(Entropy.Scale.ScaleCodec.EncodeCompact((ulong)v15.Length));
        option.AddRange(v15);
        _server.Results["state_getRuntimeVersion"] = RuntimeVersionJson(400, 2);
        _server.Results["state_call"] = Hex([.. option]);

        await using var client = await SubstrateClient.ConnectAsync(_server.Endpoint);

        Assert.That(client.Metadata.Version, Is.EqualTo(15));
        Assert.That(client.Runtime.MetadataBytes.ToArray(), Is.EqualTo(v15));
        Assert.That(client.GenesisHash.ToString(), Is.EqualTo(Genesis));
        Assert.That(client.Properties.Ss58Format, Is.EqualTo((ushort)42));
        Assert.That(client.RuntimeVersion.SpecVersion, Is.EqualTo(400u));
        Assert.That(_server.Methods, Does.Contain("state_call").And.No.Contain("state_getMetadata"));
        var call = await _server.NextRequestAsync("state_call");
        Assert.That(call.Params.GetRawText(), Is.EqualTo("[\"Metadata_metadata_at_version\",\"0x0f000000\"]"));
    }

    [Test]
    public async Task ConnectAsync_MetadataApiV1_UsesStateGetMetadata()
    {
        var v14 = await File.ReadAllBytesAsync(ChopsticksNode.Fixture("metadata/entropy-devnet-2023-v14.scale"));
        _server.Results["state_getRuntimeVersion"] = RuntimeVersionJson(267, 1);
        _server.Results["state_getMetadata"] = Hex(v14);

        await using var client = await SubstrateClient.ConnectAsync(_server.Endpoint);

        Assert.That(client.Metadata.Version, Is.EqualTo(14));
        Assert.That(_server.Methods, Does.Not.Contain("state_call"));
    }

    [Test]
    public async Task RuntimeVersionNotification_NewSpec_RefreshesMetadataAndRaisesRuntimeUpgraded()
    {
        var v14 = await File.ReadAllBytesAsync(ChopsticksNode.Fixture("metadata/entropy-devnet-2023-v14.scale"));
        _server.Results["state_getRuntimeVersion"] = RuntimeVersionJson(267, 1);
        _server.Results["state_getMetadata"] = Hex(v14);
        await using var client = await SubstrateClient.ConnectAsync(_server.Endpoint);
        var upgraded = new TaskCompletionSource<RuntimeUpgradedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.RuntimeUpgraded += (_, e) => upgraded.TrySetResult(e);

        await _server.LatestConnection.NotifyAsync("state_runtimeVersion", "rv", RuntimeVersionJson(268, 1));
        var args = await upgraded.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(args.Previous.Version.SpecVersion, Is.EqualTo(267u));
        Assert.That(args.Current.Version.SpecVersion, Is.EqualTo(268u));
        Assert.That(client.RuntimeVersion.SpecVersion, Is.EqualTo(268u));
        Assert.That(_server.Methods.Count(m => m == "state_getMetadata"), Is.EqualTo(2));
    }

    [Test]
    public async Task ConnectAsync_NodeSendsMalformedRuntimeVersion_ThrowsProtocolException()
    {
        _server.Results["state_getRuntimeVersion"] = "{\"specName\":\"x\"}";

        var ex = Assert.ThrowsAsync<EntropyRpcProtocolException>(() => SubstrateClient.ConnectAsync(_server.Endpoint));

        Assert.That(ex!.Message, Does.Contain("specVersion"));
    }
}
