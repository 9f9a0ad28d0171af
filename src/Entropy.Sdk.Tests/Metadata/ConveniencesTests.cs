using System.Numerics;
using Entropy.Metadata;
using static Entropy.Tests.Metadata.MetadataFixtures;

namespace Entropy.Tests.Metadata;

/// <summary>Events, module errors, constants and storage values against the v0.0.10 runtime (PROTOCOL.md §2.4, §9).</summary>
public class ConveniencesTests
{
    private static RuntimeMetadata Metadata => MetadataFixtures.Load(V10);

    [Test]
    public void DecodeEvents_HandBuiltSignalRegister_ResolvesPalletEventAndFields()
    {
        // Vec<EventRecord>: 1 record; phase ApplyExtrinsic(1); RuntimeEvent::Relayer (51) · Event::SignalRegister (0) (Alice); topics [H256 0x11..].
        var bytes = Hex("04" + "0001000000" + "3300" + Convert.ToHexStringLower(Alice) + "04" + new string('1', 64));
        var events = Metadata.DecodeEvents(bytes);
        Assert.That(events, Has.Count.EqualTo(1));
        var e = events[0];
        Assert.That((e.Pallet, e.PalletIndex, e.Name, e.Index), Is.EqualTo(("Relayer", (byte)51, "SignalRegister", (byte)0)));
        Assert.That(e.ExtrinsicIndex, Is.EqualTo(1u));
        Assert.That(e.Fields[0].AsBytes(), Is.EqualTo(Alice));
        Assert.That(e.Topics.Single(), Is.EqualTo(Repeat(0x11, 32)));
        Assert.That(e.ToString(), Does.StartWith("Relayer.SignalRegister"));
    }

    [Test]
    public void DecodeEvents_ExtrinsicFailedWithModuleError_ResolvesRelayerError()
    {
        // RuntimeEvent::System (1) · ExtrinsicFailed (1) { dispatch_error: Module (3) { index: 51, error: [1,0,0,0] }, dispatch_info: { weight: (0,0), class: Normal, pays_fee: Yes } }.
        var bytes = Hex("04" + "0002000000" + "0101" + "03" + "33" + "01000000" + "0000" + "00" + "00" + "00");
        var e = Metadata.DecodeEvents(bytes).Single();
        Assert.That((e.Pallet, e.Name), Is.EqualTo(("System", "ExtrinsicFailed")));
        var error = Metadata.FindModuleError(e.Fields["dispatch_error"]);
        Assert.That(error, Is.Not.Null);
        Assert.That((error!.Pallet, error.PalletIndex, error.Name, error.Index), Is.EqualTo(("Relayer", (byte)51, "NoThresholdKey", (byte)1)));
        Assert.That(error.Docs, Is.Not.Null);
        Assert.That(error.ToString(), Is.EqualTo("Relayer.NoThresholdKey"));
    }

    [Test]
    public void FindModuleError_UnknownPalletOrIndex_ReturnsNull()
    {
        Assert.That(Metadata.FindModuleError(200, 0), Is.Null);
        Assert.That(Metadata.FindModuleError(51, 250), Is.Null);
        Assert.That(Metadata.FindModuleError(ScaleValue.Variant("BadOrigin")), Is.Null);
        Assert.That(Metadata.FindModuleError(51, 0)!.Name, Is.EqualTo("AlreadySubmitted"));
    }

    [Test]
    public void GetConstant_KnownValues_MatchRuntimeConfiguration()
    {
        // PROTOCOL.md §9: SS58Prefix 42, EXISTENTIAL_DEPOSIT = DOLLARS = 1e14, BlockHashCount 2400.
        Assert.That(Metadata.GetConstant("System", "SS58Prefix").AsNumber(), Is.EqualTo(new BigInteger(42)));
        Assert.That(Metadata.GetConstant("Balances", "ExistentialDeposit").AsNumber(), Is.EqualTo(BigInteger.Pow(10, 14)));
        Assert.That(Metadata.GetConstant("System", "BlockHashCount").AsNumber(), Is.EqualTo(new BigInteger(2400)));
        var version = (CompositeValue)Metadata.GetConstant("System", "Version");
        Assert.That(version["spec_version"].AsNumber(), Is.EqualTo(new BigInteger(10)));
        Assert.That(version["transaction_version"].AsNumber(), Is.EqualTo(new BigInteger(4)));
        Assert.That(version["spec_name"].AsString(), Is.EqualTo("node"));
    }

