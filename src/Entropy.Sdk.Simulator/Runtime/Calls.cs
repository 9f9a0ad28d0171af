using Entropy.Scale;

namespace Entropy.Simulator.Runtime;

/// <summary>A decoded runtime call the simulator can dispatch.</summary>
internal abstract record Call(byte Pallet, byte Index, string Name);

internal sealed record TimestampSet(ulong Now) : Call(RuntimeFlavor.TimestampIndex, 0, "Timestamp.set");

internal sealed record Remark(byte[] Data, bool WithEvent) : Call(RuntimeFlavor.SystemIndex, WithEvent ? (byte)7 : (byte)0, WithEvent ? "System.remark_with_event" : "System.remark");

/// <summary><c>MultiAddress</c>: only <c>Id</c> resolves (the runtime's lookup is pallet_indices, whose index table the simulator keeps empty).</summary>
internal sealed record Address(byte Variant, byte[]? AccountId);

internal sealed record Transfer(Address Dest, UInt128 Value, bool KeepAlive, byte CallIndex) : Call(RuntimeFlavor.BalancesIndex, CallIndex, KeepAlive ? "Balances.transfer_keep_alive" : "Balances.transfer_allow_death");

internal sealed record TransferAll(Address Dest, bool KeepAlive) : Call(RuntimeFlavor.BalancesIndex, 4, "Balances.transfer_all");

internal sealed record SetProgram(byte[] Bytecode, byte[] Interface) : Call(RuntimeFlavor.ProgramsIndex, 0, "Programs.set_program");

internal sealed record RemoveProgram(byte[] Hash) : Call(RuntimeFlavor.ProgramsIndex, 1, "Programs.remove_program");

/// <summary>A <c>ProgramInstance { program_pointer: H256, program_config: Vec&lt;u8&gt; }</c>.</summary>
internal sealed record ProgramInstance(byte[] Pointer, byte[] Config);

internal sealed record Register(byte[] ProgramModificationAccount, byte[] KeyVisibility, ProgramInstance[] Programs) : Call(RuntimeFlavor.RegistryIndex, 0, "register");

internal sealed record PruneRegistration() : Call(RuntimeFlavor.RegistryIndex, 1, "prune_registration");

internal sealed record ChangeProgramInstance(byte[] SigRequestAccount, ProgramInstance[] Programs) : Call(RuntimeFlavor.RegistryIndex, 2, "change_program_instance");

internal sealed record ConfirmRegister(byte[] SigRequestAccount, byte Subgroup, byte[] VerifyingKey) : Call(RuntimeFlavor.RegistryIndex, 3, "confirm_register");

internal sealed record ChangeEndpoint(byte[] Endpoint) : Call(RuntimeFlavor.StakingExtensionIndex, 0, "StakingExtension.change_endpoint");

internal sealed record ChangeThresholdAccounts(byte[] TssAccount, byte[] X25519) : Call(RuntimeFlavor.StakingExtensionIndex, 1, "StakingExtension.change_threshold_accounts");

internal sealed record Validate(byte[] Endpoint, byte[] TssAccount, byte[] X25519) : Call(RuntimeFlavor.StakingExtensionIndex, 3, "StakingExtension.validate");

internal sealed record DeclareSynced(bool Synced) : Call(RuntimeFlavor.StakingExtensionIndex, 4, "StakingExtension.declare_synced");

/// <summary><c>Balances.force_transfer</c> (root only).</summary>
internal sealed record ForceTransfer(Address Source, Address Dest, UInt128 Value) : Call(RuntimeFlavor.BalancesIndex, 2, "Balances.force_transfer");

/// <summary><c>Balances.force_set_balance</c> (root only).</summary>
internal sealed record ForceSetBalance(Address Who, UInt128 NewFree) : Call(RuntimeFlavor.BalancesIndex, 8, "Balances.force_set_balance");

/// <summary>How a <see cref="UtilityBatch"/> treats a failing call (pallet_utility).</summary>
internal enum BatchMode
{
    /// <summary><c>batch</c>: stop at the first failure (<c>BatchInterrupted</c>), keep what ran; the extrinsic succeeds.</summary>
    Batch,

    /// <summary><c>batch_all</c>: the first failure fails the whole call and rolls every call back.</summary>
    BatchAll,

    /// <summary><c>force_batch</c>: run every call; failures are reported (<c>ItemFailed</c>) and skipped.</summary>
    ForceBatch,
}

/// <summary><c>Utility.batch</c>, <c>batch_all</c> or <c>force_batch</c>.</summary>
internal sealed record UtilityBatch(IReadOnlyList<Call> Calls, BatchMode Mode, byte PalletIndex, byte CallIndex, string CallName)
    : Call(PalletIndex, CallIndex, CallName);

/// <summary><c>Sudo.sudo</c> or <c>Sudo.sudo_unchecked_weight</c>: the key dispatches <paramref name="Inner"/> as root.</summary>
internal sealed record SudoCall(Call Inner, byte PalletIndex, byte CallIndex, string CallName, Weight? UncheckedWeight = null) : Call(PalletIndex, CallIndex, CallName);

