using System.Text.Json;
using Entropy.Extrinsics;

namespace Entropy.Tests.Extrinsics;

public class TransactionStatusTests
{
    private static TransactionStatus Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return TransactionStatus.Parse(document.RootElement.Clone());
    }

    // Substrate's serde form (sc_transaction_pool_api::TransactionStatus, rename_all = "camelCase").
    [TestCase("\"future\"", TransactionStatusKind.Future, null)]
    [TestCase("\"ready\"", TransactionStatusKind.Ready, null)]
    [TestCase("{\"broadcast\":[\"peer1\"]}", TransactionStatusKind.Broadcast, null)]
    [TestCase("{\"inBlock\":\"0xab\"}", TransactionStatusKind.InBlock, "0xab")]
    [TestCase("{\"retracted\":\"0xab\"}", TransactionStatusKind.Retracted, "0xab")]
    [TestCase("{\"finalityTimeout\":\"0xab\"}", TransactionStatusKind.FinalityTimeout, "0xab")]
    [TestCase("{\"finalized\":\"0xcd\"}", TransactionStatusKind.Finalized, "0xcd")]
    [TestCase("{\"usurped\":\"0xef\"}", TransactionStatusKind.Usurped, "0xef")]
    [TestCase("\"dropped\"", TransactionStatusKind.Dropped, null)]
    [TestCase("\"invalid\"", TransactionStatusKind.Invalid, null)]
    // chopsticks' form (rpc/substrate/author.ts): PascalCase objects.
    [TestCase("{\"Ready\":null}", TransactionStatusKind.Ready, null)]
    [TestCase("{\"InBlock\":\"0x12\"}", TransactionStatusKind.InBlock, "0x12")]
    [TestCase("{\"Finalized\":\"0x12\"}", TransactionStatusKind.Finalized, "0x12")]
    public void Parse_KnownForms_MapToKind(string json, object kind, string? hash)
    {
        // object: the enum is internal, and NUnit needs public test methods.
        TransactionStatus status = Parse(json);

        Assert.That(status.Kind, Is.EqualTo(kind));
        Assert.That(status.BlockHash, Is.EqualTo(hash));
    }

    [Test]
    public void Parse_Broadcast_KeepsPeers()
    {
        Assert.That(Parse("{\"broadcast\":[\"a\",\"b\"]}").Peers, Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public void Parse_ChopsticksValidityError_IsInvalidWithReason()
    {
        TransactionStatus status = Parse("{\"invalid\":{\"badProof\":null}}");

        Assert.That(status.Kind, Is.EqualTo(TransactionStatusKind.Invalid));
        Assert.That(status.Reason, Is.EqualTo(InvalidTransactionReason.BadProof));
        Assert.That(status.IsFinal, Is.True);
    }

    [Test]
    public void Parse_ChopsticksCustomValidityError_KeepsCode()
    {
        TransactionStatus status = Parse("{\"invalid\":{\"custom\":3}}");

        Assert.That(status.Reason, Is.EqualTo(InvalidTransactionReason.Custom));
        Assert.That(status.CustomCode, Is.EqualTo((byte)3));
    }

    [TestCase(TransactionStatusKind.Ready, false)]
    [TestCase(TransactionStatusKind.InBlock, false)]
    [TestCase(TransactionStatusKind.Retracted, false)]
    [TestCase(TransactionStatusKind.Finalized, true)]
    [TestCase(TransactionStatusKind.Usurped, true)]
    [TestCase(TransactionStatusKind.Dropped, true)]
    [TestCase(TransactionStatusKind.FinalityTimeout, true)]
    public void IsFinal_PerKind(object kind, bool final)
    {
        Assert.That(new TransactionStatus((TransactionStatusKind)kind, "0x00").IsFinal, Is.EqualTo(final));
    }

    [TestCase("42")]
    [TestCase("{\"a\":1,\"b\":2}")]
    [TestCase("\"sideways\"")]
    [TestCase("{\"inBlock\":7}")]
    public void Parse_Malformed_ThrowsEntropyException(string json)
    {
        Assert.That(() => Parse(json), Throws.TypeOf<EntropyException>().With.Message.Contains("author_extrinsicUpdate"));
    }
}
