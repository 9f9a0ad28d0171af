using System.Text.Json.Nodes;
using Entropy.Crypto;
using Entropy.Hashing;
using Entropy.Metadata;
using Entropy.Simulator;

namespace Entropy.Tests.Simulator.Runtime;

/// <summary>
/// Utility (batch, batch_all, force_batch), Sudo (sudo, sudo_unchecked_weight, sudo_as, with //Alice as the dev key),
/// System.remark_with_event, and the pool's answer to a call of the metadata the devnet does not implement (manual blocks).
/// Events are decoded with the SDK's metadata decoder, an implementation independent of the node's.
/// </summary>
public class SimulatedChainUtilitySudoTests : ManualChainFixture
{
    private static readonly UInt128 s_dollars = 100_000_000_000_000;

    [Test]
    public async Task Batch_ThreeTransfers_FundsEveryAccountWithItemCompletedEachAndBatchCompleted()
    {
        var targets = Enumerable.Range(0, 3).Select(i => Account($"//BatchTarget{i}")).ToArray();
        var events = await ApplyAsync(Bob, Batch(0, [.. targets.Select(t => TestTransactions.TransferKeepAlive(t, 2 * s_dollars))]));
        Assert.Multiple(async () =>
        {
            Assert.That(Names(events).Where(n => n.StartsWith("Utility.", StringComparison.Ordinal)),
                Is.EqualTo(new[] { "Utility.ItemCompleted", "Utility.ItemCompleted", "Utility.ItemCompleted", "Utility.BatchCompleted" }));
            Assert.That(Names(events).Count(n => n == "Balances.Transfer"), Is.EqualTo(3));
            Assert.That(Names(events)[^1], Is.EqualTo("System.ExtrinsicSuccess"));
            foreach (var target in targets)
            {
                Assert.That(await FreeAsync(target), Is.EqualTo(2 * s_dollars));
            }
        });
    }

    [Test]
    public async Task Batch_SecondCallFails_InterruptedAtIndexOneFirstKeptThirdNotRun()
    {
        var first = Account("//InterruptFirst");
        var third = Account("//InterruptThird");
        var events = await ApplyAsync(Bob, Batch(0,
            TestTransactions.TransferKeepAlive(first, 2 * s_dollars),
            TestTransactions.TransferKeepAlive(Account("//InterruptSecond"), UInt128.MaxValue / 2),
            TestTransactions.TransferKeepAlive(third, 2 * s_dollars)));
        var interrupted = events.Single(e => e.Name == "BatchInterrupted");
        Assert.Multiple(async () =>
        {
            Assert.That(Names(events).Where(n => n.StartsWith("Utility.", StringComparison.Ordinal)),
                Is.EqualTo(new[] { "Utility.ItemCompleted", "Utility.BatchInterrupted" }));
            Assert.That((int)interrupted.Fields[0].AsNumber(), Is.EqualTo(1));
            Assert.That(interrupted.Fields[1].ToString(), Does.Contain("FundsUnavailable"));
            Assert.That(Names(events)[^1], Is.EqualTo("System.ExtrinsicSuccess"), "batch itself succeeds");
            Assert.That(await FreeAsync(first), Is.EqualTo(2 * s_dollars));
            Assert.That(await FreeAsync(third), Is.EqualTo(UInt128.Zero));
        });
    }

    [Test]
    public async Task BatchAll_SecondCallFails_ExtrinsicFailedAndFirstRolledBack()
    {
        var first = Account("//AllFirst");
        var events = await ApplyAsync(Bob, Batch(2,
            TestTransactions.TransferKeepAlive(first, 2 * s_dollars),
            TestTransactions.TransferKeepAlive(Account("//AllSecond"), UInt128.MaxValue / 2)));
        Assert.Multiple(async () =>
        {
            Assert.That(Names(events), Does.Not.Contain("Utility.ItemCompleted").And.Not.Contain("Balances.Transfer"));
            Assert.That(Names(events)[^1], Is.EqualTo("System.ExtrinsicFailed"));
            Assert.That(events[^1].Fields[0].ToString(), Does.Contain("FundsUnavailable"));
            Assert.That(await FreeAsync(first), Is.EqualTo(UInt128.Zero));
        });
    }

    [Test]
    public async Task ForceBatch_SecondCallFails_ItemFailedThenThirdRunsAndCompletedWithErrors()
    {
        var third = Account("//ForceThird");
        var events = await ApplyAsync(Bob, Batch(4,
            TestTransactions.TransferKeepAlive(Account("//ForceFirst"), 2 * s_dollars),
            TestTransactions.TransferKeepAlive(Account("//ForceSecond"), UInt128.MaxValue / 2),
            TestTransactions.TransferKeepAlive(third, 2 * s_dollars)));
        Assert.Multiple(async () =>
        {
            Assert.That(Names(events).Where(n => n.StartsWith("Utility.", StringComparison.Ordinal)),
                Is.EqualTo(new[] { "Utility.ItemCompleted", "Utility.ItemFailed", "Utility.ItemCompleted", "Utility.BatchCompletedWithErrors" }));
            Assert.That(await FreeAsync(third), Is.EqualTo(2 * s_dollars));
        });
    }

