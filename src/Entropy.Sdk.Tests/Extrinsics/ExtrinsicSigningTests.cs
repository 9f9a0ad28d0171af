using Entropy.Crypto;
using Entropy.Extrinsics;
using static Entropy.Tests.Extrinsics.ExtrinsicVectors;

namespace Entropy.Tests.Extrinsics;

public class ExtrinsicSigningTests
{
    private static Sr25519KeyPair Alice() => Sr25519KeyPair.FromMiniSecret(Hex(AliceMiniSecret));

    [Test]
    public void Alice_FromMiniSecret_HasPublishedPublicKey()
    {
        using Sr25519KeyPair alice = Alice();

        Assert.That(Convert.ToHexStringLower(alice.PublicKey.ToArray()), Is.EqualTo(AlicePublic));
    }

    [Test]
    public void Sign_EntropyRegisterWithZeroWitness_MatchesPublishedExtrinsicAndHash()
    {
        // SUBSTRATE.md "Entropy v0.0.10 vectors": @scure/sr25519 sign(//Alice, payload, random = 0^32).
        using Sr25519KeyPair alice = Alice();
        ExtrinsicBuilder builder = ExtrinsicBuilderTests.EntropyV10Builder();
        TransactionParameters parameters = TransactionParameters.Mortal(5, 100, Filled(0x22), period: 64);

        SignedExtrinsic extrinsic = builder.Sign(Hex(RegisterCall), alice, new byte[32], parameters);

        Assert.That(Convert.ToHexStringLower(extrinsic.Encoded.Span), Is.EqualTo(RegisterExtrinsic));
        Assert.That(Convert.ToHexStringLower(extrinsic.Hash.Span), Is.EqualTo(RegisterExtrinsicHash));
    }

