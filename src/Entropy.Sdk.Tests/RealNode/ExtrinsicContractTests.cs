using System.Text.Json;
using Entropy.Crypto;
using Entropy.Extrinsics;
using Entropy.Metadata;
using Entropy.Rpc;

namespace Entropy.Tests.RealNode;

/// <summary>Signed extrinsics against a real Substrate runtime (chopsticks, Entropy devnet spec 267, V14 metadata; SUBSTRATE.md §3) and the simulator.</summary>
[NonParallelizable]
[TestFixture(NodeKind.Simulator)]
[TestFixture(NodeKind.Chopsticks, Category = "RealNode")]
public class ExtrinsicContractTests(NodeKind kind) : ChainContractTestBase(kind)
{
    // //Alice mini secret (SUBSTRATE.md §4, §6.1 f) and //Bob's public key (§6.1 a).
    private static readonly byte[] s_aliceMini = Convert.FromHexString("e5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a");
    private static readonly byte[] s_bob = Convert.FromHexString("8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48");

    private RpcClient _rpc = null!;
    private RuntimeMetadata _metadata = null!;
    private ExtrinsicBuilder _builder = null!;
    private ExtrinsicSubmitter _submitter = null!;
    private Entropy.Chain.SubstrateClient _chain = null!;
    private Sr25519KeyPair _alice = null!;
    private uint _spec;
    private uint _tx;
    private byte[] _genesis = null!;

    [OneTimeSetUp]
    public async Task ConnectAsync()
    {
        _rpc = await RpcClient.ConnectAsync(Endpoint);
        _metadata = RuntimeMetadata.Parse(HexBytes(await _rpc.InvokeIdempotentAsync("state_getMetadata")));
        JsonElement version = await _rpc.InvokeIdempotentAsync("state_getRuntimeVersion");
        _spec = version.GetProperty("specVersion").GetUInt32();
        _tx = version.GetProperty("transactionVersion").GetUInt32();
        _genesis = HexBytes(await _rpc.InvokeIdempotentAsync("chain_getBlockHash", [0]));
        _builder = new ExtrinsicBuilder(_metadata, _spec, _tx, _genesis);
        _chain = await Entropy.Chain.SubstrateClient.CreateAsync(_rpc);
        _submitter = new ExtrinsicSubmitter(_chain);
        _alice = Sr25519KeyPair.FromMiniSecret(s_aliceMini);
    }

    [OneTimeTearDown]
    public async Task DisconnectAsync()
    {
        _alice?.Dispose();
        if (_chain is not null)
        {
            await _chain.DisposeAsync();
        }

        if (_rpc is not null)
        {
            await _rpc.DisposeAsync();
        }
    }

    private static byte[] HexBytes(JsonElement element) => Convert.FromHexString(element.GetString()!.AsSpan(2));

    private async Task<ulong> NonceAsync() =>
        (await _rpc.InvokeIdempotentAsync("system_accountNextIndex", [new AccountId(_alice.PublicKey.ToArray()).ToSs58()])).GetUInt64();

    // 10^15 planck (10^5 BITS): well above the existential deposit.
    private const ulong Amount = 1_000_000_000_000_000;

    private byte[] TransferToBob(ulong amount) => TransferTo(s_bob, amount);

    private byte[] TransferTo(byte[] dest, ulong amount) => _metadata.EncodeCall("Balances", Facts.TransferCall, ScaleValue.Named(
        ("dest", ScaleValue.Variant("Id", ScaleValue.Bytes(dest))),
        ("value", ScaleValue.Number(amount))));

