using Entropy.Crypto;
using Entropy.Metadata;
using Entropy.Simulator;
using Entropy.Tests.Metadata;

namespace Entropy.Tests.Registration;

/// <summary>
/// Runtimes the SDK does not support are refused when the client connects, and runtime values of an unexpected shape are a
/// <see cref="MetadataException"/> naming pallet, item and field. The chain is the simulator serving altered metadata
/// (<c>SimulatedChainOptions.ServedMetadata</c>): the real v0.0.11 metadata (entropy-core <c>release/v0.0.11</c>, the same file as
/// the other fixtures), or a v0.0.10 / d7a7f3c2 fixture with one type id replaced.
/// </summary>
public class RuntimeShapeTests
{
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(30);

    [Test]
    public async Task ConnectAsync_V0011Runtime_IsRefusedAtConnectNamingTheShapeFoundAndTheSupportedRuntimes()
    {
        // v0.0.11 (pallets/registry/src/lib.rs @ release/v0.0.11): Registered: StorageMap<Blake2_128Concat, VerifyingKey, RegisteredInfo>;
        // KeyVisibility { Public, Private } — no Permissioned.
        var v11 = File.ReadAllBytes(TestData.Path("metadata", "entropy-v0.0.11.scale"));
        Assert.That(EntropyPallets.RegistrationName(RuntimeMetadata.Parse(v11)), Is.EqualTo("Registry"), "the fixture is the real v0.0.11 metadata");

        var e = await ConnectRefusedAsync(SimulatedRuntime.V0010, _ => v11);

        Assert.Multiple(() =>
        {
            Assert.That(e.Message, Does.Contain("Registry.Registered is a map keyed by BoundedVec<u8>"));
            Assert.That(e.Message, Does.Contain("not a map keyed by the signature-request account (AccountId32)"));
            Assert.That(e.Message, Does.Contain("KeyVisibility: Public, Private)"));
            Assert.That(e.Message, Does.Contain("entropy-core v0.0.10 (pallet Relayer)").And.Contain("d7a7f3c2 (pallet Registry)"));
        });
    }

    [TestCase(SimulatedRuntime.V0010, "Relayer")]
    [TestCase(SimulatedRuntime.Registry20240321, "Registry")]
    public async Task ConnectAsync_RegisteredKeyedByVerifyingKey_IsRefusedAtConnect(SimulatedRuntime runtime, string pallet)
    {
        // Only the key of Registered changes: the supported runtime's own RegisteringDetails.verifying_key type (BoundedVec<u8>) replaces AccountId32.
        var e = await ConnectRefusedAsync(runtime, bytes =>
        {
            var metadata = RuntimeMetadata.Parse(bytes);
            return MetadataPatch.StorageKeyType(bytes, "Registered", VerifyingKeyType(metadata, pallet));
        });

        Assert.Multiple(() =>
        {
            Assert.That(e.Message, Does.Contain($"{pallet}.Registered is a map keyed by BoundedVec<u8>"));
            Assert.That(e.Message, Does.Contain("KeyVisibility: Public, Permissioned, Private)"));
            Assert.That(e.Message, Does.Contain(RegistrationRuntime.SupportedRuntimes));
        });
    }

    [TestCase(SimulatedRuntime.V0010, "Relayer")]
    [TestCase(SimulatedRuntime.Registry20240321, "Registry")]
    public async Task GetRegistrationAsync_KeyVisibilityOfAnotherType_IsAMetadataExceptionNamingPalletItemAndField(SimulatedRuntime runtime, string pallet)
    {
        // RegisteredInfo.key_visibility becomes a u8: //Dave's genesis registration (KeyVisibility::Public = 0x00) still decodes,
        // to the number 0 where an enum variant is read.
        var options = new SimulatedChainOptions
        {
            Runtime = runtime,
            ServedMetadata = bytes => MetadataPatch.FieldType(bytes, "RegisteredInfo", "key_visibility", MetadataPatch.U8(RuntimeMetadata.Parse(bytes))),
        };
        await using var chain = new SimulatedChain(options);
        await chain.StartAsync();
        await using var client = await EntropyClient.ConnectAsync(chain.WebSocketEndpoint);
        using var dave = Sr25519Signer.FromSecretUri("//Dave");

        var e = Assert.ThrowsAsync<MetadataException>(() => client.GetRegistrationAsync(dave.AccountId));

        Assert.That(e!.Message, Does.StartWith($"{pallet}.Registered: field 'key_visibility' is not an enum variant (found number 0)"));
    }

