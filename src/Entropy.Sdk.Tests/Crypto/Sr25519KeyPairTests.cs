using System.Text;
using Entropy.Crypto;

namespace Entropy.Tests.Crypto;

public class Sr25519KeyPairTests
{
    // shared/docs/SUBSTRATE.md §6.1 (a): //Alice mini secret, public key and polkadot-js/scure 64-byte secret key.
    private const string AliceMini = "e5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a";
    private const string AlicePublic = "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
    private const string AliceSecretKey64 = "98319d4ff8a9508c4bb0cf0b5a78d760a0b2082c02775e6e82370816fedfff48925a225d97aa00682d6a59b95b18780c10d7032336e88f3442b42361f4a66011";

    // SUBSTRATE.md §6.1 (a): the dev phrase "bottom drive obey lake curtain smoke basket hold race lonely fit walk" mini secret.
    private const string DevMini = "fac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e";

    private const string BobPublic = "0x8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48";

    internal static Sr25519KeyPair Alice() => Sr25519KeyPair.FromMiniSecret(Convert.FromHexString(AliceMini));

    private static byte[] ChainCode(string junction)
    {
        // SCALE(Text) = compact length ‖ UTF-8, zero-padded to 32 bytes (SUBSTRATE.md §4).
        var utf8 = Encoding.UTF8.GetBytes(junction);
        var cc = new byte[32];
        cc[0] = (byte)(utf8.Length << 2);
        utf8.CopyTo(cc, 1);
        return cc;
    }

    [Test]
    public void FromMiniSecret_Alice_MatchesPublishedPublicKeyAndSecretKey()
    {
        using var alice = Alice();
        Assert.That(alice.PublicKey.ToString(), Is.EqualTo(AlicePublic));

        var exported = new byte[64];
        alice.ExportSecretKey(exported);
        Assert.That(Convert.ToHexStringLower(exported), Is.EqualTo(AliceSecretKey64));
    }

    [Test]
    public void FromMiniSecret_BobMini_MatchesNetApiVector()
    {
        // Substrate.NET.API Substrate.NetApi.Test/Keys/Sr25519Tests.cs (Sr25519KeyPairTest): //Bob seed, public key and nonce.
        using var bob = Sr25519KeyPair.FromMiniSecret(Convert.FromHexString("398f0c28f98885e046333d4a41c19cee4c37368a9832c6502f6cfd182e2aef89"));
        Assert.That(bob.PublicKey.ToString(), Is.EqualTo(BobPublic));
        var exported = new byte[64];
        bob.ExportSecretKey(exported);
        Assert.That(Convert.ToHexStringLower(exported[32..]), Is.EqualTo("41ae88f85d0c1bfc37be41c904e1dfc01de8c8067b0d6d5df25dd1ac0894a325"));
    }

