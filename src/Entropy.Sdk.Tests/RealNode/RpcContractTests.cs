using Entropy.Rpc;

namespace Entropy.Tests.RealNode;

[TestFixture(NodeKind.Simulator)]
[TestFixture(NodeKind.Chopsticks, Category = "RealNode")]
public class RpcContractTests(NodeKind kind) : ChainContractTestBase(kind)
{
    [Test]
    public async Task InvokeAsync_StateGetMetadata_IsByteIdenticalToTheFixture()
    {
        await using var client = await RpcClient.ConnectAsync(Endpoint);

        var hex = (await client.InvokeIdempotentAsync("state_getMetadata")).GetString()!;
        var expected = await File.ReadAllBytesAsync(ChopsticksNode.Fixture(Facts.MetadataFixture));

        Assert.That(Convert.FromHexString(hex.AsSpan(2)), Is.EqualTo(expected));
    }

    [Test]
    public async Task InvokeAsync_UnknownMethod_ThrowsMethodNotFound()
    {
        await using var client = await RpcClient.ConnectAsync(Endpoint);

        var ex = Assert.ThrowsAsync<EntropyRpcException>(() => client.InvokeAsync("nope_nothing"));

        Assert.That(ex!.Code, Is.EqualTo(-32601));
        Assert.That(ex.Method, Is.EqualTo("nope_nothing"));
    }
}
