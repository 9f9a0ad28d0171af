using System.Collections.Immutable;
using Entropy.Scale;
using Entropy.Simulator.Node;

namespace Entropy.Simulator.Runtime;

/// <summary>The state of a block under construction (or of a validation run on top of the best block).</summary>
internal sealed class BlockContext
{
    public BlockContext(StateOverlay state, uint number)
    {
        State = state;
        Number = number;
    }

    public StateOverlay State { get; }

    public uint Number { get; }

    public List<byte[]> Events { get; } = [];

    /// <summary>Gets or sets the encoded <c>Phase</c> events are deposited under.</summary>
    public byte[] Phase { get; set; } = [2];

    public uint ExtrinsicIndex { get; set; }
}

/// <summary>What applying one extrinsic did.</summary>
internal sealed record ApplyOutcome(TransactionValidityError? Invalid, DispatchError? Error)
{
    public bool Included => Invalid is null;
}

/// <summary>Checks a signature of a given <c>MultiSignature</c> variant (0 Ed25519, 1 Sr25519, 2 Ecdsa) over a message.</summary>
internal delegate bool SignatureVerifier(byte signatureType, ReadOnlySpan<byte> signer, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature);

/// <summary>
/// The runtime logic of the pallets the registration flow needs, over raw storage, with the storage layouts, events and
/// errors of the embedded metadata (PROTOCOL.md §2–§4, §9).
/// </summary>
/// <remarks>
/// Fees use a documented simplification of <c>pallet_transaction_payment</c>:
/// <c>fee = BaseFee (1 CENTS = 10^12) + TransactionByteFee (10 MILLICENTS = 10^10) × encoded length + tip</c> for calls that pay
/// (<c>confirm_register</c> is <c>Pays::No</c>: only the tip). Fees are burned (total issuance falls).
/// </remarks>
internal sealed partial class EntropyRuntime
{
    public const uint SpecVersion = 10;

    /// <summary>Gets or sets the spec version signatures commit to (<see cref="SpecVersion"/> until a simulated runtime upgrade).</summary>
    public uint CurrentSpecVersion { get; set; } = SpecVersion;
    public const uint TransactionVersion = 4;
    public const uint BlockHashCount = 2400;
    public const int MaxExtrinsicLength = 3_932_160;
    public static readonly UInt128 Millicents = 1_000_000_000;
    public static readonly UInt128 Cents = 1_000 * Millicents;
    public static readonly UInt128 Dollars = 100 * Cents;
    public static readonly UInt128 ExistentialDeposit = Dollars;
    public static readonly UInt128 BaseFee = Cents;
    public static readonly UInt128 TransactionByteFee = 10 * Millicents;
    public static readonly UInt128 ProgramDepositPerByte = Millicents;
    public const int MaxBytecodeLength = 1_000_000;
    public const int MaxOwnedPrograms = 250;
    public const int MaxEndpointLength = 100;

    private readonly SignatureVerifier _verifier;

    public EntropyRuntime(RuntimeFlavor flavor, int signingPartySize, SignatureVerifier verifier)
    {
        Flavor = flavor;
        SigningPartySize = signingPartySize;
        _verifier = verifier;
    }

    public RuntimeFlavor Flavor { get; }

    public int SigningPartySize { get; }

    public byte[] GenesisHash { get; set; } = new byte[32];

    private string Reg => Flavor.RegistryPallet;

    // ---------------------------------------------------------------- block lifecycle

    /// <summary>Runs <c>on_initialize</c> for block <paramref name="number"/> (System, Propagation).</summary>
    public BlockContext InitializeBlock(ImmutableSortedDictionary<byte[], byte[]> parentState, uint number, byte[] parentHash)
    {
        var context = new BlockContext(new StateOverlay(parentState), number);
        var state = context.State;
        state.Set(StorageKeys.Value("System", "Number"), ScaleBytes.U32(number));
        state.Set(StorageKeys.Value("System", "ParentHash"), parentHash);
        state.Set(StorageKeys.TwoxMap("System", "BlockHash", ScaleBytes.U32(number - 1)), parentHash);
        state.Remove(StorageKeys.Value("System", "Events"));
        state.Remove(StorageKeys.Value("System", "EventCount"));
        state.Set(StorageKeys.Value("System", "ExecutionPhase"), [2]);

        // pallet_propagation::on_initialize: Dkg[N-2] is removed (PROTOCOL.md §3.2).
        if (number >= 2)
        {
            state.Remove(StorageKeys.Blake2Map(Reg, "Dkg", ScaleBytes.U32(number - 2)));
        }

        return context;
    }

