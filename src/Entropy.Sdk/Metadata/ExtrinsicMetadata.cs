namespace Entropy.Metadata;

/// <summary>How extrinsics of the runtime are built: format version, the address, call, signature and extra types, and the signed extensions.</summary>
internal sealed class ExtrinsicMetadata
{
    internal ExtrinsicMetadata(
        byte version,
        int? extrinsicTypeId,
        int? addressTypeId,
        int? callTypeId,
        int? signatureTypeId,
        int? extraTypeId,
        SignedExtensionMetadata[] signedExtensions)
    {
        Version = version;
        ExtrinsicTypeId = extrinsicTypeId;
        AddressTypeId = addressTypeId;
        CallTypeId = callTypeId;
        SignatureTypeId = signatureTypeId;
        ExtraTypeId = extraTypeId;
        SignedExtensionArray = signedExtensions;
    }

    /// <summary>Gets the extrinsic format version (4 for Entropy).</summary>
    public byte Version { get; }

    /// <summary>Gets the <c>UncheckedExtrinsic</c> type id (V14 only; <see langword="null"/> for V15).</summary>
    public int? ExtrinsicTypeId { get; }

    /// <summary>Gets the address type id (<c>MultiAddress</c>); for V14 it is taken from the extrinsic type's <c>Address</c> parameter when present.</summary>
    public int? AddressTypeId { get; }

    /// <summary>Gets the outer call type id (<c>RuntimeCall</c>); for V14 it is taken from the extrinsic type's <c>Call</c> parameter when present.</summary>
    public int? CallTypeId { get; }

    /// <summary>Gets the signature type id (<c>MultiSignature</c>); for V14 it is taken from the extrinsic type's <c>Signature</c> parameter when present.</summary>
    public int? SignatureTypeId { get; }

    /// <summary>Gets the type id of the tuple of all extensions' extra data; for V14 it is taken from the extrinsic type's <c>Extra</c> parameter when present.</summary>
    public int? ExtraTypeId { get; }

    /// <summary>Gets the signed extensions in the order their extra and additional data are encoded.</summary>
    public IReadOnlyList<SignedExtensionMetadata> SignedExtensions => SignedExtensionArray;

    internal SignedExtensionMetadata[] SignedExtensionArray { get; }
}

/// <summary>A signed extension: its identifier, the type of its extra data (in the extrinsic) and of its additional signed data (in the signing payload only).</summary>
internal sealed class SignedExtensionMetadata
{
    internal SignedExtensionMetadata(string identifier, int extraTypeId, int additionalSignedTypeId)
    {
        Identifier = identifier;
        ExtraTypeId = extraTypeId;
        AdditionalSignedTypeId = additionalSignedTypeId;
    }

    /// <summary>Gets the identifier, for example <c>CheckMortality</c>.</summary>
    public string Identifier { get; }

    /// <summary>Gets the type id of the extra data encoded in the extrinsic.</summary>
    public int ExtraTypeId { get; }

    /// <summary>Gets the type id of the additional data that is signed but not transmitted.</summary>
    public int AdditionalSignedTypeId { get; }

    /// <summary>Gets a value indicating whether the extra data always encodes to zero bytes.</summary>
    public bool IsExtraZeroSized { get; internal set; }

    /// <summary>Gets a value indicating whether the additional signed data always encodes to zero bytes.</summary>
    public bool IsAdditionalSignedZeroSized { get; internal set; }

    /// <inheritdoc/>
    public override string ToString() => Identifier;
}

/// <summary>A runtime API trait (V15): its name, methods and docs.</summary>
internal sealed class RuntimeApiMetadata
{
    internal RuntimeApiMetadata(string name, RuntimeApiMethodMetadata[] methods, string[] docs)
    {
        Name = name;
        Methods = methods;
        Docs = docs;
    }

    /// <summary>Gets the trait name, for example <c>Core</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the methods of the trait.</summary>
    public IReadOnlyList<RuntimeApiMethodMetadata> Methods { get; }

    /// <summary>Gets the documentation lines.</summary>
    public IReadOnlyList<string> Docs { get; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>A runtime API method (V15), called as <c>state_call("{Trait}_{method}", SCALE(inputs))</c>.</summary>
internal sealed class RuntimeApiMethodMetadata
{
    internal RuntimeApiMethodMetadata(string name, RuntimeApiParameter[] inputs, int outputTypeId, string[] docs)
    {
        Name = name;
        Inputs = inputs;
        OutputTypeId = outputTypeId;
        Docs = docs;
    }

    /// <summary>Gets the method name, for example <c>version</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the input parameters in order.</summary>
    public IReadOnlyList<RuntimeApiParameter> Inputs { get; }

    /// <summary>Gets the output type id.</summary>
    public int OutputTypeId { get; }

    /// <summary>Gets the documentation lines.</summary>
    public IReadOnlyList<string> Docs { get; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>A parameter of a runtime API method.</summary>
internal sealed class RuntimeApiParameter
{
    internal RuntimeApiParameter(string name, int typeId)
    {
        Name = name;
        TypeId = typeId;
    }

    /// <summary>Gets the parameter name.</summary>
    public string Name { get; }

    /// <summary>Gets the parameter type id.</summary>
    public int TypeId { get; }
}

/// <summary>The outer enums of the runtime (V15): <c>RuntimeCall</c>, <c>RuntimeEvent</c> and <c>RuntimeError</c>.</summary>
internal sealed class OuterEnums
{
    internal OuterEnums(int callTypeId, int eventTypeId, int errorTypeId)
    {
        CallTypeId = callTypeId;
        EventTypeId = eventTypeId;
        ErrorTypeId = errorTypeId;
    }

    /// <summary>Gets the <c>RuntimeCall</c> type id.</summary>
    public int CallTypeId { get; }

    /// <summary>Gets the <c>RuntimeEvent</c> type id.</summary>
    public int EventTypeId { get; }

    /// <summary>Gets the <c>RuntimeError</c> type id.</summary>
    public int ErrorTypeId { get; }
}

/// <summary>A custom metadata value (V15): a type id and the SCALE bytes of the value.</summary>
internal sealed class CustomValueMetadata
{
    internal CustomValueMetadata(int typeId, byte[] value)
    {
        TypeId = typeId;
        ValueBytes = value;
    }

    /// <summary>Gets the type id of the value.</summary>
    public int TypeId { get; }

    /// <summary>Gets the SCALE-encoded value.</summary>
    public ReadOnlyMemory<byte> Value => ValueBytes;

    internal byte[] ValueBytes { get; }
}
