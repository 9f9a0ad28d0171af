using System.Text;
using Entropy.Scale;

namespace Entropy.Simulator.Node;

/// <summary>One type of the runtime's portable type registry, as far as the node needs it to walk encoded values.</summary>
internal sealed record NodeType(NodeTypeKind Kind, string Path, IReadOnlyList<NodeField> Fields, IReadOnlyList<NodeVariant> Variants, uint Element, uint Length, byte Primitive);

/// <summary>The shape of a <see cref="NodeType"/> (the <c>TypeDef</c> variants of <c>scale-info</c>).</summary>
internal enum NodeTypeKind
{
    Composite,
    Variant,
    Sequence,
    Array,
    Tuple,
    Primitive,
    Compact,
    BitSequence,
}

/// <summary>A field of a composite type or of an enum variant.</summary>
internal sealed record NodeField(string? Name, uint Type);

/// <summary>An enum variant: its name, SCALE index and fields.</summary>
internal sealed record NodeVariant(string Name, byte Index, IReadOnlyList<NodeField> Fields);

/// <summary>A signed extension as the runtime declares it: its identifier, the type of its extra (in the extrinsic) and of its additional signed data.</summary>
internal sealed record NodeSignedExtension(string Identifier, uint ExtraType, uint AdditionalType);

/// <summary>A pallet: name, index, its call enum type and its constants.</summary>
internal sealed record NodePallet(string Name, byte Index, uint? CallType, IReadOnlyDictionary<string, byte[]> Constants);

/// <summary>
/// The node's own reading of runtime metadata V14/V15 (<c>"meta"</c> magic): the type registry, the pallets' call enums and the
/// extrinsic format. It is written for the node, independently of the SDK's metadata decoder, so that an SDK bug is caught and
/// not mirrored; it reads only what the pool needs to decode and check extrinsics.
/// </summary>
internal sealed class NodeMetadata
{
    /// <summary>How deeply nested a value may be before the node refuses it (Substrate's <c>MAX_EXTRINSIC_DEPTH</c>).</summary>
    public const int MaxDepth = 256;

    private readonly NodeType[] _types;
    private readonly Dictionary<byte, NodePallet> _palletsByIndex;
    private readonly Dictionary<string, NodePallet> _palletsByName;

    private NodeMetadata(NodeType[] types, List<NodePallet> pallets, byte extrinsicVersion, uint addressType, uint callType, uint signatureType, List<NodeSignedExtension> extensions)
    {
        CallType = callType;
        _types = types;
        _palletsByIndex = pallets.ToDictionary(p => p.Index);
        _palletsByName = pallets.ToDictionary(p => p.Name, StringComparer.Ordinal);
        ExtrinsicVersion = extrinsicVersion;
        AddressType = addressType;
        SignatureType = signatureType;
        SignedExtensions = extensions;
    }

    public byte ExtrinsicVersion { get; }

    public uint AddressType { get; }

    public uint SignatureType { get; }

    /// <summary>Gets the type id of the outer <c>RuntimeCall</c> enum (a pallet variant, then the pallet's call variant).</summary>
    public uint CallType { get; }

    public IReadOnlyList<NodeSignedExtension> SignedExtensions { get; }

    public NodeType Type(uint id) => id < _types.Length ? _types[id] : throw new ScaleFormatException($"The metadata has no type {id}", 0);

    public NodePallet? Pallet(byte index) => _palletsByIndex.GetValueOrDefault(index);

    public NodePallet? Pallet(string name) => _palletsByName.GetValueOrDefault(name);

    /// <summary>Gets the index of <paramref name="pallet"/>; throws when the runtime has no such pallet.</summary>
    public byte PalletIndex(string pallet) => Pallet(pallet)?.Index ?? throw new InvalidOperationException($"The runtime metadata has no pallet {pallet}.");

    /// <summary>Finds the variant <paramref name="name"/> of the enum <paramref name="type"/>.</summary>
    public NodeVariant? Variant(uint type, string name) => Type(type).Variants.FirstOrDefault(v => v.Name == name);

