using System.Buffers;
using Entropy.Scale;

namespace Entropy.Metadata;

/// <summary>Decoded runtime metadata (V14 or V15): the type registry, pallets, extrinsic format and runtime APIs, with a dynamic codec for calls, events, errors, constants and storage.</summary>
/// <remarks>
/// Instances are immutable and safe to share between threads. Format reference:
/// <see href="https://github.com/paritytech/frame-metadata">paritytech/frame-metadata</see>.
/// </remarks>
internal sealed partial class RuntimeMetadata
{
    private readonly PalletMetadata[] _pallets;
    private readonly Dictionary<string, PalletMetadata> _palletsByName;
    private readonly PalletMetadata?[] _palletsByIndex = new PalletMetadata?[256];

    internal RuntimeMetadata(
        int version,
        TypeRegistry types,
        PalletMetadata[] pallets,
        ExtrinsicMetadata extrinsic,
        int runtimeTypeId,
        RuntimeApiMetadata[] apis,
        OuterEnums? outerEnums,
        Dictionary<string, CustomValueMetadata> custom)
    {
        Version = version;
        Types = types;
        _pallets = pallets;
        Extrinsic = extrinsic;
        RuntimeTypeId = runtimeTypeId;
        Apis = apis;
        OuterEnums = outerEnums;
        Custom = custom;
        _palletsByName = new Dictionary<string, PalletMetadata>(pallets.Length * 2, StringComparer.Ordinal);
        foreach (var p in pallets)
        {
            _palletsByName.TryAdd(p.Name, p);
            _palletsByIndex[p.Index] ??= p;
        }

        foreach (var p in pallets)
        {
            _palletsByName.TryAdd(NameMatching.Normalize(p.Name), p);
        }
    }

    /// <summary>Gets the metadata version (14 or 15).</summary>
    public int Version { get; }

    /// <summary>Gets the portable type registry.</summary>
    public TypeRegistry Types { get; }

    /// <summary>Gets the pallets in metadata order.</summary>
    public IReadOnlyList<PalletMetadata> Pallets => _pallets;

    /// <summary>Gets the extrinsic format and signed extensions.</summary>
    public ExtrinsicMetadata Extrinsic { get; }

    /// <summary>Gets the type id of the <c>Runtime</c> type itself.</summary>
    public int RuntimeTypeId { get; }

    /// <summary>Gets the runtime APIs (V15; empty for V14).</summary>
    public IReadOnlyList<RuntimeApiMetadata> Apis { get; }

    /// <summary>Gets the outer enums (V15; <see langword="null"/> for V14).</summary>
    public OuterEnums? OuterEnums { get; }

    /// <summary>Gets the custom metadata values by name (V15; empty for V14).</summary>
    public IReadOnlyDictionary<string, CustomValueMetadata> Custom { get; }

    /// <summary>Gets the outer call type id (<c>RuntimeCall</c>), or <see langword="null"/> if the metadata does not record it.</summary>
    public int? CallTypeId => OuterEnums?.CallTypeId ?? Extrinsic.CallTypeId;

    /// <summary>Decodes SCALE-encoded runtime metadata: the magic <c>meta</c>, a version byte, then V14 or V15.</summary>
    /// <param name="metadata">The metadata bytes, either bare or wrapped in a <c>Vec&lt;u8&gt;</c> as <c>state_getMetadata</c> returns them.</param>
    /// <returns>The decoded metadata.</returns>
    /// <exception cref="MetadataException">The bytes are not valid metadata, or the version is not 14 or 15 (<see cref="MetadataException.UnsupportedVersion"/>).</exception>
    public static RuntimeMetadata Parse(ReadOnlySpan<byte> metadata) => MetadataParser.Parse(metadata);

    /// <summary>Finds a pallet by name (exact, or ignoring case and underscores).</summary>
    /// <param name="name">The pallet name, for example <c>Balances</c>.</param>
    /// <returns>The pallet, or <see langword="null"/>.</returns>
    public PalletMetadata? FindPallet(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _palletsByName.TryGetValue(name, out var p) || _palletsByName.TryGetValue(NameMatching.Normalize(name), out p) ? p : null;
    }

    /// <summary>Finds a pallet by its index.</summary>
    /// <param name="index">The pallet index.</param>
    /// <returns>The pallet, or <see langword="null"/>.</returns>
    public PalletMetadata? FindPallet(byte index) => _palletsByIndex[index];

