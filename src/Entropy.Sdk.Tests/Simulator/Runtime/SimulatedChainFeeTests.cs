using System.Numerics;
using System.Text.Json.Nodes;
using Entropy.Crypto;
using Entropy.Metadata;
using Entropy.Simulator;

namespace Entropy.Tests.Simulator.Runtime;

/// <summary>
/// The simulator's fees against values worked out by hand from the v0.0.10 runtime source (entropy-core <c>a9463b08</c>): each test
/// starts a fresh chain in manual block production, so <c>NextFeeMultiplier</c> is exactly the genesis value (1) or a value
/// computed by hand below. Events and storage are decoded with the SDK's metadata decoder (independent of the node's encoder).
/// </summary>
/// <remarks>
/// Sources of the constants (all at <c>a9463b08</c>):
/// <list type="bullet">
/// <item><c>runtime/src/lib.rs</c> <c>impl pallet_transaction_payment::Config</c>: <c>WeightToFee = IdentityFee</c>, <c>LengthToFee =
/// IdentityFee</c> (1 planck per unit of ref_time and per byte), <c>OnChargeTransaction = CurrencyAdapter&lt;Balances, DealWithFees&gt;</c>.</item>
/// <item>The metadata's <c>System.BlockWeights</c> (decoded with @polkadot/types 14): normal <c>base_extrinsic.ref_time = 124_414_000</c>,
/// normal <c>max_total.ref_time = 1_500_000_000_000</c>; <c>System.DbWeight</c> = RocksDbWeight: read 25_000_000, write 100_000_000.</item>
/// <item><c>runtime/src/weights/pallet_balances.rs</c> <c>transfer_keep_alive</c>: <c>52_000_000 + (0, 3593) + reads(1) + writes(1)</c>
/// = 177_000_000 ref_time, 3_593 proof.</item>
/// <item><c>runtime/src/weights/pallet_relayer.rs</c> <c>register(p)</c>: <c>20_000_000 + (0, 3868) + 2_600_000 × p + reads(4) +
/// writes(3)</c>; the call declares <c>register(MaxProgramHashes = 5)</c> = 433_000_000 (<c>pallets/relayer/src/lib.rs</c>
/// <c>#[pallet::weight]</c> of <c>register</c>) and reports <c>register(programs_data.len())</c> after dispatch: register(1) = 422_600_000.</item>
/// <item><c>runtime/src/weights/pallet_programs.rs</c> <c>set_program()</c>: <c>28_000_000 + (0, 3607) + reads(2) + writes(2)</c> = 278_000_000.</item>
/// </list>
/// </remarks>
public class SimulatedChainFeeTests : ManualChainFixture
{
    private const ulong BaseExtrinsic = 124_414_000;
    private const ulong TransferKeepAliveWeight = 52_000_000 + 25_000_000 + 100_000_000;
    private static readonly UInt128 s_one = 1_000_000_000_000_000_000;
    private static readonly UInt128 s_dollars = 100_000_000_000_000;

    // PalletId(*b"py/trsry").into_account_truncating(): "modl" ‖ "py/trsry", zero-padded to 32 bytes.
    private static readonly byte[] s_treasury = [.. "modlpy/trsry"u8, .. new byte[20]];

    /// <summary>Fresh per test: the fees depend on NextFeeMultiplier, which every block changes; each test starts from genesis (1).</summary>
    protected override bool FreshChainPerTest => true;