    /// <summary>Applies the <c>Timestamp.set</c> inherent as extrinsic 0 and returns its encoding.</summary>
    public byte[] ApplyTimestamp(BlockContext context, ulong nowMilliseconds)
    {
        var body = ScaleBytes.Build(w =>
        {
            w.WriteU8(0x04);
            w.WriteU8(RuntimeFlavor.TimestampIndex);
            w.WriteU8(0);
            w.WriteCompact(nowMilliseconds);
        });
        var encoded = ScaleBytes.Concat(ScaleBytes.Compact((ulong)body.Length), body);
        BeginExtrinsic(context);
        context.State.Set(StorageKeys.Value("Timestamp", "Now"), ScaleBytes.U64(nowMilliseconds));
        DepositEvent(context, RuntimeFlavor.SystemIndex, 0, w => WriteDispatchInfo(w, 9_000_000, DispatchClassMandatory, paysFee: true));
        context.ExtrinsicIndex++;
        return encoded;
    }

    /// <summary>Runs <c>on_finalize</c>: writes the events, prunes <c>BlockHash</c>, and returns the post-block state.</summary>
    public ImmutableSortedDictionary<byte[], byte[]> FinalizeBlock(BlockContext context)
    {
        var state = context.State;
        state.Set(StorageKeys.Value("System", "ExecutionPhase"), [1]);
        state.Remove(StorageKeys.Value("System", "ExecutionPhase"));
        var events = ScaleBytes.Build(w =>
        {
            w.WriteCompact((ulong)context.Events.Count);
            foreach (var record in context.Events)
            {
                w.WriteBytes(record);
            }
        });
        state.Set(StorageKeys.Value("System", "Events"), events);
        state.Set(StorageKeys.Value("System", "EventCount"), ScaleBytes.U32((uint)context.Events.Count));
        if (context.Number > BlockHashCount + 1)
        {
            state.Remove(StorageKeys.TwoxMap("System", "BlockHash", ScaleBytes.U32(context.Number - BlockHashCount - 1)));
        }

        return state.ToImmutable();
    }

    // ---------------------------------------------------------------- transaction validity

    /// <summary>
    /// <c>TaggedTransactionQueue::validate_transaction</c> / the checks of <c>apply_extrinsic</c>: signature over the exact payload
    /// (spec and tx version, genesis and era birth hash are in it), nonce, weight/length, fee payment, and
    /// <c>ValidateConfirmRegistered</c>. Returns <see langword="null"/> when valid; <paramref name="isFuture"/> when the nonce is ahead.
    /// </summary>
    public TransactionValidityError? Validate(BlockContext context, Extrinsic extrinsic, out bool isFuture)
    {
        isFuture = false;
        if (!extrinsic.IsSigned)
        {
            // No pallet the simulator implements has ValidateUnsigned; inherents are only made by the block author.
            return TransactionValidityError.OfUnknown("NoUnsignedValidator");
        }

        if (extrinsic.Signer is null)
        {
            return TransactionValidityError.OfUnknown("CannotLookup");
        }

        if (CallDecoder.FindUnsupported(extrinsic.Call) is { } unsupported)
        {
            // What a runtime answers for a call it does not expect; the data names the call so the user knows why.
            return TransactionValidityError.Of(InvalidKind.Call, $"{unsupported.Name} is not implemented by the devnet");
        }

        var birth = extrinsic.Era.Birth(context.Number);
        if (birth > uint.MaxValue)
        {
            return TransactionValidityError.Of(InvalidKind.AncientBirthBlock);
        }

        var birthHash = context.State.Get(StorageKeys.TwoxMap("System", "BlockHash", ScaleBytes.U32((uint)birth)));
        if (birthHash is null)
        {
            return TransactionValidityError.Of(InvalidKind.AncientBirthBlock);
        }

        if (extrinsic.VerifiedBirthHash is not { } verified || !verified.AsSpan().SequenceEqual(birthHash))
        {
            var payload = Flavor.Format.SigningPayload(extrinsic, CurrentSpecVersion, TransactionVersion, GenesisHash, birthHash);
            if (!_verifier(extrinsic.SignatureType, extrinsic.Signer, payload, extrinsic.Signature))
            {
                return TransactionValidityError.Of(InvalidKind.BadProof);
            }

            extrinsic.VerifiedBirthHash = birthHash;
        }

        var account = GetAccount(context.State, extrinsic.Signer);
        if (extrinsic.Nonce < account.Nonce)
        {
            return TransactionValidityError.Of(InvalidKind.Stale);
        }

        if (!account.Exists)
        {
            return TransactionValidityError.Of(InvalidKind.Payment);
        }

        if (extrinsic.Length > MaxExtrinsicLength)
        {
            return TransactionValidityError.Of(InvalidKind.ExhaustsResources);
        }

        var fee = ComputeFee(extrinsic);
        if (fee > 0 && (account.Free < fee || account.Free - fee < ExistentialDeposit))
        {
            return TransactionValidityError.Of(InvalidKind.Payment);
        }

        if (extrinsic.Call is ConfirmRegister confirm)
        {
            var custom = ValidateConfirmRegistered(context.State, extrinsic.Signer, confirm);
            if (custom != 0)
            {
                return TransactionValidityError.OfCustom(custom);
            }
        }

        isFuture = extrinsic.Nonce > account.Nonce;
        return null;
    }