    /// <summary>Gets a pallet by name.</summary>
    /// <param name="name">The pallet name.</param>
    /// <returns>The pallet.</returns>
    /// <exception cref="MetadataException">The runtime has no such pallet.</exception>
    public PalletMetadata GetPallet(string name) =>
        FindPallet(name) ?? throw new MetadataException($"The runtime has no pallet '{name}'.");

    /// <summary>Encodes call data: pallet index, call index and the SCALE-encoded arguments.</summary>
    /// <param name="pallet">The pallet name, for example <c>Balances</c>.</param>
    /// <param name="call">The call name, for example <c>transfer_keep_alive</c> (camelCase also matches).</param>
    /// <param name="arguments">The arguments, named (any order) or positional; <see langword="null"/> for a call without arguments.</param>
    /// <returns>The call data, without a length prefix.</returns>
    /// <exception cref="MetadataException">The pallet or call does not exist, or an argument does not fit its type.</exception>
    public byte[] EncodeCall(string pallet, string call, CompositeValue? arguments = null)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        EncodeCall(pallet, call, arguments, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Encodes call data into a buffer.</summary>
    /// <param name="pallet">The pallet name.</param>
    /// <param name="call">The call name.</param>
    /// <param name="arguments">The arguments, named (any order) or positional; <see langword="null"/> for none.</param>
    /// <param name="output">Where the call data is appended.</param>
    /// <exception cref="MetadataException">The pallet or call does not exist, or an argument does not fit its type.</exception>
    public void EncodeCall(string pallet, string call, CompositeValue? arguments, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var (p, callTypeId, variant) = ResolveCall(pallet, call);
        var writer = new ScaleWriter(output);
        writer.WriteU8(p.Index);
        writer.WriteU8(variant.Index);
        var args = arguments ?? CompositeValue.Empty;
        try
        {
            Types.EncodeFields(variant.FieldArray, callTypeId, args, writer, 0);
        }
        catch (Exception ex) when (ex is MetadataException or OverflowException)
        {
            throw Types.Wrap(ex, "encode", callTypeId, $"{p.Name}.{variant.Name}");
        }
    }

    /// <summary>Decodes call data (pallet index, call index, arguments); trailing bytes are an error.</summary>
    /// <param name="callData">The call data, without a length prefix.</param>
    /// <returns>The decoded call.</returns>
    /// <exception cref="MetadataException">The bytes are not a call of this runtime.</exception>
    public DecodedCall DecodeCall(ReadOnlySpan<byte> callData)
    {
        if (callData.Length < 2)
        {
            throw new MetadataException($"Call data is {callData.Length} byte(s); it needs at least a pallet index and a call index.");
        }

        var pallet = FindPallet(callData[0]) ?? throw new MetadataException($"The runtime has no pallet with index {callData[0]}.");
        if (pallet.CallTypeId is not { } callTypeId)
        {
            throw new MetadataException($"Pallet {pallet.Name} ({pallet.Index}) has no calls.");
        }

        var value = (VariantValue)Types.Decode(callTypeId, callData[1..]);
        return new DecodedCall(pallet, value.Name, value.Index!.Value, value.Fields);
    }

    /// <summary>Reads and decodes a pallet constant.</summary>
    /// <param name="pallet">The pallet name.</param>
    /// <param name="constant">The constant name, for example <c>ExistentialDeposit</c>.</param>
    /// <returns>The decoded value.</returns>
    /// <exception cref="MetadataException">The pallet or constant does not exist, or its bytes do not decode as its type.</exception>
    public ScaleValue GetConstant(string pallet, string constant)
    {
        var p = GetPallet(pallet);
        var c = p.FindConstant(constant) ?? throw new MetadataException($"Pallet {p.Name} has no constant '{constant}'.");
        return Types.Decode(c.TypeId, c.ValueBytes);
    }

    /// <summary>Resolves a module error (the <c>DispatchError::Module</c> payload) to its pallet, name and docs.</summary>
    /// <param name="palletIndex">The pallet index (<c>ModuleError.index</c>).</param>
    /// <param name="errorIndex">The error variant index (the first byte of <c>ModuleError.error</c>).</param>
    /// <returns>The error, or <see langword="null"/> if the runtime has no such pallet or error.</returns>
    public ModuleError? FindModuleError(byte palletIndex, byte errorIndex)
    {
        var pallet = FindPallet(palletIndex);
        if (pallet?.ErrorTypeId is not { } errorTypeId || Types[errorTypeId].Definition is not VariantDefinition errors)
        {
            return null;
        }

        var variant = errors.FindByIndex(errorIndex);
        return variant is null ? null : new ModuleError(pallet.Name, pallet.Index, variant.Name, variant.Index, variant.Docs);
    }

    /// <summary>Resolves a decoded <c>DispatchError</c> (for example the field of <c>System.ExtrinsicFailed</c>) when it is the <c>Module</c> variant.</summary>
    /// <param name="dispatchError">The decoded dispatch error.</param>
    /// <returns>The module error, or <see langword="null"/> if the error is another variant or is not known to the runtime.</returns>
    public ModuleError? FindModuleError(ScaleValue dispatchError)
    {
        ArgumentNullException.ThrowIfNull(dispatchError);
        if (dispatchError.Unwrap() is not VariantValue { Name: "Module" } module || module.Fields.Count == 0)
        {
            return null;
        }

        // V14+ runtimes: ModuleError { index: u8, error: [u8; 4] }; older ones: { index: u8, error: u8 }.
        var payload = module.Fields.Count == 1 && module.Fields[0] is CompositeValue inner ? inner : module.Fields;
        if (payload.Count < 2)
        {
            return null;
        }

        var index = payload[0].Unwrap() is NumberValue n && n.Value >= 0 && n.Value <= 255 ? (byte)n.Value : (byte?)null;
        byte? error = payload[1].Unwrap() switch
        {
            BytesValue { Data.Length: > 0 } b => b.Data[0],
            NumberValue e when e.Value >= 0 && e.Value <= 255 => (byte)e.Value,
            _ => null,
        };
        return index is { } i && error is { } e2 ? FindModuleError(i, e2) : null;
    }

    internal (PalletMetadata Pallet, int CallTypeId, TypeVariant Call) ResolveCall(string pallet, string call)
    {
        ArgumentNullException.ThrowIfNull(pallet);
        ArgumentNullException.ThrowIfNull(call);
        var p = GetPallet(pallet);
        if (p.CallTypeId is not { } callTypeId || Types[callTypeId].Definition is not VariantDefinition calls)
        {
            throw new MetadataException($"Pallet {p.Name} has no calls.");
        }

        var variant = calls.FindByName(call)
            ?? throw new MetadataException($"Pallet {p.Name} has no call '{call}' (calls: {string.Join(", ", calls.VariantArray.Select(v => v.Name))}).");
        return (p, callTypeId, variant);
    }
}

/// <summary>A decoded call: the pallet, the call name and index, and the arguments.</summary>
internal sealed class DecodedCall
{
    internal DecodedCall(PalletMetadata pallet, string name, byte index, CompositeValue arguments)
    {
        Pallet = pallet;
        Name = name;
        Index = index;
        Arguments = arguments;
    }

    /// <summary>Gets the pallet.</summary>
    public PalletMetadata Pallet { get; }

    /// <summary>Gets the call name, for example <c>register</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the call index within the pallet.</summary>
    public byte Index { get; }

    /// <summary>Gets the arguments, named as in the metadata.</summary>
    public CompositeValue Arguments { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Pallet.Name}.{Name}{Arguments}";
}

/// <summary>A pallet error resolved from a <c>DispatchError::Module</c>.</summary>
internal sealed class ModuleError
{
    internal ModuleError(string pallet, byte palletIndex, string name, byte index, IReadOnlyList<string> docs)
    {
        Pallet = pallet;
        PalletIndex = palletIndex;
        Name = name;
        Index = index;
        Docs = docs;
    }

    /// <summary>Gets the pallet name.</summary>
    public string Pallet { get; }

    /// <summary>Gets the pallet index.</summary>
    public byte PalletIndex { get; }

    /// <summary>Gets the error name, for example <c>AlreadySubmitted</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the error variant index.</summary>
    public byte Index { get; }

    /// <summary>Gets the documentation lines of the error.</summary>
    public IReadOnlyList<string> Docs { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Pallet}.{Name}";
}
