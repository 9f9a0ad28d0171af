using System.Collections.Concurrent;
using Entropy.Metadata;

namespace Entropy.Tests.Metadata;

/// <summary>Loads the metadata blobs in testdata/metadata once per test run.</summary>
internal static class MetadataFixtures
{
    public const string V10 = "entropy-v0.0.10.scale";
    public const string LastOld = "entropy-2024-03-21-d7a7f3c2.scale";
    public const string DevnetV14 = "entropy-devnet-2023-v14.scale";

    private static readonly ConcurrentDictionary<string, byte[]> s_bytes = new();
    private static readonly ConcurrentDictionary<string, RuntimeMetadata> s_parsed = new();

    public static byte[] Bytes(string name) => s_bytes.GetOrAdd(name, n => File.ReadAllBytes(Path.Combine(FixturesDirectory(), n)));

    public static RuntimeMetadata Load(string name) => s_parsed.GetOrAdd(name, n => RuntimeMetadata.Parse(Bytes(n)));

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.StartsWith("0x", StringComparison.Ordinal) ? hex[2..] : hex);

    public static byte[] Repeat(byte b, int count) => Enumerable.Repeat(b, count).ToArray();

    // SUBSTRATE.md §6.1 (a): //Alice and //Bob sr25519 public keys.
    public static readonly byte[] Alice = Hex("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
    public static readonly byte[] Bob = Hex("8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48");

    private static string FixturesDirectory() => TestData.Path("metadata");
}