    [Test]
    public async Task Sudo_ByTheDevKey_ForceSetBalanceRunsAsRootAndTheKeyPaysNoFee()
    {
        var target = Account("//SudoTarget");
        var aliceBefore = await FreeAsync(Alice.PublicKey.ToArray());
        var events = await ApplyAsync(Alice, Sudo(ForceSetBalance(target, 7 * s_dollars)));
        var sudid = events.Single(e => e.Name == "Sudid");
        Assert.Multiple(async () =>
        {
            Assert.That(sudid.Fields[0].ToString(), Does.StartWith("Ok"));
            Assert.That(Names(events), Does.Contain("Balances.BalanceSet"));
            Assert.That(await FreeAsync(target), Is.EqualTo(7 * s_dollars));
            Assert.That(await FreeAsync(Alice.PublicKey.ToArray()), Is.EqualTo(aliceBefore), "Pays::No: the withdrawn fee is refunded");
        });
    }

    [Test]
    public async Task SudoUncheckedWeight_ByTheDevKey_RunsAsRoot()
    {
        var target = Account("//SudoUncheckedTarget");
        byte[] call = [32, 1, .. ForceSetBalance(target, 3 * s_dollars), .. TestTransactions.Call(w => { w.WriteCompact(1_000UL); w.WriteCompact(0UL); })];
        var events = await ApplyAsync(Alice, call);
        Assert.Multiple(async () =>
        {
            Assert.That(events.Single(e => e.Name == "Sudid").Fields[0].ToString(), Does.StartWith("Ok"));
            Assert.That(await FreeAsync(target), Is.EqualTo(3 * s_dollars));
        });
    }

    [Test]
    public async Task Sudo_ByAnotherAccount_ExtrinsicFailedRequireSudo()
    {
        var events = await ApplyAsync(Bob, Sudo(ForceSetBalance(Account("//NotSudo"), 7 * s_dollars)));
        Assert.Multiple(() =>
        {
            Assert.That(Names(events)[^1], Is.EqualTo("System.ExtrinsicFailed"));
            Assert.That(Metadata.FindModuleError(events[^1].Fields[0])?.ToString(), Does.Contain("RequireSudo"));
        });
    }

    [Test]
    public async Task Sudo_InnerCallNeedsASignedOrigin_SudidCarriesBadOrigin()
    {
        var events = await ApplyAsync(Alice, Sudo(TestTransactions.TransferKeepAlive(Account("//RootCannotTransfer"), s_dollars)));
        Assert.Multiple(() =>
        {
            Assert.That(events.Single(e => e.Name == "Sudid").Fields[0].ToString(), Does.Contain("BadOrigin"));
            Assert.That(Names(events)[^1], Is.EqualTo("System.ExtrinsicSuccess"));
        });
    }

    [Test]
    public async Task SudoAs_Bob_TransferRunsAsBobAndSudoAsDoneOk()
    {
        var target = Account("//SudoAsTarget");
        var bobBefore = await FreeAsync(Bob.PublicKey.ToArray());
        byte[] call = [32, 3, 0, .. Bob.PublicKey.ToArray(), .. TestTransactions.TransferKeepAlive(target, 4 * s_dollars)];
        var events = await ApplyAsync(Alice, call);
        Assert.Multiple(async () =>
        {
            Assert.That(events.Single(e => e.Name == "SudoAsDone").Fields[0].ToString(), Does.StartWith("Ok"));
            Assert.That(await FreeAsync(target), Is.EqualTo(4 * s_dollars));
            Assert.That(await FreeAsync(Bob.PublicKey.ToArray()), Is.EqualTo(bobBefore - (4 * s_dollars)));
        });
    }

    [Test]
    public async Task RemarkWithEvent_EmitsRemarkedWithSenderAndBlake2Hash()
    {
        var remark = "hello devnet"u8.ToArray();
        var events = await ApplyAsync(Bob, TestTransactions.Call(w => { w.WriteU8(1); w.WriteU8(7); w.WriteByteVec(remark); }));
        var remarked = events.Single(e => e.Name == "Remarked");
        Assert.Multiple(() =>
        {
            Assert.That(remarked.Fields[0].AsBytes(), Is.EqualTo(Bob.PublicKey.ToArray()));
            Assert.That(remarked.Fields[1].AsBytes(), Is.EqualTo(Blake2b.Hash256(remark)));
        });
    }

