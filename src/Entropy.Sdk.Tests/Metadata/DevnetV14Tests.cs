using Entropy.Metadata;
using static Entropy.Tests.Metadata.MetadataFixtures;

namespace Entropy.Tests.Metadata;

/// <summary>The 2023 devnet runtime (spec 267, metadata V14) that chopsticks runs (SUBSTRATE.md, "A real Substrate node").</summary>
public class DevnetV14Tests
{
    private static RuntimeMetadata Metadata => MetadataFixtures.Load(DevnetV14);

    [Test]
    public void Parse_DevnetFile_IsV14WithExtrinsicTypeParameters()
    {
        Assert.That(Metadata.Version, Is.EqualTo(14));
        Assert.That(Metadata.Extrinsic.Version, Is.EqualTo(4));
        Assert.That(Metadata.Types.GetDisplayName(Metadata.Extrinsic.ExtrinsicTypeId!.Value), Does.StartWith("UncheckedExtrinsic<"));
        Assert.That(Metadata.Types[Metadata.Extrinsic.AddressTypeId!.Value].Path[^1], Is.EqualTo("MultiAddress"));
        Assert.That(Metadata.Types[Metadata.Extrinsic.SignatureTypeId!.Value].Path[^1], Is.EqualTo("MultiSignature"));
        Assert.That(Metadata.Types[Metadata.Extrinsic.CallTypeId!.Value].Path[^1], Is.EqualTo("RuntimeCall"));
    }

    [Test]
    public void SignedExtensions_Devnet_MatchSubstrateMd()
    {
        // SUBSTRATE.md: "spec 267, tx 2, metadata v14, with signed extensions … ValidateElectricityPayment (the last one encodes empty)".
        Assert.That(Metadata.Extrinsic.SignedExtensions.Select(e => e.Identifier), Is.EqualTo(new[]
        {
            "CheckSpecVersion", "CheckTxVersion", "CheckGenesis", "CheckMortality", "CheckNonce", "CheckWeight",
            "ChargeTransactionPayment", "ValidateElectricityPayment",
        }));
        var electricity = Metadata.Extrinsic.SignedExtensions[^1];
        Assert.That(electricity.IsExtraZeroSized && electricity.IsAdditionalSignedZeroSized, Is.True);
        Assert.That(Metadata.Types.IsZeroSized(electricity.ExtraTypeId), Is.True);
    }

    [Test]
    public void EncodeCall_BalancesTransferToBob_MatchesSubstrateLayout()
    {
        // pallet_balances::transfer is call 0; dest is MultiAddress::Id (variant 0), value is Compact<u128> (12345 → 0xe5c0, SUBSTRATE.md §3).
        var data = Metadata.EncodeCall("Balances", "transfer", ScaleValue.Named(
            ("dest", ScaleValue.Variant("Id", ScaleValue.Bytes(Bob))),
            ("value", ScaleValue.Number(12345))));
        Assert.That(Convert.ToHexStringLower(data), Is.EqualTo("0700008eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48e5c0"));
        var keepAlive = Metadata.EncodeCall("Balances", "transfer_keep_alive", ScaleValue.Unnamed(ScaleValue.Variant("Id", ScaleValue.Bytes(Bob)), ScaleValue.Number(12345)));
        Assert.That(Convert.ToHexStringLower(keepAlive), Is.EqualTo("0703008eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48e5c0"));
    }

    [Test]
    public void StorageKey_SystemAccountAlice_MatchesPolkadotJs()
    {
        // SUBSTRATE.md §6.1 (c).
        Assert.That(Convert.ToHexStringLower(Metadata.StorageKey("System", "Account", ScaleValue.Bytes(Alice))), Is.EqualTo(
            "26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9de1e86a9a8c739864cf3cc5ec2bea59fd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"));
    }

    [Test]
    public void DecodeStorageValue_SystemAccountAbsent_GivesZeroAccountInfo()
    {
        var info = (CompositeValue)Metadata.DecodeStorageValue("System", "Account", null)!;
        Assert.That(info["nonce"].AsNumber(), Is.EqualTo(System.Numerics.BigInteger.Zero));
        Assert.That(((CompositeValue)info["data"])["free"].AsNumber(), Is.EqualTo(System.Numerics.BigInteger.Zero));
    }
}
