using Entropy.Hashing;
using Entropy.Scale;
using Entropy.Simulator.Node;

namespace Entropy.Simulator.Runtime;

/// <summary>Balances, Programs, Relayer/Registry and StakingExtension dispatchables.</summary>
internal sealed partial class EntropyRuntime
{
    // Balances errors (metadata order).
    private static readonly DispatchError s_insufficientBalance = DispatchError.Module(RuntimeFlavor.BalancesIndex, 2, "Balances.InsufficientBalance");

    // ---------------------------------------------------------------- Balances

    private static void DoTransfer(BlockContext context, byte[] from, byte[] to, UInt128 amount, bool keepAlive)
    {
        var state = context.State;
        var source = GetAccount(state, from);
        if (source.Free < amount)
        {
            throw new DispatchException(DispatchError.Token(0, "FundsUnavailable"));
        }

        var remaining = source.Free - amount;
        if (keepAlive && remaining < ExistentialDeposit)
        {
            throw new DispatchException(DispatchError.Token(8, "NotExpendable"));
        }

        if (from.AsSpan().SequenceEqual(to))
        {
            return;
        }

        var dest = GetAccount(state, to);
        var isNew = !dest.Exists;
        if (isNew && amount < ExistentialDeposit)
        {
            throw new DispatchException(DispatchError.Token(2, "BelowMinimum"));
        }

        source.Free = remaining;
        UInt128 dust = 0;
        var killed = false;
        if (remaining < ExistentialDeposit && source.Reserved == 0)
        {
            dust = remaining;
            source = new AccountInfo { Nonce = 0, Providers = 0, Free = 0 };
            killed = true;
        }

        if (isNew)
        {
            dest.Providers = 1;
        }

        dest.Free += amount;
        PutAccount(state, from, source);
        PutAccount(state, to, dest);
        if (isNew)
        {
            DepositEvent(context, RuntimeFlavor.SystemIndex, 3, w => w.WriteBytes(to));
            DepositEvent(context, RuntimeFlavor.BalancesIndex, 0, w => { w.WriteBytes(to); w.WriteU128(amount); });
        }

        if (killed)
        {
            if (dust > 0)
            {
                AddTotalIssuance(state, dust, negative: true);
                DepositEvent(context, RuntimeFlavor.BalancesIndex, 1, w => { w.WriteBytes(from); w.WriteU128(dust); });
            }

            DepositEvent(context, RuntimeFlavor.SystemIndex, 4, w => w.WriteBytes(from));
        }

        DepositEvent(context, RuntimeFlavor.BalancesIndex, 2, w => { w.WriteBytes(from); w.WriteBytes(to); w.WriteU128(amount); });
    }

    private static void Reserve(BlockContext context, byte[] who, UInt128 amount)
    {
        // pallet_balances 25.0.0 ReservableCurrency::reserve: free.checked_sub(value) else InsufficientBalance; then
        // try_mutate_account: a free balance left below the existential deposit stops providing for the account, and the reserve
        // makes it a consumer, so frame_system::dec_providers refuses the last provider with ConsumerRemaining.
        var account = GetAccount(context.State, who);
        if (account.Free < amount)
        {
            throw new DispatchException(s_insufficientBalance);
        }

        if (account.Free - amount < ExistentialDeposit && account.Free >= ExistentialDeposit && account.Providers <= 1)
        {
            throw new DispatchException(DispatchError.ConsumerRemaining);
        }

        account.Free -= amount;
        account.Reserved += amount;
        PutAccount(context.State, who, account);
        DepositEvent(context, RuntimeFlavor.BalancesIndex, 4, w => { w.WriteBytes(who); w.WriteU128(amount); });
    }

    private static void Unreserve(BlockContext context, byte[] who, UInt128 amount)
    {
        var account = GetAccount(context.State, who);
        var actual = UInt128.Min(amount, account.Reserved);
        account.Reserved -= actual;
        account.Free += actual;
        PutAccount(context.State, who, account);
        DepositEvent(context, RuntimeFlavor.BalancesIndex, 5, w => { w.WriteBytes(who); w.WriteU128(actual); });
    }

    // ---------------------------------------------------------------- Programs (pallet 53)

