using Entropy.Metadata;
using static Entropy.Tests.Metadata.MetadataFixtures;

namespace Entropy.Tests.Metadata;

/// <summary>
/// Byte-for-byte vectors from SUBSTRATE.md ("Entropy v0.0.10 vectors" and "Same calls against …d7a7f3c2.scale"), computed there with
/// @polkadot/types 16.5.6 from the same metadata files. polkadot-js prints storage keys with a compact length prefix, stripped here.
/// The same calling code runs against both V15 runtimes (pallet Relayer in v0.0.10, Registry in 2024-03-21).
/// </summary>
[TestFixture(V10)]
[TestFixture(LastOld)]
public class EntropyVectorTests
{
    private readonly string _file;
    private RuntimeMetadata _metadata = null!;
    private string _registry = null!;

    public EntropyVectorTests(string file) => _file = file;

    [OneTimeSetUp]
    public void Load()
    {
        _metadata = MetadataFixtures.Load(_file);
        _registry = EntropyPallets.RegistrationName(_metadata);
    }

    private static CompositeValue Program(byte[] pointer, byte[] config) =>
        ScaleValue.Named(("program_pointer", ScaleValue.Bytes(pointer)), ("program_config", ScaleValue.Bytes(config)));

    [Test]
    public void Parse_V15File_HasVersion15()
    {
        Assert.That(_metadata.Version, Is.EqualTo(15));
        Assert.That(_registry, Is.EqualTo(_file == V10 ? "Relayer" : "Registry"));
    }

    [Test]
    public void EncodeCall_RegisterBobPublic_MatchesPolkadotJs()
    {
        var data = _metadata.EncodeCall(_registry, "register", ScaleValue.Named(
            ("program_modification_account", ScaleValue.Bytes(Bob)),
            ("key_visibility", ScaleValue.Variant("Public")),
            ("programs_data", ScaleValue.Sequence(Program(new byte[32], [])))));
        Assert.That(Convert.ToHexStringLower(data), Is.EqualTo(
            "33008eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a480004000000000000000000000000000000000000000000000000000000000000000000"));
    }

    [Test]
    public void EncodeCall_RegisterAlicePrivate_MatchesPolkadotJs()
    {
        var data = _metadata.EncodeCall(_registry, "register", ScaleValue.Named(
            ("program_modification_account", ScaleValue.Bytes(Alice)),
            ("key_visibility", ScaleValue.Variant("Private", ScaleValue.Bytes(Repeat(0xab, 32)))),
            ("programs_data", ScaleValue.Sequence(Program(Repeat(1, 32), "{}"u8.ToArray()), Program(Repeat(2, 32), [])))));
        Assert.That(Convert.ToHexStringLower(data), Is.EqualTo(
            "3300d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d02abababababababababababababababababababababababababababababababab080101010101010101010101010101010101010101010101010101010101010101087b7d020202020202020202020202020202020202020202020202020202020202020200"));
    }

    [Test]
    public void EncodeCall_RegisterAlicePermissioned_MatchesPolkadotJs()
    {
        // camelCase names (as polkadot-js prints them) resolve to the snake_case metadata names.
        var data = _metadata.EncodeCall(_registry, "register", ScaleValue.Named(
            ("programModificationAccount", ScaleValue.Bytes(Alice)),
            ("keyVisibility", ScaleValue.Variant("Permissioned")),
            ("programsData", ScaleValue.Sequence(Program(new byte[32], [])))));
        Assert.That(Convert.ToHexStringLower(data), Is.EqualTo(
            "3300d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d0104000000000000000000000000000000000000000000000000000000000000000000"));
    }

    [Test]
    public void EncodeCall_PruneRegistration_MatchesPolkadotJs()
    {
        Assert.That(Convert.ToHexStringLower(_metadata.EncodeCall(_registry, "prune_registration")), Is.EqualTo("3301"));
        Assert.That(Convert.ToHexStringLower(_metadata.EncodeCall(_registry, "pruneRegistration")), Is.EqualTo("3301"));
    }

