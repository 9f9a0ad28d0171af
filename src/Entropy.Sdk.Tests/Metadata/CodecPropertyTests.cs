using System.Buffers;
using System.Numerics;
using CsCheck;
using Entropy.Hashing;
using Entropy.Metadata;
using Entropy.Scale;
using static Entropy.Tests.Metadata.MetadataFixtures;

namespace Entropy.Tests.Metadata;

/// <summary>
/// Property tests for the dynamic codec against the v0.0.10 registry: for any type, a random valid encoding of it decodes and re-encodes
/// to the same bytes, and any storage key built from such values decodes back to them.
/// </summary>
public class CodecPropertyTests
{
    private static RuntimeMetadata Metadata => Load(V10);

    [Test]
    public void DecodeEncode_RandomValidEncodingOfAnyType_RoundTrips()
    {
        var metadata = Metadata;
        int roundTrips = 0;
        Gen.Select(Gen.Int[0, metadata.Types.Count - 1], Gen.Int).Sample((typeId, seed) =>
        {
            var random = new Random(seed);
            var buffer = new ArrayBufferWriter<byte>();
            if (!TryWriteRandom(metadata.Types, typeId, new ScaleWriter(buffer), random, 0))
            {
                return true; // An uninhabited type (an enum with no variants) or too deep: nothing to encode.
            }

            byte[] bytes = buffer.WrittenSpan.ToArray();
            var value = metadata.Types.Decode(typeId, bytes);
            roundTrips++;
            return metadata.Types.Encode(typeId, value).AsSpan().SequenceEqual(bytes)
                && metadata.Types.Decode(typeId, metadata.Types.Encode(typeId, value)).Equals(value);
        }, iter: 3000);
        Assert.That(roundTrips, Is.GreaterThan(1000), "most types should be inhabited");
    }

    [Test]
    public void DecodeStorageKey_RandomKeysOfEveryConcatMap_GivesTheKeysBack()
    {
        var metadata = Metadata;
        var entries = metadata.Pallets
            .SelectMany(p => (p.Storage?.Entries ?? []).Select(e => (Pallet: p.Name, Entry: e)))
            .Where(x => x.Entry.IsMap && x.Entry.Hashers.All(StorageHashing.IsConcat))
            .ToArray();
        Assert.That(entries, Has.Length.GreaterThan(10));
        Gen.Select(Gen.Int[0, entries.Length - 1], Gen.Int).Sample((index, seed) =>
        {
            var (pallet, entry) = entries[index];
            var random = new Random(seed);
            int[] keyTypes = entry.Hashers.Count == 1
                ? [entry.KeyTypeId!.Value]
                : [.. ((TupleDefinition)metadata.Types[entry.KeyTypeId!.Value].Definition).ElementTypeIds];
            var keys = new ScaleValue[keyTypes.Length];
            for (int i = 0; i < keys.Length; i++)
            {
                var buffer = new ArrayBufferWriter<byte>();
                if (!TryWriteRandom(metadata.Types, keyTypes[i], new ScaleWriter(buffer), random, 0))
                {
                    return true;
                }

                keys[i] = metadata.Types.Decode(keyTypes[i], buffer.WrittenSpan);
            }

            byte[] key = metadata.StorageKey(pallet, entry.Name, keys);
            return metadata.DecodeStorageKey(pallet, entry.Name, key).SequenceEqual(keys);
        }, iter: 500);
    }

    [Test]
    public void Decode_RandomBytesAsAnyType_OnlyMetadataException()
    {
        var metadata = Metadata;
        Gen.Select(Gen.Int[0, metadata.Types.Count - 1], Gen.Byte.Array[0, 64]).Sample((typeId, bytes) =>
        {
            try
            {
                var value = metadata.Types.Decode(typeId, bytes);
                return metadata.Types.Encode(typeId, value).AsSpan().SequenceEqual(bytes);
            }
            catch (MetadataException)
            {
                return true;
            }
        }, iter: 5000);
    }

