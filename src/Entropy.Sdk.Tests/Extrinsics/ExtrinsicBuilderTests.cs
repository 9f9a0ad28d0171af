using Entropy.Extrinsics;
using Entropy.Scale;
using static Entropy.Tests.Extrinsics.ExtrinsicVectors;

namespace Entropy.Tests.Extrinsics;

public class ExtrinsicBuilderTests
{
    // The Entropy v0.0.10 runtime's list (SUBSTRATE.md "Entropy v0.0.10 vectors"); the type ids are placeholders.
    internal static SignedExtensionDescriptor[] EntropyV10Extensions =>
    [
        new("CheckSpecVersion", 1, 2, true, false),
        new("CheckTxVersion", 1, 2, true, false),
        new("CheckGenesis", 1, 3, true, false),
        new("CheckMortality", 4, 3, false, false),
        new("CheckNonce", 5, 1, false, true),
        new("CheckWeight", 1, 1, true, true),
        new("ChargeTransactionPayment", 6, 1, false, true),
        new("ValidateElectricityPayment", 7, 1, true, true),
        new("ValidateConfirmRegistered", 8, 1, true, true),
    ];

    // The static substrate runtime's list (spec 268), which has ChargeAssetTxPayment and CheckMetadataHash.
    internal static SignedExtensionDescriptor[] SubstrateExtensions =>
    [
        new("CheckNonZeroSender", 1, 1, true, true),
        new("CheckSpecVersion", 1, 2, true, false),
        new("CheckTxVersion", 1, 2, true, false),
        new("CheckGenesis", 1, 3, true, false),
        new("CheckMortality", 4, 3, false, false),
        new("CheckNonce", 5, 1, false, true),
        new("CheckWeight", 1, 1, true, true),
        new("ChargeAssetTxPayment", 6, 1, false, true),
        new("CheckMetadataHash", 7, 8, false, false),
    ];

    private static readonly TransactionParameters s_registerParameters =
        TransactionParameters.Mortal(5, 100, Filled(0x22), period: 64);

    internal static ExtrinsicBuilder EntropyV10Builder() =>
        new(SignedExtensionPlan.Create(EntropyV10Extensions), 10, 4, Filled(0x11));

    [Test]
    public void CreateSigningPayload_EntropyRegister_MatchesPolkadotJs()
    {
        byte[] payload = EntropyV10Builder().CreateSigningPayload(Hex(RegisterCall), s_registerParameters);

        Assert.That(payload, Has.Length.EqualTo(145));
        Assert.That(Convert.ToHexStringLower(payload), Is.EqualTo(RegisterPayload));
    }

    [Test]
    public void Assemble_EntropyRegisterWithPublishedSignature_MatchesExtrinsicAndHash()
    {
        SignedExtrinsic extrinsic = EntropyV10Builder().Assemble(Hex(RegisterCall), Hex(AlicePublic), Hex(RegisterSignature), s_registerParameters);

        Assert.That(Convert.ToHexStringLower(extrinsic.Encoded.Span), Is.EqualTo(RegisterExtrinsic));
        Assert.That(Convert.ToHexStringLower(extrinsic.Hash.Span), Is.EqualTo(RegisterExtrinsicHash));
        Assert.That(extrinsic.ToHex(), Is.EqualTo("0x" + RegisterExtrinsic));
    }

    [Test]
    public void CreateSigningPayload_SubstrateTransferWithAssetAndMetadataHash_MatchesPolkadotJs()
    {
        var builder = new ExtrinsicBuilder(SignedExtensionPlan.Create(SubstrateExtensions), 268, 2, Filled(0x11));
        var parameters = TransactionParameters.Mortal(5, 100, Filled(0x22), tip: 1000);

        byte[] payload = builder.CreateSigningPayload(Hex(SubstrateTransferCall), parameters);

        Assert.That(payload, Has.Length.EqualTo(117));
        Assert.That(Convert.ToHexStringLower(payload), Is.EqualTo(SubstrateTransferPayload));
    }

