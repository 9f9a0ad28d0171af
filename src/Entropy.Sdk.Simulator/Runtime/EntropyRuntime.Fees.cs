using Entropy.Scale;
using Entropy.Simulator.Node;

namespace Entropy.Simulator.Runtime;

/// <summary>
/// Fees as the v0.0.10 runtime charges them: each call's declared weight from the runtime's weights files
/// (<c>runtime/src/weights/*.rs</c> at <c>a9463b08</c>, as the pallets annotate their calls), the <see cref="FeeModel"/>, the
/// post-dispatch refund of unused weight, and <c>DealWithFees</c>: 80% of fee and tip to the treasury, 20% to the block author.
/// The <c>Registry</c> runtime (<c>d7a7f3c2</c>) uses the same numbers: its <c>weights/pallet_registry.rs</c> is
/// <c>pallet_relayer.rs</c> renamed, the other weights files, the <c>TransactionPayment</c> config and <c>DealWithFees</c> are
/// unchanged, and its metadata carries the same <c>BlockWeights</c> and <c>DbWeight</c>.
/// </summary>
internal sealed partial class EntropyRuntime
{
    /// <summary><c>PalletId(*b"py/trsry").into_account_truncating()</c>: "modl" + "py/trsry", zero-padded to 32 bytes.</summary>
    public static readonly byte[] TreasuryAccount = [.. "modlpy/trsry"u8, .. new byte[20]];

    private const byte TreasuryIndex = 31;
    private const byte TreasuryDeposit = 6;
    private const byte BalancesDeposit = 7;
    private const byte BalancesWithdraw = 8;

    /// <summary>Gets the fee model (constants from the runtime's metadata).</summary>
    public FeeModel Fees => _fees ??= new FeeModel(Flavor.Metadata);

    private FeeModel? _fees;

    /// <summary>Reads <c>TransactionPayment.NextFeeMultiplier</c> (1 when absent, its <c>ValueQuery</c> default).</summary>
    public static UInt128 NextFeeMultiplier(StateOverlay state) =>
        state.Get(StorageKeys.Value("TransactionPayment", "NextFeeMultiplier")) is { } bytes ? new ScaleReader(bytes).ReadU128() : FeeModel.One;

    /// <summary>Reads <c>TransactionPayment.NextFeeMultiplier</c> from a block's state.</summary>
    public static UInt128 NextFeeMultiplier(System.Collections.Immutable.ImmutableSortedDictionary<byte[], byte[]> state) =>
        state.TryGetValue(StorageKeys.Value("TransactionPayment", "NextFeeMultiplier"), out var bytes) ? new ScaleReader(bytes).ReadU128() : FeeModel.One;

    /// <summary>The fee <c>ChargeTransactionPayment</c> withdraws before dispatch (declared weight; the tip included).</summary>
    public UInt128 ComputeFee(Extrinsic extrinsic, UInt128 multiplier) => ComputeFee(extrinsic.Call, extrinsic.Length, extrinsic.Tip, multiplier);

    /// <summary>The pre-dispatch fee of a call in an extrinsic of <paramref name="length"/> bytes: the inclusion fee when it pays, plus the tip.</summary>
    public UInt128 ComputeFee(Call call, int length, UInt128 tip, UInt128 multiplier) =>
        (PaysFee(call) ? Fees.InclusionFee(length, DeclaredWeight(call), multiplier) : 0) + tip;

    /// <summary>Whether the call's declared dispatch info says <c>Pays::Yes</c> (<c>confirm_register</c> is <c>Pays::No</c>).</summary>
    public static bool PaysFee(Call call) => call is not ConfirmRegister;

