using System.Buffers.Binary;
using Entropy.Scale;
using Entropy.Simulator.Node;

namespace Entropy.Simulator.Runtime;

/// <summary>Utility (batches), Sudo (with the dev sudo key) and the root-only Balances calls, with the semantics of their FRAME pallets.</summary>
internal sealed partial class EntropyRuntime
{
    // Event variants (metadata order, the same in both runtimes).
    private const byte UtilityBatchInterrupted = 0;
    private const byte UtilityBatchCompleted = 1;
    private const byte UtilityBatchCompletedWithErrors = 2;
    private const byte UtilityItemCompleted = 3;
    private const byte UtilityItemFailed = 4;
    private const byte SudoSudid = 0;
    private const byte SudoKeyChanged = 1;
    private const byte SudoAsDone = 2;
    private const byte BalancesEndowed = 0;
    private const byte BalancesBalanceSet = 3;
    private const byte SystemNewAccount = 3;
    private const byte SystemKilledAccount = 4;

    private byte UtilityIndex => Flavor.Metadata.PalletIndex("Utility");

    private byte SudoIndex => Flavor.Metadata.PalletIndex("Sudo");

    /// <summary>Gets <c>Utility.batched_calls_limit</c> from the metadata's constants.</summary>
    private uint BatchedCallsLimit =>
        Flavor.Metadata.Pallet("Utility")?.Constants.GetValueOrDefault("batched_calls_limit") is { Length: 4 } limit
            ? BinaryPrimitives.ReadUInt32LittleEndian(limit)
            : 10_922;

    /// <summary>Whether <paramref name="call"/> is a sudo call, whose fee the key does not pay (<c>Pays::No</c>).</summary>
    private static bool IsSudoCall(Call call) => call is SudoCall or SudoAs or SetSudoKey;

    /// <summary>
    /// Dispatches <paramref name="call"/> in its own storage layer, as FRAME does for every dispatchable: on failure its storage
    /// changes and events are rolled back and the error is returned; on success <see langword="null"/>.
    /// </summary>
    private DispatchError? DispatchLayered(BlockContext context, byte[]? who, Call call)
    {
        var eventsBefore = context.Events.Count;
        context.State.Begin();
        try
        {
            Dispatch(context, who, call);
            context.State.Commit();
            return null;
        }
        catch (DispatchException e)
        {
            context.State.Rollback();
            context.Events.RemoveRange(eventsBefore, context.Events.Count - eventsBefore);
            return e.Error;
        }
    }

    /// <summary>
    /// <c>pallet_utility</c>: <c>batch</c> stops at the first failure (<c>BatchInterrupted { index, error }</c>) and succeeds;
    /// <c>batch_all</c> fails with the first failure (everything rolled back); <c>force_batch</c> runs every call (<c>ItemFailed</c>
    /// per failure, then <c>BatchCompletedWithErrors</c>). Each call that succeeds deposits <c>ItemCompleted</c>.
    /// </summary>
    private void DoBatch(BlockContext context, byte[]? who, UtilityBatch batch)
    {
        var utility = UtilityIndex;
        if (batch.Calls.Count > BatchedCallsLimit)
        {
            throw new DispatchException(DispatchError.Module(utility, 0, "Utility.TooManyCalls"));
        }

        // The actual weight: the mode's base weight for the calls run so far plus each call's actual weight.
        var failed = false;
        var weight = default(Weight);
        for (var i = 0; i < batch.Calls.Count; i++)
        {
            context.PostDispatchWeight = null;
            var error = DispatchLayered(context, who, batch.Calls[i]);
            weight = weight.Add(ActualWeight(DeclaredWeight(batch.Calls[i]), context.PostDispatchWeight));
            if (error is null)
            {
                DepositEvent(context, utility, UtilityItemCompleted, static _ => { });
                continue;
            }

            switch (batch.Mode)
            {
                case BatchMode.Batch:
                    var index = (uint)i;
                    DepositEvent(context, utility, UtilityBatchInterrupted, w => { w.WriteU32(index); w.WriteBytes(error.Encoded); });
                    context.PostDispatchWeight = BatchWeight(batch.Mode, (ulong)i + 1).Add(weight);
                    return;
                case BatchMode.BatchAll:
                    context.PostDispatchWeight = BatchWeight(batch.Mode, (ulong)i + 1).Add(weight);
                    throw new DispatchException(error);
                default:
                    DepositEvent(context, utility, UtilityItemFailed, w => w.WriteBytes(error.Encoded));
                    failed = true;
                    break;
            }
        }

        DepositEvent(context, utility, failed ? UtilityBatchCompletedWithErrors : UtilityBatchCompleted, static _ => { });
        context.PostDispatchWeight = BatchWeight(batch.Mode, (ulong)batch.Calls.Count).Add(weight);
    }