    [Test]
    public void Assemble_SubstrateTransferWithPublishedSignature_MatchesExtrinsic()
    {
        var builder = new ExtrinsicBuilder(SignedExtensionPlan.Create(SubstrateExtensions), 268, 2, Filled(0x11));
        var parameters = TransactionParameters.Mortal(5, 100, Filled(0x22), tip: 1000);
        byte[] expected = Hex(SubstrateTransferSr25519Extrinsic);
        byte[] signature = expected.AsSpan(3 + 1 + 32 + 1, 64).ToArray();

        SignedExtrinsic extrinsic = builder.Assemble(Hex(SubstrateTransferCall), Hex(AlicePublic), signature, parameters);

        Assert.That(Convert.ToHexStringLower(extrinsic.Encoded.Span), Is.EqualTo(SubstrateTransferSr25519Extrinsic));
    }

    [Test]
    public void CreateSigningPayload_Immortal_UsesGenesisAsBirthHash()
    {
        byte[] payload = EntropyV10Builder().CreateSigningPayload(Hex(RegisterCall), TransactionParameters.Immortal(0));

        string hex = Convert.ToHexStringLower(payload);
        Assert.That(hex, Does.EndWith("00" + "00" + "00" + "0a000000" + "04000000" + new string('1', 128)));
    }

    [Test]
    public void CreateSigningPayload_MortalWithoutBirthHash_Throws()
    {
        var parameters = new TransactionParameters { Nonce = 0, Era = Era.Mortal(64, 100) };

        Assert.That(() => EntropyV10Builder().CreateSigningPayload(Hex(RegisterCall), parameters), Throws.ArgumentException);
    }

    [Test]
    public void Decode_BuiltRegister_RoundTrips()
    {
        ExtrinsicBuilder builder = EntropyV10Builder();

        DecodedExtrinsic decoded = builder.Decode(Hex(RegisterExtrinsic));

        Assert.That(decoded.IsSigned, Is.True);
        Assert.That(Convert.ToHexStringLower(decoded.Signer!.Value.AsSpan()), Is.EqualTo(AlicePublic));
        Assert.That(decoded.SignatureScheme, Is.EqualTo(SignatureScheme.Sr25519));
        Assert.That(Convert.ToHexStringLower(decoded.Signature!.Value.Span), Is.EqualTo(RegisterSignature));
        Assert.That(decoded.Era, Is.EqualTo(Era.Mortal(64, 100)));
        Assert.That(decoded.Nonce, Is.EqualTo(5UL));
        Assert.That(decoded.Tip, Is.EqualTo(UInt128.Zero));
        Assert.That(Convert.ToHexStringLower(decoded.Extra.Span), Is.EqualTo("45021400"));
        Assert.That(Convert.ToHexStringLower(decoded.Call.Span), Is.EqualTo(RegisterCall));
        Assert.That(Convert.ToHexStringLower(decoded.Hash.Span), Is.EqualTo(RegisterExtrinsicHash));
        Assert.That(Convert.ToHexStringLower(builder.CreateSigningPayload(decoded, Filled(0x22))), Is.EqualTo(RegisterPayload));
    }

    [Test]
    public void Decode_SubstrateTransfer_ReadsTipAndMetadataHashMode()
    {
        var builder = new ExtrinsicBuilder(SignedExtensionPlan.Create(SubstrateExtensions), 268, 2, Filled(0x11));

        DecodedExtrinsic decoded = builder.Decode(Hex(SubstrateTransferSr25519Extrinsic));

        Assert.That(decoded.Tip, Is.EqualTo((UInt128)1000));
        Assert.That(decoded.MetadataHashMode, Is.EqualTo((byte)0));
        Assert.That(Convert.ToHexStringLower(builder.CreateSigningPayload(decoded, Filled(0x22))), Is.EqualTo(SubstrateTransferPayload));
    }

