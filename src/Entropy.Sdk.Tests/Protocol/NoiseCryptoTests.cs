using Entropy.Protocol.Noise;

namespace Entropy.Tests.Protocol;

public class NoiseCryptoTests
{
    [Test]
    public void Blake2s_Abc_MatchesRfc7693()
    {
        // RFC 7693 Appendix B: BLAKE2s-256("abc").
        var digest = new byte[32];
        NoiseCrypto.Hash("abc"u8, default, digest);
        Assert.That(Convert.ToHexStringLower(digest), Is.EqualTo("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982"));
    }

    [Test]
    public void Blake2s_Empty_MatchesReference()
    {
        // BLAKE2 reference (blake2s-kat / Python hashlib.blake2s()): BLAKE2s-256 of the empty string.
        var digest = new byte[32];
        NoiseCrypto.Hash(default, default, digest);
        Assert.That(Convert.ToHexStringLower(digest), Is.EqualTo("69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9"));
    }

    [Test]
    public void X25519_Rfc7748Vector_GivesPublicKeysAndSharedSecret()
    {
        // RFC 7748 §6.1.
        byte[] alice = Convert.FromHexString("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] bob = Convert.FromHexString("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        Assert.That(Convert.ToHexStringLower(NoiseCrypto.PublicKeyOf(alice)), Is.EqualTo("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
        var shared = new byte[32];
        NoiseCrypto.Dh(alice, NoiseCrypto.PublicKeyOf(bob), shared, Entropy.Protocol.EntropyProtocolErrorKind.HandshakeFailed);
        Assert.That(Convert.ToHexStringLower(shared), Is.EqualTo("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"));
    }
}