    /// <summary>Reads the metadata blob served by <c>state_getMetadata</c>.</summary>
    /// <exception cref="ScaleFormatException">The blob is not V14/V15 metadata.</exception>
    public static NodeMetadata Parse(ReadOnlySpan<byte> blob)
    {
        var reader = new ScaleReader(blob);
        if (reader.ReadU32() != 0x6174656d)
        {
            throw new ScaleFormatException("The metadata does not start with the 'meta' magic", 0);
        }

        var version = reader.ReadU8();
        if (version is not (14 or 15))
        {
            throw new ScaleFormatException($"Metadata V{version} is not supported by the node (V14 or V15 only)", 4);
        }

        var typeCount = reader.ReadLength(4);
        var types = new NodeType[typeCount];
        for (var i = 0; i < typeCount; i++)
        {
            var id = reader.ReadCompactU32();
            if (id != i)
            {
                throw new ScaleFormatException($"Type {i} has id {id}: the registry is not dense", reader.BytesConsumed);
            }

            types[i] = ReadType(ref reader);
        }

        var palletCount = reader.ReadLength(4);
        var pallets = new List<NodePallet>(palletCount);
        for (var i = 0; i < palletCount; i++)
        {
            pallets.Add(ReadPallet(ref reader, version));
        }

        var extrinsicType = version == 14 ? reader.ReadCompactU32() : 0;
        var extrinsicVersion = reader.ReadU8();
        uint addressType = 0, signatureType = 0, callType = 0;
        if (version == 15)
        {
            addressType = reader.ReadCompactU32();
            callType = reader.ReadCompactU32();
            signatureType = reader.ReadCompactU32();
            reader.ReadCompactU32(); // extra
        }

        var extensions = new List<NodeSignedExtension>();
        var extensionCount = reader.ReadLength(3);
        for (var i = 0; i < extensionCount; i++)
        {
            extensions.Add(new NodeSignedExtension(reader.ReadString(), reader.ReadCompactU32(), reader.ReadCompactU32()));
        }

        if (version == 14)
        {
            // V14 names the address and signature types only as the UncheckedExtrinsic's type parameters.
            var unchecked_ = types[extrinsicType];
            addressType = TypeParameter(unchecked_, "Address");
            signatureType = TypeParameter(unchecked_, "Signature");
            callType = TypeParameter(unchecked_, "Call");
        }

        return new NodeMetadata(types, pallets, extrinsicVersion, addressType, callType, signatureType, extensions);
    }