    [Test]
    public void Decode_Unsigned_ReturnsCallOnly()
    {
        // Timestamp.set(Compact(1_000)) as an inherent: 0x04 version, call 0x0400 a10f.
        byte[] bytes = Hex("14" + "04" + "0400" + "a10f");

        DecodedExtrinsic decoded = EntropyV10Builder().Decode(bytes);

        Assert.That(decoded.IsSigned, Is.False);
        Assert.That(decoded.Signer, Is.Null);
        Assert.That(Convert.ToHexStringLower(decoded.Call.Span), Is.EqualTo("0400a10f"));
        Assert.That(() => EntropyV10Builder().CreateSigningPayload(decoded, Filled(0x22)), Throws.ArgumentException);
    }

    [TestCase("", TestName = "Decode_Empty_Throws")]
    [TestCase("b102", TestName = "Decode_LengthPrefixLongerThanBody_Throws")]
    [TestCase("0c050400", TestName = "Decode_UnknownVersion_Throws")]
    [TestCase("0c8401", TestName = "Decode_AddressIndexVariant_Throws")]
    public void Decode_Malformed_ThrowsScaleFormatException(string hex)
    {
        Assert.That(() => EntropyV10Builder().Decode(Hex(hex)), Throws.TypeOf<ScaleFormatException>());
    }

    [TestCase("01" + "08", TestName = "Decode_LenientIndexAddress_SkipsItWithoutSigner")]
    [TestCase("02" + "0c010203", TestName = "Decode_LenientRawAddress_SkipsItWithoutSigner")]
    [TestCase("03" + "1111111111111111111111111111111111111111111111111111111111111111", TestName = "Decode_LenientAddress32_SkipsItWithoutSigner")]
    [TestCase("04" + "2222222222222222222222222222222222222222", TestName = "Decode_LenientAddress20_SkipsItWithoutSigner")]
    public void Decode_LenientNonIdAddress_DecodesTheRestWithANullSigner(string address)
    {
        // MultiAddress variants (sp_runtime::MultiAddress): Id 0, Index 1 (Compact), Raw 2 (Vec<u8>), Address32 3, Address20 4.
        byte[] body = [0x84, .. Hex(address), 0x01, .. new byte[64], 0x00, 0x14, 0x08, 0x00, 0x00];
        byte[] bytes = [.. ScaleCodec.EncodeCompact((ulong)body.Length), .. body];
        var plan = SignedExtensionPlan.Create(EntropyV10Extensions);

        DecodedExtrinsic decoded = ExtrinsicBuilder.DecodeCore(bytes, plan, lenientAddress: true);

        Assert.Multiple(() =>
        {
            Assert.That(decoded.IsSigned, Is.True);
            Assert.That(decoded.Signer, Is.Null);
            Assert.That(decoded.Nonce, Is.EqualTo(5UL));
            Assert.That(decoded.Tip, Is.EqualTo((UInt128)2));
            Assert.That(decoded.Call.ToArray(), Is.EqualTo(new byte[] { 0x00, 0x00 }));
            Assert.That(() => ExtrinsicBuilder.DecodeCore(bytes, plan, lenientAddress: false), Throws.TypeOf<ScaleFormatException>().With.Message.Contains("MultiAddress"));
        });
    }

    [Test]
    public void Decode_LenientUnknownAddressVariant_StillThrows()
    {
        byte[] body = [0x84, 0x05, 0x01, .. new byte[64], 0x00, 0x00, 0x00, 0x00, 0x00];
        byte[] bytes = [.. ScaleCodec.EncodeCompact((ulong)body.Length), .. body];

        Assert.That(() => ExtrinsicBuilder.DecodeCore(bytes, SignedExtensionPlan.Create(EntropyV10Extensions), lenientAddress: true),
            Throws.TypeOf<ScaleFormatException>().With.Message.Contains("MultiAddress variant 5"));
    }