    /// <summary>The call's declared weight (<c>#[pallet::weight]</c>), from the v0.0.10 runtime weights.</summary>
    public Weight DeclaredWeight(Call call)
    {
        var f = Fees;
        return call switch
        {
            // frame_system: remark(b), remark_with_event(b).
            Remark { WithEvent: false } r => W(3_000_000, 0).Add(W(225, 0).Times((ulong)r.Data.Length)),
            Remark r => W(5_000_000, 0).Add(W(1_282, 0).Times((ulong)r.Data.Length)),

            // pallet_balances.
            Transfer => W(52_000_000, 3_593).Add(f.Db(1, 1)),
            TransferAll => W(60_000_000, 3_593).Add(f.Db(1, 1)),
            ForceTransfer => W(55_000_000, 6_196).Add(f.Db(2, 2)),
            ForceSetBalance => W(14_000_000, 3_593).Add(f.Db(1, 1)).Max(W(20_000_000, 3_593).Add(f.Db(1, 1))),

            // pallet_programs: set_program(), remove_program(MaxOwnedPrograms).
            SetProgram => W(28_000_000, 3_607).Add(f.Db(2, 2)),
            RemoveProgram => RemoveProgramWeight(MaxOwnedPrograms),

            // pallet_relayer: register(MaxProgramHashes), prune_registration(MaxProgramHashes), change_program_instance(Max, Max),
            // confirm_register: the largest of its three outcomes at SIGNING_PARTY_SIZE.
            Register => RegisterWeight(CallDecoder.MaxProgramHashes),
            PruneRegistration => W(21_050_000, 3_936).Add(f.Db(2, 2)),
            ChangeProgramInstance => ChangeProgramInstanceWeight(CallDecoder.MaxProgramHashes, CallDecoder.MaxProgramHashes),
            ConfirmRegister => ConfirmRegisteringWeight((ulong)SigningPartySize)
                .Max(ConfirmRegisteredWeight())
                .Max(ConfirmFailedWeight()),

            // pallet_staking_extension.
            ChangeEndpoint => W(31_000_000, 4_720).Add(f.Db(3, 1)),
            ChangeThresholdAccounts => W(24_000_000, 4_587).Add(f.Db(2, 2)),
            Entropy.Simulator.Runtime.Validate => W(62_000_000, 4_556).Add(f.Db(11, 7)),
            DeclareSynced => W(15_000_000, 3_754).Add(f.Db(1, 1)),

            // pallet_utility: the calls' weights plus batch(c) / batch_all(c) / force_batch(c).
            UtilityBatch batch => batch.Calls.Aggregate(BatchWeight(batch.Mode, (ulong)batch.Calls.Count), (sum, c) => sum.Add(DeclaredWeight(c))),

            // pallet_sudo: sudo() / sudo_as() plus the inner call's weight; sudo_unchecked_weight declares the given weight.
            SudoCall sudo => sudo.UncheckedWeight ?? W(11_000_000, 1_517).Add(f.Db(1, 0)).Add(DeclaredWeight(sudo.Inner)),
            SudoAs sudoAs => W(12_000_000, 1_517).Add(f.Db(1, 0)).Add(DeclaredWeight(sudoAs.Inner)),
            SetSudoKey => W(10_000_000, 1_517).Add(f.Db(1, 1)),
            _ => default,
        };
    }

    /// <summary><c>register(p)</c>; also what <c>prune_registration</c> reports as its actual weight.</summary>
    internal Weight RegisterWeight(int programs) =>
        W(20_000_000, 3_868).Add(W(2_600_000, 0).Times((ulong)programs)).Add(Fees.Db(4, 3));

    internal Weight ChangeProgramInstanceWeight(int newPrograms, int oldPrograms) =>
        W(24_000_000, 6_545).Add(W(2_069_047, 0).Times((ulong)newPrograms)).Add(W(2_302_380, 0).Times((ulong)oldPrograms))
            .Add(Fees.Db(3, 3)).Add(W(0, 33).Times((ulong)oldPrograms));

    internal Weight RemoveProgramWeight(int owned) =>
        W(27_621_885, 3_828).Add(W(125_625, 0).Times((ulong)owned)).Add(Fees.Db(2, 2)).Add(W(0, 32).Times((ulong)owned));

    internal Weight ConfirmRegisteringWeight(ulong confirmations) => W(36_916_666, 20_001).Add(W(2_750_000, 0).Times(confirmations)).Add(Fees.Db(3, 1));

    internal Weight ConfirmRegisteredWeight() => W(40_416_666, 20_002).Add(Fees.Db(3, 2));