    // The V14 type parameters are kept as "name=id" in the path's tail by ReadType.
    private static uint TypeParameter(NodeType type, string name)
    {
        foreach (var part in type.Path.Split(';'))
        {
            if (part.StartsWith(name + "=", StringComparison.Ordinal))
            {
                return uint.Parse(part.AsSpan(name.Length + 1), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new ScaleFormatException($"The extrinsic type has no {name} parameter", 0);
    }

    /// <summary>Skips one encoded value of <paramref name="type"/> (checking what it reads: bool, Option tags, variant indexes).</summary>
    /// <exception cref="ScaleFormatException">The bytes are not a value of that type.</exception>
    public void Skip(ref ScaleReader reader, uint type, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            throw new ScaleFormatException($"The value nests deeper than {MaxDepth} levels", reader.BytesConsumed);
        }

        var t = Type(type);
        switch (t.Kind)
        {
            case NodeTypeKind.Composite:
                foreach (var field in t.Fields)
                {
                    Skip(ref reader, field.Type, depth + 1);
                }

                break;
            case NodeTypeKind.Variant:
                {
                    var at = reader.BytesConsumed;
                    var index = reader.ReadU8();
                    var variant = t.Variants.FirstOrDefault(v => v.Index == index)
                        ?? throw new ScaleFormatException($"Could not decode `{ShortName(t)}`: invalid variant index {index}", at);
                    foreach (var field in variant.Fields)
                    {
                        Skip(ref reader, field.Type, depth + 1);
                    }

                    break;
                }

            case NodeTypeKind.Sequence:
                {
                    var element = Type(t.Element);
                    if (element.Kind == NodeTypeKind.Primitive && element.Primitive == 3)
                    {
                        reader.ReadByteVec();
                        break;
                    }

                    var count = reader.ReadLength(1);
                    for (var i = 0; i < count; i++)
                    {
                        Skip(ref reader, t.Element, depth + 1);
                    }

                    break;
                }

            case NodeTypeKind.Array:
                {
                    var element = Type(t.Element);
                    if (element.Kind == NodeTypeKind.Primitive && element.Primitive == 3)
                    {
                        reader.ReadBytes(checked((int)t.Length));
                        break;
                    }

                    for (var i = 0u; i < t.Length; i++)
                    {
                        Skip(ref reader, t.Element, depth + 1);
                    }

                    break;
                }

            case NodeTypeKind.Tuple:
                foreach (var field in t.Fields)
                {
                    Skip(ref reader, field.Type, depth + 1);
                }

                break;
            case NodeTypeKind.Primitive:
                SkipPrimitive(ref reader, t.Primitive);
                break;
            case NodeTypeKind.Compact:
                reader.ReadCompactBigInteger();
                break;
            case NodeTypeKind.BitSequence:
                {
                    var bits = reader.ReadCompactU32();
                    var storeBytes = StoreBytes(Type(t.Element));
                    var words = (bits + (8u * storeBytes) - 1) / (8u * storeBytes);
                    reader.ReadBytes(checked((int)(words * storeBytes)));
                    break;
                }
        }
    }

    private static int StoreBytes(NodeType store) => store.Kind == NodeTypeKind.Primitive
        ? store.Primitive switch { 3 => 1, 4 => 2, 5 => 4, 6 => 8, _ => 1 }
        : 1;

    private static string ShortName(NodeType type)
    {
        var path = type.Path.Split(';')[0];
        var last = path.LastIndexOf("::", StringComparison.Ordinal);
        return last < 0 ? path : path[(last + 2)..];
    }

    private static void SkipPrimitive(ref ScaleReader reader, byte primitive)
    {
        switch (primitive)
        {
            case 0:
                reader.ReadBool();
                break;
            case 1:
                {
                    var at = reader.BytesConsumed;
                    var scalar = reader.ReadU32();
                    if (scalar > 0x10FFFF || scalar is >= 0xD800 and <= 0xDFFF)
                    {
                        throw new ScaleFormatException($"{scalar:x} is not a Unicode scalar value", at);
                    }

                    break;
                }

            case 2:
                reader.ReadString();
                break;
            case 3 or 8:
                reader.ReadBytes(1);
                break;
            case 4 or 9:
                reader.ReadBytes(2);
                break;
            case 5 or 10:
                reader.ReadBytes(4);
                break;
            case 6 or 11:
                reader.ReadBytes(8);
                break;
            case 7 or 12:
                reader.ReadBytes(16);
                break;
            case 13 or 14:
                reader.ReadBytes(32);
                break;
            default:
                throw new ScaleFormatException($"Unknown primitive {primitive}", reader.BytesConsumed);
        }
    }

    private static NodeType ReadType(ref ScaleReader reader)
    {
        var path = new StringBuilder();
        var segments = reader.ReadLength(1);
        for (var i = 0; i < segments; i++)
        {
            path.Append(i == 0 ? "" : "::").Append(reader.ReadString());
        }

        var parameterCount = reader.ReadLength(1);
        for (var i = 0; i < parameterCount; i++)
        {
            var name = reader.ReadString();
            if (reader.ReadOptionTag())
            {
                path.Append(';').Append(name).Append('=').Append(reader.ReadCompactU32().ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        var kind = (NodeTypeKind)reader.ReadVariantIndex();
        NodeType type;
        switch (kind)
        {
            case NodeTypeKind.Composite:
                type = new NodeType(kind, path.ToString(), ReadFields(ref reader), [], 0, 0, 0);
                break;
            case NodeTypeKind.Variant:
                {
                    var count = reader.ReadLength(2);
                    var variants = new List<NodeVariant>(count);
                    for (var i = 0; i < count; i++)
                    {
                        var name = reader.ReadString();
                        var fields = ReadFields(ref reader);
                        var index = reader.ReadU8();
                        SkipDocs(ref reader);
                        variants.Add(new NodeVariant(name, index, fields));
                    }

                    type = new NodeType(kind, path.ToString(), [], variants, 0, 0, 0);
                    break;
                }

            case NodeTypeKind.Sequence:
                type = new NodeType(kind, path.ToString(), [], [], reader.ReadCompactU32(), 0, 0);
                break;
            case NodeTypeKind.Array:
                {
                    var length = reader.ReadU32();
                    type = new NodeType(kind, path.ToString(), [], [], reader.ReadCompactU32(), length, 0);
                    break;
                }

            case NodeTypeKind.Tuple:
                {
                    var count = reader.ReadLength(1);
                    var fields = new List<NodeField>(count);
                    for (var i = 0; i < count; i++)
                    {
                        fields.Add(new NodeField(null, reader.ReadCompactU32()));
                    }

                    type = new NodeType(kind, path.ToString(), fields, [], 0, 0, 0);
                    break;
                }

            case NodeTypeKind.Primitive:
                type = new NodeType(kind, path.ToString(), [], [], 0, 0, reader.ReadU8());
                break;
            case NodeTypeKind.Compact:
                type = new NodeType(kind, path.ToString(), [], [], reader.ReadCompactU32(), 0, 0);
                break;
            case NodeTypeKind.BitSequence:
                {
                    var store = reader.ReadCompactU32();
                    reader.ReadCompactU32(); // bit order
                    type = new NodeType(kind, path.ToString(), [], [], store, 0, 0);
                    break;
                }

            default:
                throw new ScaleFormatException($"Unknown TypeDef variant {(int)kind}", reader.BytesConsumed - 1);
        }

        SkipDocs(ref reader);
        return type;
    }

    private static List<NodeField> ReadFields(ref ScaleReader reader)
    {
        var count = reader.ReadLength(2);
        var fields = new List<NodeField>(count);
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadOptionTag() ? reader.ReadString() : null;
            var type = reader.ReadCompactU32();
            if (reader.ReadOptionTag())
            {
                reader.ReadString(); // type name
            }

            SkipDocs(ref reader);
            fields.Add(new NodeField(name, type));
        }

        return fields;
    }

    private static void SkipDocs(ref ScaleReader reader)
    {
        var count = reader.ReadLength(1);
        for (var i = 0; i < count; i++)
        {
            reader.ReadString();
        }
    }

    private static NodePallet ReadPallet(ref ScaleReader reader, byte version)
    {
        var name = reader.ReadString();
        if (reader.ReadOptionTag())
        {
            reader.ReadString(); // storage prefix
            var entries = reader.ReadLength(4);
            for (var i = 0; i < entries; i++)
            {
                reader.ReadString();
                reader.ReadU8(); // modifier
                if (reader.ReadVariantIndex() == 0)
                {
                    reader.ReadCompactU32();
                }
                else
                {
                    var hashers = reader.ReadLength(1);
                    reader.ReadBytes(hashers);
                    reader.ReadCompactU32();
                    reader.ReadCompactU32();
                }

                reader.ReadByteVec(); // default
                SkipDocs(ref reader);
            }
        }

        uint? calls = reader.ReadOptionTag() ? reader.ReadCompactU32() : null;
        if (reader.ReadOptionTag())
        {
            reader.ReadCompactU32(); // event
        }

        var constants = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var constantCount = reader.ReadLength(4);
        for (var i = 0; i < constantCount; i++)
        {
            var constant = reader.ReadString();
            reader.ReadCompactU32();
            constants[constant] = reader.ReadByteVec();
            SkipDocs(ref reader);
        }

        if (reader.ReadOptionTag())
        {
            reader.ReadCompactU32(); // error
        }

        var index = reader.ReadU8();
        if (version == 15)
        {
            SkipDocs(ref reader);
        }

        return new NodePallet(name, index, calls, constants);
    }
}
