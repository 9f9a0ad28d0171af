using System.Security.Cryptography;
using Entropy.Crypto;

namespace Entropy.Tests.Crypto;

public class MnemonicTests
{
    private static string Hex(ReadOnlySpan<byte> b) => Convert.ToHexStringLower(b);

    // paritytech/substrate-bip39 src/lib.rs VECTORS (the Trezor BIP-39 vectors): phrase, entropy, and the 64-byte seed for
    // password "Substrate" whose first 32 bytes are the mini secret.
    [TestCase("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon agent",
        "000000000000000000000000000000000000000000000000",
        "44e9d125f037ac1d51f0a7d3649689d422c2af8b1ec8e00d71db4d7bf6d127e3")]
    [TestCase("zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong",
        "ffffffffffffffffffffffffffffffff",
        "227d6256fd4f9ccaf06c45eaa4b2345969640462bbb00c5f51f43cb43418c7a7")]
    [TestCase("letter advice cage absurd amount doctor acoustic avoid letter advice cage above",
        "80808080808080808080808080808080",
        "27f3eb595928c60d5bc91a4d747da40ed236328183046892ed6cd5aa9ae38122")]
    [TestCase("legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title",
        "7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
        "3037276a5d05fcd7edf51869eb841bdde27c574dae01ac8cfb1ea476f6bea6ef")]
    [TestCase("ozone drill grab fiber curtain grace pudding thank cruise elder eight picnic",
        "9e885d952ad362caeb4efe34a8e91bd2",
        "f4956be6960bc145cdab782e649a5056598fd07cd3f32ceb73421c3da2783324")]
    [TestCase("horn tenant knee talent sponsor spell gate clip pulse soap slush warm silver nephew swap uncle crack brave",
        "6d9be1ee6ebd27a258115aad99b7317b9c8d28b6d76431c3",
        "23766723e970e6b79dec4d5e4fdd627fd27d1ee026eb898feb9f653af01ad220")]
    [TestCase("vessel ladder alter error federal sibling chat ability sun glass valve picture",
        "f30f8c1da665478f49b001d94c5fc452",
        "4e2314ca7d9eebac6fe5a05a5a8d3546bc891785414d82207ac987926380411e")]
    [TestCase("void come effort suffer camp survey warrior heavy shoot primary clutch crush open amazing screen patrol group space point ten exist slush involve unfold",
        "f585c11aec520db57dd353c69554b21a89b20fb0650966fa0a9d6f74fd989d8f",
        "938ba18c3f521f19bd4a399c8425b02c716844325b1a65106b9d1593fbafe5e0")]
    public void SubstrateBip39Vectors_EntropyPhraseAndMiniSecret_Match(string phrase, string entropy, string mini)
    {
        Assert.That(Hex(Mnemonic.ToEntropy(phrase)), Is.EqualTo(entropy));
        Assert.That(Mnemonic.FromEntropy(Convert.FromHexString(entropy)), Is.EqualTo(phrase));
        var secret = new byte[32];
        Mnemonic.DeriveMiniSecret(phrase, "Substrate", secret);
        Assert.That(Hex(secret), Is.EqualTo(mini));
    }

    [Test]
    public void DevPhrase_EntropyAndMiniSecret_MatchSubstrate()
    {
        // SUBSTRATE.md §6.1 (a): dev phrase entropy 0x1a486a5f…5f7b and mini secret 0xfac7959d…479e (subkey "Secret seed" of "").
        Assert.That(Hex(Mnemonic.ToEntropy(Mnemonic.DevPhrase)), Is.EqualTo("1a486a5fbe53639984cb64b070755f7b"));
        var secret = new byte[32];
        Mnemonic.DeriveMiniSecret(Mnemonic.DevPhrase, null, secret);
        Assert.That(Hex(secret), Is.EqualTo("fac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e"));
    }

    [Test]
    public void WordList_Embedded_MatchesBip39EnglishSha256()
    {
        // bitcoin/bips bip-0039/bip-0039-wordlists.md: english.txt SHA-256 2f5eed53…dbda.
        using Stream stream = typeof(Mnemonic).Assembly.GetManifestResourceStream("Entropy.Crypto.Bip39English.txt")!;
        Assert.That(Hex(SHA256.HashData(stream)), Is.EqualTo("2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda"));
    }

    [TestCase(12)]
    [TestCase(15)]
    [TestCase(18)]
    [TestCase(21)]
    [TestCase(24)]
    public void Generate_EachLength_IsValidAndRandom(int words)
    {
        string a = Mnemonic.Generate(words);
        string b = Mnemonic.Generate(words);
        Assert.That(a.Split(' '), Has.Length.EqualTo(words));
        Assert.That(Mnemonic.IsValid(a), Is.True);
        Assert.That(a, Is.Not.EqualTo(b));
    }

    [TestCase(0)]
    [TestCase(13)]
    [TestCase(25)]
    public void Generate_BadLength_ThrowsArgumentOutOfRange(int words)
    {
        Assert.That(() => Mnemonic.Generate(words), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Validate_UnknownWord_NamesPositionButNotWord()
    {
        string phrase = "bottom drive obey lake curtain smoke basket hold race lonely fit wakl";
        var ex = Assert.Throws<FormatException>(() => Mnemonic.Validate(phrase));
        Assert.That(ex!.Message, Does.Contain("Word 12 of 12"));
        Assert.That(ex.Message, Does.Not.Contain("wakl").And.Not.Contain("bottom"));
        Assert.That(Mnemonic.IsValid(phrase), Is.False);
    }

    [Test]
    public void Validate_SwappedWords_ReportsChecksum()
    {
        string phrase = "drive bottom obey lake curtain smoke basket hold race lonely fit walk";
        Assert.That(() => Mnemonic.Validate(phrase), Throws.TypeOf<FormatException>().With.Message.Contains("checksum"));
    }

    [Test]
    public void Validate_WrongWordCount_ReportsCount()
    {
        Assert.That(() => Mnemonic.Validate("bottom drive obey"), Throws.TypeOf<FormatException>().With.Message.Contains("has 3"));
        Assert.That(Mnemonic.IsValid(null), Is.False);
        Assert.That(Mnemonic.IsValid(""), Is.False);
    }

    [Test]
    public void Validate_ExtraWhitespace_IsAccepted()
    {
        Assert.That(Mnemonic.IsValid("  bottom drive obey lake curtain smoke\tbasket hold race lonely fit   walk\n"), Is.True);
    }

    [Test]
    public void DeriveMiniSecret_WrongDestinationLength_ThrowsArgumentException()
    {
        Assert.That(() => Mnemonic.DeriveMiniSecret(Mnemonic.DevPhrase, null, new byte[64]), Throws.ArgumentException);
    }
}