    [Test]
    public async Task PaymentQueryInfo_ReportsTheDocumentedFee()
    {
        // Genesis: NextFeeMultiplier = 1, so fee = base_extrinsic + length + declared ref_time, exactly.
        var transfer = await SignAsync(Bob, TestTransactions.TransferKeepAlive(Alice.PublicKey.ToArray(), s_dollars));
        var register = await SignAsync(Bob, TestTransactions.Register(Bob.PublicKey.ToArray(), new byte[32]));
        var transferInfo = (await Rpc.CallAsync("payment_queryInfo", Hex0x(transfer)))!;
        var registerInfo = (await Rpc.CallAsync("payment_queryInfo", Hex0x(register)))!;

        // One empty block: NextFeeMultiplier = 0.999997500003125 (see NextFeeMultiplier_…), and the weight part is floored:
        // ⌊999_997_500_003_125_000 × 433_000_000 / 10^18⌋ = ⌊432_998_917.5…⌋ = 432_998_917.
        await ProduceAsync();
        var registerAfter = (await Rpc.CallAsync("payment_queryInfo", Hex0x(register)))!;

        Assert.Multiple(() =>
        {
            Assert.That(Fee(transferInfo), Is.EqualTo((UInt128)(BaseExtrinsic + (ulong)transfer.Length + TransferKeepAliveWeight)));
            Assert.That(Fee(transferInfo), Is.EqualTo((UInt128)(301_414_000 + (ulong)transfer.Length)));
            Assert.That(transferInfo["weight"]!["refTime"]!.GetValue<ulong>(), Is.EqualTo(177_000_000UL));
            Assert.That(transferInfo["weight"]!["proofSize"]!.GetValue<ulong>(), Is.EqualTo(3_593UL));
            Assert.That(Fee(registerInfo), Is.EqualTo((UInt128)(BaseExtrinsic + (ulong)register.Length + 433_000_000)));
            Assert.That(registerInfo["weight"]!["refTime"]!.GetValue<ulong>(), Is.EqualTo(433_000_000UL));
            Assert.That(registerInfo["weight"]!["proofSize"]!.GetValue<ulong>(), Is.EqualTo(3_868UL));
            Assert.That(Fee(registerAfter), Is.EqualTo((UInt128)(BaseExtrinsic + (ulong)register.Length + 432_998_917)));
        });
    }

    [Test]
    public async Task PaymentQueryInfo_UnsignedExtrinsic_HasNoPartialFee()
    {
        // pallet_transaction_payment::query_info: partial_fee = 0 when !unchecked_extrinsic.is_signed() (the timestamp inherent here).
        var block = await ProduceAsync();
        var inherent = (await Rpc.CallAsync("chain_getBlock", block))!["block"]!["extrinsics"]![0]!.GetValue<string>();
        var info = (await Rpc.CallAsync("payment_queryInfo", inherent))!;

        Assert.That(Fee(info), Is.EqualTo(UInt128.Zero));
    }

    [Test]
    public async Task Transfer_ToNewAccount_EmitsEventsChargesFeeAndMovesFunds()
    {
        using var fresh = Sr25519KeyPair.FromSecretUri("//TransferTarget");
        var dest = fresh.PublicKey.ToArray();
        var before = await FreeAsync(Bob.PublicKey.ToArray());
        var xt = await SignAsync(Bob, TestTransactions.TransferKeepAlive(dest, 5 * s_dollars));
        await SubmitRawAsync(xt);
        var events = await EventsAsync(await ProduceAsync());

        // Block 1 runs at the genesis multiplier (1): fee = 124_414_000 + length + 177_000_000; transfer_keep_alive reports no
        // actual weight, so nothing is refunded.
        var fee = (UInt128)(BaseExtrinsic + TransferKeepAliveWeight + (ulong)xt.Length);
        var names = events.Where(e => e.ExtrinsicIndex == 1).Select(e => $"{e.Pallet}.{e.Name}").ToList();
        var success = events.Single(e => e.ExtrinsicIndex == 1 && e.Name == "ExtrinsicSuccess");
        Assert.Multiple(async () =>
        {
            Assert.That(names, Is.EqualTo(new[]
            {
                "Balances.Withdraw", "System.NewAccount", "Balances.Endowed", "Balances.Transfer",
                "Balances.Deposit", "Treasury.Deposit", "Balances.Deposit", "TransactionPayment.TransactionFeePaid", "System.ExtrinsicSuccess",
            }));
            Assert.That(events[0].Name, Is.EqualTo("ExtrinsicSuccess"), "the timestamp inherent is extrinsic 0");
            Assert.That(await FreeAsync(dest), Is.EqualTo(5 * s_dollars));
            Assert.That(await FreeAsync(Bob.PublicKey.ToArray()), Is.EqualTo(before - (5 * s_dollars) - fee));
            Assert.That((UInt128)events.Single(e => e.Name == "Withdraw").Fields[1].AsNumber(), Is.EqualTo(fee));
            Assert.That((UInt128)events.Single(e => e.Name == "TransactionFeePaid").Fields[1].AsNumber(), Is.EqualTo(fee));
            // frame_system::note_applied_extrinsic: the event's weight = actual weight + base_extrinsic.
            Assert.That(Weight(success), Is.EqualTo((BaseExtrinsic + TransferKeepAliveWeight, 3_593UL)));
        });
    }

