using Entropy.Scale;
using Entropy.Simulator.Node;

namespace Entropy.Simulator.Runtime;

/// <summary><c>frame_system::AccountInfo&lt;u32, pallet_balances::AccountData&lt;u128&gt;&gt;</c>.</summary>
internal sealed class AccountInfo
{
    /// <summary>The "new logic" flag every account written by a current pallet_balances carries (<c>IS_NEW_LOGIC</c>).</summary>
    public static readonly UInt128 NewLogicFlag = (UInt128)1 << 127;

    public uint Nonce { get; set; }

    public uint Consumers { get; set; }

    public uint Providers { get; set; }

    public uint Sufficients { get; set; }

    public UInt128 Free { get; set; }

    public UInt128 Reserved { get; set; }

    public UInt128 Frozen { get; set; }

    public UInt128 Flags { get; set; } = NewLogicFlag;

    public bool Exists => Providers > 0 || Sufficients > 0;

    public static AccountInfo Decode(byte[]? bytes)
    {
        if (bytes is null)
        {
            return new AccountInfo { Flags = NewLogicFlag };
        }

        var reader = new ScaleReader(bytes);
        var info = new AccountInfo
        {
            Nonce = reader.ReadU32(),
            Consumers = reader.ReadU32(),
            Providers = reader.ReadU32(),
            Sufficients = reader.ReadU32(),
            Free = reader.ReadU128(),
            Reserved = reader.ReadU128(),
            Frozen = reader.ReadU128(),
            Flags = reader.ReadU128(),
        };
        reader.EnsureEnd();
        return info;
    }

    public byte[] Encode() => ScaleBytes.Build(w =>
    {
        w.WriteU32(Nonce);
        w.WriteU32(Consumers);
        w.WriteU32(Providers);
        w.WriteU32(Sufficients);
        w.WriteU128(Free);
        w.WriteU128(Reserved);
        w.WriteU128(Frozen);
        w.WriteU128(Flags);
    });
}

/// <summary><c>pallet_programs::ProgramInfo { bytecode, configuration_interface, deployer, ref_counter: u128 }</c>.</summary>
internal sealed class ProgramInfo
{
    public required byte[] Bytecode { get; init; }

    public required byte[] Interface { get; init; }

    public required byte[] Deployer { get; init; }

    public UInt128 RefCounter { get; set; }

    public static ProgramInfo Decode(byte[] bytes)
    {
        var reader = new ScaleReader(bytes);
        var info = new ProgramInfo
        {
            Bytecode = reader.ReadByteVec(),
            Interface = reader.ReadByteVec(),
            Deployer = reader.ReadBytes(32).ToArray(),
            RefCounter = reader.ReadU128(),
        };
        reader.EnsureEnd();
        return info;
    }

    public byte[] Encode() => ScaleBytes.Build(w =>
    {
        w.WriteByteVec(Bytecode);
        w.WriteByteVec(Interface);
        w.WriteBytes(Deployer);
        w.WriteU128(RefCounter);
    });
}

/// <summary><c>RegisteringDetails</c> (PROTOCOL.md §2.1), with <c>version_number</c> in the Registry runtime.</summary>
internal sealed class RegisteringDetails
{
    public required byte[] ProgramModificationAccount { get; init; }

    public List<byte> Confirmations { get; init; } = [];

    public required ProgramInstance[] Programs { get; init; }

    public required byte[] KeyVisibility { get; init; }

    public byte[]? VerifyingKey { get; set; }

    public byte VersionNumber { get; init; } = 1;

    public static RegisteringDetails Decode(byte[] bytes, bool hasVersion)
    {
        var reader = new ScaleReader(bytes);
        var account = reader.ReadBytes(32).ToArray();
        var confirmations = reader.ReadByteVec();
        var programs = ReadPrograms(ref reader);
        var visibility = ReadVisibility(ref reader);
        var key = reader.ReadOptionTag() ? reader.ReadByteVec() : null;
        var version = hasVersion ? reader.ReadU8() : (byte)1;
        reader.EnsureEnd();
        return new RegisteringDetails
        {
            ProgramModificationAccount = account,
            Confirmations = [.. confirmations],
            Programs = programs,
            KeyVisibility = visibility,
            VerifyingKey = key,
            VersionNumber = version,
        };
    }

