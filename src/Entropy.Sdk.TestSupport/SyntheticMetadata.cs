using System.Buffers;
using Entropy.Scale;

namespace Entropy.TestSupport;

/// <summary>
/// Hand-built V15 runtime metadata for the malformed-metadata tests and the fuzzers' seeds: a type registry written by the caller
/// and nothing else (no pallets, no extrinsic types, no APIs).
/// </summary>
internal static class SyntheticMetadata
{
    /// <summary>Writes <c>"meta"</c>, version 15, the caller's type registry and empty everything else.</summary>
    /// <param name="writeTypes">Writes the registry: a compact count, then that many <see cref="WriteType"/> entries.</param>
    /// <returns>The metadata bytes.</returns>
    public static byte[] MinimalV15(Action<ScaleWriter> writeTypes)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new ScaleWriter(buffer);
        w.WriteBytes("meta"u8);
        w.WriteU8(15);
        writeTypes(w);
        w.WriteCompact(0UL); // pallets
        w.WriteU8(4); // extrinsic version
        for (var i = 0; i < 4; i++)
        {
            w.WriteCompact(0UL); // address, call, signature, extra types
        }

        w.WriteCompact(0UL); // signed extensions
        w.WriteCompact(0UL); // runtime type
        w.WriteCompact(0UL); // runtime APIs
        w.WriteCompact(0UL); // outer enums: call, event, error
        w.WriteCompact(0UL);
        w.WriteCompact(0UL);
        w.WriteCompact(0UL); // custom
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes one registry entry: id, path, no type parameters, the definition, no docs.</summary>
    /// <param name="w">The writer.</param>
    /// <param name="id">The type id.</param>
    /// <param name="path">The type's path segments.</param>
    /// <param name="writeDefinition">Writes the definition (its variant byte first).</param>
    public static void WriteType(ScaleWriter w, int id, string[] path, Action<ScaleWriter> writeDefinition)
    {
        w.WriteCompact((ulong)id);
        w.WriteCompact((ulong)path.Length);
        foreach (var segment in path)
        {
            w.WriteString(segment);
        }

        w.WriteCompact(0UL); // type parameters
        writeDefinition(w);
        w.WriteCompact(0UL); // docs
    }

    /// <summary>Writes one field of a composite or variant: optional name, type id, no type name, no docs.</summary>
    /// <param name="w">The writer.</param>
    /// <param name="name">The field name, or <see langword="null"/> for a tuple-like field.</param>
    /// <param name="typeId">The field's type id.</param>
    public static void WriteField(ScaleWriter w, string? name, int typeId)
    {
        if (name is null)
        {
            w.WriteU8(0);
        }
        else
        {
            w.WriteU8(1);
            w.WriteString(name);
        }

        w.WriteCompact((ulong)typeId);
        w.WriteU8(0); // type name
        w.WriteCompact(0UL); // docs
    }
}
