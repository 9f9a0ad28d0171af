using System.Text;
using CsCheck;
using Entropy.Crypto;

namespace Entropy.Tests.Crypto;

public class Sr25519VerifyTests
{
    // Substrate.NET.API Substrate.NetApi.Test/Keys/Sr25519Tests.cs (Sr25519SignatureTestComparePolkadotJs): a polkadot-js
    // signature by //Alice over the <Bytes>-wrapped text; also SUBSTRATE.md §6.1 (f).
    private const string PolkadotJsSignature = "0x5c42ac4e2d55b8e59d9b255af370de03fe177f5545eecbbd784531cb2eb1f2553e0e2b91656f99fae930eb6ff8ac1a3eca4e19d307ecb39832a479a478a8608a";
    private static readonly byte[] s_wrapped = Encoding.UTF8.GetBytes("<Bytes>I test this signature!</Bytes>");

    // SUBSTRATE.md §6.1 (e): sr25519 signed transferKeepAlive(Bob, 12345) extrinsic (scure, random = 0^32) and its 117-byte payload.
    private const string SignedExtrinsic = "3d028400d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d015ea4c49ae19c9efcd62cdfeab5b6a3665939ebaf3a5d7083130c2f8930cd393d943abd1ccd89cde6d535c280ad4a9d86faad7ba30ec45ec295f20c999083b78e450214a10f00000603008eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48e5c0";

    private static Sr25519PublicKey AlicePublic => Sr25519PublicKey.Parse("0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");

    private static byte[] TransferPayload()
    {
        var call = Convert.FromHexString("0603008eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48e5c0");
        var extra = Convert.FromHexString("450214a10f0000");
        var additional = Convert.FromHexString("0c01000002000000")
            .Concat(Enumerable.Repeat((byte)0x11, 32))
            .Concat(Enumerable.Repeat((byte)0x22, 32))
            .Append((byte)0x00);
        return call.Concat(extra).Concat(additional).ToArray();
    }

    [Test]
    public void Verify_PolkadotJsSignatureOverWrappedMessage_ReturnsTrue()
    {
        Assert.That(Sr25519.Verify(AlicePublic, s_wrapped, Sr25519Signature.Parse(PolkadotJsSignature)), Is.True);
    }

    [Test]
    public void Verify_PolkadotJsSignatureOverUnwrappedMessage_ReturnsFalse()
    {
        Assert.That(Sr25519.Verify(AlicePublic, "I test this signature!"u8, Sr25519Signature.Parse(PolkadotJsSignature)), Is.False);
    }

    [Test]
    public void Verify_SignedExtrinsicFromSubstrateDoc_ReturnsTrueAndSignMatches()
    {
        var ext = Convert.FromHexString(SignedExtrinsic);
        var payload = TransferPayload();
        Assert.That(payload, Has.Length.EqualTo(117));

        // 2-byte compact length, 0x84, 0x00 ‖ AccountId(32), 0x01 ‖ signature(64).
        var signer = new Sr25519PublicKey(ext.AsSpan(4, 32));
        var signature = new Sr25519Signature(ext.AsSpan(37, 64));
        Assert.That(signer, Is.EqualTo(AlicePublic));
        Assert.That(Sr25519.Verify(signer, payload, signature), Is.True);

        using var alice = Sr25519KeyPairTests.Alice();
        Assert.That(alice.Sign(payload, new byte[32]), Is.EqualTo(signature));
    }

    [Test]
    public void Verify_TamperedSignatureMessageOrKey_ReturnsFalse()
    {
        var sig = Sr25519Signature.Parse(PolkadotJsSignature).ToArray();
        for (int i = 0; i < 64; i += 7)
        {
            var bad = (byte[])sig.Clone();
            bad[i] ^= 0x01;
            Assert.That(Sr25519.Verify(AlicePublic, s_wrapped, new Sr25519Signature(bad)), Is.False, $"byte {i}");
        }

        var msg = (byte[])s_wrapped.Clone();
        msg[3] ^= 0x20;
        Assert.That(Sr25519.Verify(AlicePublic, msg, new Sr25519Signature(sig)), Is.False);

        var bob = Sr25519PublicKey.Parse("0x8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48");
        Assert.That(Sr25519.Verify(bob, s_wrapped, new Sr25519Signature(sig)), Is.False);
    }

    [Test]
    public void Verify_MarkerBitCleared_ReturnsFalse()
    {
        var sig = Sr25519Signature.Parse(PolkadotJsSignature).ToArray();
        Assert.That(sig[63] & 0x80, Is.Not.Zero);
        sig[63] &= 0x7F;
        Assert.That(Sr25519.Verify(AlicePublic, s_wrapped, new Sr25519Signature(sig)), Is.False);
    }

    [Test]
    public void Verify_NonCanonicalS_ReturnsFalse()
    {
        // s + ℓ encodes the same residue; schnorrkel rejects it (Scalar::from_canonical_bytes).
        var sig = Sr25519Signature.Parse(PolkadotJsSignature).ToArray();
        var sBytes = sig[32..];
        sBytes[31] &= 0x7F;
        var s = new System.Numerics.BigInteger(sBytes, isUnsigned: true);
        var ell = System.Numerics.BigInteger.Pow(2, 252) + System.Numerics.BigInteger.Parse("27742317777372353535851937790883648493");
        var sPlusL = (s + ell).ToByteArray(isUnsigned: true);
        var forged = new byte[64];
        sig.AsSpan(0, 32).CopyTo(forged);
        sPlusL.CopyTo(forged, 32);
        Assert.That(forged[63] & 0x80, Is.Zero, "s + ℓ still fits below 2^255");
        forged[63] |= 0x80;
        Assert.That(Sr25519.Verify(AlicePublic, s_wrapped, new Sr25519Signature(forged)), Is.False);
    }

    [Test]
    public void Verify_InvalidPublicKeyOrR_ReturnsFalseWithoutThrowing()
    {
        var sig = Sr25519Signature.Parse(PolkadotJsSignature);

        // RFC 9496 Appendix A.2 invalid encodings (negative, non-square, non-canonical) and the identity.
        foreach (var hex in new[]
        {
            "0100000000000000000000000000000000000000000000000000000000000000",
            "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
            "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "0000000000000000000000000000000000000000000000000000000000000000",
        })
        {
            Assert.That(Sr25519.Verify(Sr25519PublicKey.Parse(hex), s_wrapped, sig), Is.False, hex);
        }

        var badR = sig.ToArray();
        Convert.FromHexString("26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371").CopyTo(badR, 0);
        Assert.That(Sr25519.Verify(AlicePublic, s_wrapped, new Sr25519Signature(badR)), Is.False);
        Assert.That(Sr25519.Verify(default, ReadOnlySpan<byte>.Empty, default), Is.False);
    }

    [Test]
    public void SignVerify_RandomKeysAndMessages_RoundTrip()
    {
        Gen.Select(Gen.Byte.Array[32], Gen.Byte.Array[0, 300], Gen.Int[0, 299])
            .Sample((seed, message, flip) =>
            {
                using var pair = Sr25519KeyPair.FromMiniSecret(seed);
                var sig = pair.Sign(message);
                if (!Sr25519.Verify(pair.PublicKey, message, sig))
                {
                    return false;
                }

                if (message.Length == 0)
                {
                    return true;
                }

                var tampered = (byte[])message.Clone();
                tampered[flip % message.Length] ^= 0x01;
                return !Sr25519.Verify(pair.PublicKey, tampered, sig);
            }, iter: 40);
    }
}