    public byte[] Encode(bool hasVersion) => ScaleBytes.Build(w =>
    {
        w.WriteBytes(ProgramModificationAccount);
        w.WriteByteVec([.. Confirmations]);
        WritePrograms(w, Programs);
        w.WriteBytes(KeyVisibility);
        if (VerifyingKey is null)
        {
            w.WriteOptionNone();
        }
        else
        {
            w.WriteOptionSome();
            w.WriteByteVec(VerifyingKey);
        }

        if (hasVersion)
        {
            w.WriteU8(VersionNumber);
        }
    });

    internal static ProgramInstance[] ReadPrograms(ref ScaleReader reader)
    {
        var count = reader.ReadLength(33);
        var result = new ProgramInstance[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = new ProgramInstance(reader.ReadBytes(32).ToArray(), reader.ReadByteVec());
        }

        return result;
    }

    internal static void WritePrograms(ScaleWriter w, ProgramInstance[] programs)
    {
        w.WriteCompact((ulong)programs.Length);
        foreach (var program in programs)
        {
            w.WriteBytes(program.Pointer);
            w.WriteByteVec(program.Config);
        }
    }

    internal static byte[] ReadVisibility(ref ScaleReader reader)
    {
        var variant = reader.ReadVariantIndex();
        return variant == 2 ? [2, .. reader.ReadBytes(32)] : [variant];
    }
}

/// <summary><c>RegisteredInfo { key_visibility, verifying_key, programs_data, program_modification_account[, version_number] }</c>.</summary>
internal sealed class RegisteredInfo
{
    public required byte[] KeyVisibility { get; init; }

    public required byte[] VerifyingKey { get; init; }

    public required ProgramInstance[] Programs { get; set; }

    public required byte[] ProgramModificationAccount { get; init; }

    public byte VersionNumber { get; init; } = 1;

    public static RegisteredInfo Decode(byte[] bytes, bool hasVersion)
    {
        var reader = new ScaleReader(bytes);
        var visibility = RegisteringDetails.ReadVisibility(ref reader);
        var key = reader.ReadByteVec();
        var programs = RegisteringDetails.ReadPrograms(ref reader);
        var account = reader.ReadBytes(32).ToArray();
        var version = hasVersion ? reader.ReadU8() : (byte)1;
        reader.EnsureEnd();
        return new RegisteredInfo { KeyVisibility = visibility, VerifyingKey = key, Programs = programs, ProgramModificationAccount = account, VersionNumber = version };
    }

    public byte[] Encode(bool hasVersion) => ScaleBytes.Build(w =>
    {
        w.WriteBytes(KeyVisibility);
        w.WriteByteVec(VerifyingKey);
        RegisteringDetails.WritePrograms(w, Programs);
        w.WriteBytes(ProgramModificationAccount);
        if (hasVersion)
        {
            w.WriteU8(VersionNumber);
        }
    });
}

/// <summary><c>ServerInfo { tss_account, x25519_public_key, endpoint }</c> (PROTOCOL.md §3.1).</summary>
internal sealed record ServerInfo(byte[] TssAccount, byte[] X25519PublicKey, byte[] Endpoint)
{
    public static ServerInfo Decode(byte[] bytes)
    {
        var reader = new ScaleReader(bytes);
        var info = new ServerInfo(reader.ReadBytes(32).ToArray(), reader.ReadBytes(32).ToArray(), reader.ReadByteVec());
        reader.EnsureEnd();
        return info;
    }

    public byte[] Encode() => ScaleBytes.Build(w =>
    {
        w.WriteBytes(TssAccount);
        w.WriteBytes(X25519PublicKey);
        w.WriteByteVec(Endpoint);
    });
}
