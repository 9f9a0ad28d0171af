using Entropy.Crypto;
using Entropy.Extrinsics;
using Entropy.Metadata;
using Entropy.Tests.Metadata;
using static Entropy.Tests.Extrinsics.ExtrinsicVectors;

namespace Entropy.Tests.Extrinsics;

/// <summary>
/// The builder driven by the real runtime metadata in testdata/metadata. Vectors: SUBSTRATE.md "Entropy v0.0.10 vectors" and
/// "Same calls against …d7a7f3c2.scale" (the register#1 payload is the same for both runtimes, so the signed extrinsic is too).
/// </summary>
[TestFixture(MetadataFixtures.V10)]
[TestFixture(MetadataFixtures.LastOld)]
public class ExtrinsicMetadataTests
{
    private readonly string _file;
    private RuntimeMetadata _metadata = null!;
    private ExtrinsicBuilder _builder = null!;

    public ExtrinsicMetadataTests(string file) => _file = file;

    [OneTimeSetUp]
    public void Load()
    {
        _metadata = MetadataFixtures.Load(_file);
        _builder = new ExtrinsicBuilder(_metadata, 10, 4, Filled(0x11));
    }

    private byte[] RegisterBobPublic() => _metadata.EncodeCall(EntropyPallets.RegistrationName(_metadata), "register", ScaleValue.Named(
        ("program_modification_account", ScaleValue.Bytes(Hex(BobPublic))),
        ("key_visibility", ScaleValue.Variant("Public")),
        ("programs_data", ScaleValue.Sequence(ScaleValue.Named(("program_pointer", ScaleValue.Bytes(new byte[32])), ("program_config", ScaleValue.Bytes([])))))));

    [Test]
    public void SignedExtensions_MatchPolkadotJs()
    {
        string[] expected = _file == MetadataFixtures.V10
            ? ["CheckSpecVersion", "CheckTxVersion", "CheckGenesis", "CheckMortality", "CheckNonce", "CheckWeight", "ChargeTransactionPayment", "ValidateElectricityPayment", "ValidateConfirmRegistered"]
            : ["CheckSpecVersion", "CheckTxVersion", "CheckGenesis", "CheckMortality", "CheckNonce", "CheckWeight", "ChargeTransactionPayment", "ValidateConfirmRegistered"];

        Assert.That(_builder.SignedExtensions, Is.EqualTo(expected));
    }

    [Test]
    public void CreateSigningPayload_Register_Is145BytesAsPublished()
    {
        byte[] payload = _builder.CreateSigningPayload(RegisterBobPublic(), TransactionParameters.Mortal(5, 100, Filled(0x22)));

        Assert.That(payload, Has.Length.EqualTo(145));
        Assert.That(Convert.ToHexStringLower(payload), Is.EqualTo(RegisterPayload));
    }

    [Test]
    public void Sign_RegisterWithZeroWitness_MatchesPublishedExtrinsicAndHash()
    {
        using Sr25519KeyPair alice = Sr25519KeyPair.FromMiniSecret(Hex(AliceMiniSecret));

        SignedExtrinsic extrinsic = _builder.Sign(RegisterBobPublic(), alice, new byte[32], TransactionParameters.Mortal(5, 100, Filled(0x22)));

        Assert.That(extrinsic.ToHex(), Is.EqualTo("0x" + RegisterExtrinsic));
        Assert.That(Convert.ToHexStringLower(extrinsic.Hash.Span), Is.EqualTo(RegisterExtrinsicHash));
    }

    [Test]
    public void Nonce_RuntimeCheckNonceTypeIsU32()
    {
        // frame_system::CheckNonce<T>(#[codec(compact)] T::Nonce) with Nonce = u32 in every Entropy runtime.
        Assert.That(_builder.Plan.MaxNonce, Is.EqualTo((ulong)uint.MaxValue));
        Assert.That(_builder.Plan.NonceType, Is.EqualTo("u32"));
    }

    [Test]
    public void Sign_NonceAboveU32_IsRefusedWithAClearError_AndU32MaxIsAccepted()
    {
        using Sr25519KeyPair alice = Sr25519KeyPair.FromMiniSecret(Hex(AliceMiniSecret));
        var tooBig = TransactionParameters.Immortal((ulong)uint.MaxValue + 1);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _builder.Sign(RegisterBobPublic(), alice, tooBig));
        Assert.That(ex!.ParamName, Is.EqualTo("parameters"));
        Assert.That(ex.Message, Does.Contain("4294967296").And.Contain("u32").And.Contain("CheckNonce"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _builder.CreateSigningPayload(RegisterBobPublic(), tooBig));
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _builder.SignAsync(RegisterBobPublic(), Sr25519Signer.FromKeyPair(alice), tooBig));

        SignedExtrinsic largest = _builder.Sign(RegisterBobPublic(), alice, TransactionParameters.Immortal(uint.MaxValue));
        Assert.That(_builder.Decode(largest.Encoded.Span).Nonce, Is.EqualTo((ulong)uint.MaxValue));
    }

    [Test]
    public void Decode_SignedRegister_RoundTripsCallThroughMetadata()
    {
        DecodedExtrinsic decoded = _builder.Decode(Hex(RegisterExtrinsic));
        DecodedCall call = _metadata.DecodeCall(decoded.Call.Span);

        Assert.That(decoded.Signer!.Value.ToHex(), Is.EqualTo("0x" + AlicePublic));
        Assert.That(call.Name, Is.EqualTo("register"));
        Assert.That(_builder.VerifySignature(decoded, Filled(0x22)), Is.True);
    }
}

/// <summary>The 2023 devnet runtime (spec 267, metadata V14), whose list includes ValidateElectricityPayment (SUBSTRATE.md §3, chopsticks).</summary>
public class ExtrinsicDevnetV14Tests
{
    [Test]
    public void SignedExtensions_IncludeValidateElectricityPayment_AndEncodeNothingForIt()
    {
        RuntimeMetadata metadata = MetadataFixtures.Load(MetadataFixtures.DevnetV14);

        var builder = new ExtrinsicBuilder(metadata, 267, 2, Filled(0x45));

        Assert.That(metadata.Version, Is.EqualTo(14));
        Assert.That(builder.SignedExtensions, Is.EqualTo(new[]
        {
            "CheckSpecVersion", "CheckTxVersion", "CheckGenesis", "CheckMortality", "CheckNonce", "CheckWeight", "ChargeTransactionPayment",
            "ValidateElectricityPayment",
        }));
        Assert.That(builder.Plan.Kinds[7], Is.EqualTo(SignedExtensionKind.Empty));
        // Immortal, nonce 0, tip 0: extra = era 00 ‖ nonce 00 ‖ tip 00 — nothing for ValidateElectricityPayment.
        byte[] payload = builder.CreateSigningPayload([0x00, 0x00], TransactionParameters.Immortal(0));
        Assert.That(Convert.ToHexStringLower(payload), Is.EqualTo("0000" + "000000" + "0b010000" + "02000000" + string.Concat(Enumerable.Repeat("45", 64))));
    }
}