    [TestCase(MetadataFixtures.V10, "Relayer")]
    [TestCase(MetadataFixtures.LastOld, "Registry")]
    public void DecodeRegistering_FieldsOfAnotherType_AreMetadataExceptionsNamingTheField(string file, string pallet)
    {
        var original = MetadataFixtures.Bytes(file);
        var real = new RegistrationRuntime(MetadataFixtures.Load(file));
        var u8 = MetadataPatch.U8(real.Metadata);
        var value = EncodeRegistering(real.Metadata, pallet);
        Assert.That(real.DecodeRegistering(new AccountId(MetadataFixtures.Alice), value).Confirmations, Is.Zero, "the value decodes with the real metadata");

        string Failure(string field)
        {
            var patched = new RegistrationRuntime(RuntimeMetadata.Parse(MetadataPatch.FieldType(original, "RegisteringDetails", field, u8)));
            return Assert.Throws<MetadataException>(() => patched.DecodeRegistering(new AccountId(MetadataFixtures.Alice), value))!.Message;
        }

        Assert.Multiple(() =>
        {
            // Each replaced field encodes as one byte 0 here (empty vector, Public, None), so the value still decodes — to a number.
            Assert.That(Failure("confirmations"), Does.StartWith($"{pallet}.Registering: field 'confirmations' is not bytes (found number 0)"));
            Assert.That(Failure("key_visibility"), Does.StartWith($"{pallet}.Registering: field 'key_visibility' is not an enum variant (found number 0)"));
            Assert.That(Failure("verifying_key"), Does.StartWith($"{pallet}.Registering: field 'verifying_key' is not an Option (found number 0)"));
        });
    }

    [TestCase(MetadataFixtures.V10, "Relayer")]
    [TestCase(MetadataFixtures.LastOld, "Registry")]
    public void DecodeRegistered_ProgramsDataWithoutAPointer_IsAMetadataExceptionNamingTheField(string file, string pallet)
    {
        // ProgramInstance.program_pointer becomes a u8: an empty-config instance then reads as a composite whose pointer is a number.
        var original = MetadataFixtures.Bytes(file);
        var metadata = MetadataFixtures.Load(file);
        var patched = new RegistrationRuntime(RuntimeMetadata.Parse(MetadataPatch.FieldType(original, "ProgramInstance", "program_pointer", MetadataPatch.U8(metadata))));
        // RegisteredInfo (pallets/relayer @ a9463b08, pallets/registry @ d7a7f3c2): key_visibility (Public), verifying_key (empty),
        // programs_data (one instance: pointer — now a u8 — 7, empty config), program_modification_account, and from d7a7f3c2 version_number.
        byte[] value = [0x00, 0x00, 0x04, 0x07, 0x00, .. MetadataFixtures.Alice, .. pallet == "Registry" ? new byte[] { 1 } : []];

        var e = Assert.Throws<MetadataException>(() => patched.DecodeRegistered(new AccountId(MetadataFixtures.Alice), value, null, null));

        Assert.That(e!.Message, Does.StartWith($"{pallet}.Registered: field 'programs_data[0].program_pointer' is not bytes (found number 7)"));
    }

    private static async Task<MetadataException> ConnectRefusedAsync(SimulatedRuntime runtime, Func<byte[], byte[]> serve)
    {
        await using var chain = new SimulatedChain(new SimulatedChainOptions { Runtime = runtime, ServedMetadata = serve });
        await chain.StartAsync();
        var options = new EntropyClientOptions();
        options.Rpc.ConnectTimeout = s_connectTimeout;
        var started = System.Diagnostics.Stopwatch.StartNew();

        var e = Assert.ThrowsAsync<MetadataException>(() => EntropyClient.ConnectAsync(chain.WebSocketEndpoint, options));

        Assert.That(started.Elapsed, Is.LessThan(s_connectTimeout), "refused from the metadata, not after a timeout");
        return e!;
    }

    private static int VerifyingKeyType(RuntimeMetadata metadata, string pallet)
    {
        var details = (CompositeDefinition)metadata.Types[metadata.GetStorageEntry(pallet, "Registering").ValueTypeId].Definition;
        var option = (VariantDefinition)metadata.Types[details.Fields.Single(f => f.Name == "verifying_key").TypeId].Definition;
        return option.FindByName("Some")!.Fields[0].TypeId;
    }

    private static byte[] EncodeRegistering(RuntimeMetadata metadata, string pallet)
    {
        var entry = metadata.GetStorageEntry(pallet, "Registering");
        var definition = (CompositeDefinition)metadata.Types[entry.ValueTypeId].Definition;
        var fields = definition.Fields.Select(f => f.Name switch
        {
            "program_modification_account" => (f.Name, (ScaleValue)ScaleValue.Bytes(MetadataFixtures.Alice)),
            "confirmations" => (f.Name, ScaleValue.Bytes([])),
            "programs_data" => (f.Name, ScaleValue.Sequence(ScaleValue.Named(("program_pointer", ScaleValue.Bytes(new byte[32])), ("program_config", ScaleValue.Bytes([]))))),
            "key_visibility" => (f.Name, ScaleValue.Variant("Public")),
            "verifying_key" => (f.Name, ScaleValue.None),
            "version_number" => (f.Name, ScaleValue.Number(1)),
            var other => throw new AssertionException($"unexpected RegisteringDetails field {other}"),
        }).Select(x => (x.Name!, x.Item2)).ToArray();
        return metadata.Types.Encode(entry.ValueTypeId, ScaleValue.Named(fields));
    }
}
