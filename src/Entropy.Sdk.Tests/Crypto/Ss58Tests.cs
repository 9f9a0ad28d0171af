using CsCheck;
using Entropy.Crypto;

namespace Entropy.Tests.Crypto;

/// <summary>Vectors: SUBSTRATE.md §6.1 (a), computed with @polkadot/util-crypto 14.0.3 encodeAddress.</summary>
public class Ss58Tests
{
    internal static readonly byte[] AlicePublicKey = Convert.FromHexString("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");

    [TestCase((ushort)42, "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")]
    [TestCase((ushort)0, "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5")]
    [TestCase((ushort)2, "HNZata7iMYWmk5RvZRTiAsSDhV8366zq2YGb3tLH5Upf74F")]
    [TestCase((ushort)1000, "vji5kpxBaPKwct6PAdHiJUPCU1hqBEAPaLMF59sXAjn4NeEaJ")]
    public void Encode_AlicePublicKey_MatchesPolkadotJs(ushort prefix, string expected)
    {
        Assert.That(Ss58.Encode(AlicePublicKey, prefix), Is.EqualTo(expected));
    }

    [TestCase((ushort)42, "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")]
    [TestCase((ushort)0, "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5")]
    [TestCase((ushort)2, "HNZata7iMYWmk5RvZRTiAsSDhV8366zq2YGb3tLH5Upf74F")]
    [TestCase((ushort)1000, "vji5kpxBaPKwct6PAdHiJUPCU1hqBEAPaLMF59sXAjn4NeEaJ")]
    public void Decode_PolkadotJsAddress_ReturnsAliceAndPrefix(ushort expectedPrefix, string address)
    {
        byte[] key = Ss58.Decode(address, out ushort prefix);
        Assert.That(key, Is.EqualTo(AlicePublicKey));
        Assert.That(prefix, Is.EqualTo(expectedPrefix));
    }

    [Test]
    public void Encode_Alice42_EndsWithChecksum0x1d21()
    {
        // SUBSTRATE.md §6.1 (a): ss58 checksum(42, alice) = 0x1d21, so the decoded Base58 payload ends in 1d21.
        byte[] payload = Base58.TryDecode(Ss58.Encode(AlicePublicKey, 42), out _)!;
        Assert.That(payload, Has.Length.EqualTo(35));
        Assert.That(payload[0], Is.EqualTo(42));
        Assert.That(Convert.ToHexStringLower(payload[33..]), Is.EqualTo("1d21"));
    }

    [Test]
    public void Decode_BobAddress_MatchesPolkadotJs()
    {
        // SUBSTRATE.md §6.1 (a): //Bob.
        Assert.That(Convert.ToHexStringLower(Ss58.Decode("5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty", out _)),
            Is.EqualTo("8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48"));
    }

    [TestCase((ushort)46)]
    [TestCase((ushort)47)]
    [TestCase((ushort)16384)]
    public void Encode_ReservedOrTooLargePrefix_ThrowsArgumentOutOfRange(ushort prefix)
    {
        Assert.That(() => Ss58.Encode(AlicePublicKey, prefix), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Encode_BadKeyLength_ThrowsArgumentException()
    {
        Assert.That(() => Ss58.Encode(new byte[31], 42), Throws.ArgumentException);
    }

    [Test]
    public void Decode_OneCharacterChanged_ThrowsChecksumFormatException()
    {
        string address = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ";
        Assert.That(() => Ss58.Decode(address, out _), Throws.TypeOf<FormatException>().With.Message.Contains("checksum"));
        Assert.That(Ss58.TryDecode(address, out byte[]? key, out ushort prefix), Is.False);
        Assert.That((key, prefix), Is.EqualTo(((byte[]?)null, (ushort)0)));
    }

    [Test]
    public void Decode_NonBase58Character_ThrowsFormatExceptionWithIndex()
    {
        Assert.That(() => Ss58.Decode("5Grwva0F5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", out _),
            Throws.TypeOf<FormatException>().With.Message.Contains("index 6"));
    }

    [TestCase("")]
    [TestCase("5Grwva")]
    public void Decode_WrongLength_ThrowsFormatException(string address)
    {
        Assert.That(() => Ss58.Decode(address, out _), Throws.TypeOf<FormatException>());
    }

    [Test]
    public void Decode_ReservedPrefix46_ThrowsFormatException()
    {
        // Build a correctly checksummed payload with prefix byte 46 by hand.
        byte[] body = [46, .. AlicePublicKey];
        var hash = new byte[64];
        Entropy.Hashing.Blake2b.Hash([.. "SS58PRE"u8.ToArray(), .. body], hash);
        string address = Base58.Encode([.. body, hash[0], hash[1]]);
        Assert.That(() => Ss58.Decode(address, out _), Throws.TypeOf<FormatException>().With.Message.Contains("reserved"));
    }

    [Test]
    public void EncodeDecode_AnyPrefixAndKeyLength_RoundTrips()
    {
        Gen.Select(Gen.UShort[0, 16383].Where(p => p is not (46 or 47)), Gen.OneOfConst(1, 2, 4, 8, 32, 33).SelectMany(n => Gen.Byte.Array[n]))
            .Sample((prefix, key) =>
            {
                byte[] decoded = Ss58.Decode(Ss58.Encode(key, prefix), out ushort decodedPrefix);
                return decodedPrefix == prefix && decoded.AsSpan().SequenceEqual(key);
            });
    }

    [Test]
    public void Base58_LeadingZeros_RoundTrip()
    {
        Assert.That(Base58.Encode([0, 0, 1]), Is.EqualTo("112"));
        Assert.That(Base58.TryDecode("112", out _), Is.EqualTo(new byte[] { 0, 0, 1 }));
        Gen.Byte.Array[0, 50].Sample(bytes => Base58.TryDecode(Base58.Encode(bytes), out _)!.AsSpan().SequenceEqual(bytes));
    }
}
