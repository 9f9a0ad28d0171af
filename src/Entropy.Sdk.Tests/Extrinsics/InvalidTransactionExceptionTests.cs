using Entropy.Extrinsics;

namespace Entropy.Tests.Extrinsics;

public class InvalidTransactionExceptionTests
{
    private static EntropyRpcException Rpc(int code, string message, string? data) =>
        new(code, message, data, "author_submitExtrinsic", new Uri("ws://127.0.0.1:1"), TimeSpan.FromMilliseconds(3));

    // chopsticks: ResponseError(1010, TransactionValidityError.toString()) (SUBSTRATE.md: `1010: {"invalid":{"badProof":null}}`).
    [TestCase(1010, "{\"invalid\":{\"badProof\":null}}", null, InvalidTransactionReason.BadProof)]
    [TestCase(1010, "{\"invalid\":{\"stale\":null}}", null, InvalidTransactionReason.Stale)]
    [TestCase(1010, "{\"invalid\":{\"future\":null}}", null, InvalidTransactionReason.Future)]
    [TestCase(1010, "{\"invalid\":{\"payment\":null}}", null, InvalidTransactionReason.Payment)]
    [TestCase(1010, "{\"invalid\":{\"ancientBirthBlock\":null}}", null, InvalidTransactionReason.AncientBirthBlock)]
    [TestCase(1011, "{\"unknown\":{\"cannotLookup\":null}}", null, InvalidTransactionReason.CannotLookup)]
    // Substrate: ErrorObject(1010, "Invalid Transaction", data = From<InvalidTransaction> for &str).
    [TestCase(1010, "Invalid Transaction", "Transaction has a bad signature", InvalidTransactionReason.BadProof)]
    [TestCase(1010, "Invalid Transaction", "Transaction is outdated", InvalidTransactionReason.Stale)]
    [TestCase(1010, "Invalid Transaction", "Transaction will be valid in the future", InvalidTransactionReason.Future)]
    [TestCase(1010, "Invalid Transaction", "Inability to pay some fees (e.g. account balance too low)", InvalidTransactionReason.Payment)]
    [TestCase(1010, "Invalid Transaction", "Transaction has an ancient birth block", InvalidTransactionReason.AncientBirthBlock)]
    [TestCase(1010, "Invalid Transaction", "Transaction would exhaust the block limits", InvalidTransactionReason.ExhaustsResources)]
    [TestCase(1011, "Unknown Transaction Validity", "CannotLookup", InvalidTransactionReason.CannotLookup)]
    [TestCase(1012, "Transaction is temporarily banned", null, InvalidTransactionReason.TemporarilyBanned)]
    [TestCase(1013, "Transaction Already Imported", null, InvalidTransactionReason.AlreadyImported)]
    [TestCase(1014, "Priority is too low: (0 vs 0)", null, InvalidTransactionReason.PriorityTooLow)]
    [TestCase(1016, "Immediately Dropped", null, InvalidTransactionReason.ImmediatelyDropped)]
    [TestCase(1010, "Invalid Transaction", "something new", InvalidTransactionReason.Other)]
    public void FromRpcError_PoolErrors_ParseReason(int code, string message, string? data, InvalidTransactionReason expected)
    {
        InvalidTransactionException? e = InvalidTransactionException.FromRpcError(Rpc(code, message, data), "0x01");

        Assert.That(e, Is.Not.Null);
        Assert.That(e!.Reason, Is.EqualTo(expected));
        Assert.That(e.RpcCode, Is.EqualTo(code));
        Assert.That(e.Message, Does.Contain("0x01"));
        Assert.That(e.InnerException, Is.TypeOf<EntropyRpcException>());
    }

    [Test]
    public void FromRpcError_SubstrateCustom_KeepsCode()
    {
        InvalidTransactionException? e = InvalidTransactionException.FromRpcError(Rpc(1010, "Invalid Transaction", "Custom error: 3"), "0x01");

        Assert.That(e!.Reason, Is.EqualTo(InvalidTransactionReason.Custom));
        Assert.That(e.CustomCode, Is.EqualTo((byte)3));
        Assert.That(e.IsUnknownValidity, Is.False);
    }

    [Test]
    public void FromRpcError_ChopsticksCustom_KeepsCode()
    {
        InvalidTransactionException? e = InvalidTransactionException.FromRpcError(Rpc(1010, "{\"invalid\":{\"custom\":2}}", null), "0x01");

        Assert.That(e!.Reason, Is.EqualTo(InvalidTransactionReason.Custom));
        Assert.That(e.CustomCode, Is.EqualTo((byte)2));
    }

    [Test]
    public void FromRpcError_UnknownValidityCustom_IsUnknownCustom()
    {
        InvalidTransactionException? e = InvalidTransactionException.FromRpcError(Rpc(1011, "Unknown Transaction Validity", "Custom(7)"), "0x01");

        Assert.That(e!.Reason, Is.EqualTo(InvalidTransactionReason.UnknownCustom));
        Assert.That(e.CustomCode, Is.EqualTo((byte)7));
        Assert.That(e.IsUnknownValidity, Is.True);
    }

    [Test]
    public void FromRpcError_NotAPoolError_ReturnsNull()
    {
        Assert.That(InvalidTransactionException.FromRpcError(Rpc(-32602, "Invalid params", null), "0x01"), Is.Null);
    }

    [Test]
    public void FromRpcError_BadProof_MessageExplainsLikelyCauses()
    {
        InvalidTransactionException? e = InvalidTransactionException.FromRpcError(Rpc(1010, "Invalid Transaction", "Transaction has a bad signature"), "0x01");

        Assert.That(e!.Message, Does.Contain("BadProof").And.Contain("genesis"));
    }
}
