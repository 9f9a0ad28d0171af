using System.Buffers;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Entropy.Hashing;
using Entropy.Scale;
using Entropy.Simulator;

namespace Entropy.Tests.Simulator.Rpc;

/// <summary>JSON-RPC basics of the simulated node over a real loopback WebSocket (and HTTP POST).</summary>
public class SimulatedChainRpcTests : ManualChainFixture
{
    private const string AliceAccountKey =
        "0x26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9de1e86a9a8c739864cf3cc5ec2bea59fd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";

    /// <inheritdoc/>
    protected override void ConfigureChain(SimulatedChainOptions options) => options.MaxRequestBytes = 64 * 1024;

    [Test]
    public async Task SystemMethods_DevChain_ReportEntropyProperties()
    {
        var properties = await Rpc.CallAsync("system_properties");
        var chain = await Rpc.CallAsync("system_chain");
        var health = await Rpc.CallAsync("system_health");
        Assert.Multiple(() =>
        {
            Assert.That(properties!["ss58Format"]!.GetValue<int>(), Is.EqualTo(42));
            Assert.That(properties["tokenSymbol"]!.GetValue<string>(), Is.EqualTo("BITS"));
            Assert.That(properties["tokenDecimals"]!.GetValue<int>(), Is.EqualTo(10));
            Assert.That(chain!.GetValue<string>(), Is.EqualTo("Development"));
            Assert.That(health!["isSyncing"]!.GetValue<bool>(), Is.False);
        });
    }

    [Test]
    public async Task RpcMethods_ListsWhatPolkadotJsUses()
    {
        var result = await Rpc.CallAsync("rpc_methods");
        var methods = result!["methods"]!.AsArray().Select(m => m!.GetValue<string>()).ToList();
        Assert.That(methods, Is.SupersetOf(new[]
        {
            "chain_getBlockHash", "state_getRuntimeVersion", "system_chain", "system_properties", "state_getMetadata",
            "state_subscribeRuntimeVersion", "state_queryStorageAt", "state_subscribeStorage", "state_getStorage", "chain_getHeader",
            "chain_getFinalizedHead", "chain_getBlock", "author_submitAndWatchExtrinsic", "author_submitExtrinsic", "state_call",
            "state_getKeysPaged", "system_accountNextIndex", "payment_queryInfo", "dev_newBlock",
        }));
    }

    [Test]
    public async Task RuntimeVersion_AdvertisesSpec10AndMetadataApiV2()
    {
        var version = await Rpc.CallAsync("state_getRuntimeVersion");
        var apis = version!["apis"]!.AsArray().ToDictionary(a => a![0]!.GetValue<string>(), a => a![1]!.GetValue<int>());
        Assert.Multiple(() =>
        {
            Assert.That(version["specVersion"]!.GetValue<int>(), Is.EqualTo(10));
            Assert.That(version["transactionVersion"]!.GetValue<int>(), Is.EqualTo(4));
            Assert.That(version["specName"]!.GetValue<string>(), Is.EqualTo("node"));

            // blake2_64("Metadata") = 0x37e397fc7c91f5e4; version 2 makes polkadot-js ask for V15 through state_call.
            Assert.That(apis["0x37e397fc7c91f5e4"], Is.EqualTo(2));
            Assert.That(apis["0xbc9d89904f5b923f"], Is.EqualTo(1)); // AccountNonceApi
        });
    }

    [Test]
    public async Task GetMetadata_ServesEmbeddedV15()
    {
        var hex = (await Rpc.CallAsync("state_getMetadata"))!.GetValue<string>();
        var bytes = Convert.FromHexString(hex[2..]);
        var fixture = await File.ReadAllBytesAsync(FixturePath("metadata", "entropy-v0.0.10.scale"));
        Assert.Multiple(() =>
        {
            Assert.That(bytes[..4], Is.EqualTo("meta"u8.ToArray()));
            Assert.That(bytes[4], Is.EqualTo(15));
            Assert.That(bytes, Is.EqualTo(fixture));
        });
    }

