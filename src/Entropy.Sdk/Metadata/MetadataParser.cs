using System.Text;
using Entropy.Hashing;
using Entropy.Scale;

namespace Entropy.Metadata;

/// <summary>Decodes <c>RuntimeMetadataPrefixed</c> (magic <c>meta</c>, version byte, then V14 or V15) into the object model.</summary>
/// <remarks>Implements the layouts of paritytech/frame-metadata <c>v14.rs</c>/<c>v15.rs</c> and scale-info's portable registry.</remarks>
internal ref struct MetadataParser
{
    private static ReadOnlySpan<byte> Magic => "meta"u8;

    private ScaleReader _reader;
    private int _typeCount;

    private MetadataParser(ReadOnlySpan<byte> bytes)
    {
        _reader = new ScaleReader(bytes);
        _typeCount = 0;
    }

    public static RuntimeMetadata Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 5 || !bytes[..4].SequenceEqual(Magic))
        {
            // state_getMetadata and Metadata_metadata_at_version return the blob wrapped in a Vec<u8>; accept that form too.
            if (TryUnwrapOpaque(bytes, out var inner))
            {
                bytes = inner;
            }
            else
            {
                throw new MetadataException(bytes.Length < 4
                    ? $"Metadata is {bytes.Length} bytes long; it must start with the magic 'meta' (0x6d657461) and a version byte."
                    : $"Metadata does not start with the magic 'meta' (0x6d657461); it starts with 0x{Convert.ToHexStringLower(bytes[..4])}.");
            }
        }

        var version = bytes[4];
        if (version is not (14 or 15))
        {
            throw new MetadataException($"Metadata version {version} is not supported; only V14 and V15 are.") { UnsupportedVersion = version };
        }

        var parser = new MetadataParser(bytes[5..]);
        try
        {
            var metadata = parser.ParseBody(version);
            parser._reader.EnsureEnd();
            return metadata;
        }
        catch (ScaleFormatException ex)
        {
            throw new MetadataException($"Malformed V{version} metadata at byte {parser._reader.BytesConsumed + 5}: {ex.Message}", ex);
        }
        catch (OverflowException ex)
        {
            throw new MetadataException($"Malformed V{version} metadata at byte {parser._reader.BytesConsumed + 5}: {ex.Message}", ex);
        }
        catch (ArgumentException ex)
        {
            throw new MetadataException($"Malformed V{version} metadata at byte {parser._reader.BytesConsumed + 5}: {ex.Message}", ex);
        }
    }

    private static bool TryUnwrapOpaque(ReadOnlySpan<byte> bytes, out ReadOnlySpan<byte> inner)
    {
        inner = default;
        try
        {
            var reader = new ScaleReader(bytes);
            var length = reader.ReadLength();
            var start = reader.BytesConsumed;
            if (length != bytes.Length - start || length < 5 || !bytes.Slice(start, 4).SequenceEqual(Magic))
            {
                return false;
            }

            inner = bytes[start..];
            return true;
        }
        catch (ScaleFormatException)
        {
            return false;
        }
    }

    private RuntimeMetadata ParseBody(byte version)
    {
        var registry = ParseRegistry();
        var pallets = ParseArray(ref this, version, static (ref MetadataParser p, byte v) => p.ParsePallet(v));
        ExtrinsicMetadata extrinsic;
        int? v14ExtrinsicType = null;
        byte extrinsicVersion;
        if (version == 14)
        {
            v14ExtrinsicType = ReadTypeId();
            extrinsicVersion = _reader.ReadU8();
            var extensions = ParseSignedExtensions();
            int? Param(string name)
            {
                foreach (var p in registry[v14ExtrinsicType.Value].Parameters)
                {
                    if (p.Name == name)
                    {
                        return p.TypeId;
                    }
                }

                return null;
            }

            extrinsic = new ExtrinsicMetadata(extrinsicVersion, v14ExtrinsicType, Param("Address"), Param("Call"), Param("Signature"), Param("Extra"), extensions);
        }
        else
        {
            extrinsicVersion = _reader.ReadU8();
            var address = ReadTypeId();
            var call = ReadTypeId();
            var signature = ReadTypeId();
            var extra = ReadTypeId();
            var extensions = ParseSignedExtensions();
            extrinsic = new ExtrinsicMetadata(extrinsicVersion, null, address, call, signature, extra, extensions);
        }

        var runtimeType = ReadTypeId();
        RuntimeApiMetadata[] apis = [];
        OuterEnums? outer = null;
        var custom = new Dictionary<string, CustomValueMetadata>(StringComparer.Ordinal);
        if (version == 15)
        {
            apis = ParseArray(ref this, 0, static (ref MetadataParser p, byte _) => p.ParseApi());
            outer = new OuterEnums(ReadTypeId(), ReadTypeId(), ReadTypeId());
            var count = _reader.ReadLength();
            for (var i = 0; i < count; i++)
            {
                var key = _reader.ReadString();
                var ty = ReadTypeId();
                var value = _reader.ReadByteVec();
                custom[key] = new CustomValueMetadata(ty, value);
            }
        }

        foreach (var ext in extrinsic.SignedExtensionArray)
        {
            ext.IsExtraZeroSized = registry.IsZeroSized(ext.ExtraTypeId);
            ext.IsAdditionalSignedZeroSized = registry.IsZeroSized(ext.AdditionalSignedTypeId);
        }

        return new RuntimeMetadata(version, registry, pallets, extrinsic, runtimeType, apis, outer, custom);
    }

    private TypeRegistry ParseRegistry()
    {
        var count = _reader.ReadLength();
        _typeCount = count;
        var types = new MetadataType[count];
        for (var i = 0; i < count; i++)
        {
            var offset = _reader.BytesConsumed;
            var id = _reader.ReadCompactU32();
            if (id != (uint)i)
            {
                throw new MetadataException($"Malformed metadata at byte {offset + 5}: type #{i} declares id {id}; portable registry ids must be sequential.");
            }

            var path = ReadStrings();
            var parameters = ParseArray(ref this, 0, static (ref MetadataParser p, byte _) =>
            {
                var name = p._reader.ReadString();
                int? ty = p._reader.ReadOptionTag() ? p.ReadTypeId() : null;
                return new TypeParameter(name, ty);
            });
            var def = ParseTypeDef();
            var docs = ReadStrings();
            types[i] = new MetadataType(i, path, parameters, def, docs);
        }

        return new TypeRegistry(types);
    }

    private TypeDefinition ParseTypeDef()
    {
        var offset = _reader.BytesConsumed;
        var tag = _reader.ReadU8();
        switch (tag)
        {
            case 0:
                return new CompositeDefinition(ParseFields());
            case 1:
                return new VariantDefinition(ParseArray(ref this, 0, static (ref MetadataParser p, byte _) =>
                {
                    var name = p._reader.ReadString();
                    var fields = p.ParseFields();
                    var index = p._reader.ReadU8();
                    var docs = p.ReadStrings();
                    return new TypeVariant(name, fields, index, docs);
                }));
            case 2:
                return new SequenceDefinition(ReadTypeId());
            case 3:
                var length = _reader.ReadU32();
                return new ArrayDefinition(length, ReadTypeId());
            case 4:
                return new TupleDefinition(ParseArray(ref this, 0, static (ref MetadataParser p, byte _) => p.ReadTypeId()));
            case 5:
                var prim = _reader.ReadU8();
                if (prim > (byte)PrimitiveKind.I256)
                {
                    throw new MetadataException($"Malformed metadata at byte {_reader.BytesConsumed + 4}: unknown primitive type tag {prim}.");
                }

                return PrimitiveDefinition.Get((PrimitiveKind)prim);
            case 6:
                return new CompactDefinition(ReadTypeId());
            case 7:
                var store = ReadTypeId();
                return new BitSequenceDefinition(store, ReadTypeId());
            default:
                throw new MetadataException($"Malformed metadata at byte {offset + 5}: unknown type definition tag {tag}.");
        }
    }

    private TypeField[] ParseFields() =>
        ParseArray(ref this, 0, static (ref MetadataParser p, byte _) =>
        {
            var name = p._reader.ReadOptionTag() ? p._reader.ReadString() : null;
            var ty = p.ReadTypeId();
            var typeName = p._reader.ReadOptionTag() ? p._reader.ReadString() : null;
            var docs = p.ReadStrings();
            return new TypeField(name, ty, typeName, docs);
        });

    private PalletMetadata ParsePallet(byte version)
    {
        var name = _reader.ReadString();
        StorageMetadata? storage = null;
        if (_reader.ReadOptionTag())
        {
            var prefix = _reader.ReadString();
            var entries = ParseArray(ref this, 0, static (ref MetadataParser p, byte _) => p.ParseStorageEntry());
            storage = new StorageMetadata(prefix, entries);
        }

        int? calls = _reader.ReadOptionTag() ? ReadTypeId() : null;
        int? events = _reader.ReadOptionTag() ? ReadTypeId() : null;
        var constants = ParseArray(ref this, 0, static (ref MetadataParser p, byte _) =>
        {
            var name = p._reader.ReadString();
            var ty = p.ReadTypeId();
            var value = p._reader.ReadByteVec();
            var docs = p.ReadStrings();
            return new ConstantMetadata(name, ty, value, docs);
        });
        int? errors = _reader.ReadOptionTag() ? ReadTypeId() : null;
        var index = _reader.ReadU8();
        var docs = version >= 15 ? ReadStrings() : [];
        return new PalletMetadata(name, storage, calls, events, constants, errors, index, docs);
    }

    private StorageEntryMetadata ParseStorageEntry()
    {
        var name = _reader.ReadString();
        var modifierOffset = _reader.BytesConsumed;
        var modifier = _reader.ReadU8();
        if (modifier > 1)
        {
            throw new MetadataException($"Malformed metadata at byte {modifierOffset + 5}: storage entry '{name}' has unknown modifier {modifier}.");
        }

        var kindOffset = _reader.BytesConsumed;
        var kind = _reader.ReadU8();
        StorageHasher[] hashers;
        int? key;
        int value;
        if (kind == 0)
        {
            hashers = [];
            key = null;
            value = ReadTypeId();
        }
        else if (kind == 1)
        {
            var count = _reader.ReadLength();
            hashers = new StorageHasher[count];
            for (var i = 0; i < count; i++)
            {
                var h = _reader.ReadU8();
                if (h > (byte)StorageHasher.Identity)
                {
                    throw new MetadataException($"Malformed metadata at byte {_reader.BytesConsumed + 4}: storage entry '{name}' has unknown hasher {h}.");
                }

                hashers[i] = (StorageHasher)h;
            }

            key = ReadTypeId();
            value = ReadTypeId();
        }
        else
        {
            throw new MetadataException($"Malformed metadata at byte {kindOffset + 5}: storage entry '{name}' has unknown entry type tag {kind}.");
        }

        var defaultValue = _reader.ReadByteVec();
        var docs = ReadStrings();
        return new StorageEntryMetadata(name, (StorageEntryModifier)modifier, hashers, key, value, defaultValue, docs);
    }

    private SignedExtensionMetadata[] ParseSignedExtensions() =>
        ParseArray(ref this, 0, static (ref MetadataParser p, byte _) =>
        {
            var id = p._reader.ReadString();
            var ty = p.ReadTypeId();
            var additional = p.ReadTypeId();
            return new SignedExtensionMetadata(id, ty, additional);
        });

    private RuntimeApiMetadata ParseApi()
    {
        var name = _reader.ReadString();
        var methods = ParseArray(ref this, 0, static (ref MetadataParser p, byte _) =>
        {
            var name = p._reader.ReadString();
            var inputs = ParseArray(ref p, 0, static (ref MetadataParser q, byte _) =>
            {
                var n = q._reader.ReadString();
                return new RuntimeApiParameter(n, q.ReadTypeId());
            });
            var output = p.ReadTypeId();
            var docs = p.ReadStrings();
            return new RuntimeApiMethodMetadata(name, inputs, output, docs);
        });
        var docs = ReadStrings();
        return new RuntimeApiMetadata(name, methods, docs);
    }

    private int ReadTypeId()
    {
        var offset = _reader.BytesConsumed;
        var id = _reader.ReadCompactU32();
        if (id >= (uint)_typeCount)
        {
            throw new MetadataException($"Malformed metadata at byte {offset + 5}: type id {id} does not exist; the registry has {_typeCount} types.");
        }

        return (int)id;
    }

    private string[] ReadStrings()
    {
        var count = _reader.ReadLength();
        if (count == 0)
        {
            return [];
        }

        var result = new string[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = _reader.ReadString();
        }

        return result;
    }

    private delegate T ElementParser<T>(ref MetadataParser parser, byte state);

    private static T[] ParseArray<T>(ref MetadataParser parser, byte state, ElementParser<T> element)
    {
        var count = parser._reader.ReadLength();
        if (count == 0)
        {
            return [];
        }

        var result = new T[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = element(ref parser, state);
        }

        return result;
    }
}