    /// <summary>The fee <c>pallet_transaction_payment</c> would charge (see the class remarks for the formula).</summary>
    public static UInt128 ComputeFee(Extrinsic extrinsic) => ComputeFee(extrinsic.Call, extrinsic.Length, extrinsic.Tip);

    public static UInt128 ComputeFee(Call call, int length, UInt128 tip) =>
        PaysFee(call) ? BaseFee + (TransactionByteFee * (UInt128)length) + tip : tip;

    public static bool PaysFee(Call call) => call is not ConfirmRegister;

    /// <summary>A fixed <c>ref_time</c> per call, reported in <c>DispatchInfo</c> and <c>payment_queryInfo</c>.</summary>
    public static ulong WeightOf(Call call) => call switch
    {
        UtilityBatch batch => 10_000_000 + batch.Calls.Aggregate(0UL, (sum, c) => sum + WeightOf(c)),
        SudoCall sudo => 10_000_000 + WeightOf(sudo.Inner),
        SudoAs sudoAs => 10_000_000 + WeightOf(sudoAs.Inner),
        Transfer or TransferAll or ForceTransfer or ForceSetBalance => 150_000_000,
        SetProgram => 500_000_000,
        Register or ConfirmRegister or ChangeProgramInstance or PruneRegistration => 400_000_000,
        _ => 100_000_000,
    };

    // ---------------------------------------------------------------- apply

