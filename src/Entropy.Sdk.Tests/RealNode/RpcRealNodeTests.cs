using Entropy.Rpc;

namespace Entropy.Tests.RealNode;

public class RpcRealNodeTests : RealNodeTestBase
{
    [Test]
    public async Task InvokeAsync_StateGetMetadata_IsByteIdenticalToTheFixture()
    {
        await using var client = await RpcClient.ConnectAsync(Endpoint);

        var hex = (await client.InvokeIdempotentAsync("state_getMetadata")).GetString()!;
        var expected = await File.ReadAllBytesAsync(ChopsticksNode.Fixture("metadata/entropy-devnet-2023-v14.scale"));

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
