using Entropy.Metadata;
using Entropy.Tests.Metadata;

namespace Entropy.Tests.Registration;

public class RegistrationRuntimeTests
{
    private static readonly AccountId s_alice = new(MetadataFixtures.Alice);
    private static readonly AccountId s_bob = new(MetadataFixtures.Bob);

    // SUBSTRATE.md, "Entropy v0.0.10 vectors" and the Registry variant: identical call data for both runtimes.
    [TestCase(MetadataFixtures.V10, "Relayer")]
    [TestCase(MetadataFixtures.LastOld, "Registry")]
    public void EncodeRegister_PublicAndPrivate_MatchPolkadotJsVectors(string file, string pallet)
    {
        var runtime = new RegistrationRuntime(MetadataFixtures.Load(file));
        Assert.That(runtime.RegistrationPallet, Is.EqualTo(pallet));

        var publicCall = runtime.EncodeRegister(s_bob, AccessMode.Public, default, [new ProgramInstance(new ProgramPointer(new byte[32]), [])]);
        Assert.That(Convert.ToHexStringLower(publicCall), Is.EqualTo(
            "33008eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a480004000000000000000000000000000000000000000000000000000000000000000000"));

        var privateCall = runtime.EncodeRegister(
            s_alice,
            AccessMode.Private,
            MetadataFixtures.Repeat(0xab, 32),
            [ProgramInstance.FromJson(new ProgramPointer(MetadataFixtures.Repeat(1, 32)), "{}"), new ProgramInstance(new ProgramPointer(MetadataFixtures.Repeat(2, 32)), [])]);
        Assert.That(Convert.ToHexStringLower(privateCall), Is.EqualTo(
            "3300d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d02abababababababababababababababababababababababababababababababab080101010101010101010101010101010101010101010101010101010101010101087b7d020202020202020202020202020202020202020202020202020202020202020200"));

        var permissioned = runtime.EncodeRegister(s_alice, AccessMode.Permissioned, default, [new ProgramInstance(new ProgramPointer(new byte[32]), [])]);
        Assert.That(Convert.ToHexStringLower(permissioned), Is.EqualTo(
            "3300d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d0104000000000000000000000000000000000000000000000000000000000000000000"));
    }

    [TestCase(MetadataFixtures.V10)]
    [TestCase(MetadataFixtures.LastOld)]
    public void StorageKeysAndConstants_ComeFromTheMetadata(string file)
    {
        var runtime = new RegistrationRuntime(MetadataFixtures.Load(file));
        Assert.Multiple(() =>
        {
            Assert.That(runtime.MaxProgramHashes, Is.EqualTo(5));
            Assert.That(runtime.SigningPartySize, Is.EqualTo(2));
            Assert.That(Convert.ToHexStringLower(runtime.EncodePruneRegistration()), Is.EqualTo("3301"));
            Assert.That(Convert.ToHexStringLower(runtime.SigningGroupKey(1)), Is.EqualTo(
                "ebdeae436e3f7a63d02b7bc7c9ee6fa0bff589e060bab813a0a6326aa50610e14a9e6f9b8d43f6ad008f8c291929dee201"));
        });
    }

    [Test]
    public void Constructor_RuntimeWithoutAccessModes_ExplainsWhy()
    {
        var metadata = MetadataFixtures.Load(MetadataFixtures.DevnetV14);
        var e = Assert.Throws<MetadataException>(() => _ = new RegistrationRuntime(metadata));
        Assert.That(e!.Message, Does.Contain("registration pallet").Or.Contain("key_visibility"));
    }

    [Test]
    public void DecodeRegistered_RoundTripsThroughTheMetadataTypes()
    {
        var metadata = MetadataFixtures.Load(MetadataFixtures.V10);
        var runtime = new RegistrationRuntime(metadata);
        var entry = metadata.GetStorageEntry("Relayer", "Registered");
        var key = new byte[33];
        key[0] = 0x02;
        key[32] = 7;
        var value = metadata.Types.Encode(entry.ValueTypeId, ScaleValue.Named(
            ("key_visibility", ScaleValue.Variant("Permissioned")),
            ("verifying_key", ScaleValue.Bytes(key)),
            ("programs_data", ScaleValue.Sequence(ScaleValue.Named(
                ("program_pointer", ScaleValue.Bytes(new byte[32])),
                ("program_config", ScaleValue.Bytes("{}"u8))))),
            ("program_modification_account", ScaleValue.Bytes(MetadataFixtures.Bob))));

        var registration = runtime.DecodeRegistered(s_alice, value, 3, 5);

        Assert.Multiple(() =>
        {
            Assert.That(registration.Account, Is.EqualTo(s_alice));
            Assert.That(registration.VerifyingKey, Is.EqualTo(new VerifyingKey(key)));
            Assert.That(registration.AccessMode, Is.EqualTo(AccessMode.Permissioned));
            Assert.That(registration.ProgramModificationAccount, Is.EqualTo(s_bob));
            Assert.That(registration.Programs, Has.Count.EqualTo(1));
            Assert.That(registration.Programs[0].ConfigurationAsString(), Is.EqualTo("{}"));
            Assert.That(registration.RegisteredBlockNumber, Is.EqualTo(5u));
        });
    }

    [Test]
    public void DecodeRegistering_ReadsConfirmationsAndProposedKey()
    {
        var metadata = MetadataFixtures.Load(MetadataFixtures.V10);
        var runtime = new RegistrationRuntime(metadata);
        var entry = metadata.GetStorageEntry("Relayer", "Registering");
        var key = new byte[33];
        key[0] = 0x03;
        var value = metadata.Types.Encode(entry.ValueTypeId, ScaleValue.Named(
            ("program_modification_account", ScaleValue.Bytes(MetadataFixtures.Alice)),
            ("confirmations", ScaleValue.Bytes([1])),
            ("programs_data", ScaleValue.Sequence(ScaleValue.Named(
                ("program_pointer", ScaleValue.Bytes(new byte[32])),
                ("program_config", ScaleValue.Bytes([]))))),
            ("key_visibility", ScaleValue.Variant("Public")),
            ("verifying_key", ScaleValue.Some(ScaleValue.Bytes(key)))));

        var status = runtime.DecodeRegistering(s_alice, value);

        Assert.Multiple(() =>
        {
            Assert.That(status.Confirmations, Is.EqualTo(1));
            Assert.That(status.ConfirmedSubgroups, Is.EqualTo(new byte[] { 1 }));
            Assert.That(status.RequiredConfirmations, Is.EqualTo(2));
            Assert.That(status.ProposedVerifyingKey, Is.EqualTo(new VerifyingKey(key)));
            Assert.That(status.AccessMode, Is.EqualTo(AccessMode.Public));
        });
    }
}