    [Test]
    public void EncodeCall_ConfirmRegister_MatchesPolkadotJs()
    {
        var g = Hex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
        var data = _metadata.EncodeCall(_registry, "confirm_register",
            ScaleValue.Unnamed(ScaleValue.Bytes(Alice), ScaleValue.Number(1), ScaleValue.Bytes(g)));
        Assert.That(Convert.ToHexStringLower(data), Is.EqualTo(
            "3303d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d01840279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"));
    }

    [Test]
    public void DecodeCall_RegisterPrivate_RoundTrips()
    {
        var bytes = Hex("3300d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d02abababababababababababababababababababababababababababababababab080101010101010101010101010101010101010101010101010101010101010101087b7d020202020202020202020202020202020202020202020202020202020202020200");
        var call = _metadata.DecodeCall(bytes);
        Assert.That(call.Pallet.Name, Is.EqualTo(_registry));
        Assert.That(call.Name, Is.EqualTo("register"));
        Assert.That(call.Arguments["program_modification_account"].AsBytes(), Is.EqualTo(Alice));
        Assert.That(((VariantValue)call.Arguments["key_visibility"]).Name, Is.EqualTo("Private"));
        var programs = (SequenceValue)call.Arguments["programs_data"].Unwrap();
        Assert.That(programs, Has.Count.EqualTo(2));
        Assert.That(((CompositeValue)programs[0])["program_config"].AsBytes(), Is.EqualTo("{}"u8.ToArray()));
        Assert.That(_metadata.EncodeCall(_registry, call.Name, call.Arguments), Is.EqualTo(bytes));
    }

    [TestCase("Registering", "3f3f59ead37ab831f2bfa6c14dc12ab5")]
    [TestCase("Registered", "42b4cbaa004504f78182d96fe2ef2ea6")]
    public void StorageKey_RegistrationMapOfAlice_MatchesPolkadotJs(string item, string itemHash)
    {
        var palletHash = _file == V10 ? "0547bb1f7973a07fd94e01a0d0dcd16a" : "8a493ef65ff3987a1fbc9979200ad1af";
        var key = _metadata.StorageKey(_registry, item, ScaleValue.Bytes(Alice));
        Assert.That(Convert.ToHexStringLower(key), Is.EqualTo(
            palletHash + itemHash + "de1e86a9a8c739864cf3cc5ec2bea59fd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"));
        var keys = _metadata.DecodeStorageKey(_registry, item, key);
        Assert.That(keys[0]!.AsBytes(), Is.EqualTo(Alice));
    }

    [Test]
    public void StorageKey_Dkg7_MatchesPolkadotJs()
    {
        var palletHash = _file == V10 ? "0547bb1f7973a07fd94e01a0d0dcd16a" : "8a493ef65ff3987a1fbc9979200ad1af";
        var key = _metadata.StorageKey(_registry, "Dkg", ScaleValue.Number(7));
        Assert.That(Convert.ToHexStringLower(key), Is.EqualTo(
            palletHash + "b1719bf3ad3a4bb7d8557e23eb33edbd99850724010e3222888eeb8478c9ffd307000000"));
        Assert.That(_metadata.DecodeStorageKey(_registry, "Dkg", key)[0]!.AsNumber(), Is.EqualTo(new System.Numerics.BigInteger(7)));
    }

    [Test]
    public void StorageKey_StakingExtensionAndProgramsAndSystem_MatchPolkadotJs()
    {
        Assert.That(Convert.ToHexStringLower(_metadata.StorageKey("StakingExtension", "SigningGroups", ScaleValue.Number(1))), Is.EqualTo(
            "ebdeae436e3f7a63d02b7bc7c9ee6fa0bff589e060bab813a0a6326aa50610e14a9e6f9b8d43f6ad008f8c291929dee201"));
        Assert.That(Convert.ToHexStringLower(_metadata.StorageKey("StakingExtension", "ThresholdServers", ScaleValue.Bytes(Alice))), Is.EqualTo(
            "ebdeae436e3f7a63d02b7bc7c9ee6fa008115f6b9e1cfdbb8d879cede7dd41dfde1e86a9a8c739864cf3cc5ec2bea59fd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"));
        Assert.That(Convert.ToHexStringLower(_metadata.StorageKey("Programs", "Programs", ScaleValue.Bytes(new byte[32]))), Is.EqualTo(
            "76275cbb89a8a64373fd9c22e8b4169b76275cbb89a8a64373fd9c22e8b4169bff0f22492f44bac4c4b30ae58d0e8daa0000000000000000000000000000000000000000000000000000000000000000"));
        // SUBSTRATE.md §6.1 (c).
        Assert.That(Convert.ToHexStringLower(_metadata.StorageKey("System", "Account", ScaleValue.Bytes(Alice))), Is.EqualTo(
            "26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9de1e86a9a8c739864cf3cc5ec2bea59fd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"));
    }

