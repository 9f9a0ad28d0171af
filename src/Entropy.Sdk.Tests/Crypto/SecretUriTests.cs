using Entropy.Crypto;

namespace Entropy.Tests.Crypto;

public class SecretUriTests
{
    private static string Hex(ReadOnlySpan<byte> b) => Convert.ToHexStringLower(b);

    [Test]
    public void ChainCode_Alice_IsScaleStringPadded()
    {
        // SUBSTRATE.md §6.1 (a): chaincode("Alice") = 0x14416c696365 00….
        Assert.That(Hex(DeriveJunction.FromText("Alice", true).ChainCode), Is.EqualTo("14416c6963650000000000000000000000000000000000000000000000000000"));
    }

    [Test]
    public void ChainCode_Number_IsU64LittleEndian()
    {
        Assert.That(Hex(DeriveJunction.FromText("1", false).ChainCode), Is.EqualTo("01" + new string('0', 62)));
        Assert.That(Hex(DeriveJunction.FromText("18446744073709551615", false).ChainCode), Is.EqualTo(new string('f', 16) + new string('0', 48)));
    }

    [Test]
    public void ChainCode_NumberAboveU64_IsAString()
    {
        // sp-core: str::parse::<u64> fails, so the junction is the SCALE string.
        Assert.That(Hex(DeriveJunction.FromText("18446744073709551616", false).ChainCode), Does.StartWith("50" + "3138"));
    }

    [Test]
    public void ChainCode_LongerThan32Bytes_IsBlake2b256OfEncoding()
    {
        string code = new('x', 40);
        byte[] encoded = Entropy.Scale.ScaleCodec.Encode(w => w.WriteString(code));
        Assert.That(encoded, Has.Length.EqualTo(41));
        Assert.That(DeriveJunction.FromText(code, true).ChainCode.ToArray(), Is.EqualTo(Entropy.Hashing.Blake2b.Hash256(encoded)));
    }

    [Test]
    public void ChainCode_ExactlyThirtyTwoBytes_IsPaddedNotHashed()
    {
        string code = new('y', 31);
        Assert.That(Hex(DeriveJunction.FromText(code, true).ChainCode), Is.EqualTo("7c" + string.Concat(Enumerable.Repeat("79", 31))));
    }

    [Test]
    public void Parse_DevShorthand_UsesDevPhraseAndPath()
    {
        var uri = SecretUri.Parse("//Alice/1///my pass//word");
        Assert.That(uri.Phrase, Is.EqualTo(Mnemonic.DevPhrase));
        Assert.That(uri.Password, Is.EqualTo("my pass//word"));
        Assert.That(uri.Junctions.Select(j => j.IsHard), Is.EqualTo(new[] { true, false }));
        Assert.That(Hex(uri.Junctions[1].ChainCode), Is.EqualTo("01" + new string('0', 62)));
    }

    [Test]
    public void Parse_PhraseOnly_HasNoJunctionsOrPassword()
    {
        var uri = SecretUri.Parse(Mnemonic.DevPhrase);
        Assert.That(uri.Phrase, Is.EqualTo(Mnemonic.DevPhrase));
        Assert.That(uri.Junctions, Is.Empty);
        Assert.That(uri.Password, Is.Null);
    }

    [TestCase("//")]
    [TestCase("//Alice/")]
    [TestCase("//Alice//")]
    public void Parse_EmptyJunction_ThrowsFormatExceptionWithoutSecret(string suri)
    {
        var ex = Assert.Throws<FormatException>(() => SecretUri.Parse(suri));
        Assert.That(ex!.Message, Does.Not.Contain("Alice"));
    }