    private static DispatchError ProgramsError(byte index, string name) => DispatchError.Module(RuntimeFlavor.ProgramsIndex, index, "Programs." + name);

    internal static byte[] ProgramPointer(byte[] bytecode, byte[] configurationInterface) =>
        Blake2b.Hash256(ScaleBytes.Concat(bytecode, configurationInterface));

    /// <summary><c>set_program</c> (pallets/programs/src/lib.rs @ a9463b08), in the source's order: length of bytecode + configuration
    /// interface ≤ <c>MaxBytecodeLength</c>, not already set, reserve the deposit, then push to <c>OwnedPrograms</c> (≤ <c>MaxOwnedPrograms</c>).</summary>
    private void DoSetProgram(BlockContext context, byte[] who, SetProgram call)
    {
        var length = call.Bytecode.Length + call.Interface.Length;
        if (length > MaxBytecodeLength)
        {
            throw new DispatchException(ProgramsError(1, "ProgramLengthExceeded"));
        }

        var pointer = ProgramPointer(call.Bytecode, call.Interface);
        var key = StorageKeys.Blake2Map("Programs", "Programs", pointer);
        if (context.State.Contains(key))
        {
            throw new DispatchException(ProgramsError(3, "ProgramAlreadySet"));
        }

        Reserve(context, who, ProgramDepositPerByte * (UInt128)length);
        context.State.Set(key, new ProgramInfo { Bytecode = call.Bytecode, Interface = call.Interface, Deployer = who, RefCounter = 0 }.Encode());
        var ownedKey = StorageKeys.Blake2Map("Programs", "OwnedPrograms", who);
        var owned = ReadHashVec(context.State.Get(ownedKey));
        if (owned.Count >= MaxOwnedPrograms)
        {
            // BoundedVec::try_push fails; the whole call (reserve and insert included) is rolled back.
            throw new DispatchException(ProgramsError(4, "TooManyProgramsOwned"));
        }

        owned.Add(pointer);
        context.State.Set(ownedKey, WriteHashVec(owned));
        DepositEvent(context, RuntimeFlavor.ProgramsIndex, 0, w => { w.WriteBytes(who); w.WriteBytes(pointer); w.WriteByteVec(call.Interface); });
    }

    /// <summary><c>remove_program</c> (pallets/programs/src/lib.rs @ a9463b08): <c>NoProgramDefined</c>, <c>NotAuthorized</c> (not the
    /// deployer), <c>ProgramInUse</c> (ref_counter &gt; 0), unreserve, then remove from <c>OwnedPrograms</c> (absent: <c>NotAuthorized</c>).</summary>
    private void DoRemoveProgram(BlockContext context, byte[] who, byte[] pointer)
    {
        var key = StorageKeys.Blake2Map("Programs", "Programs", pointer);
        var bytes = context.State.Get(key) ?? throw new DispatchException(ProgramsError(2, "NoProgramDefined"));
        var info = ProgramInfo.Decode(bytes);
        if (!info.Deployer.AsSpan().SequenceEqual(who))
        {
            throw new DispatchException(ProgramsError(0, "NotAuthorized"));
        }

        if (info.RefCounter > 0)
        {
            throw new DispatchException(ProgramsError(5, "ProgramInUse"));
        }

        Unreserve(context, who, ProgramDepositPerByte * (UInt128)(info.Bytecode.Length + info.Interface.Length));
        var ownedKey = StorageKeys.Blake2Map("Programs", "OwnedPrograms", who);
        var owned = ReadHashVec(context.State.Get(ownedKey));
        var position = owned.FindIndex(h => h.AsSpan().SequenceEqual(pointer));
        if (position < 0)
        {
            throw new DispatchException(ProgramsError(0, "NotAuthorized"));
        }

        var ownedBefore = owned.Count;
        owned.RemoveAt(position);
        context.State.Set(ownedKey, WriteHashVec(owned));
        context.State.Remove(key);
        DepositEvent(context, RuntimeFlavor.ProgramsIndex, 1, w => { w.WriteBytes(who); w.WriteBytes(pointer); });
        context.PostDispatchWeight = RemoveProgramWeight(ownedBefore);
    }