    /// <summary>Applies a signed extrinsic: validity, nonce and fee (pre-dispatch), the call in a storage layer, then the events.</summary>
    public ApplyOutcome ApplyExtrinsic(BlockContext context, Extrinsic extrinsic)
    {
        var invalid = Validate(context, extrinsic, out var isFuture);
        if (invalid is not null)
        {
            return new ApplyOutcome(invalid, null);
        }

        if (isFuture)
        {
            return new ApplyOutcome(TransactionValidityError.Of(InvalidKind.Future), null);
        }

        var who = extrinsic.Signer!;
        BeginExtrinsic(context);

        // CheckNonce::pre_dispatch, then ChargeTransactionPayment::pre_dispatch (withdraw, keep-alive).
        var account = GetAccount(context.State, who);
        account.Nonce++;
        var fee = ComputeFee(extrinsic);
        if (fee > 0)
        {
            account.Free -= fee;
            AddTotalIssuance(context.State, fee, negative: true);
        }

        PutAccount(context.State, who, account);
        if (fee > 0)
        {
            DepositEvent(context, RuntimeFlavor.BalancesIndex, 8, w => { w.WriteBytes(who); w.WriteU128(fee); });
        }

        var eventsBefore = context.Events.Count;
        DispatchError? error = null;
        context.State.Begin();
        try
        {
            Dispatch(context, who, extrinsic.Call);
            context.State.Commit();
        }
        catch (DispatchException e)
        {
            context.State.Rollback();
            context.Events.RemoveRange(eventsBefore, context.Events.Count - eventsBefore);
            error = e.Error;
        }

        if (error is null && fee > extrinsic.Tip && IsSudoCall(extrinsic.Call))
        {
            // pallet_sudo returns Pays::No for the key's calls: the fee withdrawn up front is refunded (the tip stays paid).
            var refund = fee - extrinsic.Tip;
            var refunded = GetAccount(context.State, who);
            refunded.Free += refund;
            PutAccount(context.State, who, refunded);
            AddTotalIssuance(context.State, refund, negative: false);
            DepositEvent(context, RuntimeFlavor.BalancesIndex, 7, w => { w.WriteBytes(who); w.WriteU128(refund); });
            fee = extrinsic.Tip;
        }

        DepositEvent(context, RuntimeFlavor.TransactionPaymentIndex, 0, w =>
        {
            w.WriteBytes(who);
            w.WriteU128(fee - extrinsic.Tip);
            w.WriteU128(extrinsic.Tip);
        });
        var weight = WeightOf(extrinsic.Call);
        var paysFee = PaysFee(extrinsic.Call) && !(error is null && IsSudoCall(extrinsic.Call));
        if (error is null)
        {
            DepositEvent(context, RuntimeFlavor.SystemIndex, 0, w => WriteDispatchInfo(w, weight, DispatchClassNormal, paysFee));
        }
        else
        {
            DepositEvent(context, RuntimeFlavor.SystemIndex, 1, w =>
            {
                w.WriteBytes(error.Encoded);
                WriteDispatchInfo(w, weight, DispatchClassNormal, paysFee);
            });
        }

        context.ExtrinsicIndex++;
        return new ApplyOutcome(null, error);
    }

    /// <summary>Dispatches a call for a signed origin (<paramref name="who"/>) or for root (<see langword="null"/>); throws <see cref="DispatchException"/> on a dispatch error.</summary>
    internal void Dispatch(BlockContext context, byte[]? who, Call call)
    {
        switch (call)
        {
            case Remark { WithEvent: false }:
                // ensure_signed_or_root: any origin the simulator has.
                break;
            case UtilityBatch batch:
                DoBatch(context, who, batch);
                break;
            case SudoCall sudo:
                DoSudo(context, who, sudo);
                break;
            case SudoAs sudoAs:
                DoSudoAs(context, who, sudoAs);
                break;
            case SetSudoKey setKey:
                DoSetSudoKey(context, who, setKey);
                break;
            case ForceTransfer forceTransfer:
                EnsureRoot(who);
                DoTransfer(context, Lookup(forceTransfer.Source), Lookup(forceTransfer.Dest), forceTransfer.Value, keepAlive: false);
                break;
            case ForceSetBalance forceSetBalance:
                EnsureRoot(who);
                DoForceSetBalance(context, Lookup(forceSetBalance.Who), forceSetBalance.NewFree);
                break;
            case TimestampSet:
                // ensure_none: only the block author's inherent may set the time.
                throw new DispatchException(DispatchError.BadOrigin);
            case UnsupportedCall:
                // The pool refuses these (InvalidTransaction::Call); nothing reaches a block.
                throw new DispatchException(DispatchError.Other);
            default:
                DispatchSigned(context, who ?? throw new DispatchException(DispatchError.BadOrigin), call);
                break;
        }
    }

