using System.Text;
using Entropy.Hashing;

namespace Entropy.Tests.Hashing;

public class TwoxTests
{
    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    // SUBSTRATE.md §6.1 (c) and (f): xxhashAsHex(x, 128) from @polkadot/util-crypto 14.0.3.
    [TestCase("System", "26aa394eea5630e07c48ae0c9558cef7")]
    [TestCase("Account", "b99d880ec681799c0cf30e8886371da9")]
    public void Hash128_PalletAndItemNames_MatchPolkadotJs(string name, string expected)
    {
        Assert.That(Hex(Twox.Hash128(Encoding.ASCII.GetBytes(name))), Is.EqualTo(expected));
    }

    // SUBSTRATE.md §6.1 (f) only quotes these abbreviated ("5c0d1176…9e9c"), so the checks are on both ends.
    [TestCase("Sudo", "5c0d1176", "9e9c")]
    [TestCase("Key", "530ebca7", "e47b")]
    public void Hash128_SudoKey_MatchesPolkadotJsPrefixAndSuffix(string name, string prefix, string suffix)
    {
        string hex = Hex(Twox.Hash128(Encoding.ASCII.GetBytes(name)));
        Assert.That(hex, Does.StartWith(prefix).And.EndWith(suffix));
    }

    [Test]
    public void Hash64_System_IsTheLittleEndianFirstWordOfHash128()
    {
        // SUBSTRATE.md §6.3: XxHash64.Hash() returns big-endian 0xe03056ea4e39aa26; twox writes it little-endian.
        var output = new byte[8];
        Twox.Hash64("System"u8, output);
        Assert.That(Hex(output), Is.EqualTo("26aa394eea5630e0"));
    }

    [Test]
    public void Hash256_System_StartsWithHash128()
    {
        var output = new byte[32];
        Twox.Hash256("System"u8, output);
        Assert.That(Hex(output), Does.StartWith("26aa394eea5630e07c48ae0c9558cef7"));
        Assert.That(output[16..], Is.Not.EqualTo(new byte[16]));
    }

    [Test]
    public void Hash_WrongOutputLength_ThrowsArgumentException()
    {
        Assert.That(() => Twox.Hash128("a"u8, new byte[15]), Throws.ArgumentException);
        Assert.That(() => Twox.Hash64("a"u8, new byte[16]), Throws.ArgumentException);
    }
}