    [Test]
    public async Task StateCall_MetadataVersionsAndAtVersion15_AnswerLikeTheRuntime()
    {
        var versions = (await Rpc.CallAsync("state_call", "Metadata_metadata_versions", "0x"))!.GetValue<string>();
        var at15 = (await Rpc.CallAsync("state_call", "Metadata_metadata_at_version", "0x0f000000"))!.GetValue<string>();
        var at14 = (await Rpc.CallAsync("state_call", "Metadata_metadata_at_version", "0x0e000000"))!.GetValue<string>();
        var unknown = await Rpc.RequestAsync("state_call", "Nope_nope", "0x");
        Assert.Multiple(() =>
        {
            Assert.That(versions, Is.EqualTo("0x040f000000"));
            Assert.That(at15, Does.StartWith("0x01"));
            Assert.That(at15.Length, Is.GreaterThan(190_000 * 2));
            Assert.That(at14, Is.EqualTo("0x00"));
            Assert.That(unknown["error"]!["code"]!.GetValue<int>(), Is.EqualTo(4003));
        });
    }

    [Test]
    public async Task DevNewBlock_ProducesChainedHeadersHashedAsBlake2bOfScaleHeader()
    {
        var before = await Rpc.CallAsync("chain_getHeader");
        var newHash = (await Rpc.CallAsync("dev_newBlock"))!.GetValue<string>();
        var header = await Rpc.CallAsync("chain_getHeader", newHash);
        var parentHash = (await Rpc.CallAsync("chain_getBlockHash", ParseNumber(before!["number"]!)))!.GetValue<string>();

        var buffer = new ArrayBufferWriter<byte>();
        var writer = new ScaleWriter(buffer);
        writer.WriteBytes(Convert.FromHexString(header!["parentHash"]!.GetValue<string>()[2..]));
        writer.WriteCompact((ulong)ParseNumber(header["number"]!));
        writer.WriteBytes(Convert.FromHexString(header["stateRoot"]!.GetValue<string>()[2..]));
        writer.WriteBytes(Convert.FromHexString(header["extrinsicsRoot"]!.GetValue<string>()[2..]));
        writer.WriteCompact(0UL);
        var expected = "0x" + Convert.ToHexStringLower(Blake2b.Hash256(buffer.WrittenSpan));

        Assert.Multiple(() =>
        {
            Assert.That(ParseNumber(header["number"]!), Is.EqualTo(ParseNumber(before["number"]!) + 1));
            Assert.That(header["parentHash"]!.GetValue<string>(), Is.EqualTo(parentHash));
            Assert.That(newHash, Is.EqualTo(expected));
        });
    }

    [Test]
    public async Task GetStorage_SystemNumberAndAliceAccount_AreScaleEncodedAtTheirKeys()
    {
        var hash = (await Rpc.CallAsync("dev_newBlock"))!.GetValue<string>();
        var header = await Rpc.CallAsync("chain_getHeader", hash);

        // System.Number = twox128("System") ++ twox128("Number").
        var number = (await Rpc.CallAsync("state_getStorage", "0x26aa394eea5630e07c48ae0c9558cef702a5c1b19ab7a04f536c519aca4983ac", hash))!.GetValue<string>();
        var alice = (await Rpc.CallAsync("state_getStorage", AliceAccountKey, hash))!.GetValue<string>();
        var accountInfo = Convert.FromHexString(alice[2..]);
        var reader = new ScaleReader(accountInfo);
        reader.ReadU32();
        reader.ReadU32();
        var providers = reader.ReadU32();
        reader.ReadU32();
        var free = reader.ReadU128();
        Assert.Multiple(() =>
        {
            Assert.That(new ScaleReader(Convert.FromHexString(number[2..])).ReadU32(), Is.EqualTo(ParseNumber(header!["number"]!)));
            Assert.That(providers, Is.EqualTo(1u));
            Assert.That(free, Is.EqualTo(UInt128.Parse("1000000000000000000000", System.Globalization.CultureInfo.InvariantCulture)));
        });
    }

    [Test]
    public async Task GetStorage_UnknownKey_ReturnsNull()
    {
        var result = await Rpc.RequestAsync("state_getStorage", "0x1234");
        Assert.That(result["result"], Is.Null);
        Assert.That(result.ContainsKey("error"), Is.False);
    }