    [Test]
    public void Decode_TrailingByte_Throws()
    {
        byte[] bytes = [.. Hex(RegisterExtrinsic), 0x00];

        Assert.That(() => EntropyV10Builder().Decode(bytes), Throws.TypeOf<ScaleFormatException>().With.Message.Contains("length prefix"));
    }

    [Test]
    public void Decode_TruncatedExtra_Throws()
    {
        // Signed v4 header with an era byte but nothing after it.
        byte[] body = [0x84, 0x00, .. Hex(AlicePublic), 0x01, .. new byte[64], 0x45];
        byte[] bytes = [.. ScaleCodec.EncodeCompact((ulong)body.Length), .. body];

        Assert.That(() => EntropyV10Builder().Decode(bytes), Throws.TypeOf<ScaleFormatException>());
    }

    [Test]
    public void Create_UnknownNonEmptyExtension_ThrowsNamingIt()
    {
        SignedExtensionDescriptor[] list = [.. EntropyV10Extensions, new("ChargeSomethingCustom", 42, 43, false, true)];

        Assert.That(
            () => SignedExtensionPlan.Create(list),
            Throws.TypeOf<UnsupportedSignedExtensionException>()
                .With.Property(nameof(UnsupportedSignedExtensionException.Identifier)).EqualTo("ChargeSomethingCustom")
                .And.Message.Contains("ChargeSomethingCustom"));
    }

    [Test]
    public void Create_UnknownExtensionWithOnlyAdditional_Throws()
    {
        SignedExtensionDescriptor[] list = [new("CheckCustomAdditional", 1, 9, true, false)];

        Assert.That(() => SignedExtensionPlan.Create(list), Throws.TypeOf<UnsupportedSignedExtensionException>());
    }

    [Test]
    public void Create_KnownExtensionWithUnexpectedShape_Throws()
    {
        SignedExtensionDescriptor[] list = [new("CheckNonce", 1, 1, true, true)];

        Assert.That(() => SignedExtensionPlan.Create(list), Throws.TypeOf<UnsupportedSignedExtensionException>().With.Message.Contains("CheckNonce"));
    }

    [Test]
    public void Create_UnknownZeroSizedExtension_IsAccepted_AndAddsNothing()
    {
        SignedExtensionDescriptor[] withCustom = [.. EntropyV10Extensions, new("SomeZeroSizedGuard", 1, 1, true, true)];
        var builder = new ExtrinsicBuilder(SignedExtensionPlan.Create(withCustom), 10, 4, Filled(0x11));

        byte[] payload = builder.CreateSigningPayload(Hex(RegisterCall), s_registerParameters);

        Assert.That(builder.SignedExtensions, Has.Count.EqualTo(10));
        Assert.That(Convert.ToHexStringLower(payload), Is.EqualTo(RegisterPayload));
    }

    [Test]
    public void MessageToSign_PayloadOver256Bytes_IsBlake2b256Hashed()
    {
        byte[] small = new byte[256];
        byte[] large = new byte[257];

        Assert.That(ExtrinsicBuilder.MessageToSign(small), Is.SameAs(small));
        // blake2b-256 of 257 zero bytes, checked independently with NSec/libsodium crypto_generichash.
        Assert.That(ExtrinsicBuilder.MessageToSign(large), Has.Length.EqualTo(32));
        Assert.That(ExtrinsicBuilder.MessageToSign(large), Is.EqualTo(NSec.Cryptography.HashAlgorithm.Blake2b_256.Hash(large)));
    }

    [Test]
    public void Mortal_LargePeriodUnquantisableBirth_Throws()
    {
        Assert.That(() => TransactionParameters.Mortal(0, 12345679, Filled(0x22), period: 65536), Throws.ArgumentException.With.Message.Contains("quantised"));
    }
}