    [Test]
    public void FromMiniSecret_SpCoreTestVector_MatchesPublicKey()
    {
        // paritytech/substrate sp-core sr25519.rs sr_test_vector_should_work.
        using var pair = Sr25519KeyPair.FromMiniSecret(Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        Assert.That(pair.PublicKey.ToString(), Is.EqualTo("0x44a996beb1eef7bdcab976ab6d2ca26104834164ecf28fb375600576fcc6eb0f"));
    }

    [Test]
    public void FromSecretKey_AliceSecretKey64_RoundTripsAndMatchesPublicKey()
    {
        using var pair = Sr25519KeyPair.FromSecretKey(Convert.FromHexString(AliceSecretKey64));
        Assert.That(pair.PublicKey.ToString(), Is.EqualTo(AlicePublic));
        var exported = new byte[64];
        pair.ExportSecretKey(exported);
        Assert.That(Convert.ToHexStringLower(exported), Is.EqualTo(AliceSecretKey64));
    }

    [Test]
    public void ExportSchnorrkelSecretKey_Alice_IsScalarDividedByEight()
    {
        // PROTOCOL.md §6.1: to_bytes() holds the unscaled scalar; the polkadot-js layout holds scalar·8.
        using var alice = Alice();
        var raw = new byte[64];
        alice.ExportSchnorrkelSecretKey(raw);
        var scaled = new System.Numerics.BigInteger(Convert.FromHexString(AliceSecretKey64)[..32], isUnsigned: true);
        var unscaled = new System.Numerics.BigInteger(raw[..32], isUnsigned: true);
        Assert.That(unscaled * 8, Is.EqualTo(scaled));
        Assert.That(Convert.ToHexStringLower(raw[32..]), Is.EqualTo(AliceSecretKey64[64..]));
    }

    [Test]
    public void DeriveHard_DevPhraseAlice_MatchesPublishedPublicKey()
    {
        // SUBSTRATE.md §6.1 (a) and sp-core derive_hard_known_pair_should_work: "<DEV_PHRASE>//Alice" = d435…a27d.
        using var root = Sr25519KeyPair.FromMiniSecret(Convert.FromHexString(DevMini));
        var cc = ChainCode("Alice");
        Assert.That(Convert.ToHexStringLower(cc), Is.EqualTo("14416c6963650000000000000000000000000000000000000000000000000000"));
        using var alice = root.DeriveHard(cc);
        Assert.That(alice.PublicKey.ToString(), Is.EqualTo(AlicePublic));

        // The derived pair is the //Alice mini secret expanded: same secret key as the published one.
        var exported = new byte[64];
        alice.ExportSecretKey(exported);
        Assert.That(Convert.ToHexStringLower(exported), Is.EqualTo(AliceSecretKey64));
    }

    [Test]
    public void DeriveHard_DevPhraseBob_MatchesPublishedPublicKey()
    {
        using var root = Sr25519KeyPair.FromMiniSecret(Convert.FromHexString(DevMini));
        using var bob = root.DeriveHard(ChainCode("Bob"));
        Assert.That(bob.PublicKey.ToString(), Is.EqualTo(BobPublic));
    }

    [Test]
    public void DeriveSoft_DevPhraseSlashAlice_MatchesSpCoreKnownPair()
    {
        // paritytech/substrate sp-core sr25519.rs derive_soft_known_pair_should_work: "<DEV_PHRASE>/Alice".
        const string expected = "0xd6c71059dbbe9ad2b0ed3f289738b800836eb425544ce694825285b958ca755e";
        using var root = Sr25519KeyPair.FromMiniSecret(Convert.FromHexString(DevMini));
        using var child = root.DeriveSoft(ChainCode("Alice"));
        Assert.That(child.PublicKey.ToString(), Is.EqualTo(expected));
        Assert.That(root.PublicKey.DeriveSoft(ChainCode("Alice")).ToString(), Is.EqualTo(expected));
    }

    [Test]
    public void DeriveSoft_ChildKey_SignsVerifiablyUnderDerivedPublicKey()
    {
        using var alice = Alice();
        var cc = ChainCode("child");
        using var child = alice.DeriveSoft(cc);
        var msg = "soft child"u8.ToArray();
        Assert.That(Sr25519.Verify(alice.PublicKey.DeriveSoft(cc), msg, child.Sign(msg)), Is.True);
    }

    [Test]
    public void DeriveSoft_FixedRandomness_IsDeterministic()
    {
        using var alice = Alice();
        var cc = ChainCode("x");
        var random = new byte[32];
        using var a = alice.DeriveSoft(cc, random);
        using var b = alice.DeriveSoft(cc, random);
        var ea = new byte[64];
        var eb = new byte[64];
        a.ExportSecretKey(ea);
        b.ExportSecretKey(eb);
        Assert.That(ea, Is.EqualTo(eb));
    }

    [Test]
    public void Sign_AliceHelloEntropyZeroWitness_MatchesScureVector()
    {
        // SUBSTRATE.md §6.1 (b): @scure/sr25519 sign(//Alice, "hello entropy", random = 0^32).
        using var alice = Alice();
        var sig = alice.Sign("hello entropy"u8, new byte[32]);
        Assert.That(sig.ToString(), Is.EqualTo("0xbe8af4c29b89fc8d473f5e2cb5e91bb620f021113cd604646d2256c642b6411a0400b96076bad85afb321cd3958caeb2b7aaf5e6539cf925bab8764d539cdd80"));
        Assert.That(Sr25519.Verify(alice.PublicKey, "hello entropy"u8, sig), Is.True);
    }

    [Test]
    public void Sign_EntropyRegisterPayloadZeroWitness_MatchesPolkadotJsVector()
    {
        // SUBSTRATE.md "Entropy v0.0.10 vectors": signing payload of register#1 (145 bytes) and its //Alice signature.
        var payload = Convert.FromHexString(
            "33008eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a480004000000000000000000000000000000000000000000000000000000000000000000"
            + "450214000a000000040000001111111111111111111111111111111111111111111111111111111111111111"
            + "2222222222222222222222222222222222222222222222222222222222222222");
        Assert.That(payload, Has.Length.EqualTo(145));
        using var alice = Alice();
        var sig = alice.Sign(payload, new byte[32]);
        Assert.That(sig.ToString(), Is.EqualTo("0x1a8a682498b9c09c2cb919eea52347dd8a0fed51573053405386cdce7adc65469155739ea48dcfe1a36da3d115ba0ccf9f9da2f7b830e5d3e41a3cd9ccd4268b"));
    }

    [Test]
    public void Sign_RandomWitness_VerifiesAndDiffersEachTime()
    {
        using var alice = Alice();
        var a = alice.Sign("msg"u8);
        var b = alice.Sign("msg"u8);
        Assert.That(a, Is.Not.EqualTo(b));
        Assert.That(Sr25519.Verify(alice.PublicKey, "msg"u8, a), Is.True);
        Assert.That(Sr25519.Verify(alice.PublicKey, "msg"u8, b), Is.True);
    }

    [Test]
    public void Dispose_ThenUse_ThrowsObjectDisposedException()
    {
        var alice = Alice();
        alice.Dispose();
        alice.Dispose();
        Assert.That(() => alice.Sign("x"u8), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => alice.PublicKey, Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => alice.ExportSecretKey(new byte[64]), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => alice.DeriveHard(new byte[32]), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => alice.DeriveSoft(new byte[32]), Throws.TypeOf<ObjectDisposedException>());
    }

    [Test]
    public void Dispose_ZeroesSecretBuffer()
    {
        var alice = Alice();
        var field = typeof(Sr25519KeyPair).GetField("_secret", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        var secret = (byte[])field.GetValue(alice)!;
        Assert.That(secret.Any(b => b != 0), Is.True);
        alice.Dispose();
        Assert.That(secret.All(b => b == 0), Is.True);
    }

    [Test]
    public void Factories_WrongLengths_ThrowArgumentException()
    {
        Assert.That(() => Sr25519KeyPair.FromMiniSecret(new byte[31]), Throws.ArgumentException);
        Assert.That(() => Sr25519KeyPair.FromSecretKey(new byte[63]), Throws.ArgumentException);
        using var alice = Alice();
        Assert.That(() => alice.DeriveHard(new byte[31]), Throws.ArgumentException);
        Assert.That(() => alice.DeriveSoft(new byte[33]), Throws.ArgumentException);
        Assert.That(() => alice.ExportSecretKey(new byte[63]), Throws.ArgumentException);
    }

    [Test]
    public void DebuggerDisplayAndToString_DoNotContainSecret()
    {
        using var alice = Alice();
        var attr = (System.Diagnostics.DebuggerDisplayAttribute)Attribute.GetCustomAttribute(typeof(Sr25519KeyPair), typeof(System.Diagnostics.DebuggerDisplayAttribute))!;
        Assert.That(attr.Value, Does.Not.Contain("_secret"));
        Assert.That(alice.ToString(), Does.Not.Contain(AliceSecretKey64[..16]));
    }

    [Test]
    public void Generate_ProducesDistinctWorkingKeys()
    {
        using var a = Sr25519KeyPair.Generate();
        using var b = Sr25519KeyPair.Generate();
        Assert.That(a.PublicKey, Is.Not.EqualTo(b.PublicKey));
        Assert.That(Sr25519.Verify(a.PublicKey, "m"u8, a.Sign("m"u8)), Is.True);
        Assert.That(Sr25519.Verify(b.PublicKey, "m"u8, a.Sign("m"u8)), Is.False);
    }
}