    /// <summary>Gets the sudo key (<c>Sudo.Key</c>), or <see langword="null"/> when none is set.</summary>
    internal static byte[]? SudoKey(StateOverlay state) => state.Get(StorageKeys.Value("Sudo", "Key"));

    /// <summary><c>ensure_signed</c>, then the signer must be the sudo key (<c>RequireSudo</c>).</summary>
    private void EnsureSudo(BlockContext context, byte[]? who)
    {
        if (who is null)
        {
            throw new DispatchException(DispatchError.BadOrigin);
        }

        if (SudoKey(context.State) is not { } key || !key.AsSpan().SequenceEqual(who))
        {
            throw new DispatchException(DispatchError.Module(SudoIndex, 0, "Sudo.RequireSudo"));
        }
    }

    /// <summary><c>Sudo.sudo</c> / <c>sudo_unchecked_weight</c>: the inner call runs as root; its outcome is the <c>Sudid</c> event.</summary>
    private void DoSudo(BlockContext context, byte[]? who, SudoCall sudo)
    {
        EnsureSudo(context, who);
        var error = DispatchLayered(context, null, sudo.Inner);
        context.PostDispatchWeight = null; // Ok(Pays::No.into()): the declared weight.
        DepositEvent(context, SudoIndex, SudoSudid, w => WriteDispatchResult(w, error));
    }

    /// <summary><c>Sudo.sudo_as</c>: the inner call runs as a signed origin of the target; its outcome is the <c>SudoAsDone</c> event.</summary>
    private void DoSudoAs(BlockContext context, byte[]? who, SudoAs sudoAs)
    {
        EnsureSudo(context, who);
        var target = Lookup(sudoAs.Who);
        var error = DispatchLayered(context, target, sudoAs.Inner);
        context.PostDispatchWeight = null; // Ok(Pays::No.into()): the declared weight.
        DepositEvent(context, SudoIndex, SudoAsDone, w => WriteDispatchResult(w, error));
    }

    /// <summary><c>Sudo.set_key</c>: <c>KeyChanged { old_sudoer }</c>, then the new key.</summary>
    private void DoSetSudoKey(BlockContext context, byte[]? who, SetSudoKey setKey)
    {
        EnsureSudo(context, who);
        var next = Lookup(setKey.New);
        var old = SudoKey(context.State);
        DepositEvent(context, SudoIndex, SudoKeyChanged, w =>
        {
            if (old is null)
            {
                w.WriteU8(0);
            }
            else
            {
                w.WriteU8(1);
                w.WriteBytes(old);
            }
        });
        context.State.Set(StorageKeys.Value("Sudo", "Key"), next);
    }

    private static void EnsureRoot(byte[]? who)
    {
        if (who is not null)
        {
            throw new DispatchException(DispatchError.BadOrigin);
        }
    }

    /// <summary><c>Balances.force_set_balance</c>: sets the free balance (below the existential deposit: 0), adjusting total issuance.</summary>
    private static void DoForceSetBalance(BlockContext context, byte[] who, UInt128 newFree)
    {
        if (newFree < ExistentialDeposit)
        {
            newFree = 0;
        }

        var account = GetAccount(context.State, who);
        var old = account.Free;
        var isNew = !account.Exists;
        account.Free = newFree;
        if (isNew && newFree > 0)
        {
            account.Providers = 1;
        }

        var killed = !isNew && newFree == 0 && account.Reserved == 0;
        if (killed)
        {
            account = new AccountInfo { Nonce = 0, Providers = 0, Free = 0 };
        }

        PutAccount(context.State, who, account);
        if (newFree > old)
        {
            AddTotalIssuance(context.State, newFree - old, negative: false);
        }
        else if (old > newFree)
        {
            AddTotalIssuance(context.State, old - newFree, negative: true);
        }

        if (isNew && newFree > 0)
        {
            DepositEvent(context, RuntimeFlavor.SystemIndex, SystemNewAccount, w => w.WriteBytes(who));
            DepositEvent(context, RuntimeFlavor.BalancesIndex, BalancesEndowed, w => { w.WriteBytes(who); w.WriteU128(newFree); });
        }

        if (killed)
        {
            DepositEvent(context, RuntimeFlavor.SystemIndex, SystemKilledAccount, w => w.WriteBytes(who));
        }

        DepositEvent(context, RuntimeFlavor.BalancesIndex, BalancesBalanceSet, w => { w.WriteBytes(who); w.WriteU128(newFree); });
    }

    /// <summary><c>DispatchResult</c>: <c>Ok(())</c> is 0x00, <c>Err(e)</c> is 0x01 followed by the <c>DispatchError</c>.</summary>
    private static void WriteDispatchResult(ScaleWriter w, DispatchError? error)
    {
        if (error is null)
        {
            w.WriteU8(0);
        }
        else
        {
            w.WriteU8(1);
            w.WriteBytes(error.Encoded);
        }
    }
}