/// <summary><c>Sudo.sudo_as</c>: the key dispatches <paramref name="Inner"/> as a signed origin of <paramref name="Who"/>.</summary>
internal sealed record SudoAs(Address Who, Call Inner, byte PalletIndex, byte CallIndex) : Call(PalletIndex, CallIndex, "Sudo.sudo_as");

/// <summary><c>Sudo.set_key</c>.</summary>
internal sealed record SetSudoKey(Address New, byte PalletIndex, byte CallIndex) : Call(PalletIndex, CallIndex, "Sudo.set_key");

/// <summary>A call of the runtime's metadata that the devnet decodes but does not implement; the pool refuses it (<c>InvalidTransaction::Call</c>).</summary>
internal sealed record UnsupportedCall(byte PalletIndex, byte CallIndex, string CallName) : Call(PalletIndex, CallIndex, CallName);

/// <summary>
/// Decodes calls with the runtime metadata: the pallet and call variants (and, for calls the devnet does not implement, every argument)
/// are walked by the metadata's types; the calls the devnet implements are read into typed records.
/// </summary>
internal static class CallDecoder
{
    public const int MaxProgramHashes = 5;

    /// <summary>How deeply calls may nest (batches and sudo inside each other) before decoding refuses them.</summary>
    public const int MaxCallDepth = 64;

    /// <summary>Finds the first call, <paramref name="call"/> or one nested in it, that the devnet does not implement.</summary>
    public static UnsupportedCall? FindUnsupported(Call call) => call switch
    {
        UnsupportedCall unsupported => unsupported,
        UtilityBatch batch => batch.Calls.Select(FindUnsupported).FirstOrDefault(u => u is not null),
        SudoCall sudo => FindUnsupported(sudo.Inner),
        SudoAs sudoAs => FindUnsupported(sudoAs.Inner),
        _ => null,
    };

    /// <summary>Decodes one <c>RuntimeCall</c>; throws <see cref="ScaleFormatException"/> when the bytes are not a call of this runtime.</summary>
    public static Call Decode(ref ScaleReader reader, Node.ExtrinsicFormat format, RuntimeFlavor flavor, int depth)
    {
        var start = reader.BytesConsumed;
        if (depth > MaxCallDepth)
        {
            throw new ScaleFormatException($"Calls nest deeper than {MaxCallDepth} levels", start);
        }

        var metadata = format.Metadata;
        var palletIndex = reader.ReadU8();
        if (metadata.Pallet(palletIndex) is not { CallType: { } callType } pallet)
        {
            throw new ScaleFormatException($"Could not decode `RuntimeCall`: invalid pallet index {palletIndex}", start);
        }

        var index = reader.ReadU8();
        var variant = metadata.Type(callType).Variants.FirstOrDefault(v => v.Index == index)
            ?? throw new ScaleFormatException($"Could not decode `RuntimeCall::{pallet.Name}`: invalid call index {index}", start + 1);
        var name = pallet.Name + "." + variant.Name;
        var known = DecodeKnown(ref reader, name, palletIndex, index, format, flavor, depth);
        if (known is not null)
        {
            return known;
        }

        foreach (var field in variant.Fields)
        {
            metadata.Skip(ref reader, field.Type, depth + 1);
        }

        return new UnsupportedCall(palletIndex, index, name);
    }

