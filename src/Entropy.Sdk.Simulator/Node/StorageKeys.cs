using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using Entropy.Hashing;

namespace Entropy.Simulator.Node;

/// <summary>Builds raw storage keys: <c>twox128(pallet) ‖ twox128(item) ‖ hasher(key)…</c>, exactly as FRAME does.</summary>
internal static class StorageKeys
{
    private static readonly ConcurrentDictionary<(string, string), byte[]> s_prefixes = new();

    public static byte[] Prefix(string pallet, string item) =>
        s_prefixes.GetOrAdd((pallet, item), static k =>
            ScaleBytes.Concat(Twox.Hash128(Encoding.UTF8.GetBytes(k.Item1)), Twox.Hash128(Encoding.UTF8.GetBytes(k.Item2))));

    public static byte[] PalletPrefix(string pallet) => Twox.Hash128(Encoding.UTF8.GetBytes(pallet));

    public static byte[] Value(string pallet, string item) => Prefix(pallet, item);

    public static byte[] Map(string pallet, string item, StorageHasher hasher, ReadOnlySpan<byte> encodedKey)
    {
        var prefix = Prefix(pallet, item);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(prefix.Length + 16 + encodedKey.Length);
        buffer.Write(prefix);
        StorageHashing.Hash(hasher, encodedKey, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Blake2Map(string pallet, string item, ReadOnlySpan<byte> encodedKey) =>
        Map(pallet, item, StorageHasher.Blake2_128Concat, encodedKey);

    public static byte[] TwoxMap(string pallet, string item, ReadOnlySpan<byte> encodedKey) =>
        Map(pallet, item, StorageHasher.Twox64Concat, encodedKey);
}
