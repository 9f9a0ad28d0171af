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

    /// <summary>Gets or sets the normal-class weight used so far (<c>System.BlockWeight</c>'s normal part), for <c>NextFeeMultiplier</c>.</summary>
    public Weight NormalWeight { get; set; }

    /// <summary>Gets or sets the actual weight the call being dispatched reported (<c>PostDispatchInfo.actual_weight</c>); null = its declared weight.</summary>
    public Weight? PostDispatchWeight { get; set; }
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
/// Fees follow the v0.0.10 runtime (<see cref="FeeModel"/>, EntropyRuntime.Fees.cs): base extrinsic weight + length + multiplier ×
/// declared weight, the unused weight refunded after dispatch, fee and tip split 80/20 between the treasury and the block author.
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
        DepositEvent(context, RuntimeFlavor.SystemIndex, 0, w => WriteDispatchInfo(w, Weight.FromRefTime(9_000_000), DispatchClassMandatory, paysFee: true));
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

        // pallet_transaction_payment::on_finalize: the next block's fee multiplier from this block's normal-class weight.
        var multiplier = Fees.NextMultiplier(NextFeeMultiplier(state), context.NormalWeight);
        state.Set(StorageKeys.Value("TransactionPayment", "NextFeeMultiplier"), ScaleBytes.U128(multiplier));
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

        // ChargeTransactionPayment: fee + tip withdrawn with KeepAlive (the existential deposit must stay).
        var fee = ComputeFee(extrinsic, NextFeeMultiplier(context.State));
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

        // CheckNonce::pre_dispatch, then ChargeTransactionPayment::pre_dispatch (withdraw fee + tip, keep-alive), then CheckWeight
        // (the declared weight and the base extrinsic weight count towards the block).
        var account = GetAccount(context.State, who);
        account.Nonce++;
        var multiplier = NextFeeMultiplier(context.State);
        var declared = DeclaredWeight(extrinsic.Call);
        var fee = ComputeFee(extrinsic, multiplier);
        if (fee > 0)
        {
            account.Free -= fee;
            AddTotalIssuance(context.State, fee, negative: true);
        }

        PutAccount(context.State, who, account);
        if (fee > 0)
        {
            DepositEvent(context, RuntimeFlavor.BalancesIndex, BalancesWithdraw, w => { w.WriteBytes(who); w.WriteU128(fee); });
        }

        var eventsBefore = context.Events.Count;
        DispatchError? error = null;
        context.PostDispatchWeight = null;
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

        // Post-dispatch: the actual weight (never above the declared one) and Pays::No for the sudo key's calls that passed
        // ensure_sudo; the fee is corrected to it, the difference refunded, and the rest goes to treasury and author.
        var actual = ActualWeight(declared, context.PostDispatchWeight);
        context.PostDispatchWeight = null;
        context.NormalWeight = context.NormalWeight.Add(actual).Add(Fees.BaseExtrinsic);
        var paysFee = PaysFee(extrinsic.Call) && !(error is null && IsSudoCall(extrinsic.Call));
        var corrected = (paysFee ? Fees.InclusionFee(extrinsic.Length, actual, multiplier) : 0) + extrinsic.Tip;
        var paid = fee > 0 ? CorrectAndDepositFee(context, who, fee, corrected, extrinsic.Tip) : 0;
        DepositEvent(context, RuntimeFlavor.TransactionPaymentIndex, 0, w =>
        {
            w.WriteBytes(who);
            w.WriteU128(paid);
            w.WriteU128(extrinsic.Tip);
        });
        // frame_system::note_applied_extrinsic: the event's weight is the actual weight plus the class's base extrinsic weight.
        var applied = actual.Add(Fees.BaseExtrinsic);
        if (error is null)
        {
            DepositEvent(context, RuntimeFlavor.SystemIndex, 0, w => WriteDispatchInfo(w, applied, DispatchClassNormal, paysFee));
        }
        else
        {
            DepositEvent(context, RuntimeFlavor.SystemIndex, 1, w =>
            {
                w.WriteBytes(error.Encoded);
                WriteDispatchInfo(w, applied, DispatchClassNormal, paysFee);
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
    private static void WriteDispatchInfo(ScaleWriter w, Weight weight, byte dispatchClass, bool paysFee)
    {
        w.WriteCompact(weight.RefTime);
        w.WriteCompact(weight.ProofSize);
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