    [Test]
    public async Task SubmitAndWatchAsync_SignedTransfer_IsIncludedWithTransferEvent()
    {
        ulong nonce = await NonceAsync();
        SignedExtrinsic extrinsic = _builder.Sign(TransferToBob(Amount + 12345), _alice, TransactionParameters.Immortal(nonce));
        var statuses = new List<TransactionStatusKind>();

        ExtrinsicResult result = await _submitter.SubmitAndWatchAsync(
            extrinsic, TransactionWaitFor.Finalized, new SynchronousProgress(s => statuses.Add(s.Kind)));

        Assert.That(result.Succeeded, Is.True);
        Assert.That(result.IsFinalized, Is.True);
        Assert.That(result.ExtrinsicHash, Is.EqualTo("0x" + Convert.ToHexStringLower(extrinsic.Hash.Span)));
        Assert.That(result.Events.All(e => e.ExtrinsicIndex == (uint)result.ExtrinsicIndex), Is.True);
        EventRecord transfer = result.FindEvents("Balances", "Transfer").Single();
        Assert.That(transfer.Fields["to"].AsBytes(), Is.EqualTo(s_bob));
        Assert.That((ulong)transfer.Fields["amount"].AsNumber(), Is.EqualTo(Amount + 12345));
        Assert.That(statuses, Does.Contain(TransactionStatusKind.InBlock).And.Contain(TransactionStatusKind.Finalized));
    }

    [Test]
    public async Task SubmitAsync_ReturnsBlake2HashOfTheExtrinsic()
    {
        ulong nonce = await NonceAsync();
        SignedExtrinsic extrinsic = _builder.Sign(TransferToBob(Amount), _alice, TransactionParameters.Immortal(nonce));

        string hash = await _submitter.SubmitAsync(extrinsic);

        Assert.That(hash, Is.EqualTo("0x" + Convert.ToHexStringLower(extrinsic.Hash.Span)));
    }

    [Test]
    public async Task SubmitAndWatchAsync_MortalEra_IsAccepted()
    {
        byte[] finalized = HexBytes(await _rpc.InvokeIdempotentAsync("chain_getFinalizedHead"));
        JsonElement header = await _rpc.InvokeIdempotentAsync("chain_getHeader", [Convert.ToHexStringLower(finalized).Insert(0, "0x")]);
        ulong number = Convert.ToUInt64(header.GetProperty("number").GetString()!, 16);
        TransactionParameters parameters = TransactionParameters.Mortal(await NonceAsync(), number, finalized, period: 64);

        SignedExtrinsic extrinsic = _builder.Sign(TransferToBob(Amount + 7), _alice, parameters);
        ExtrinsicResult result = await _submitter.SubmitAndWatchAsync(extrinsic);

        Assert.That(parameters.Era.IsImmortal, Is.False);
        Assert.That(result.Succeeded, Is.True);
        Assert.That(result.BlockNumber, Is.GreaterThan(number));
    }

    [Test]
    public async Task SubmitAndWatchAsync_TamperedSignature_ThrowsBadProof()
    {
        ulong nonce = await NonceAsync();
        SignedExtrinsic good = _builder.Sign(TransferToBob(1), _alice, TransactionParameters.Immortal(nonce));
        byte[] bytes = good.Encoded.ToArray();
        bytes[2 + 1 + 1 + 32 + 1 + 10] ^= 0x01; // a byte inside the signature (the length prefix here is 2 bytes)
        DecodedExtrinsic decoded = _builder.Decode(bytes);
        SignedExtrinsic tampered = _builder.Assemble(decoded.Call.Span, decoded.Signer!.Value.AsSpan(), decoded.Signature!.Value.Span, good.Parameters);

        var e = Assert.ThrowsAsync<InvalidTransactionException>(() => _submitter.SubmitAndWatchAsync(tampered));

        Assert.That(e!.Reason, Is.EqualTo(InvalidTransactionReason.BadProof));
        Assert.That(e.RpcCode, Is.EqualTo(1010));
    }