    private static Call? DecodeKnown(ref ScaleReader reader, string name, byte pallet, byte index, Node.ExtrinsicFormat format, RuntimeFlavor flavor, int depth)
    {
        var registry = flavor.RegistryPallet + ".";
        if (name.StartsWith(registry, StringComparison.Ordinal))
        {
            name = "Registry." + name[registry.Length..];
        }

        switch (name)
        {
            case "System.remark":
                return new Remark(reader.ReadByteVec(), false);
            case "System.remark_with_event":
                return new Remark(reader.ReadByteVec(), true);
            case "Timestamp.set":
                return new TimestampSet(reader.ReadCompactU64());
            case "Balances.transfer_allow_death":
                return new Transfer(ReadAddress(ref reader), reader.ReadCompactU128(), false, index);
            case "Balances.transfer_keep_alive":
                return new Transfer(ReadAddress(ref reader), reader.ReadCompactU128(), true, index);
            case "Balances.transfer_all":
                return new TransferAll(ReadAddress(ref reader), reader.ReadBool());
            case "Balances.force_transfer":
                return new ForceTransfer(ReadAddress(ref reader), ReadAddress(ref reader), reader.ReadCompactU128());
            case "Balances.force_set_balance":
                return new ForceSetBalance(ReadAddress(ref reader), reader.ReadCompactU128());
            case "Utility.batch":
                return new UtilityBatch(ReadCalls(ref reader, format, flavor, depth), BatchMode.Batch, pallet, index, name);
            case "Utility.batch_all":
                return new UtilityBatch(ReadCalls(ref reader, format, flavor, depth), BatchMode.BatchAll, pallet, index, name);
            case "Utility.force_batch":
                return new UtilityBatch(ReadCalls(ref reader, format, flavor, depth), BatchMode.ForceBatch, pallet, index, name);
            case "Sudo.sudo":
                return new SudoCall(Decode(ref reader, format, flavor, depth + 1), pallet, index, name);
            case "Sudo.sudo_unchecked_weight":
                {
                    var inner = Decode(ref reader, format, flavor, depth + 1);
                    // Weight { ref_time: Compact<u64>, proof_size: Compact<u64> }: the call's declared weight.
                    var weight = new Weight(reader.ReadCompactU64(), reader.ReadCompactU64());
                    return new SudoCall(inner, pallet, index, name, weight);
                }

            case "Sudo.sudo_as":
                return new SudoAs(ReadAddress(ref reader), Decode(ref reader, format, flavor, depth + 1), pallet, index);
            case "Sudo.set_key":
                return new SetSudoKey(ReadAddress(ref reader), pallet, index);
            case "Programs.set_program":
                return new SetProgram(reader.ReadByteVec(), reader.ReadByteVec());
            case "Programs.remove_program":
                return new RemoveProgram(reader.ReadBytes(32).ToArray());
            case "Registry.register":
                return new Register(reader.ReadBytes(32).ToArray(), ReadKeyVisibility(ref reader), ReadPrograms(ref reader));
            case "Registry.prune_registration":
                return new PruneRegistration();
            case "Registry.change_program_instance":
                return new ChangeProgramInstance(reader.ReadBytes(32).ToArray(), ReadPrograms(ref reader));
            case "Registry.confirm_register":
                {
                    var account = reader.ReadBytes(32).ToArray();
                    var subgroup = reader.ReadU8();
                    var key = reader.ReadByteVec();
                    if (key.Length > 33)
                    {
                        // BoundedVec<u8, ConstU32<33>> refuses to decode longer input.
                        throw new ScaleFormatException("verifying_key is longer than 33 bytes", reader.BytesConsumed);
                    }

                    return new ConfirmRegister(account, subgroup, key);
                }

            case "StakingExtension.change_endpoint":
                return new ChangeEndpoint(reader.ReadByteVec());
            case "StakingExtension.change_threshold_accounts":
                return new ChangeThresholdAccounts(reader.ReadBytes(32).ToArray(), reader.ReadBytes(32).ToArray());
            case "StakingExtension.validate":
                {
                    // ValidatorPrefs { commission: Compact<Perbill>, blocked: bool }
                    reader.ReadCompactU32();
                    reader.ReadBool();
                    if (flavor.HasValidatorToSubgroup)
                    {
                        // Registry runtime: validate(prefs, server_info: ServerInfo { tss_account, x25519_public_key, endpoint })
                        var tss = reader.ReadBytes(32).ToArray();
                        var x25519 = reader.ReadBytes(32).ToArray();
                        return new Validate(reader.ReadByteVec(), tss, x25519);
                    }

                    var endpoint = reader.ReadByteVec();
                    return new Validate(endpoint, reader.ReadBytes(32).ToArray(), reader.ReadBytes(32).ToArray());
                }

            case "StakingExtension.declare_synced":
                return new DeclareSynced(reader.ReadBool());
            default:
                return null;
        }
    }

    private static Call[] ReadCalls(ref ScaleReader reader, Node.ExtrinsicFormat format, RuntimeFlavor flavor, int depth)
    {
        var count = reader.ReadLength(2);
        var calls = new Call[count];
        for (var i = 0; i < count; i++)
        {
            calls[i] = Decode(ref reader, format, flavor, depth + 1);
        }

        return calls;
    }

    private static Address ReadAddress(ref ScaleReader reader)
    {
        var variant = reader.ReadVariantIndex();
        switch (variant)
        {
            case 0:
                return new Address(0, reader.ReadBytes(32).ToArray());
            case 1:
                reader.ReadCompactU32();
                return new Address(1, null);
            case 2:
                reader.ReadByteVec();
                return new Address(2, null);
            case 3:
                reader.ReadBytes(32);
                return new Address(3, null);
            case 4:
                reader.ReadBytes(20);
                return new Address(4, null);
            default:
                throw new ScaleFormatException($"Could not decode `MultiAddress`: invalid variant {variant}", reader.BytesConsumed - 1);
        }
    }

    private static byte[] ReadKeyVisibility(ref ScaleReader reader)
    {
        var variant = reader.ReadVariantIndex();
        return variant switch
        {
            0 or 1 => [variant],
            2 => [2, .. reader.ReadBytes(32)],
            _ => throw new ScaleFormatException($"Could not decode `KeyVisibility`: invalid variant {variant}", reader.BytesConsumed - 1),
        };
    }

    private static ProgramInstance[] ReadPrograms(ref ScaleReader reader)
    {
        var count = reader.ReadLength(33);
        if (count > MaxProgramHashes)
        {
            // BoundedVec<ProgramInstance, MaxProgramHashes> refuses to decode longer input.
            throw new ScaleFormatException($"programs_data has {count} entries; at most {MaxProgramHashes} are allowed", reader.BytesConsumed);
        }

        var result = new ProgramInstance[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = new ProgramInstance(reader.ReadBytes(32).ToArray(), reader.ReadByteVec());
        }

        return result;
    }
}