    /// <summary>Dispatches a call that needs a signed origin (<c>ensure_signed</c>).</summary>
    private void DispatchSigned(BlockContext context, byte[] who, Call call)
    {
        switch (call)
        {
            case Remark remark:
                var hash = Entropy.Hashing.Blake2b.Hash256(remark.Data);
                DepositEvent(context, RuntimeFlavor.SystemIndex, 5, w => { w.WriteBytes(who); w.WriteBytes(hash); });
                break;
            case Transfer transfer:
                DoTransfer(context, who, Lookup(transfer.Dest), transfer.Value, transfer.KeepAlive);
                break;
            case TransferAll all:
                {
                    var to = Lookup(all.Dest);
                    var free = GetAccount(context.State, who).Free;
                    var amount = all.KeepAlive ? (free > ExistentialDeposit ? free - ExistentialDeposit : 0) : free;
                    DoTransfer(context, who, to, amount, all.KeepAlive);
                    break;
                }

            case SetProgram setProgram:
                DoSetProgram(context, who, setProgram);
                break;
            case RemoveProgram removeProgram:
                DoRemoveProgram(context, who, removeProgram.Hash);
                break;
            case Register register:
                DoRegister(context, who, register);
                break;
            case PruneRegistration:
                DoPruneRegistration(context, who);
                break;
            case ChangeProgramInstance change:
                DoChangeProgramInstance(context, who, change);
                break;
            case ConfirmRegister confirm:
                DoConfirmRegister(context, who, confirm);
                break;
            case Validate validate:
                DoValidate(context, who, validate);
                break;
            case ChangeEndpoint changeEndpoint:
                DoChangeEndpoint(context, who, changeEndpoint.Endpoint);
                break;
            case ChangeThresholdAccounts changeAccounts:
                DoChangeThresholdAccounts(context, who, changeAccounts);
                break;
            case DeclareSynced declareSynced:
                DoDeclareSynced(context, who, declareSynced.Synced);
                break;
            default:
                throw new DispatchException(DispatchError.Other);
        }
    }

    // ---------------------------------------------------------------- System helpers

    private const byte DispatchClassNormal = 0;
    private const byte DispatchClassMandatory = 2;

    public static AccountInfo GetAccount(StateOverlay state, byte[] who) =>
        AccountInfo.Decode(state.Get(StorageKeys.Blake2Map("System", "Account", who)));

    public static AccountInfo GetAccount(ImmutableSortedDictionary<byte[], byte[]> state, byte[] who) =>
        AccountInfo.Decode(state.TryGetValue(StorageKeys.Blake2Map("System", "Account", who), out var value) ? value : null);

    public static void PutAccount(StateOverlay state, byte[] who, AccountInfo account)
    {
        var key = StorageKeys.Blake2Map("System", "Account", who);
        if (!account.Exists && account.Free == 0 && account.Reserved == 0 && account.Consumers == 0)
        {
            state.Remove(key);
        }
        else
        {
            state.Set(key, account.Encode());
        }
    }

    private static void BeginExtrinsic(BlockContext context)
    {
        context.Phase = ScaleBytes.Build(w => { w.WriteU8(0); w.WriteU32(context.ExtrinsicIndex); });
        context.State.Set(StorageKeys.Value("System", "ExecutionPhase"), context.Phase);
    }

    /// <summary>Appends an <c>EventRecord { phase, event, topics: [] }</c>.</summary>
    internal static void DepositEvent(BlockContext context, byte pallet, byte variant, Action<ScaleWriter> fields)
    {
        var phase = context.Phase;
        context.Events.Add(ScaleBytes.Build(w =>
        {
            w.WriteBytes(phase);
            w.WriteU8(pallet);
            w.WriteU8(variant);
            fields(w);
            w.WriteCompact(0UL);
        }));
    }

    /// <summary><c>DispatchInfo { weight: Weight { ref_time: Compact, proof_size: Compact }, class, pays_fee }</c>.</summary>
    private static void WriteDispatchInfo(ScaleWriter w, ulong refTime, byte dispatchClass, bool paysFee)
    {
        w.WriteCompact(refTime);
        w.WriteCompact(0UL);
        w.WriteU8(dispatchClass);
        w.WriteU8(paysFee ? (byte)0 : (byte)1);
    }

    private static void AddTotalIssuance(StateOverlay state, UInt128 amount, bool negative)
    {
        var key = StorageKeys.Value("Balances", "TotalIssuance");
        var bytes = state.Get(key);
        var current = bytes is null ? UInt128.Zero : new ScaleReader(bytes).ReadU128();
        current = negative ? (current > amount ? current - amount : 0) : current + amount;
        state.Set(key, ScaleBytes.U128(current));
    }

    private static byte[] Lookup(Address address) =>
        address.Variant == 0 && address.AccountId is not null ? address.AccountId : throw new DispatchException(DispatchError.CannotLookup);
}