    [Test]
    public async Task GetKeysPaged_RelayerPrefix_PagesInKeyOrder()
    {
        // twox128("Relayer"): the dev genesis pre-registers Dave, Eve and Ferdie.
        const string prefix = "0x0547bb1f7973a07fd94e01a0d0dcd16a";
        var first = (await Rpc.CallAsync("state_getKeysPaged", prefix, 2))!.AsArray().Select(k => k!.GetValue<string>()).ToList();
        var rest = (await Rpc.CallAsync("state_getKeysPaged", prefix, 10, first[^1]))!.AsArray().Select(k => k!.GetValue<string>()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(first, Has.Count.EqualTo(2));
            Assert.That(rest, Has.Count.EqualTo(1));
            Assert.That(first.Concat(rest), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
            Assert.That(first.Concat(rest), Has.All.StartWith(prefix));
        });
    }

    [Test]
    public async Task QueryStorageAt_ReturnsChangesForEachKey()
    {
        var result = await Rpc.CallAsync("state_queryStorageAt", [new[] { AliceAccountKey, "0x00" }]);
        var changes = result![0]!["changes"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That(changes, Has.Count.EqualTo(2));
            Assert.That(changes[0]![1], Is.Not.Null);
            Assert.That(changes[1]![1], Is.Null);
        });
    }

    [Test]
    public async Task SubscribeNewHeads_SendsCurrentHeadThenEachNewBlock()
    {
        var subscription = await Rpc.SubscribeAsync("chain_subscribeNewHeads");
        var current = await Rpc.NextAsync(subscription);
        var hash = (await Rpc.CallAsync("dev_newBlock"))!.GetValue<string>();
        var next = await Rpc.NextAsync(subscription);
        var unsubscribed = await Rpc.CallAsync("chain_unsubscribeNewHeads", subscription);
        var again = await Rpc.CallAsync("chain_unsubscribeNewHeads", subscription);
        Assert.Multiple(() =>
        {
            Assert.That(ParseNumber(next!["number"]!), Is.EqualTo(ParseNumber(current!["number"]!) + 1));
            Assert.That(unsubscribed!.GetValue<bool>(), Is.True);
            Assert.That(again!.GetValue<bool>(), Is.False);
        });
        var header = await Rpc.CallAsync("chain_getHeader", hash);
        Assert.That(header!["number"]!.GetValue<string>(), Is.EqualTo(next!["number"]!.GetValue<string>()));
    }

    [Test]
    public async Task SubscribeStorage_NotifiesInitialValueAndChanges()
    {
        const string numberKey = "0x26aa394eea5630e07c48ae0c9558cef702a5c1b19ab7a04f536c519aca4983ac";
        var subscription = await Rpc.SubscribeAsync("state_subscribeStorage", [new[] { numberKey }]);
        var initial = await Rpc.NextAsync(subscription);
        var hash = (await Rpc.CallAsync("dev_newBlock"))!.GetValue<string>();
        var change = await Rpc.NextAsync(subscription);
        await Rpc.CallAsync("state_unsubscribeStorage", subscription);
        Assert.Multiple(() =>
        {
            Assert.That(initial!["changes"]!.AsArray(), Has.Count.EqualTo(1));
            Assert.That(change!["block"]!.GetValue<string>(), Is.EqualTo(hash));
            Assert.That(change["changes"]![0]![0]!.GetValue<string>(), Is.EqualTo(numberKey));
        });
    }

    [Test]
    public async Task FinalizedHead_WithNoLag_IsTheBestBlock()
    {
        var hash = (await Rpc.CallAsync("dev_newBlock"))!.GetValue<string>();
        var finalized = (await Rpc.CallAsync("chain_getFinalizedHead"))!.GetValue<string>();
        Assert.That(finalized, Is.EqualTo(hash));
    }

    [Test]
    public async Task MalformedJson_ParseErrorWithNullId_AndTheConnectionKeepsServing()
    {
        await Rpc.SendRawAsync("{\"jsonrpc\":\"2.0\",\"id\":1,"u8.ToArray());
        var error = await Rpc.NextUnmatchedAsync();
        var chain = await Rpc.CallAsync("system_chain");
        Assert.Multiple(() =>
        {
            Assert.That(error["error"]!["code"]!.GetValue<int>(), Is.EqualTo(-32700));
            Assert.That(error["id"], Is.Null);
            Assert.That(chain!.GetValue<string>(), Is.EqualTo("Development"));
        });
    }

    [Test]
    public async Task UnknownMethod_MethodNotFound()
    {
        var response = await Rpc.RequestAsync("chain_doesNotExist");
        Assert.That(response["error"]!["code"]!.GetValue<int>(), Is.EqualTo(-32601));
    }

    [Test]
    public async Task InvalidParams_InvalidParamsError()
    {
        var response = await Rpc.RequestAsync("state_getStorage", "not hex");
        Assert.That(response["error"]!["code"]!.GetValue<int>(), Is.EqualTo(-32602));
    }

    [Test]
    public async Task OversizedMessage_RequestTooBig_AndTheConnectionKeepsServing()
    {
        var huge = Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"author_submitExtrinsic\",\"params\":[\"0x" + new string('0', 200_000) + "\"]}");
        await Rpc.SendRawAsync(huge);
        var error = await Rpc.NextUnmatchedAsync();
        var chain = await Rpc.CallAsync("system_chain");
        Assert.Multiple(() =>
        {
            Assert.That(error["error"]!["code"]!.GetValue<int>(), Is.EqualTo(-32007));
            Assert.That(chain!.GetValue<string>(), Is.EqualTo("Development"));
            Assert.That(Rpc.State, Is.EqualTo(System.Net.WebSockets.WebSocketState.Open));
        });
    }

    [Test]
    public async Task UndecodableExtrinsic_ErrorAndTheNodeKeepsServing()
    {
        var badPrefix = await Rpc.RequestAsync("author_submitExtrinsic", "0x1001");
        var badBody = await Rpc.RequestAsync("author_submitExtrinsic", "0x0cffffff");
        var chain = await Rpc.CallAsync("system_chain");
        Assert.Multiple(() =>
        {
            Assert.That(badPrefix["error"]!["code"]!.GetValue<int>(), Is.EqualTo(1001));
            Assert.That(badBody["error"]!["code"]!.GetValue<int>(), Is.EqualTo(1002));
            Assert.That(chain!.GetValue<string>(), Is.EqualTo("Development"));
        });
    }

    [Test]
    public async Task HttpPost_SingleAndBatch_AnswerJsonRpc()
    {
        using var http = new HttpClient();
        using var single = new StringContent("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"system_chain\",\"params\":[]}", Encoding.UTF8);
        single.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var response = JsonNode.Parse(await (await http.PostAsync(Chain.HttpEndpoint, single)).Content.ReadAsStringAsync())!;
        using var batch = new StringContent("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"system_name\"},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"nope\"}]", Encoding.UTF8);
        var batchResponse = JsonNode.Parse(await (await http.PostAsync(Chain.HttpEndpoint, batch)).Content.ReadAsStringAsync())!.AsArray();
        using var subscribe = new StringContent("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"chain_subscribeNewHeads\",\"params\":[]}", Encoding.UTF8);
        var subscribeResponse = JsonNode.Parse(await (await http.PostAsync(Chain.HttpEndpoint, subscribe)).Content.ReadAsStringAsync())!;
        Assert.Multiple(() =>
        {
            Assert.That(response["result"]!.GetValue<string>(), Is.EqualTo("Development"));
            Assert.That(response["id"]!.GetValue<int>(), Is.EqualTo(7));
            Assert.That(batchResponse, Has.Count.EqualTo(2));
            Assert.That(batchResponse[1]!["error"]!["code"]!.GetValue<int>(), Is.EqualTo(-32601));
            Assert.That(subscribeResponse["error"], Is.Not.Null);
        });
    }

    internal static uint ParseNumber(JsonNode node) => node.GetValueKind() == System.Text.Json.JsonValueKind.Number
        ? node.GetValue<uint>()
        : Convert.ToUInt32(node.GetValue<string>()[2..], 16);

    internal static string FixturePath(params string[] parts) => TestData.Path(parts);
}