    [Test]
    public async Task NextFeeMultiplier_FollowsTargetedFeeAdjustment_HandComputedSequence()
    {
        // TargetedFeeAdjustment::convert (pallet-transaction-payment 25.0.0) with TargetBlockFullness 25%, v = 1/100_000, every
        // FixedU128 product floored (values are inner integers, 10^18 = 1). Normal max = 1_500_000_000_000, target = 375_000_000_000.
        // Empty block (only the mandatory timestamp inherent): diff = 375e9 / 1.5e12 = 0.25 = 250_000_000_000_000_000,
        //   diff² = 62_500_000_000_000_000, v = 10_000_000_000_000, v²/2 = 50_000_000,
        //   first = v·diff = 2_500_000_000_000, second = (v²/2)·diff² = 3_125_000, negative = (first − second)·m = 2_499_996_875_000·m.
        //   m1 = 10^18 − 2_499_996_875_000 = 999_997_500_003_125_000
        //   m2 = m1 − ⌊2_499_996_875_000 × m1 / 10^18⌋ = m1 − 2_499_990_625_015 = 999_995_000_012_499_985
        //   m3 = m2 − ⌊2_499_996_875_000 × m2 / 10^18⌋ = m2 − 2_499_984_375_046 = 999_992_500_028_124_939
        // Block 4 holds sudo_unchecked_weight(remark, 750_000_000_000): normal weight = 750_000_000_000 + base 124_414_000 = 750_124_414_000
        //   (Pays::No keeps the declared weight), above target: diff = ⌊375_124_414_000 × 10^18 / 1.5e12⌋ = 250_082_942_666_666_666,
        //   diff² = 62_541_478_212_819_286, first = 2_500_829_426_666, second = 3_127_073, excess = ⌊(first + second) × m3 / 10^18⌋
        //   = 2_500_813_797_565; m4 = m3 + excess = 999_995_000_841_922_504.
        // Block 5 empty: m5 = m4 − ⌊2_499_996_875_000 × m4 / 10^18⌋ = 999_992_500_857_545_384.
        var observed = new List<UInt128> { await MultiplierAsync(Hex0x(Genesis)) };
        for (var i = 0; i < 3; i++)
        {
            observed.Add(await MultiplierAsync(await ProduceAsync()));
        }

        await SubmitAsync(Alice, SudoUncheckedWeight(Remark([1, 2, 3]), 750_000_000_000, 0));
        var heavy = await ProduceAsync();
        observed.Add(await MultiplierAsync(heavy));
        observed.Add(await MultiplierAsync(await ProduceAsync()));
        var heavySuccess = (await EventsAsync(heavy)).Single(e => e.ExtrinsicIndex == 1 && e.Name == "ExtrinsicSuccess");

        Assert.Multiple(() =>
        {
            Assert.That(observed, Is.EqualTo(new UInt128[]
            {
                s_one,
                UInt128.Parse("999997500003125000"),
                UInt128.Parse("999995000012499985"),
                UInt128.Parse("999992500028124939"),
                UInt128.Parse("999995000841922504"),
                UInt128.Parse("999992500857545384"),
            }));
            Assert.That(Weight(heavySuccess), Is.EqualTo((750_000_000_000UL + BaseExtrinsic, 0UL)), "the declared weight counts towards the block");
        });
    }