    // SUBSTRATE.md §6.1 (a) (polkadot-js 14.0.3) and subkey inspect //Alice, //Bob.
    [TestCase("//Alice", "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")]
    [TestCase("//Bob", "8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48", "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty")]
    // paritytech/substrate primitives/core/src/sr25519.rs test derive_soft_known_pair_should_work: DEV_PHRASE/Alice.
    [TestCase("/Alice", "d6c71059dbbe9ad2b0ed3f289738b800836eb425544ce694825285b958ca755e", null)]
    [TestCase(Mnemonic.DevPhrase + "/Alice", "d6c71059dbbe9ad2b0ed3f289738b800836eb425544ce694825285b958ca755e", null)]
    // Substrate docs, subkey reference ("inspect password-protected keys"): phrase///pencil laptop kitchen cutter.
    [TestCase("caution juice atom organ advance problem want pledge someone senior holiday very///pencil laptop kitchen cutter",
        "def8f78b123475265815b65a7c55e105e1ab185f4969954f68d92b7bb67a1045", "5H74SqH1iQCWh5Gumyghh1WJMcmM6TdBHYSK7mKVJbv9NuSK")]
    // coretime-dev/substrate-stencil stencil-testnet-config.md, subkey inspect "$SECRET//1//stash" and "//1//controller" (numeric hard junction).
    [TestCase("owner word vocal dose decline sunset battle example forget excite gentle waste",
        "9eaf896d76b55e04616ff1e1dce7fc5e4a417967c17264728b3fd8fee3b12f3c", "5FemZuvaJ7wVy4S49X7Y9mj7FyTR4caQD5mZo2rL7MXQoXMi")]
    [TestCase("owner word vocal dose decline sunset battle example forget excite gentle waste//1//stash",
        "d41e0bf1d76de368bdb91896b0d02d758950969ea795b1e7154343ee210de649", "5Grpw9i5vNyF6pbbvw7vA8pC5Vo8GMUbG8zraLMmAn32kTNH")]
    [TestCase("owner word vocal dose decline sunset battle example forget excite gentle waste//1//controller",
        "382bd29103cf3af5f7c032bbedccfb3144fe672ca2c606147974bc2984ca2b14", "5DLMZF33f61KvPDbJU5c2dPNQZ3jJyptsacpvsDhwNS1wUuU")]
    // subkey inspect //Alice prints the secret seed 0xe5be9a50…5c0a; a hex seed URI must give the same key.
    [TestCase("0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a",
        "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d", null)]
    public void FromSecretUri_PublishedVector_GivesPublicKeyAndAddress(string suri, string publicKey, string? ss58)
    {
        using Sr25519KeyPair pair = Sr25519KeyPair.FromSecretUri(suri);
        Assert.That(Hex(pair.PublicKey.ToArray()), Is.EqualTo(publicKey));
        if (ss58 is not null)
        {
            Assert.That(new AccountId(pair.PublicKey.ToArray()).ToString(), Is.EqualTo(ss58));
        }
    }

    [Test]
    public void FromSecretUri_DevPasswordShorthand_EqualsPhraseWithPassword()
    {
        // sp-core sr25519 test default_phrase_should_be_used: "//Alice///password" == DEV_PHRASE//Alice with password.
        using Sr25519KeyPair shorthand = Sr25519KeyPair.FromSecretUri("//Alice///password");
        using Sr25519KeyPair root = Sr25519KeyPair.FromMnemonic(Mnemonic.DevPhrase, "password");
        using Sr25519KeyPair child = root.DeriveHard(DeriveJunction.FromText("Alice", true).ChainCode);
        using Sr25519KeyPair alice = Sr25519KeyPair.FromSecretUri("//Alice");
        Assert.That(shorthand.PublicKey, Is.EqualTo(child.PublicKey));
        Assert.That(shorthand.PublicKey, Is.Not.EqualTo(alice.PublicKey));
    }

    [Test]
    public void FromSecretUri_SoftPath_MatchesPublicSoftDerivation()
    {
        using Sr25519KeyPair alice = Sr25519KeyPair.FromSecretUri("//Alice");
        using Sr25519KeyPair soft = Sr25519KeyPair.FromSecretUri("//Alice/stash/0");
        Sr25519PublicKey expected = alice.PublicKey
            .DeriveSoft(DeriveJunction.FromText("stash", false).ChainCode)
            .DeriveSoft(DeriveJunction.FromText("0", false).ChainCode);
        Assert.That(soft.PublicKey, Is.EqualTo(expected));
        Assert.That(Sr25519.Verify(soft.PublicKey, "m"u8, soft.Sign("m"u8)), Is.True);
    }

    [Test]
    public void FromMnemonic_DevPhrase_GivesDevRootKey()
    {
        using Sr25519KeyPair fromMnemonic = Sr25519KeyPair.FromMnemonic(Mnemonic.DevPhrase);
        using Sr25519KeyPair fromSeed = Sr25519KeyPair.FromMiniSecret(Convert.FromHexString("fac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e"));
        Assert.That(fromMnemonic.PublicKey, Is.EqualTo(fromSeed.PublicKey));
    }

    [TestCase("0x1234")]
    [TestCase("0xzz5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a")]
    [TestCase("bottom drive obey lake curtain smoke basket hold race lonely fit wakl//Alice")]
    public void FromSecretUri_BadSeedOrPhrase_ThrowsFormatExceptionWithoutSecret(string suri)
    {
        var ex = Assert.Throws<FormatException>(() => Sr25519KeyPair.FromSecretUri(suri));
        Assert.That(ex!.Message, Does.Not.Contain("1234").And.Not.Contain("wakl").And.Not.Contain("Alice"));
    }
}
