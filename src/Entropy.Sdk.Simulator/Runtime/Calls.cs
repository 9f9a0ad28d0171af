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

/// <summary>Decodes the calls the simulated runtime implements, with the argument layouts of the embedded metadata.</summary>
internal static class CallDecoder
{
    public const int MaxProgramHashes = 5;

    /// <summary>Decodes one call; throws <see cref="ScaleFormatException"/> when the bytes are not a call this runtime knows.</summary>
    public static Call Decode(ref ScaleReader reader, RuntimeFlavor flavor)
    {
        var start = reader.BytesConsumed;
        var pallet = reader.ReadU8();
        var index = reader.ReadU8();
        switch (pallet, index)
        {
            case (RuntimeFlavor.SystemIndex, 0):
                return new Remark(reader.ReadByteVec(), false);
            case (RuntimeFlavor.SystemIndex, 7):
                return new Remark(reader.ReadByteVec(), true);
            case (RuntimeFlavor.TimestampIndex, 0):
                return new TimestampSet(reader.ReadCompactU64());
            case (RuntimeFlavor.BalancesIndex, 0):
                return new Transfer(ReadAddress(ref reader), reader.ReadCompactU128(), false, 0);
            case (RuntimeFlavor.BalancesIndex, 3):
                return new Transfer(ReadAddress(ref reader), reader.ReadCompactU128(), true, 3);
            case (RuntimeFlavor.BalancesIndex, 4):
                return new TransferAll(ReadAddress(ref reader), reader.ReadBool());
            case (RuntimeFlavor.ProgramsIndex, 0):
                return new SetProgram(reader.ReadByteVec(), reader.ReadByteVec());
            case (RuntimeFlavor.ProgramsIndex, 1):
                return new RemoveProgram(reader.ReadBytes(32).ToArray());
            case (RuntimeFlavor.RegistryIndex, 0):
                return new Register(reader.ReadBytes(32).ToArray(), ReadKeyVisibility(ref reader), ReadPrograms(ref reader));
            case (RuntimeFlavor.RegistryIndex, 1):
                return new PruneRegistration();
            case (RuntimeFlavor.RegistryIndex, 2):
                return new ChangeProgramInstance(reader.ReadBytes(32).ToArray(), ReadPrograms(ref reader));
            case (RuntimeFlavor.RegistryIndex, 3):
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

            case (RuntimeFlavor.StakingExtensionIndex, 0):
                return new ChangeEndpoint(reader.ReadByteVec());
            case (RuntimeFlavor.StakingExtensionIndex, 1):
                return new ChangeThresholdAccounts(reader.ReadBytes(32).ToArray(), reader.ReadBytes(32).ToArray());
            case (RuntimeFlavor.StakingExtensionIndex, 3):
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

            case (RuntimeFlavor.StakingExtensionIndex, 4):
                return new DeclareSynced(reader.ReadBool());
            default:
                throw new ScaleFormatException($"Could not decode `RuntimeCall`: pallet {pallet} call {index} is not implemented by the simulator", start);
        }
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
