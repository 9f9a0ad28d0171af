using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Entropy.Metadata;

namespace Entropy;

/// <summary>
/// The <c>Programs</c> pallet as the SDK uses it: call encodings, storage keys and values, and the pallet configuration, all
/// resolved through the runtime metadata (the v0.0.10 and 2024-03-21 runtimes differ in field names only).
/// </summary>
/// <remarks>
/// Rules mirrored (entropy-core <c>pallets/programs/src/lib.rs</c> and <c>runtime/src/lib.rs</c> at <c>a9463b08</c>):
/// <c>MaxBytecodeLength = 1_000_000</c> bytes of bytecode + configuration interface, <c>MaxOwnedPrograms = 250</c>,
/// <c>ProgramDepositPerByte = MILLICENTS (10^9)</c>. v0.0.10 does not export them as pallet constants; they are read from the
/// metadata when a runtime does, and these values are used otherwise.
/// </remarks>
internal sealed class ProgramsRuntime
{
    public const string Pallet = "Programs";

    /// <summary>v0.0.10 <c>MaxBytecodeLength</c>.</summary>
    public const int DefaultMaxBytecodeLength = 1_000_000;

    /// <summary>v0.0.10 <c>MaxOwnedPrograms</c>.</summary>
    public const int DefaultMaxOwnedPrograms = 250;

    /// <summary>v0.0.10 <c>ProgramDepositPerByte = MILLICENTS</c>.</summary>
    public static readonly UInt128 DefaultDepositPerByte = 1_000_000_000;

    private static readonly ValueShape s_programs = new(Pallet, "Programs");
    private static readonly ValueShape s_owned = new(Pallet, "OwnedPrograms");

    public ProgramsRuntime(RuntimeMetadata metadata)
    {
        Metadata = metadata;
        var pallet = metadata.FindPallet(Pallet) ?? throw new MetadataException("The runtime has no Programs pallet, so programs cannot be deployed or read.");
        MaxBytecodeLength = (int?)ReadConstant(metadata, pallet, "MaxBytecodeLength") ?? DefaultMaxBytecodeLength;
        MaxOwnedPrograms = (int?)ReadConstant(metadata, pallet, "MaxOwnedPrograms") ?? DefaultMaxOwnedPrograms;
        DepositPerByte = (UInt128?)ReadConstant(metadata, pallet, "ProgramDepositPerByte") ?? DefaultDepositPerByte;
        ExistentialDeposit = RegistrationRuntime.ReadExistentialDeposit(metadata);
    }

    public RuntimeMetadata Metadata { get; }

    public int MaxBytecodeLength { get; }

    public int MaxOwnedPrograms { get; }

    public UInt128 DepositPerByte { get; }

    public UInt128 ExistentialDeposit { get; }

    /// <summary>The deposit <c>set_program</c> reserves: <c>ProgramDepositPerByte × (bytecode + configuration interface)</c>.</summary>
    public UInt128 Deposit(int length) => DepositPerByte * (UInt128)length;

    /// <summary><c>set_program(new_program, configuration_interface)</c> (positional: the second argument is named <c>interface_description</c> from 2024-03).</summary>
    public byte[] EncodeSetProgram(ReadOnlySpan<byte> bytecode, ReadOnlySpan<byte> configurationInterface) =>
        Metadata.EncodeCall(Pallet, "set_program", ScaleValue.Unnamed(ScaleValue.Bytes(bytecode), ScaleValue.Bytes(configurationInterface)));

    public byte[] EncodeRemoveProgram(ProgramPointer pointer) =>
        Metadata.EncodeCall(Pallet, "remove_program", ScaleValue.Unnamed(ScaleValue.Bytes(pointer.AsSpan())));

    public byte[] ProgramKey(ProgramPointer pointer) => Metadata.StorageKey(Pallet, "Programs", ScaleValue.Bytes(pointer.AsSpan()));

    public byte[] OwnedProgramsKey(AccountId account) => Metadata.StorageKey(Pallet, "OwnedPrograms", ScaleValue.Bytes(account.AsSpan()));

    public ProgramInfo DecodeProgram(ProgramPointer pointer, byte[] value)
    {
        var info = s_programs.Composite(Metadata.DecodeStorageValue(Pallet, "Programs", value));
        return new ProgramInfo(
            pointer,
            s_programs.Bytes(info, "bytecode"),
            s_programs.Bytes(info, "configuration_interface", "interface_description"),
            new AccountId(s_programs.Bytes(s_programs.Field(info, "deployer"), "deployer", AccountId.Length)),
            ToUInt128(s_programs.Number(info, "ref_counter"), "ref_counter"));
    }

    public IReadOnlyList<ProgramPointer> DecodeOwned(byte[]? value)
    {
        if (value is null)
        {
            return [];
        }

        var decoded = Metadata.DecodeStorageValue(Pallet, "OwnedPrograms", value);
        return [.. s_owned.Sequence(decoded!, "(value)").Select(h => new ProgramPointer(s_owned.Bytes(h, "(hash)", ProgramPointer.Length)))];
    }

    /// <summary>Formats an amount with its unit: <c>12.5 BITS (125000000000 planck)</c>, or planck alone when the chain's token is unknown.</summary>
    public static string FormatAmount(UInt128 planck, TokenUnit? unit)
    {
        if (unit is not { } u)
        {
            return planck.ToString(CultureInfo.InvariantCulture) + " planck";
        }

        var scale = BigInteger.Pow(10, u.Decimals);
        var whole = BigInteger.DivRem((BigInteger)planck, scale, out var fraction);
        var text = whole.ToString(CultureInfo.InvariantCulture);
        if (!fraction.IsZero)
        {
            text += "." + fraction.ToString(CultureInfo.InvariantCulture).PadLeft(u.Decimals, '0').TrimEnd('0');
        }

        return $"{text} {u.Symbol} ({planck.ToString(CultureInfo.InvariantCulture)} planck)";
    }

    /// <summary>Reads the chain's token symbol and decimals (<c>system_properties</c>); <see langword="null"/> when the node does not say.</summary>
    public static TokenUnit? ParseTokenUnit(JsonElement properties)
    {
        if (properties.ValueKind != JsonValueKind.Object
            || !properties.TryGetProperty("tokenDecimals", out var decimals)
            || !properties.TryGetProperty("tokenSymbol", out var symbol))
        {
            return null;
        }

        if (decimals.ValueKind == JsonValueKind.Array && decimals.GetArrayLength() > 0)
        {
            decimals = decimals[0];
        }

        if (symbol.ValueKind == JsonValueKind.Array && symbol.GetArrayLength() > 0)
        {
            symbol = symbol[0];
        }

        return decimals.ValueKind == JsonValueKind.Number && decimals.TryGetInt32(out var d) && d is >= 0 and <= 38 && symbol.ValueKind == JsonValueKind.String
            ? new TokenUnit(symbol.GetString()!, d)
            : null;
    }

    private static UInt128 ToUInt128(BigInteger value, string field) =>
        value >= 0 && value <= (BigInteger)UInt128.MaxValue ? (UInt128)value : throw new MetadataException($"Programs.Programs: field '{field}' is out of range ({value}).");

    private static BigInteger? ReadConstant(RuntimeMetadata metadata, PalletMetadata pallet, string name) =>
        pallet.FindConstant(name) is null ? null : metadata.GetConstant(pallet.Name, name).AsNumber();
}

/// <summary>A chain's token: symbol and decimals (from <c>system_properties</c>).</summary>
internal readonly record struct TokenUnit(string Symbol, int Decimals);