    [Test]
    public void GetConstant_Unknown_ThrowsMetadataException()
    {
        Assert.That(() => Metadata.GetConstant("System", "Nope"), Throws.TypeOf<MetadataException>().With.Message.Contains("Nope"));
        Assert.That(() => Metadata.GetConstant("Nope", "Version"), Throws.TypeOf<MetadataException>().With.Message.Contains("Nope"));
    }

    [Test]
    public void DecodeStorageValue_DkgAbsent_GivesEmptyDefaultAndRegisteredAbsentGivesNull()
    {
        // Dkg is ValueQuery (default empty vector); Registered is OptionQuery (PROTOCOL.md §2.2).
        var dkg = Metadata.DecodeStorageValue("Relayer", "Dkg", null);
        Assert.That(dkg, Is.InstanceOf<SequenceValue>().With.Count.EqualTo(0));
        Assert.That(Metadata.DecodeStorageValue("Relayer", "Registered", null), Is.Null);
        var present = Metadata.DecodeStorageValue("Relayer", "Dkg", Hex("04" + "80" + Convert.ToHexStringLower(Alice)))!;
        Assert.That(((SequenceValue)present)[0].AsBytes(), Is.EqualTo(Alice));
    }

    [Test]
    public void StorageKey_PartialKeys_GivePrefixAndTooManyKeysThrow()
    {
        var prefix = Metadata.StorageKey("Relayer", "Registered");
        Assert.That(Convert.ToHexStringLower(prefix), Is.EqualTo("0547bb1f7973a07fd94e01a0d0dcd16a42b4cbaa004504f78182d96fe2ef2ea6"));
        Assert.That(() => Metadata.StorageKey("Relayer", "Registered", ScaleValue.Bytes(Alice), ScaleValue.Bytes(Alice)), Throws.ArgumentException);
    }

    [Test]
    public void StorageKey_DoubleMap_HashesEachKeyAndDecodesConcatKeys()
    {
        // Find a map with several hashers (DoubleMap/NMap), build its key, and read the concat keys back.
        var (pallet, entry) = Metadata.Pallets
            .SelectMany(p => (p.Storage?.Entries ?? []).Select(e => (p, e)))
            .First(x => x.e.Hashers.Count >= 2 && x.e.Hashers.All(Entropy.Hashing.StorageHashing.IsConcat));
        var keyTypes = ((TupleDefinition)Metadata.Types[entry.KeyTypeId!.Value].Definition).ElementTypeIds;
        var keys = keyTypes.Select(t => Metadata.Types.TryBuildDefault(t)!).ToArray();
        var key = Metadata.StorageKey(pallet.Name, entry.Name, keys);
        var expectedLength = 32 + keys.Select((k, i) => Entropy.Hashing.StorageHashing.OutputLength(entry.Hashers[i], Metadata.Types.Encode(keyTypes[i], k).Length)).Sum();
        Assert.That(key, Has.Length.EqualTo(expectedLength));
        Assert.That(Metadata.DecodeStorageKey(pallet.Name, entry.Name, key), Is.EqualTo(keys));
        Assert.That(() => Metadata.DecodeStorageKey(pallet.Name, entry.Name, key.AsSpan(0, key.Length - 1)), Throws.TypeOf<MetadataException>());
        Assert.That(() => Metadata.DecodeStorageKey("System", "Account", key), Throws.TypeOf<MetadataException>().With.Message.Contains("prefix"));
    }