    [Test]
    public async Task Submit_CallNotImplementedByTheDevnet_Invalid1010CallNamingPalletAndCall()
    {
        // Balances.force_unreserve(who, amount): decodes with the metadata, but the devnet does not implement it.
        var call = TestTransactions.Call(w => { w.WriteU8(7); w.WriteU8(5); w.WriteU8(0); w.WriteBytes(Account("//X")); w.WriteU128(1); });
        var response = await Rpc.RequestAsync("author_submitExtrinsic", Hex0x(await SignAsync(Bob, call)));
        AssertCallRefused(response, "Balances.force_unreserve");
    }

    [Test]
    public async Task Submit_UnimplementedCallInsideABatch_Invalid1010NamingTheInnerCall()
    {
        // Staking.chill() (pallet 11, call 6) inside Utility.batch.
        var response = await Rpc.RequestAsync("author_submitExtrinsic",
            Hex0x(await SignAsync(Bob, Batch(0, TestTransactions.TransferKeepAlive(Account("//Y"), s_dollars), [11, 6]))));
        AssertCallRefused(response, "Staking.chill");
    }

    [Test]
    public async Task Submit_CallIndexOutsideTheMetadata_StillADecodeError()
    {
        var response = await Rpc.RequestAsync("author_submitExtrinsic", Hex0x(await SignAsync(Bob, [7, 200])));
        Assert.That(response["error"]!["code"]!.GetValue<int>(), Is.EqualTo(1002), response.ToJsonString());
    }

    private static void AssertCallRefused(JsonObject response, string call)
    {
        Assert.That(response["error"], Is.Not.Null, response.ToJsonString());
        Assert.Multiple(() =>
        {
            Assert.That(response["error"]!["code"]!.GetValue<int>(), Is.EqualTo(1010));
            Assert.That(response["error"]!["message"]!.GetValue<string>(), Is.EqualTo("Invalid Transaction"));
            Assert.That(response["error"]!["data"]!.GetValue<string>(),
                Is.EqualTo($"Transaction call is not expected: {call} is not implemented by the devnet"));
        });
    }

    private static byte[] Account(string suri)
    {
        using var key = Sr25519KeyPair.FromSecretUri(suri);
        return key.PublicKey.ToArray();
    }

    /// <summary><c>Utility.batch</c> (0), <c>batch_all</c> (2) or <c>force_batch</c> (4).</summary>
    private static byte[] Batch(byte callIndex, params byte[][] calls) => TestTransactions.Call(w =>
    {
        w.WriteU8(2);
        w.WriteU8(callIndex);
        w.WriteCompact((ulong)calls.Length);
        foreach (var call in calls)
        {
            w.WriteBytes(call);
        }
    });

    private static byte[] Sudo(byte[] call) => [32, 0, .. call];

    private static byte[] ForceSetBalance(byte[] who, UInt128 free) => TestTransactions.Call(w =>
    {
        w.WriteU8(7);
        w.WriteU8(8);
        w.WriteU8(0);
        w.WriteBytes(who);
        w.WriteCompact(free);
    });

    private static List<string> Names(IReadOnlyList<EventRecord> events) => [.. events.Select(e => $"{e.Pallet}.{e.Name}")];

    /// <summary>Signs, submits, authors a block and returns the events of that extrinsic (index 1: the timestamp is 0).</summary>
    private async Task<IReadOnlyList<EventRecord>> ApplyAsync(Sr25519KeyPair key, byte[] call)
    {
        var response = await Rpc.RequestAsync("author_submitExtrinsic", Hex0x(await SignAsync(key, call)));
        Assert.That(response["error"], Is.Null, response.ToJsonString());
        var block = (await Rpc.CallAsync("dev_newBlock"))!.GetValue<string>();
        var value = await Rpc.CallAsync("state_getStorage", Hex0x(Metadata.StorageKey("System", "Events")), block);
        return [.. Metadata.DecodeEvents(Convert.FromHexString(value!.GetValue<string>()[2..])).Where(e => e.ExtrinsicIndex == 1)];
    }

    private async Task<UInt128> FreeAsync(byte[] account)
    {
        var value = await Rpc.CallAsync("state_getStorage", Hex0x(Metadata.StorageKey("System", "Account", ScaleValue.Bytes(account))));
        if (value is null)
        {
            return 0;
        }

        var info = (CompositeValue)Metadata.DecodeStorageValue("System", "Account", Convert.FromHexString(value.GetValue<string>()[2..]))!;
        return (UInt128)((CompositeValue)info["data"])["free"].AsNumber();
    }
}
