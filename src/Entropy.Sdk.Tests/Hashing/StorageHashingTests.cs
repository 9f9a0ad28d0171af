using System.Buffers;
using Entropy.Hashing;

namespace Entropy.Tests.Hashing;

public class StorageHashingTests
{
    private static readonly byte[] s_alice = Convert.FromHexString("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");

    private static string Hash(StorageHasher hasher, ReadOnlySpan<byte> data)
    {
        var buffer = new ArrayBufferWriter<byte>();
        StorageHashing.Hash(hasher, data, buffer);
        Assert.That(buffer.WrittenCount, Is.EqualTo(StorageHashing.OutputLength(hasher, data.Length)));
        return Convert.ToHexStringLower(buffer.WrittenSpan);
    }

    [Test]
    public void SystemAccountAlice_StorageKey_MatchesPolkadotJs()
    {
        // SUBSTRATE.md §6.1 (c): System.Account(alice) key from @polkadot/types 16.5.6.
        string key = Hash(StorageHasher.Twox128, "System"u8) + Hash(StorageHasher.Twox128, "Account"u8)
            + Hash(StorageHasher.Blake2_128Concat, s_alice);
        Assert.That(key, Is.EqualTo(
            "26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9de1e86a9a8c739864cf3cc5ec2bea59fd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"));
    }

    [Test]
    public void Dkg7_StorageKeySuffix_IsBlake2_128ConcatOfU32()
    {
        // SUBSTRATE.md "Entropy v0.0.10 vectors": storage Dkg(7) key 0xd0…b1719bf3ad3a4bb7d8557e23eb33edbd 99850724…ffd3 07000000.
        Assert.That(Hash(StorageHasher.Blake2_128Concat, [7, 0, 0, 0]), Is.EqualTo("99850724010e3222888eeb8478c9ffd307000000"));
    }

    [Test]
    public void SigningGroups1_StorageKeySuffix_IsBlake2_128ConcatOfU8()
    {
        // SUBSTRATE.md "Entropy v0.0.10 vectors": StakingExtension.SigningGroups(1) key 0xc4ebdeae…0610e1 4a9e6f9b…dee2 01.
        Assert.That(Hash(StorageHasher.Twox128, "StakingExtension"u8), Is.EqualTo("ebdeae436e3f7a63d02b7bc7c9ee6fa0"));
        Assert.That(Hash(StorageHasher.Twox128, "SigningGroups"u8), Is.EqualTo("bff589e060bab813a0a6326aa50610e1"));
        Assert.That(Hash(StorageHasher.Blake2_128Concat, [1]), Is.EqualTo("4a9e6f9b8d43f6ad008f8c291929dee201"));
    }

    [Test]
    public void AllHashers_OnAliceKey_HaveDocumentedShapes()
    {
        Assert.That(Hash(StorageHasher.Identity, s_alice), Is.EqualTo(Convert.ToHexStringLower(s_alice)));
        Assert.That(Hash(StorageHasher.Blake2_128, s_alice), Is.EqualTo("de1e86a9a8c739864cf3cc5ec2bea59f"));
        Assert.That(Hash(StorageHasher.Blake2_256, s_alice), Is.EqualTo(Convert.ToHexStringLower(Entropy.Hashing.Blake2b.Hash256(s_alice))));
        Assert.That(Hash(StorageHasher.Twox256, s_alice)[..32], Is.EqualTo(Hash(StorageHasher.Twox128, s_alice)));
        Assert.That(Hash(StorageHasher.Twox64Concat, s_alice), Does.EndWith(Convert.ToHexStringLower(s_alice)).And.Length.EqualTo(80));
    }

    [TestCase(StorageHasher.Blake2_128, 16, false)]
    [TestCase(StorageHasher.Blake2_256, 32, false)]
    [TestCase(StorageHasher.Blake2_128Concat, 16, true)]
    [TestCase(StorageHasher.Twox128, 16, false)]
    [TestCase(StorageHasher.Twox256, 32, false)]
    [TestCase(StorageHasher.Twox64Concat, 8, true)]
    [TestCase(StorageHasher.Identity, 0, true)]
    public void Metadata_PerHasher_IsConsistent(object boxed, int prefix, bool concat)
    {
        var hasher = (StorageHasher)boxed; // the enum is internal, and NUnit needs public test methods
        Assert.That(StorageHashing.HashPrefixLength(hasher), Is.EqualTo(prefix));
        Assert.That(StorageHashing.IsConcat(hasher), Is.EqualTo(concat));
        Assert.That(StorageHashing.OutputLength(hasher, 10), Is.EqualTo(prefix + (concat ? 10 : 0)));
    }

    [Test]
    public void UndefinedHasher_Throws()
    {
        Assert.That(() => StorageHashing.IsConcat((StorageHasher)99), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => StorageHashing.Hash((StorageHasher)99, [], new ArrayBufferWriter<byte>()), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
