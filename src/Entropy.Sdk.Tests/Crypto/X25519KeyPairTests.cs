using System.Security.Cryptography;
using Entropy.Crypto;

namespace Entropy.Tests.Crypto;

/// <summary>RFC 7748 §6.1 vectors.</summary>
public class X25519KeyPairTests
{
    private const string AliceSecret = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
    private const string AlicePublic = "0x8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
    private const string BobSecret = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
    private const string BobPublic = "0xde9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
    private const string Shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

    [Test]
    public void Import_Rfc7748Secrets_GiveRfc7748PublicKeys()
    {
        using var alice = X25519KeyPair.Import(Convert.FromHexString(AliceSecret));
        using var bob = X25519KeyPair.Import(Convert.FromHexString(BobSecret));
        Assert.That(alice.PublicKey.ToString(), Is.EqualTo(AlicePublic));
        Assert.That(bob.PublicKey, Is.EqualTo(X25519PublicKey.Parse(BobPublic)));
    }

    [Test]
    public void Agree_BothDirections_GiveRfc7748SharedSecret()
    {
        using var alice = X25519KeyPair.Import(Convert.FromHexString(AliceSecret));
        using var bob = X25519KeyPair.Import(Convert.FromHexString(BobSecret));
        var ab = new byte[32];
        var ba = new byte[32];
        alice.Agree(X25519PublicKey.Parse(BobPublic), ab);
        bob.Agree(alice.PublicKey, ba);
        Assert.That(Convert.ToHexStringLower(ab), Is.EqualTo(Shared));
        Assert.That(ba, Is.EqualTo(ab));
    }

    [Test]
    public void Agree_LowOrderPeer_ThrowsCryptographicException()
    {
        using var alice = X25519KeyPair.Import(Convert.FromHexString(AliceSecret));
        Assert.That(() => alice.Agree(new X25519PublicKey(new byte[32]), new byte[32]), Throws.InstanceOf<CryptographicException>());
    }

    [Test]
    public void Generate_TwoPairs_AgreeOnTheSameSecret()
    {
        using var a = X25519KeyPair.Generate();
        using var b = X25519KeyPair.Generate();
        var ab = new byte[32];
        var ba = new byte[32];
        a.Agree(b.PublicKey, ab);
        b.Agree(a.PublicKey, ba);
        Assert.That(ab, Is.EqualTo(ba));
        Assert.That(a.PublicKey, Is.Not.EqualTo(b.PublicKey));
    }

    [Test]
    public void Dispose_ThenUse_ThrowsObjectDisposed()
    {
        var a = X25519KeyPair.Generate();
        a.Dispose();
        Assert.That(() => a.PublicKey, Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => a.Agree(default, new byte[32]), Throws.TypeOf<ObjectDisposedException>());
    }

    [Test]
    public void Import_WrongLength_ThrowsArgumentException()
    {
        Assert.That(() => X25519KeyPair.Import(new byte[31]), Throws.ArgumentException);
    }

    [TestCase("0x1234")]
    [TestCase("zz20f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")]
    public void PublicKeyParse_Invalid_ThrowsFormatException(string text)
    {
        Assert.That(() => X25519PublicKey.Parse(text), Throws.TypeOf<FormatException>());
        Assert.That(X25519PublicKey.TryParse(text, out _), Is.False);
    }

    [Test]
    public void PublicKeyParse_WithoutPrefix_RoundTrips()
    {
        var key = X25519PublicKey.Parse(AlicePublic[2..]);
        Assert.That(key.ToString(), Is.EqualTo(AlicePublic));
        Assert.That(key.GetHashCode(), Is.EqualTo(X25519PublicKey.Parse(AlicePublic).GetHashCode()));
    }
}