    /// <summary>Writes a random canonical encoding of <paramref name="typeId"/>; false when the type has no value (or nests too deep).</summary>
    internal static bool TryWriteRandom(TypeRegistry types, int typeId, ScaleWriter w, Random random, int depth)
    {
        if (depth > 24)
        {
            return false;
        }

        switch (types[typeId].Definition)
        {
            case PrimitiveDefinition p:
                WritePrimitive(p.Primitive, w, random);
                return true;
            case CompactDefinition c:
                int bits = CompactBits(types, c.InnerTypeId);
                BigInteger value = RandomBits(random, random.Next(bits + 1));
                w.WriteCompact(value);
                return true;
            case SequenceDefinition s:
                int count = random.Next(4);
                w.WriteCompact((ulong)count);
                return Enumerable.Range(0, count).All(_ => TryWriteRandom(types, s.ElementTypeId, w, random, depth + 1));
            case ArrayDefinition a:
                return Enumerable.Range(0, (int)a.Length).All(_ => TryWriteRandom(types, a.ElementTypeId, w, random, depth + 1));
            case TupleDefinition t:
                return t.ElementTypeIds.All(e => TryWriteRandom(types, e, w, random, depth + 1));
            case CompositeDefinition composite:
                return composite.Fields.All(f => TryWriteRandom(types, f.TypeId, w, random, depth + 1));
            case VariantDefinition v:
                if (v.Variants.Count == 0)
                {
                    return false;
                }

                // Deep in the tree, prefer field-less variants so recursive enums (RuntimeCall) terminate.
                var candidates = depth > 8 && v.Variants.Any(x => x.Fields.Count == 0) ? v.Variants.Where(x => x.Fields.Count == 0).ToArray() : v.Variants.ToArray();
                var variant = candidates[random.Next(candidates.Length)];
                w.WriteVariantIndex(variant.Index);
                return variant.Fields.All(f => TryWriteRandom(types, f.TypeId, w, random, depth + 1));
            case BitSequenceDefinition b:
                int storeBytes = ((PrimitiveDefinition)types[b.StoreTypeId].Definition).Primitive switch
                {
                    PrimitiveKind.U8 => 1,
                    PrimitiveKind.U16 => 2,
                    PrimitiveKind.U32 => 4,
                    _ => 8,
                };
                int stores = random.Next(3);
                w.WriteCompact((ulong)(stores * storeBytes * 8));
                w.WriteBytes(RandomBytes(random, stores * storeBytes));
                return true;
            default:
                return false;
        }
    }

    private static int CompactBits(TypeRegistry types, int typeId) => types[typeId].Definition switch
    {
        PrimitiveDefinition { Primitive: PrimitiveKind.U8 } => 8,
        PrimitiveDefinition { Primitive: PrimitiveKind.U16 } => 16,
        PrimitiveDefinition { Primitive: PrimitiveKind.U32 } => 32,
        PrimitiveDefinition { Primitive: PrimitiveKind.U64 } => 64,
        PrimitiveDefinition { Primitive: PrimitiveKind.U128 } => 128,
        PrimitiveDefinition => 256,
        CompositeDefinition { Fields.Count: 1 } c => CompactBits(types, c.Fields[0].TypeId),
        CompositeDefinition => 0, // Compact<()>: the value is 0.
        TupleDefinition { ElementTypeIds.Count: 1 } t => CompactBits(types, t.ElementTypeIds[0]),
        _ => 0,
    };

    private static void WritePrimitive(PrimitiveKind kind, ScaleWriter w, Random random)
    {
        switch (kind)
        {
            case PrimitiveKind.Bool:
                w.WriteBool(random.Next(2) == 1);
                break;
            case PrimitiveKind.Char:
                int scalar = random.Next(0x110000 - 0x800);
                w.WriteU32((uint)(scalar < 0xD800 ? scalar : scalar + 0x800));
                break;
            case PrimitiveKind.Str:
                w.WriteString(new string(Enumerable.Range(0, random.Next(12)).Select(_ => "aé€😀 Z"[random.Next(6)]).Where(c => !char.IsSurrogate(c)).ToArray()) + "😀");
                break;
            default:
                w.WriteBytes(RandomBytes(random, kind switch
                {
                    PrimitiveKind.U8 or PrimitiveKind.I8 => 1,
                    PrimitiveKind.U16 or PrimitiveKind.I16 => 2,
                    PrimitiveKind.U32 or PrimitiveKind.I32 => 4,
                    PrimitiveKind.U64 or PrimitiveKind.I64 => 8,
                    PrimitiveKind.U128 or PrimitiveKind.I128 => 16,
                    _ => 32,
                }));
                break;
        }
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static BigInteger RandomBits(Random random, int bits) =>
        bits == 0 ? BigInteger.Zero : new BigInteger(RandomBytes(random, (bits + 7) / 8), isUnsigned: true) >> ((8 - (bits % 8)) % 8);
}