    [Test]
    public async Task AuthorSubmitExtrinsic_WrongGenesisHash_Is1010InvalidTransactionWithData()
    {
        // The raw JSON-RPC error: code 1010 naming the reason. A Substrate node (sc-rpc-api author errors; the simulator matches it)
        // answers message "Invalid Transaction" with the reason's text in data ("Transaction has a bad signature"); chopsticks 1.5.1
        // puts the validity as JSON in the message ({"invalid":{"badProof":null}}). The SDK parses both;
        // SimulatedChainRuntimeTests pins the simulator's exact Substrate shape.
        var wrong = new ExtrinsicBuilder(_metadata, _spec, _tx, Enumerable.Repeat((byte)0x77, 32).ToArray());
        ulong nonce = await NonceAsync();
        SignedExtrinsic extrinsic = wrong.Sign(TransferToBob(3), _alice, TransactionParameters.Immortal(nonce));
        string hex = "0x" + Convert.ToHexStringLower(extrinsic.Encoded.ToArray());

        var e = Assert.ThrowsAsync<EntropyRpcException>(() => _rpc.InvokeAsync("author_submitExtrinsic", [hex]));

        Assert.That(e!.Code, Is.EqualTo(1010));
        Assert.That($"{e.ServerMessage} {e.Data}", Does.Contain("bad signature").Or.Contain("badProof"));
    }

    [Test]
    public async Task SubmitAsync_WrongGenesisHash_ThrowsBadProof()
    {
        var wrong = new ExtrinsicBuilder(_metadata, _spec, _tx, Enumerable.Repeat((byte)0x99, 32).ToArray());
        ulong nonce = await NonceAsync();
        SignedExtrinsic extrinsic = wrong.Sign(TransferToBob(1), _alice, TransactionParameters.Immortal(nonce));

        var e = Assert.ThrowsAsync<InvalidTransactionException>(() => _submitter.SubmitAsync(extrinsic));

        Assert.That(e!.Reason, Is.EqualTo(InvalidTransactionReason.BadProof));
        Assert.That(e.RpcCode, Is.EqualTo(1010));
    }

    [Test]
    public async Task SubmitAndWatchAsync_StaleNonce_ThrowsStale()
    {
        // Make sure nonce 0 is used, then sign with it again.
        if (await NonceAsync() == 0)
        {
            SignedExtrinsic first = _builder.Sign(TransferToBob(Amount), _alice, TransactionParameters.Immortal(0));
            await _submitter.SubmitAndWatchAsync(first);
        }

        SignedExtrinsic stale = _builder.Sign(TransferToBob(2), _alice, TransactionParameters.Immortal(0));

        var e = Assert.ThrowsAsync<InvalidTransactionException>(() => _submitter.SubmitAndWatchAsync(stale));

        Assert.That(e!.Reason, Is.EqualTo(InvalidTransactionReason.Stale));
    }

    [Test]
    public async Task SubmitAndWatchAsync_TransferBelowExistentialDeposit_ThrowsDispatchExceptionWithTheRuntimesError()
    {
        using Sr25519KeyPair fresh = Sr25519KeyPair.Generate();
        ulong nonce = await NonceAsync();
        SignedExtrinsic extrinsic = _builder.Sign(TransferTo(fresh.PublicKey.ToArray(), 1), _alice, TransactionParameters.Immortal(nonce));

        var e = Assert.ThrowsAsync<DispatchException>(() => _submitter.SubmitAndWatchAsync(extrinsic));

        Assert.That((e!.DispatchErrorKind, e.Pallet, e.Error), Is.EqualTo(Facts.BelowMinimumError));
        Assert.That(e.Message, Does.Contain(Facts.BelowMinimumError.Error));
        Assert.That(e.Result!.Succeeded, Is.False);
        Assert.That(e.Result.FindEvents("System", "ExtrinsicFailed"), Is.Not.Empty);
    }

    [Test]
    public async Task SubmitAndWatchAsync_SignerWithoutFunds_ThrowsPayment()
    {
        // A fresh account cannot pay the fee → 1010 Payment.
        using Sr25519KeyPair charlie = Sr25519KeyPair.Generate();
        SignedExtrinsic extrinsic = _builder.Sign(TransferToBob(1), charlie, TransactionParameters.Immortal(0));

        var e = Assert.ThrowsAsync<InvalidTransactionException>(() => _submitter.SubmitAndWatchAsync(extrinsic));

        Assert.That(e!.Reason, Is.EqualTo(InvalidTransactionReason.Payment));
    }