    [Test]
    public void Pallets_Indices_MatchSubstrateMd()
    {
        var expected = _file == V10
            ? "System=1 Utility=2 Babe=3 Timestamp=4 Authorship=5 Indices=6 Balances=7 TransactionPayment=8 ElectionProviderMultiPhase=9 Staking=11 StakingExtension=12 Session=20 Democracy=21 Council=22 TechnicalCommittee=23 Elections=24 TechnicalMembership=25 Grandpa=30 Treasury=31 Sudo=32 ImOnline=33 AuthorityDiscovery=34 Offences=35 Historical=36 Identity=38 Recovery=40 Vesting=41 Scheduler=42 Preimage=43 Proxy=44 Multisig=45 Bounties=46 Tips=47 TransactionStorage=48 BagsList=49 NominationPools=50 Relayer=51 Slashing=52 Programs=53 TransactionPause=54 FreeTx=55 Propagation=56"
            : "System=1 Utility=2 Babe=3 Timestamp=4 Authorship=5 Indices=6 Balances=7 TransactionPayment=8 ElectionProviderMultiPhase=9 Staking=11 StakingExtension=12 Session=20 Democracy=21 Council=22 TechnicalCommittee=23 Elections=24 TechnicalMembership=25 Grandpa=30 Treasury=31 Sudo=32 ImOnline=33 AuthorityDiscovery=34 Offences=35 Historical=36 Identity=38 Recovery=40 Vesting=41 Scheduler=42 Preimage=43 Proxy=44 Multisig=45 Bounties=46 Tips=47 TransactionStorage=48 BagsList=49 NominationPools=50 Registry=51 Slashing=52 Programs=53 TransactionPause=54 Propagation=55 Parameters=56";
        Assert.That(string.Join(' ', _metadata.Pallets.Select(p => $"{p.Name}={p.Index}")), Is.EqualTo(expected));
    }

    [Test]
    public void SignedExtensions_List_MatchesSubstrateMd()
    {
        string[] expected = _file == V10
            ? ["CheckSpecVersion", "CheckTxVersion", "CheckGenesis", "CheckMortality", "CheckNonce", "CheckWeight", "ChargeTransactionPayment", "ValidateElectricityPayment", "ValidateConfirmRegistered"]
            : ["CheckSpecVersion", "CheckTxVersion", "CheckGenesis", "CheckMortality", "CheckNonce", "CheckWeight", "ChargeTransactionPayment", "ValidateConfirmRegistered"];
        var extensions = _metadata.Extrinsic.SignedExtensions;
        Assert.That(extensions.Select(e => e.Identifier), Is.EqualTo(expected));

        // Extra is era ‖ Compact(nonce) ‖ Compact(tip); additional is spec ‖ tx ‖ genesis ‖ birth hash; the rest encode to nothing (SUBSTRATE.md §3).
        string[] withExtra = ["CheckMortality", "CheckNonce", "ChargeTransactionPayment"];
        string[] withAdditional = ["CheckSpecVersion", "CheckTxVersion", "CheckGenesis", "CheckMortality"];
        Assert.That(extensions.Where(e => !e.IsExtraZeroSized).Select(e => e.Identifier), Is.EqualTo(withExtra));
        Assert.That(extensions.Where(e => !e.IsAdditionalSignedZeroSized).Select(e => e.Identifier), Is.EqualTo(withAdditional));
        Assert.That(_metadata.Extrinsic.Version, Is.EqualTo(4));
    }
}
