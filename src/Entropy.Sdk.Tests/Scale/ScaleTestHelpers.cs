using System.Buffers;
using Entropy.Scale;

namespace Entropy.Tests.Scale;

internal static class ScaleTestHelpers
{
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.StartsWith("0x", StringComparison.Ordinal) ? hex[2..] : hex);

    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    public static string Write(Action<ScaleWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new ScaleWriter(buffer));
        return ToHex(buffer.WrittenSpan);
    }
}
