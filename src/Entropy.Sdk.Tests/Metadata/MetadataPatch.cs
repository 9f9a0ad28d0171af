using System.Text;
using Entropy.Metadata;
using Entropy.Scale;

namespace Entropy.Tests.Metadata;

/// <summary>
/// Byte-level edits of a real metadata blob (V14/V15 encoding, frame-metadata): one storage entry's key type or one struct field's
/// type is replaced by another type id of the same registry, everything else stays as the runtime published it. Each edit finds
/// exactly one place to change or fails, so a fixture change cannot silently turn a test into a no-op.
/// </summary>
internal static class MetadataPatch
{
    /// <summary>Replaces the key type of the single-key storage map <paramref name="item"/> (a <c>StorageEntryType::Map</c> with one hasher).</summary>
    public static byte[] StorageKeyType(byte[] metadata, string item, int keyTypeId)
    {
        // name: String, modifier: u8 (0 Optional | 1 Default), ty: 1 = Map { hashers: Vec<u8> (one), key: Compact<u32>, value: Compact<u32> }.
        var name = EncodedString(item);
        var hits = new List<int>();
        for (var at = IndexOf(metadata, name, 0); at >= 0; at = IndexOf(metadata, name, at + 1))
        {
            var next = at + name.Length;
            if (next + 4 <= metadata.Length && metadata[next] <= 1 && metadata[next + 1] == 1 && metadata[next + 2] == 4 && metadata[next + 3] <= 6)
            {
                hits.Add(next + 4);
            }
        }

        return ReplaceCompactAt(metadata, Single(hits, $"storage map {item}"), keyTypeId);
    }

    /// <summary>Replaces the type of field <paramref name="field"/> in the pallet type <c>…::pallet::</c><paramref name="typeName"/>.</summary>
    public static byte[] FieldType(byte[] metadata, string typeName, string field, int newTypeId)
    {
        // The type's path ends with the segments "pallet", typeName (pallet_relayer::pallet::RegisteredInfo, ...).
        var type = Single(AllIndexes(metadata, [.. EncodedString("pallet"), .. EncodedString(typeName)]), $"type pallet::{typeName}");
        // Field: name: Option<String> (1, string), ty: Compact<u32>, type_name: Option<String>, docs: Vec<String>.
        var pattern = new byte[] { 1 }.Concat(EncodedString(field)).ToArray();
        var at = IndexOf(metadata, pattern, type);
        Assert.That(at, Is.GreaterThan(type), $"no field {field} after {typeName}");
        return ReplaceCompactAt(metadata, at + pattern.Length, newTypeId);
    }

    /// <summary>Finds the id of the registry's <c>u8</c> primitive.</summary>
    public static int U8(RuntimeMetadata metadata) =>
        Enumerable.Range(0, metadata.Types.Count).First(id => metadata.Types[id].Definition is PrimitiveDefinition { Primitive: PrimitiveKind.U8 });

    private static byte[] ReplaceCompactAt(byte[] metadata, int offset, int newValue)
    {
        Assert.That(ScaleCodec.TryReadCompact(metadata.AsSpan(offset), out _, out var consumed), Is.True, "a compact type id at the patched offset");
        var replacement = Compact((ulong)newValue);
        return [.. metadata.AsSpan(0, offset), .. replacement, .. metadata.AsSpan(offset + consumed)];
    }

    private static byte[] Compact(ulong value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        new ScaleWriter(buffer).WriteCompact(value);
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] EncodedString(string text) => [.. Compact((ulong)Encoding.UTF8.GetByteCount(text)), .. Encoding.UTF8.GetBytes(text)];

    private static int Single(List<int> hits, string what)
    {
        Assert.That(hits, Has.Count.EqualTo(1), $"exactly one {what} in the metadata");
        return hits[0];
    }

    private static List<int> AllIndexes(byte[] haystack, byte[] needle)
    {
        var hits = new List<int>();
        for (var at = IndexOf(haystack, needle, 0); at >= 0; at = IndexOf(haystack, needle, at + 1))
        {
            hits.Add(at);
        }

        return hits;
    }

    private static int IndexOf(byte[] haystack, byte[] needle, int start)
    {
        var found = haystack.AsSpan(start).IndexOf(needle);
        return found < 0 ? -1 : start + found;
    }
}
