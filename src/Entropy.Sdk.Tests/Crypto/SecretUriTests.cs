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

    [TestCase("")]
    [TestCase("   ")]
    [TestCase("///password")]
    public void FromSecretUri_EmptyOrWithoutPhraseAndPath_IsRefusedNotTheDevRootKey(string suri)
    {
        // Substrate reads "" as the development phrase's root (a public account); the SDK refuses it. polkadot-js 14.0.3 refuses
        // "" and " " ("Unable to match provided value to a secret URI").
        var ex = Assert.Throws<FormatException>(() => Sr25519KeyPair.FromSecretUri(suri));
        Assert.That(ex!.Message, Does.Contain("empty").And.Contain("//Alice").And.Not.Contain("password"));
        Assert.Throws<FormatException>(() => Sr25519Signer.FromSecretUri(suri));
    }

    [Test]
    public void FromSecretUri_DevPhraseWrittenOut_StillGivesTheRootKey()
    {
        using Sr25519KeyPair root = Sr25519KeyPair.FromSecretUri(Mnemonic.DevPhrase);
        using Sr25519KeyPair fromMnemonic = Sr25519KeyPair.FromMnemonic(Mnemonic.DevPhrase);
        Assert.That(root.PublicKey, Is.EqualTo(fromMnemonic.PublicKey));
    }

    // Hex-looking and very large numeric junctions. The SDK follows Substrate (sp-core DeriveJunction::from: a junction is a u64 when
    // `code.parse::<u64>()` succeeds, else the SCALE-encoded string). The "Substrate" keys were computed with polkadot-js 14.0.3's own
    // derivation (keyFromPath with DeriveJunction.soft(compactAddLength(stringToU8a(code))).harden()), i.e. Substrate's chain code fed
    // to an independent sr25519; the "polkadot-js" keys are keyring.addFromUri(suri), which reads 0x… as bytes and digits as a
    // 256-bit number. See docs/keys.md.
    [TestCase("//0x1234", "4e57ec426ed209aaa516b6b57dd1d54aebd264b8d4a00e211d55c069bdb5757a", "c21c975a0b8819d4da11e22069f338c31f4d537a682f652b018925502773845e")]
    [TestCase("//99999999999999999999", "48914d56afb5d44c0a79f83ef4cf9b36fb7348a7efb8bd0af6104f0704fcc77d", "f85fb7b6d445ef187795fce9a47363400b56898016f092ac4644a82bd3955564")]
    [TestCase("//18446744073709551616", "7a3a2cd9e94ed6f8956cbd929b84d4cf6267b2c8a371a4ba8737ff4ac5252f0c", "a8bedb219e3336d832fb41b3839cd09c2e5ba0fe8f37c78c466aa38dffe53d18")]
    [TestCase("//Alice//0x1234", "04d17760b0111c71e31ed40b4b44cba008d7b6fb06c85d71a35538759c861264", "1ad9ecc77fce18b476b88ad0c67e8c10ab9df54eb2740ab019e171c197144934")]
    [TestCase("//+5", "60c57f0008067cc01c5ff9eb2e2f9b3a94299a915a91198bd1021a6c55596f57", "d0c42e0b5e13e6635df180a5b994ea0fab77596d30a0cb86921a5eaf4d92de3f")]
    public void FromSecretUri_HexOrLargeNumericJunction_FollowsSubstrateNotPolkadotJs(string suri, string substrate, string polkadotJs)
    {
        using Sr25519KeyPair pair = Sr25519KeyPair.FromSecretUri(suri);
        Assert.That(Hex(pair.PublicKey.ToArray()), Is.EqualTo(substrate));
        Assert.That(Hex(pair.PublicKey.ToArray()), Is.Not.EqualTo(polkadotJs));
    }

    [Test]
    public void FromSecretUri_SoftHexJunction_IsTheScaleString()
    {
        // polkadot-js 14.0.3: keyFromPath(devRoot, [DeriveJunction.soft(compactAddLength("0x1234"))]); its keyring refuses "/0x1234"
        // (a URI starting with a single '/' is not given the development phrase there).
        using Sr25519KeyPair pair = Sr25519KeyPair.FromSecretUri("/0x1234");
        Assert.That(Hex(pair.PublicKey.ToArray()), Is.EqualTo("1e12b7a017ea63fa29ad88b38ea25df7c824180775fad5a5ca56cec574b14940"));
        Assert.That(Hex(DeriveJunction.FromText("0x1234", false).ChainCode), Is.EqualTo("18307831323334" + new string('0', 50)));
    }

    [Test]
    public void FromSecretUri_U64MaxJunction_SubstrateAndPolkadotJsAgree()
    {
        // Both read it as a number: u64 little-endian (Substrate) = 256-bit little-endian (polkadot-js) for values up to u64::MAX.
        using Sr25519KeyPair pair = Sr25519KeyPair.FromSecretUri("//18446744073709551615");
        Assert.That(Hex(pair.PublicKey.ToArray()), Is.EqualTo("a4ca284d5222ef916e2e181430785972ed22cb51ef91a0c6cdbbd390ee74bc77"));
    }

    [TestCase("+5", "05")]
    [TestCase("007", "07")]
    [TestCase("+", "042b")]
    [TestCase("-1", "082d31")]
    [TestCase("+-1", "0c2b2d31")]
    public void ChainCode_RustU64ParseRules(string code, string prefix)
    {
        // Rust's u64::from_str (rustc 1.x, checked): "+5" → 5, "007" → 7, "+" / "-1" → error (so a string).
        Assert.That(Hex(DeriveJunction.FromText(code, true).ChainCode), Is.EqualTo(prefix + new string('0', 64 - prefix.Length)));
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