    [Test]
    public void EncodeCall_WrongArgument_NamesTheFieldAndTheReason()
    {
        var ex = Assert.Throws<MetadataException>(() => Metadata.EncodeCall("Relayer", "register", ScaleValue.Named(
            ("program_modification_account", ScaleValue.Bytes(Bob)),
            ("key_visibility", ScaleValue.Variant("Public")),
            ("programs_data", ScaleValue.Sequence(
                ScaleValue.Named(("program_pointer", ScaleValue.Bytes(new byte[32])), ("program_config", ScaleValue.Bytes([]))),
                ScaleValue.Named(("program_pointer", ScaleValue.Bytes(new byte[31])), ("program_config", ScaleValue.Bytes([]))))))));
        Assert.That(ex!.ValuePath, Is.EqualTo("Relayer.register.programs_data.0[1].program_pointer.0"));
        Assert.That(ex.Message, Does.Contain("expected 32 bytes, got 31"));
        Assert.That(ex.Message, Does.Contain("Relayer.register.programs_data.0[1].program_pointer"));
        Assert.That(ex.TypeId, Is.Not.Null);
    }

    [Test]
    public void EncodeCall_UnknownVariantOrMissingField_Throws()
    {
        var badVariant = Assert.Throws<MetadataException>(() => Metadata.EncodeCall("Relayer", "register", ScaleValue.Named(
            ("program_modification_account", ScaleValue.Bytes(Bob)),
            ("key_visibility", ScaleValue.Variant("Secret")),
            ("programs_data", ScaleValue.Sequence()))));
        Assert.That(badVariant!.Message, Does.Contain("no variant 'Secret'").And.Contain("key_visibility"));
        var missing = Assert.Throws<MetadataException>(() => Metadata.EncodeCall("Relayer", "register", ScaleValue.Named(
            ("program_modification_account", ScaleValue.Bytes(Bob)),
            ("visibility", ScaleValue.Variant("Public")),
            ("programs_data", ScaleValue.Sequence()))));
        Assert.That(missing!.Message, Does.Contain("missing field 'key_visibility'"));
        Assert.That(() => Metadata.EncodeCall("Relayer", "nope"), Throws.TypeOf<MetadataException>().With.Message.Contains("no call 'nope'"));
        Assert.That(() => Metadata.EncodeCall("Nope", "register"), Throws.TypeOf<MetadataException>());
    }

    [Test]
    public void EncodeCall_NumberOutOfRange_Throws()
    {
        var ex = Assert.Throws<MetadataException>(() => Metadata.EncodeCall("Relayer", "confirm_register",
            ScaleValue.Unnamed(ScaleValue.Bytes(Alice), ScaleValue.Number(256), ScaleValue.Bytes(new byte[33]))));
        Assert.That(ex!.Message, Does.Contain("256 is out of range for u8").And.Contain("signing_subgroup"));
    }

    [Test]
    public void DecodeCall_TruncatedArguments_NamesTheField()
    {
        var good = Hex("3303d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d01840279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
        var ex = Assert.Throws<MetadataException>(() => Metadata.DecodeCall(good.AsSpan(0, good.Length - 3)));
        Assert.That(ex!.ValuePath, Is.EqualTo("confirm_register.verifying_key.0"));
        Assert.That(() => Metadata.DecodeCall(good.Concat(new byte[] { 0 }).ToArray()), Throws.TypeOf<MetadataException>().With.Message.Contains("trailing"));
        Assert.That(() => Metadata.DecodeCall(Hex("ff00")), Throws.TypeOf<MetadataException>().With.Message.Contains("255"));
        Assert.That(() => Metadata.DecodeCall(Hex("3399")), Throws.TypeOf<MetadataException>().With.Message.Contains("variant index 153"));
        Assert.That(() => Metadata.DecodeCall(Hex("33")), Throws.TypeOf<MetadataException>());
    }
}
