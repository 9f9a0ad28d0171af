using System.Buffers;
using Entropy.Scale;

namespace Entropy.Simulator.Node;

/// <summary>Small helpers over <see cref="ScaleWriter"/> for building storage values and events.</summary>
internal static class ScaleBytes
{
    public static byte[] Build(Action<ScaleWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        write(new ScaleWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] U32(uint value) => Build(w => w.WriteU32(value));

    public static byte[] U64(ulong value) => Build(w => w.WriteU64(value));

    public static byte[] U128(UInt128 value) => Build(w => w.WriteU128(value));

    public static byte[] Bool(bool value) => [value ? (byte)1 : (byte)0];

    public static byte[] Compact(ulong value) => Build(w => w.WriteCompact(value));

    public static byte[] Concat(params ReadOnlySpan<byte[]> parts)
    {
        var length = 0;
        foreach (var part in parts)
        {
            length += part.Length;
        }

        var result = new byte[length];
        var offset = 0;
        foreach (var part in parts)
        {
            part.CopyTo(result, offset);
            offset += part.Length;
        }

        return result;
    }
}