    internal Weight ConfirmFailedWeight() => W(42_250_000, 20_003).Add(Fees.Db(3, 1));

    private static Weight BatchWeight(BatchMode mode, ulong calls) => mode switch
    {
        BatchMode.Batch => W(5_900_000, 0).Add(W(3_096_400, 0).Times(calls)),
        BatchMode.BatchAll => W(9_100_000, 0).Add(W(3_407_400, 0).Times(calls)),
        _ => W(29_400_000, 0).Add(W(3_113_600, 0).Times(calls)),
    };

    private static Weight W(ulong refTime, ulong proofSize) => new(refTime, proofSize);

    /// <summary><c>PostDispatchInfo::calc_actual_weight</c>: the weight the call reported, never more than it declared.</summary>
    private static Weight ActualWeight(Weight declared, Weight? reported) => reported is { } actual ? actual.Min(declared) : declared;

    /// <summary>The block author: the dev spec's authorities (<c>Session.Validators</c>) take turns by block number.</summary>
    private static byte[]? BlockAuthor(BlockContext context)
    {
        var validators = ReadAccountVec(context.State.Get(StorageKeys.Value("Session", "Validators")));
        return validators.Count == 0 ? null : validators[(int)(context.Number % (uint)validators.Count)];
    }

    /// <summary>
    /// <c>CurrencyAdapter::correct_and_deposit_fee</c>: refunds what the actual weight did not use, then hands fee and tip to
    /// <c>DealWithFees</c> (80% treasury, 20% author, each through <c>resolve_creating</c>). Returns the fee actually paid (tip included).
    /// </summary>
    private UInt128 CorrectAndDepositFee(BlockContext context, byte[] who, UInt128 withdrawn, UInt128 corrected, UInt128 tip)
    {
        var refund = withdrawn > corrected ? withdrawn - corrected : 0;
        if (refund > 0)
        {
            // deposit_into_existing: the account exists (it just paid, keeping its existential deposit).
            var account = GetAccount(context.State, who);
            account.Free += refund;
            PutAccount(context.State, who, account);
            AddTotalIssuance(context.State, refund, negative: false);
            DepositEvent(context, RuntimeFlavor.BalancesIndex, BalancesDeposit, w => { w.WriteBytes(who); w.WriteU128(refund); });
        }

        var paid = withdrawn - refund;
        var tipPart = UInt128.Min(tip, paid);
        var (treasury, author) = FeeModel.Split(paid - tipPart);
        var (tipTreasury, tipAuthor) = FeeModel.Split(tipPart);
        treasury += tipTreasury;
        author += tipAuthor;
        if (treasury > 0)
        {
            ResolveCreating(context, TreasuryAccount, treasury);
            DepositEvent(context, TreasuryIndex, TreasuryDeposit, w => w.WriteU128(treasury));
        }

        if (author > 0 && BlockAuthor(context) is { } blockAuthor)
        {
            ResolveCreating(context, blockAuthor, author);
        }

        return paid;
    }

    /// <summary><c>Currency::resolve_creating</c>: credits an existing account, creates one for at least the existential deposit, else the amount is burned.</summary>
    private static void ResolveCreating(BlockContext context, byte[] who, UInt128 amount)
    {
        var account = GetAccount(context.State, who);
        if (!account.Exists && amount < ExistentialDeposit)
        {
            return;
        }

        var isNew = !account.Exists;
        if (isNew)
        {
            account.Providers = 1;
        }

        account.Free += amount;
        PutAccount(context.State, who, account);
        AddTotalIssuance(context.State, amount, negative: false);

        // pallet_balances deposit_creating: Deposit inside the account mutation, then System.NewAccount (the provider added on
        // creation), then Endowed.
        DepositEvent(context, RuntimeFlavor.BalancesIndex, BalancesDeposit, w => { w.WriteBytes(who); w.WriteU128(amount); });
        if (isNew)
        {
            DepositEvent(context, RuntimeFlavor.SystemIndex, SystemNewAccount, w => w.WriteBytes(who));
            DepositEvent(context, RuntimeFlavor.BalancesIndex, BalancesEndowed, w => { w.WriteBytes(who); w.WriteU128(amount); });
        }
    }
}