    /// <summary><c>Utility.batch</c> (or <c>batch_all</c>/<c>force_batch</c>) of already encoded calls: the call prefix from the metadata, then the Vec.</summary>
    private byte[] UtilityBatch(string call, params byte[][] calls)
    {
        byte[] empty = _metadata.EncodeCall("Utility", call, ScaleValue.Named(("calls", ScaleValue.Sequence())));
        var encoded = new List<byte>(empty[..^1]) { (byte)(calls.Length << 2) };
        foreach (var inner in calls)
        {
            encoded.AddRange(inner);
        }

        return [.. encoded];
    }

    [Test]
    public async Task SubmitAndWatchAsync_UtilityBatchOfTwoTransfers_ItemCompletedTwiceThenBatchCompleted()
    {
        using Sr25519KeyPair first = Sr25519KeyPair.Generate();
        using Sr25519KeyPair second = Sr25519KeyPair.Generate();
        ulong nonce = await NonceAsync();
        SignedExtrinsic extrinsic = _builder.Sign(
            UtilityBatch("batch", TransferTo(first.PublicKey.ToArray(), Amount), TransferTo(second.PublicKey.ToArray(), Amount)),
            _alice, TransactionParameters.Immortal(nonce));

        ExtrinsicResult result = await _submitter.SubmitAndWatchAsync(extrinsic);

        var utility = result.Events.Where(e => e.Pallet == "Utility").Select(e => e.Name).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(result.Succeeded, Is.True);
            Assert.That(utility, Is.EqualTo(new[] { "ItemCompleted", "ItemCompleted", "BatchCompleted" }));
            Assert.That(result.FindEvents("Balances", "Transfer").Select(e => e.Fields["to"].AsBytes()),
                Is.EqualTo(new[] { first.PublicKey.ToArray(), second.PublicKey.ToArray() }));
        });
    }

    [Test]
    public async Task SubmitAndWatchAsync_UtilityBatchWithAFailingSecondCall_BatchInterruptedAtIndexOneAndTheFirstKept()
    {
        using Sr25519KeyPair first = Sr25519KeyPair.Generate();
        using Sr25519KeyPair belowMinimum = Sr25519KeyPair.Generate();
        using Sr25519KeyPair third = Sr25519KeyPair.Generate();
        ulong nonce = await NonceAsync();
        SignedExtrinsic extrinsic = _builder.Sign(
            UtilityBatch("batch", TransferTo(first.PublicKey.ToArray(), Amount), TransferTo(belowMinimum.PublicKey.ToArray(), 1), TransferTo(third.PublicKey.ToArray(), Amount)),
            _alice, TransactionParameters.Immortal(nonce));

        ExtrinsicResult result = await _submitter.SubmitAndWatchAsync(extrinsic);

        EventRecord interrupted = result.FindEvents("Utility", "BatchInterrupted").Single();
        ScaleValue error = interrupted.Fields["error"];
        string? errorText = Facts.BelowMinimumError.Kind == "Module" ? _metadata.FindModuleError(error)?.ToString() : error.ToString();
        Assert.Multiple(() =>
        {
            Assert.That(result.Succeeded, Is.True, "batch itself succeeds; the failure is in its event");
            Assert.That((int)interrupted.Fields["index"].AsNumber(), Is.EqualTo(1));
            Assert.That(errorText, Does.Contain(Facts.BelowMinimumError.Error));
            Assert.That(result.FindEvents("Utility", "ItemCompleted").Count(), Is.EqualTo(1));
            Assert.That(result.FindEvents("Balances", "Transfer").Select(e => e.Fields["to"].AsBytes()), Is.EqualTo(new[] { first.PublicKey.ToArray() }));
        });
    }

    private sealed class SynchronousProgress(Action<TransactionStatus> report) : IProgress<TransactionStatus>
    {
        public void Report(TransactionStatus value) => report(value);
    }
}