    [Test]
    public async Task FeeAndTip_AreSplitEightyTwenty_BetweenTreasuryAndBlockAuthor()
    {
        // DealWithFees (runtime/src/lib.rs): fees.ration(80, 20), tips.ration_merge_into(80, 20); Treasury::on_unbalanced (pallet_treasury:
        // resolve_creating + Treasury.Deposit), Author::on_unbalanced (runtime/src/impls.rs: resolve_creating into the block author).
        // ration(80, 20) gives ⌊amount × 80 / 100⌋ to the first part and the rest to the second.
        var validators = await ValidatorsAsync();
        var author = validators[1 % validators.Count]; // the simulator's author of block n: Session.Validators[n % count]
        var treasuryBefore = await FreeAsync(s_treasury);
        var authorBefore = await FreeAsync(author);
        var issuanceBefore = await IssuanceAsync();
        UInt128 tip = 1_000_003;
        var xt = TestTransactions.Sign(Bob, TestTransactions.TransferKeepAlive(Alice.PublicKey.ToArray(), s_dollars), 0, Genesis, tip: tip);
        await SubmitRawAsync(xt);
        var events = (await EventsAsync(await ProduceAsync())).Where(e => e.ExtrinsicIndex == 1).ToList();

        var fee = (UInt128)(BaseExtrinsic + TransferKeepAliveWeight + (ulong)xt.Length);
        var toTreasury = (fee * 80 / 100) + (tip * 80 / 100);
        var toAuthor = fee + tip - toTreasury;
        var deposits = events.Where(e => e.Pallet == "Balances" && e.Name == "Deposit")
            .Select(e => (Who: Convert.ToHexStringLower(e.Fields[0].AsBytes()), Amount: (UInt128)e.Fields[1].AsNumber())).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(toTreasury, Is.EqualTo((fee * 4 / 5) + 800_002), "⌊1_000_003 × 0.8⌋ = 800_002");
            Assert.That(await FreeAsync(s_treasury) - treasuryBefore, Is.EqualTo(toTreasury));
            Assert.That(await FreeAsync(author) - authorBefore, Is.EqualTo(toAuthor));
            Assert.That(deposits, Is.EqualTo(new[] { (Convert.ToHexStringLower(s_treasury), toTreasury), (Convert.ToHexStringLower(author), toAuthor) }));
            Assert.That((UInt128)events.Single(e => e.Pallet == "Treasury" && e.Name == "Deposit").Fields[0].AsNumber(), Is.EqualTo(toTreasury));
            var paid = events.Single(e => e.Name == "TransactionFeePaid");
            Assert.That(((UInt128)paid.Fields[1].AsNumber(), (UInt128)paid.Fields[2].AsNumber()), Is.EqualTo((fee + tip, tip)), "actual_fee includes the tip");
            Assert.That(await IssuanceAsync(), Is.EqualTo(issuanceBefore), "every planck of fee and tip went to an existing account");
        });
    }

    [Test]
    public async Task Register_PaysForItsActualWeight_TheUnusedDeclaredWeightIsRefunded()
    {
        // Block 1: //Alice deploys the test program. Its normal weight = set_program 278_000_000 + base 124_414_000 = 402_414_000:
        //   diff = ⌊(375_000_000_000 − 402_414_000) × 10^18 / 1.5e12⌋ = 249_731_724_000_000_000, diff² = 62_365_933_972_012_176,
        //   first = 2_497_317_240_000, second = 3_118_296, m = 10^18 − 2_497_314_121_704 = 999_997_502_685_878_296.
        // Block 2: //Bob registers with one program. Withdrawn: base + length + ⌊m × 433_000_000⌋ = … + 432_998_918;
        //   the call reports register(1) = 422_600_000, so the fee is corrected to base + length + ⌊m × 422_600_000⌋ = … + 422_598_944,
        //   and 10_399_974 planck come back (Balances.Deposit to //Bob).
        await SubmitAsync(Alice, TestTransactions.SetProgram(TestPrograms.AllowAll, []));
        await ProduceAsync();
        var xt = await SignAsync(Bob, TestTransactions.Register(Bob.PublicKey.ToArray(), TestPrograms.AllowAllPointer.AsSpan().ToArray()));
        var quoted = Fee((await Rpc.CallAsync("payment_queryInfo", Hex0x(xt)))!);
        var before = await FreeAsync(Bob.PublicKey.ToArray());
        await SubmitRawAsync(xt);
        var events = (await EventsAsync(await ProduceAsync())).Where(e => e.ExtrinsicIndex == 1).ToList();

        var withdrawn = (UInt128)(BaseExtrinsic + (ulong)xt.Length + 432_998_918);
        var corrected = (UInt128)(BaseExtrinsic + (ulong)xt.Length + 422_598_944);
        Assert.Multiple(async () =>
        {
            Assert.That(ModuleErrors(events), Is.Empty);
            Assert.That(quoted, Is.EqualTo(withdrawn), "payment_queryInfo quotes the declared weight");
            Assert.That((UInt128)events.Single(e => e.Name == "Withdraw").Fields[1].AsNumber(), Is.EqualTo(withdrawn));
            var refund = events.First(e => e.Pallet == "Balances" && e.Name == "Deposit");
            Assert.That(refund.Fields[0].AsBytes(), Is.EqualTo(Bob.PublicKey.ToArray()));
            Assert.That((UInt128)refund.Fields[1].AsNumber(), Is.EqualTo((UInt128)10_399_974));
            Assert.That((UInt128)events.Single(e => e.Name == "TransactionFeePaid").Fields[1].AsNumber(), Is.EqualTo(corrected));
            Assert.That(before - await FreeAsync(Bob.PublicKey.ToArray()), Is.EqualTo(corrected));
            Assert.That(Weight(events.Single(e => e.Name == "ExtrinsicSuccess")), Is.EqualTo((422_600_000UL + BaseExtrinsic, 3_868UL)));
        });
    }

    [Test]
    public async Task Fees_OnTheRegistryRuntime_UseTheSameWeights()
    {
        // d7a7f3c2: runtime/src/weights/pallet_registry.rs is pallet_relayer.rs renamed (same numbers), the TransactionPayment config
        // and DealWithFees are unchanged, and its metadata carries the same BlockWeights and DbWeight: register(5) = 433_000_000.
        await using var registry = new SimulatedChain(new SimulatedChainOptions { BlockProduction = BlockProductionMode.Manual, Runtime = SimulatedRuntime.Registry20240321 });
        await registry.StartAsync();
        await using var client = await TestRpcClient.ConnectAsync(registry.WebSocketEndpoint);
        var genesis = Hex((await client.CallAsync("chain_getBlockHash", 0))!);
        var xt = TestTransactions.Sign(Bob, TestTransactions.Register(Bob.PublicKey.ToArray(), new byte[32]), 0, genesis);
        var info = (await client.CallAsync("payment_queryInfo", Hex0x(xt)))!;
        Assert.Multiple(() =>
        {
            Assert.That(Fee(info), Is.EqualTo((UInt128)(BaseExtrinsic + (ulong)xt.Length + 433_000_000)));
            Assert.That(info["weight"]!["proofSize"]!.GetValue<ulong>(), Is.EqualTo(3_868UL));
        });
    }

    /// <summary><c>System.remark(data)</c> (System is pallet 1 in this runtime, remark call 0).</summary>
    private static byte[] Remark(byte[] data) => TestTransactions.Call(w =>
    {
        w.WriteU8(1);
        w.WriteU8(0);
        w.WriteByteVec(data);
    });

    /// <summary><c>Sudo.sudo_unchecked_weight(call, weight)</c> (pallet 32, call 1).</summary>
    private static byte[] SudoUncheckedWeight(byte[] call, ulong refTime, ulong proofSize) => TestTransactions.Call(w =>
    {
        w.WriteU8(32);
        w.WriteU8(1);
        w.WriteBytes(call);
        w.WriteCompact(refTime);
        w.WriteCompact(proofSize);
    });

    private static UInt128 Fee(JsonNode info) => UInt128.Parse(info["partialFee"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

    private static (ulong RefTime, ulong ProofSize) Weight(EventRecord success)
    {
        var weight = (CompositeValue)((CompositeValue)success.Fields[0])["weight"];
        return ((ulong)weight["ref_time"].AsNumber(), (ulong)weight["proof_size"].AsNumber());
    }

    private List<string> ModuleErrors(IEnumerable<EventRecord> events) =>
        [.. events.Where(e => e.Name == "ExtrinsicFailed").Select(e => Metadata.FindModuleError(e.Fields[0])?.ToString() ?? e.Fields[0].ToString())];

    private async Task SubmitAsync(Sr25519KeyPair key, byte[] call) => await SubmitRawAsync(await SignAsync(key, call));

    private async Task SubmitRawAsync(byte[] xt) => await Rpc.CallAsync("author_submitExtrinsic", Hex0x(xt));

    private async Task<ScaleValue?> StorageAsync(string pallet, string entry, string? blockHash = null, params ScaleValue[] keys)
    {
        var value = await Rpc.CallAsync("state_getStorage", Hex0x(Metadata.StorageKey(pallet, entry, keys)), blockHash);
        return value is null ? null : Metadata.DecodeStorageValue(pallet, entry, Hex(value));
    }

    private async Task<UInt128> MultiplierAsync(string blockHash)
    {
        // FixedU128 decodes as its inner u128.
        var value = await StorageAsync("TransactionPayment", "NextFeeMultiplier", blockHash) ?? throw new AssertionException("NextFeeMultiplier is not stored");
        return (UInt128)Inner(value);

        static BigInteger Inner(ScaleValue v) => v is CompositeValue c ? Inner(c[0]) : v.AsNumber();
    }

    private async Task<List<byte[]>> ValidatorsAsync()
    {
        var value = (SequenceValue)(await StorageAsync("Session", "Validators") ?? throw new AssertionException("Session.Validators is not stored"));
        return [.. value.Select(v => v.AsBytes())];
    }

    private async Task<UInt128> IssuanceAsync() => (UInt128)(await StorageAsync("Balances", "TotalIssuance"))!.AsNumber();

    private async Task<UInt128> FreeAsync(byte[] account)
    {
        var info = await StorageAsync("System", "Account", null, ScaleValue.Bytes(account));
        return info is null ? 0 : (UInt128)((CompositeValue)((CompositeValue)info)["data"])["free"].AsNumber();
    }
}
