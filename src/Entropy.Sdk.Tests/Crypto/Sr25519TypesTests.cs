using Entropy.Crypto;

namespace Entropy.Tests.Crypto;

public class Sr25519TypesTests
{
    private const string Alice = "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";

    [Test]
    public void PublicKey_ParseToString_RoundTripsWithAndWithoutPrefix()
    {
        var key = Sr25519PublicKey.Parse(Alice);
        Assert.That(key.ToString(), Is.EqualTo(Alice));
        Assert.That(Sr25519PublicKey.Parse(Alice[2..].ToUpperInvariant()), Is.EqualTo(key));
        Assert.That(key.ToArray(), Is.EqualTo(Convert.FromHexString(Alice[2..])));
        Assert.That(new Sr25519PublicKey(key.ToArray()) == key, Is.True);
        Assert.That(key.GetHashCode(), Is.EqualTo(Sr25519PublicKey.Parse(Alice).GetHashCode()));
    }

    [Test]
    public void PublicKey_ToAccountId_MatchesSs58OfAlice()
    {
        // SUBSTRATE.md §6.1 (a): //Alice sr25519 public key = AccountId32 with ss58(42) 5GrwvaEF…utQY.
        var id = Sr25519PublicKey.Parse(Alice).ToAccountId();
        Assert.That(id, Is.EqualTo(new AccountId(Convert.FromHexString(Alice[2..]))));
        Assert.That(id.ToSs58(42), Is.EqualTo("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("0x")]
    [TestCase("0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da2")]
    [TestCase("0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d00")]
    [TestCase("0xz43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")]
    public void PublicKey_TryParseMalformed_ReturnsFalse(string? hex)
    {
        Assert.That(Sr25519PublicKey.TryParse(hex, out var key), Is.False);
        Assert.That(key, Is.EqualTo(default(Sr25519PublicKey)));
    }

    [Test]
    public void PublicKey_ParseMalformed_ThrowsFormatException()
    {
        Assert.That(() => Sr25519PublicKey.Parse("0x1234"), Throws.TypeOf<FormatException>());
        Assert.That(() => Sr25519PublicKey.Parse(null!), Throws.ArgumentNullException);
    }

    [Test]
    public void PublicKey_WrongLengths_ThrowArgumentException()
    {
        Assert.That(() => new Sr25519PublicKey(new byte[31]), Throws.ArgumentException);
        Assert.That(() => Sr25519PublicKey.Parse(Alice).CopyTo(new byte[31]), Throws.ArgumentException);
        Assert.That(() => Sr25519PublicKey.Parse(Alice).DeriveSoft(new byte[31]), Throws.ArgumentException);
    }

    [Test]
    public void PublicKey_DeriveSoftOnInvalidEncoding_ThrowsCryptographicException()
    {
        var invalid = Sr25519PublicKey.Parse("0x0100000000000000000000000000000000000000000000000000000000000000");
        Assert.That(() => invalid.DeriveSoft(new byte[32]), Throws.TypeOf<System.Security.Cryptography.CryptographicException>());
    }

    [Test]
    public void Signature_ParseToString_RoundTrips()
    {
        const string hex = "0xbe8af4c29b89fc8d473f5e2cb5e91bb620f021113cd604646d2256c642b6411a0400b96076bad85afb321cd3958caeb2b7aaf5e6539cf925bab8764d539cdd80";
        var sig = Sr25519Signature.Parse(hex);
        Assert.That(sig.ToString(), Is.EqualTo(hex));
        Assert.That(new Sr25519Signature(sig.ToArray()), Is.EqualTo(sig));
        Assert.That(sig != default, Is.True);
        Assert.That(Sr25519Signature.TryParse(hex[..^2], out _), Is.False);
        Assert.That(() => Sr25519Signature.Parse("0x00"), Throws.TypeOf<FormatException>());
        Assert.That(() => new Sr25519Signature(new byte[63]), Throws.ArgumentException);
        Assert.That(() => sig.CopyTo(new byte[63]), Throws.ArgumentException);
    }
}