    /// <summary>Adds <paramref name="delta"/> to each referenced program's <c>ref_counter</c>; a missing program fails with <paramref name="missing"/>.</summary>
    private static void AdjustRefCounters(BlockContext context, ProgramInstance[] programs, int delta, DispatchError? missing)
    {
        foreach (var program in programs)
        {
            var key = StorageKeys.Blake2Map("Programs", "Programs", program.Pointer);
            var bytes = context.State.Get(key);
            if (bytes is null)
            {
                if (missing is not null)
                {
                    throw new DispatchException(missing);
                }

                continue;
            }

            var info = ProgramInfo.Decode(bytes);
            info.RefCounter = delta > 0 ? info.RefCounter + 1 : (info.RefCounter > 0 ? info.RefCounter - 1 : 0);
            context.State.Set(key, info.Encode());
        }
    }

    private static List<byte[]> ReadHashVec(byte[]? bytes)
    {
        if (bytes is null)
        {
            return [];
        }

        var reader = new ScaleReader(bytes);
        var count = reader.ReadLength(32);
        var result = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            result.Add(reader.ReadBytes(32).ToArray());
        }

        return result;
    }

    private static byte[] WriteHashVec(List<byte[]> hashes) => ScaleBytes.Build(w =>
    {
        w.WriteCompact((ulong)hashes.Count);
        foreach (var hash in hashes)
        {
            w.WriteBytes(hash);
        }
    });

    // ---------------------------------------------------------------- Relayer / Registry (pallet 51), PROTOCOL.md §2.3

    private DispatchError RegistryError(byte index, string name) => DispatchError.Module(RuntimeFlavor.RegistryIndex, index, $"{Reg}.{name}");

    private void DoRegister(BlockContext context, byte[] who, Register call)
    {
        var state = context.State;
        if (state.Contains(StorageKeys.Blake2Map(Reg, "Registered", who)) || state.Contains(StorageKeys.Blake2Map(Reg, "Registering", who)))
        {
            throw new DispatchException(RegistryError(0, "AlreadySubmitted"));
        }

        if (call.Programs.Length == 0)
        {
            throw new DispatchException(RegistryError(14, "NoProgramSet"));
        }

        AdjustRefCounters(context, call.Programs, +1, RegistryError(14, "NoProgramSet"));
        var dkgKey = StorageKeys.Blake2Map(Reg, "Dkg", ScaleBytes.U32(context.Number));
        var accounts = ReadByteVecVec(state.Get(dkgKey));
        accounts.Add(who);
        state.Set(dkgKey, WriteByteVecVec(accounts));
        var details = new RegisteringDetails
        {
            ProgramModificationAccount = call.ProgramModificationAccount,
            Programs = call.Programs,
            KeyVisibility = call.KeyVisibility,
        };
        state.Set(StorageKeys.Blake2Map(Reg, "Registering", who), details.Encode(Flavor.HasVersionNumber));
        DepositEvent(context, RuntimeFlavor.RegistryIndex, 0, w => w.WriteBytes(who));
        context.PostDispatchWeight = RegisterWeight(call.Programs.Length);
    }

    private void DoPruneRegistration(BlockContext context, byte[] who)
    {
        var key = StorageKeys.Blake2Map(Reg, "Registering", who);
        var bytes = context.State.Get(key) ?? throw new DispatchException(RegistryError(2, "NotRegistering"));
        var details = RegisteringDetails.Decode(bytes, Flavor.HasVersionNumber);
        AdjustRefCounters(context, details.Programs, -1, null);
        context.State.Remove(key);
        DepositEvent(context, RuntimeFlavor.RegistryIndex, 4, w => w.WriteBytes(who));

        // As in the source: prune_registration reports register(programs) as its actual weight.
        context.PostDispatchWeight = RegisterWeight(details.Programs.Length);
    }

    /// <summary>
    /// <c>change_program_instance</c> (pallets/relayer/src/lib.rs @ a9463b08, same at d7a7f3c2), in the source's order: an empty list is
    /// <c>NoProgramSet</c>; each new program's ref_counter is incremented, a missing one is <c>NoProgramSet</c>; then <c>Registered</c>
    /// must hold the account (<c>NotRegistered</c>) and the signer must be its program-modification account (<c>NotAuthorized</c>); the
    /// old programs' counters are decremented; <c>ProgramInfoChanged(signer, new programs)</c> is emitted.
    /// </summary>
    private void DoChangeProgramInstance(BlockContext context, byte[] who, ChangeProgramInstance call)
    {
        if (call.Programs.Length == 0)
        {
            throw new DispatchException(RegistryError(14, "NoProgramSet"));
        }

        AdjustRefCounters(context, call.Programs, +1, RegistryError(14, "NoProgramSet"));
        var key = StorageKeys.Blake2Map(Reg, "Registered", call.SigRequestAccount);
        var bytes = context.State.Get(key) ?? throw new DispatchException(RegistryError(3, "NotRegistered"));
        var info = RegisteredInfo.Decode(bytes, Flavor.HasVersionNumber);
        if (!info.ProgramModificationAccount.AsSpan().SequenceEqual(who))
        {
            throw new DispatchException(RegistryError(12, "NotAuthorized"));
        }

        AdjustRefCounters(context, info.Programs, -1, null);
        var oldPrograms = info.Programs.Length;
        info.Programs = call.Programs;
        context.State.Set(key, info.Encode(Flavor.HasVersionNumber));
        DepositEvent(context, RuntimeFlavor.RegistryIndex, 5, w =>
        {
            w.WriteBytes(who);
            RegisteringDetails.WritePrograms(w, call.Programs);
        });
        context.PostDispatchWeight = ChangeProgramInstanceWeight(call.Programs.Length, oldPrograms);
    }

    /// <summary>The checks of <c>confirm_register</c> that <c>ValidateConfirmRegistered</c> repeats in the pool, as custom codes 1–5 (0 = pass).</summary>
    internal byte ValidateConfirmRegistered(StateOverlay state, byte[] who, ConfirmRegister call)
    {
        var stash = state.Get(StorageKeys.Blake2Map("StakingExtension", "ThresholdToStash", who));
        if (stash is null)
        {
            return 1;
        }

        var registering = state.Get(StorageKeys.Blake2Map(Reg, "Registering", call.SigRequestAccount));
        if (registering is null)
        {
            return 2;
        }

        if (RegisteringDetails.Decode(registering, Flavor.HasVersionNumber).Confirmations.Contains(call.Subgroup))
        {
            return 3;
        }

        var group = state.Get(StorageKeys.Blake2Map("StakingExtension", "SigningGroups", [call.Subgroup]));
        if (group is null)
        {
            return 4;
        }

        return IsInSubgroup(state, stash, call.Subgroup, group) ? (byte)0 : (byte)5;
    }

    private bool IsInSubgroup(StateOverlay state, byte[] stash, byte subgroup, byte[] encodedGroup)
    {
        if (Flavor.HasValidatorToSubgroup)
        {
            var assigned = state.Get(StorageKeys.Map("StakingExtension", "ValidatorToSubgroup", StorageHasher.Identity, stash));
            return assigned is [var value] && value == subgroup;
        }

        return ReadAccountVec(encodedGroup).Exists(a => a.AsSpan().SequenceEqual(stash));
    }

    private void DoConfirmRegister(BlockContext context, byte[] who, ConfirmRegister call)
    {
        var state = context.State;
        var stash = state.Get(StorageKeys.Blake2Map("StakingExtension", "ThresholdToStash", who))
            ?? throw new DispatchException(RegistryError(1, "NoThresholdKey"));
        var registeringKey = StorageKeys.Blake2Map(Reg, "Registering", call.SigRequestAccount);
        var bytes = state.Get(registeringKey) ?? throw new DispatchException(RegistryError(2, "NotRegistering"));
        var details = RegisteringDetails.Decode(bytes, Flavor.HasVersionNumber);
        if (details.Confirmations.Contains(call.Subgroup))
        {
            throw new DispatchException(RegistryError(5, "AlreadyConfirmed"));
        }

        var group = state.Get(StorageKeys.Blake2Map("StakingExtension", "SigningGroups", [call.Subgroup]))
            ?? throw new DispatchException(RegistryError(4, "InvalidSubgroup"));
        if (!IsInSubgroup(state, stash, call.Subgroup, group))
        {
            throw new DispatchException(RegistryError(6, "NotInSigningGroup"));
        }

        var confirmations = (ulong)details.Confirmations.Count;
        details.VerifyingKey ??= call.VerifyingKey;
        var matches = details.VerifyingKey.AsSpan().SequenceEqual(call.VerifyingKey);
        if (!matches)
        {
            // A mismatch is not an error: the registration is dropped and FailedRegistration emitted (ref counters stay).
            state.Remove(registeringKey);
            DepositEvent(context, RuntimeFlavor.RegistryIndex, 3, w => w.WriteBytes(call.SigRequestAccount));
            context.PostDispatchWeight = ConfirmFailedWeight();
            return;
        }

        if (details.Confirmations.Count == SigningPartySize - 1)
        {
            var registered = new RegisteredInfo
            {
                KeyVisibility = details.KeyVisibility,
                VerifyingKey = details.VerifyingKey,
                Programs = details.Programs,
                ProgramModificationAccount = details.ProgramModificationAccount,
                VersionNumber = details.VersionNumber,
            };
            state.Set(StorageKeys.Blake2Map(Reg, "Registered", call.SigRequestAccount), registered.Encode(Flavor.HasVersionNumber));
            state.Remove(registeringKey);
            DepositEvent(context, RuntimeFlavor.RegistryIndex, 2, w => w.WriteBytes(call.SigRequestAccount));
            context.PostDispatchWeight = ConfirmRegisteredWeight();
            return;
        }

        details.Confirmations.Add(call.Subgroup);
        state.Set(registeringKey, details.Encode(Flavor.HasVersionNumber));
        DepositEvent(context, RuntimeFlavor.RegistryIndex, 1, w => { w.WriteBytes(call.SigRequestAccount); w.WriteU8(call.Subgroup); });
        context.PostDispatchWeight = ConfirmRegisteringWeight(confirmations);
    }

    internal static List<byte[]> ReadByteVecVec(byte[]? bytes)
    {
        if (bytes is null)
        {
            return [];
        }

        var reader = new ScaleReader(bytes);
        var count = reader.ReadLength();
        var result = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            result.Add(reader.ReadByteVec());
        }

        return result;
    }

    internal static byte[] WriteByteVecVec(List<byte[]> items) => ScaleBytes.Build(w =>
    {
        w.WriteCompact((ulong)items.Count);
        foreach (var item in items)
        {
            w.WriteByteVec(item);
        }
    });

    internal static List<byte[]> ReadAccountVec(byte[]? bytes)
    {
        if (bytes is null)
        {
            return [];
        }

        var reader = new ScaleReader(bytes);
        var count = reader.ReadLength(32);
        var result = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            result.Add(reader.ReadBytes(32).ToArray());
        }

        return result;
    }

    internal static byte[] WriteAccountVec(IEnumerable<byte[]> accounts) => ScaleBytes.Build(w =>
    {
        var list = accounts.ToList();
        w.WriteCompact((ulong)list.Count);
        foreach (var account in list)
        {
            w.WriteBytes(account);
        }
    });

    // ---------------------------------------------------------------- StakingExtension (pallet 12), PROTOCOL.md §3.1

    private static DispatchError StakingError(byte index, string name) => DispatchError.Module(RuntimeFlavor.StakingExtensionIndex, index, "StakingExtension." + name);

    /// <remarks>The simulator has no <c>pallet_staking</c> bonding: the signer is taken as its own stash and controller.</remarks>
    private static void DoValidate(BlockContext context, byte[] who, Validate call)
    {
        if (call.Endpoint.Length > MaxEndpointLength)
        {
            throw new DispatchException(StakingError(0, "EndpointTooLong"));
        }

        var state = context.State;
        var serverKey = StorageKeys.Blake2Map("StakingExtension", "ThresholdServers", who);
        if (state.Get(serverKey) is { } old)
        {
            state.Remove(StorageKeys.Blake2Map("StakingExtension", "ThresholdToStash", ServerInfo.Decode(old).TssAccount));
        }

        var info = new ServerInfo(call.TssAccount, call.X25519, call.Endpoint);
        state.Set(serverKey, info.Encode());
        state.Set(StorageKeys.Blake2Map("StakingExtension", "ThresholdToStash", call.TssAccount), who);
        DepositEvent(context, RuntimeFlavor.StakingExtensionIndex, 1, w => { w.WriteBytes(who); w.WriteByteVec(call.Endpoint); w.WriteBytes(call.TssAccount); });
    }

    private static void DoChangeEndpoint(BlockContext context, byte[] who, byte[] endpoint)
    {
        if (endpoint.Length > MaxEndpointLength)
        {
            throw new DispatchException(StakingError(0, "EndpointTooLong"));
        }

        var key = StorageKeys.Blake2Map("StakingExtension", "ThresholdServers", who);
        var info = ServerInfo.Decode(context.State.Get(key) ?? throw new DispatchException(StakingError(1, "NoBond")));
        context.State.Set(key, (info with { Endpoint = endpoint }).Encode());
        DepositEvent(context, RuntimeFlavor.StakingExtensionIndex, 0, w => { w.WriteBytes(who); w.WriteByteVec(endpoint); });
    }

    private static void DoChangeThresholdAccounts(BlockContext context, byte[] who, ChangeThresholdAccounts call)
    {
        var state = context.State;
        var key = StorageKeys.Blake2Map("StakingExtension", "ThresholdServers", who);
        var info = ServerInfo.Decode(state.Get(key) ?? throw new DispatchException(StakingError(1, "NoBond")));
        state.Remove(StorageKeys.Blake2Map("StakingExtension", "ThresholdToStash", info.TssAccount));
        var updated = info with { TssAccount = call.TssAccount, X25519PublicKey = call.X25519 };
        state.Set(key, updated.Encode());
        state.Set(StorageKeys.Blake2Map("StakingExtension", "ThresholdToStash", call.TssAccount), who);
        DepositEvent(context, RuntimeFlavor.StakingExtensionIndex, 2, w => { w.WriteBytes(who); w.WriteBytes(updated.Encode()); });
    }

    private static void DoDeclareSynced(BlockContext context, byte[] who, bool synced)
    {
        var stash = context.State.Get(StorageKeys.Blake2Map("StakingExtension", "ThresholdToStash", who))
            ?? throw new DispatchException(StakingError(3, "NoThresholdKey"));
        context.State.Set(StorageKeys.Blake2Map("StakingExtension", "IsValidatorSynced", stash), ScaleBytes.Bool(synced));
        DepositEvent(context, RuntimeFlavor.StakingExtensionIndex, 4, w => { w.WriteBytes(stash); w.WriteBool(synced); });
    }

    /// <summary>
    /// <c>get_validator_info</c> at <paramref name="blockNumber"/> (PROTOCOL.md §2.6): per subgroup, <c>block_number % len</c> picks a
    /// member, skipping (and removing) unsynced ones; returns the chosen stashes' <see cref="ServerInfo"/> in subgroup order.
    /// </summary>
    /// <exception cref="InvalidOperationException">A subgroup is missing, has no synced validator, or its server info is missing.</exception>
    public IReadOnlyList<(byte[] Stash, ServerInfo Server)> GetValidatorInfo(Func<byte[], byte[]?> read, uint blockNumber)
    {
        var result = new List<(byte[], ServerInfo)>();
        for (var i = 0; i < SigningPartySize; i++)
        {
            var addresses = ReadAccountVec(read(StorageKeys.Blake2Map("StakingExtension", "SigningGroups", [(byte)i]))
                ?? throw new InvalidOperationException($"SigningGroupError: subgroup {i} is missing"));
            while (true)
            {
                if (addresses.Count == 0)
                {
                    throw new InvalidOperationException($"NoSyncedValidators in subgroup {i}");
                }

                var selection = (int)(blockNumber % (uint)addresses.Count);
                var candidate = addresses[selection];
                var synced = read(StorageKeys.Blake2Map("StakingExtension", "IsValidatorSynced", candidate)) is [1];
                if (synced)
                {
                    var server = read(StorageKeys.Blake2Map("StakingExtension", "ThresholdServers", candidate))
                        ?? throw new InvalidOperationException("IpAddressError: the chosen validator has no ThresholdServers entry");
                    result.Add((candidate, ServerInfo.Decode(server)));
                    break;
                }

                addresses.RemoveAt(selection);
            }
        }

        return result;
    }
}
