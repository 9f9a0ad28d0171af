using System.Text.Json;
using Entropy.Chain;

namespace Entropy.Tests.Chain;

public class ChainTypesTests
{
    // A block built by chopsticks 1.5.1 from the 2023 Entropy devnet spec (genesis mode, parent 0x45…45):
    // chain_getHeader returned this JSON and the node logged "new head #1 hash 0x7ad036e9…a901".
    private const string ChopsticksHeader1 = """
        {"parentHash":"0x4545454545454545454545454545454545454545454545454545454545454545","number":"0x00000001",
         "stateRoot":"0x0000000000000000000000000000000000000000000000000000000000000000",
         "extrinsicsRoot":"0x14279dc64492e847c83acbc097227f86fca0c314425e627ffed7fb701113622a",
         "digest":{"logs":["0x0642414245b50103020200001377d6110000000044cadd14aaefbda13ac8d85e1a6d58be082e7e2f56a4f95a3c612c784aaa4063f5517bf67d93ce633cde2fde7fbcf8ddca80017aaf8cd48436514687c662f60eda0ffa2c4781906416f4e71a196c9783c60c1b83d54c3a29365d03706714570b"]}}
        """;

    [Test]
    public void BlockHash_ParseAndToString_RoundTrip()
    {
        const string text = "0x7ad036e901ccc171063df8ab86a819ef4d70110a06a68009625226ff7ae4a901";

        var hash = BlockHash.Parse(text);

        Assert.That(hash.ToString(), Is.EqualTo(text));
        Assert.That(hash, Is.EqualTo(BlockHash.Parse(text.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal))));
        Assert.That(hash == default, Is.False);
        Assert.That(hash.AsSpan().Length, Is.EqualTo(32));
    }

    [TestCase("")]
    [TestCase("0x")]
    [TestCase("7ad036e901ccc171063df8ab86a819ef4d70110a06a68009625226ff7ae4a901")]
    [TestCase("0x7ad036e901ccc171063df8ab86a819ef4d70110a06a68009625226ff7ae4a9")]
    [TestCase("0x7ad036e901ccc171063df8ab86a819ef4d70110a06a68009625226ff7ae4a9zz")]
    public void BlockHash_Parse_Malformed_ThrowsFormatException(string text)
    {
        Assert.That(BlockHash.TryParse(text, out _), Is.False);
        Assert.Throws<FormatException>(() => BlockHash.Parse(text));
    }

    [Test]
    public void BlockHash_Constructor_WrongLength_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => _ = new BlockHash(new byte[31]));
    }

    [Test]
    public void ReadHeader_ChopsticksBlock1_HashMatchesTheNodesHash()
    {
        var header = ChainJson.ReadHeader(JsonDocument.Parse(ChopsticksHeader1).RootElement, "chain_getHeader");

        Assert.That(header.Number, Is.EqualTo(1u));
        Assert.That(header.ParentHash, Is.EqualTo(BlockHash.Parse("0x4545454545454545454545454545454545454545454545454545454545454545")));
        Assert.That(header.DigestLogs, Has.Count.EqualTo(1));
        Assert.That(header.Hash, Is.EqualTo(BlockHash.Parse("0x7ad036e901ccc171063df8ab86a819ef4d70110a06a68009625226ff7ae4a901")));
    }

    [Test]
    public void ReadHeader_MissingField_ThrowsProtocolException()
    {
        var json = JsonDocument.Parse("""{"parentHash":"0x00","number":"0x1"}""").RootElement;

        var ex = Assert.Throws<Entropy.Rpc.EntropyRpcProtocolException>(() => ChainJson.ReadHeader(json, "chain_getHeader"));

        Assert.That(ex!.Method, Is.EqualTo("chain_getHeader"));
    }

    [Test]
    public void RuntimeVersion_GetApiVersion_FindsMetadataApiById()
    {
        // The runtime version chopsticks reports for the 2023 devnet (spec 267); 0x37e397fc7c91f5e4 is the Metadata API id.
        var json = JsonDocument.Parse("""
            {"specName":"node","implName":"substrate-node","authoringVersion":10,"specVersion":267,"implVersion":1,
             "apis":[["0xdf6acb689907609b",4],["0x37e397fc7c91f5e4",1],["0x40fe3ad401f8959a",6]],"transactionVersion":2,"stateVersion":1}
            """).RootElement;

        var version = ChainJson.ReadRuntimeVersion(json, "state_getRuntimeVersion");

        Assert.That(RuntimeVersion.ApiId("Metadata"), Is.EqualTo("0x37e397fc7c91f5e4"));
        Assert.That(RuntimeVersion.ApiId("Core"), Is.EqualTo("0xdf6acb689907609b"));
        Assert.That(version.GetApiVersion("Metadata"), Is.EqualTo(1u));
        Assert.That(version.GetApiVersion("NoSuchApi"), Is.Null);
        Assert.That(version.SpecVersion, Is.EqualTo(267u));
        Assert.That(version.TransactionVersion, Is.EqualTo(2u));
        Assert.That(version.SpecName, Is.EqualTo("node"));
    }

    [Test]
    public void ReadProperties_SingleAndArrayForms_AreRead()
    {
        var single = ChainJson.ReadProperties(JsonDocument.Parse("""{"tokenDecimals":10,"tokenSymbol":"BITS"}""").RootElement, "system_properties");
        var multi = ChainJson.ReadProperties(
            JsonDocument.Parse("""{"ss58Format":42,"tokenDecimals":[12,18],"tokenSymbol":["A","B"]}""").RootElement, "system_properties");

        Assert.That(single.Ss58Format, Is.Null);
        Assert.That(single.TokenSymbol, Is.EqualTo("BITS"));
        Assert.That(single.TokenDecimal, Is.EqualTo(10));
        Assert.That(multi.Ss58Format, Is.EqualTo((ushort)42));
        Assert.That(multi.TokenSymbols, Is.EqualTo(new[] { "A", "B" }));
        Assert.That(multi.TokenDecimals, Is.EqualTo(new[] { 12, 18 }));
    }
}