    [Test]
    public async Task SignAsync_ExternalSignerWithZeroWitness_MatchesPublishedExtrinsicAndHash()
    {
        // Same vector as above (SUBSTRATE.md "Entropy v0.0.10 vectors"), signed through the asynchronous Sr25519Signer path.
        using var signer = new ZeroWitnessSigner(Alice());
        ExtrinsicBuilder builder = ExtrinsicBuilderTests.EntropyV10Builder();
        TransactionParameters parameters = TransactionParameters.Mortal(5, 100, Filled(0x22), period: 64);

        SignedExtrinsic extrinsic = await builder.SignAsync(Hex(RegisterCall), signer, parameters);

        Assert.That(Convert.ToHexStringLower(extrinsic.Encoded.Span), Is.EqualTo(RegisterExtrinsic));
        Assert.That(Convert.ToHexStringLower(extrinsic.Hash.Span), Is.EqualTo(RegisterExtrinsicHash));
        Assert.That(signer.Messages, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task SignAsync_PayloadOver256Bytes_AsksTheSignerForTheBlake2b256Hash()
    {
        using var signer = new ZeroWitnessSigner(Alice());
        ExtrinsicBuilder builder = ExtrinsicBuilderTests.EntropyV10Builder();
        byte[] remark = [0x01, 0x01, .. Entropy.Scale.ScaleCodec.EncodeCompact(300), .. Enumerable.Repeat((byte)0x61, 300)];
        TransactionParameters parameters = TransactionParameters.Immortal(0);

        SignedExtrinsic extrinsic = await builder.SignAsync(remark, signer, parameters);

        Assert.That(signer.Messages.Single(), Has.Length.EqualTo(32));
        Assert.That(builder.VerifySignature(builder.Decode(extrinsic.Encoded.Span), default), Is.True);
    }

    [Test]
    public void SignAsync_NullSigner_Throws()
    {
        ExtrinsicBuilder builder = ExtrinsicBuilderTests.EntropyV10Builder();

        Assert.ThrowsAsync<ArgumentNullException>(() => builder.SignAsync(Hex(RegisterCall), null!, TransactionParameters.Immortal(0)));
    }

    [Test]
    public void Sign_RandomWitness_DecodesAndVerifies()
    {
        using Sr25519KeyPair alice = Alice();
        ExtrinsicBuilder builder = ExtrinsicBuilderTests.EntropyV10Builder();
        TransactionParameters parameters = TransactionParameters.Mortal(7, 1000, Filled(0x33), tip: 12345);

        SignedExtrinsic extrinsic = builder.Sign(Hex(RegisterCall), alice, parameters);
        DecodedExtrinsic decoded = builder.Decode(extrinsic.Encoded.Span);

        Assert.That(decoded.Nonce, Is.EqualTo(7UL));
        Assert.That(decoded.Tip, Is.EqualTo((UInt128)12345));
        Assert.That(decoded.Era.Birth(1000), Is.EqualTo(1000UL));
        Assert.That(decoded.Hash.ToArray(), Is.EqualTo(extrinsic.Hash.ToArray()));
        Assert.That(builder.VerifySignature(decoded, Filled(0x33)), Is.True);
        Assert.That(builder.VerifySignature(decoded, Filled(0x34)), Is.False, "a different birth hash must not verify");
    }

    [Test]
    public void VerifySignature_TamperedSignature_IsFalse()
    {
        ExtrinsicBuilder builder = ExtrinsicBuilderTests.EntropyV10Builder();
        byte[] bytes = Hex(RegisterExtrinsic);
        bytes[3 + 1 + 32 + 1 + 5] ^= 0x01;

        Assert.That(builder.VerifySignature(builder.Decode(Hex(RegisterExtrinsic)), Filled(0x22)), Is.True);
        Assert.That(builder.VerifySignature(builder.Decode(bytes), Filled(0x22)), Is.False);
    }

    [Test]
    public void VerifySignature_OtherSpecVersion_IsFalse()
    {
        var other = new ExtrinsicBuilder(SignedExtensionPlan.Create(ExtrinsicBuilderTests.EntropyV10Extensions), 11, 4, Filled(0x11));

        Assert.That(other.VerifySignature(other.Decode(Hex(RegisterExtrinsic)), Filled(0x22)), Is.False);
    }

    [Test]
    public void Sign_PayloadOver256Bytes_SignsTheBlake2b256Hash()
    {
        // SUBSTRATE.md §6.1 (e): remark(300 B) → the signature verifies over blake2_256(payload), not over the raw payload.
        using Sr25519KeyPair alice = Alice();
        ExtrinsicBuilder builder = ExtrinsicBuilderTests.EntropyV10Builder();
        byte[] remark = [0x01, 0x01, .. Entropy.Scale.ScaleCodec.EncodeCompact(300), .. Enumerable.Repeat((byte)0x61, 300)];
        TransactionParameters parameters = TransactionParameters.Immortal(0);

        SignedExtrinsic extrinsic = builder.Sign(remark, alice, parameters);
        byte[] payload = builder.CreateSigningPayload(remark, parameters);
        DecodedExtrinsic decoded = builder.Decode(extrinsic.Encoded.Span);
        var signature = new Sr25519Signature(decoded.Signature!.Value.Span);

        Assert.That(payload, Has.Length.GreaterThan(256));
        Assert.That(Sr25519.Verify(alice.PublicKey, Entropy.Hashing.Blake2b.Hash256(payload), signature), Is.True);
        Assert.That(Sr25519.Verify(alice.PublicKey, payload, signature), Is.False);
        Assert.That(builder.VerifySignature(decoded, default), Is.True);
    }

    [Test]
    public void Sign_PayloadOf256Bytes_SignsThePayloadItself()
    {
        using Sr25519KeyPair alice = Alice();
        ExtrinsicBuilder builder = ExtrinsicBuilderTests.EntropyV10Builder();
        TransactionParameters parameters = TransactionParameters.Immortal(0);
        // Immortal Entropy extra = 00 00 00 (3 B), additional = 4 + 4 + 32 + 32 = 72 B: a 181-byte call gives exactly 256.
        byte[] call = [0x01, 0x01, .. Enumerable.Repeat((byte)0x62, 179)];

        SignedExtrinsic extrinsic = builder.Sign(call, alice, parameters);
        byte[] payload = builder.CreateSigningPayload(call, parameters);
        var signature = new Sr25519Signature(builder.Decode(extrinsic.Encoded.Span).Signature!.Value.Span);

        Assert.That(payload, Has.Length.EqualTo(256));
        Assert.That(Sr25519.Verify(alice.PublicKey, payload, signature), Is.True);
    }

    /// <summary>An external signer (as a wallet or HSM would be) that signs with a fixed zero witness so results match published vectors.</summary>
    private sealed class ZeroWitnessSigner(Sr25519KeyPair keyPair) : Sr25519Signer
    {
        public List<byte[]> Messages { get; } = [];

        public override Sr25519PublicKey PublicKey => keyPair.PublicKey;

        public override async Task<Sr25519Signature> SignAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            Messages.Add(message.ToArray());
            return keyPair.Sign(message.Span, new byte[32]);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                keyPair.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
