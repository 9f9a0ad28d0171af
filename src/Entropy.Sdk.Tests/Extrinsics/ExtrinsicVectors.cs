namespace Entropy.Tests.Extrinsics;

/// <summary>Extrinsic vectors from SUBSTRATE.md (computed with @polkadot/types 16.5.6 and @scure/sr25519 2.3.0).</summary>
internal static class ExtrinsicVectors
{
    public const string AlicePublic = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
    public const string BobPublic = "8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48";

    /// <summary>Alice's sr25519 mini secret (SUBSTRATE.md §4, §6.1 f).</summary>
    public const string AliceMiniSecret = "e5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a";

    // SUBSTRATE.md "Entropy v0.0.10 vectors": register(Bob, Public, [{0x00..00, []}]).
    public const string RegisterCall = "3300" + BobPublic + "0004" + "0000000000000000000000000000000000000000000000000000000000000000" + "00";

    // spec 10, tx 4, genesis 0x11.., birth 0x22.., era(100,64), nonce 5, tip 0.
    public const string RegisterPayload =
        "33008eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a480004000000000000000000000000000000000000000000000000000000000000000000"
        + "450214000a0000000400000011111111111111111111111111111111111111111111111111111111111111112222222222222222222222222222222222222222222222222222222222222222";

    public const string RegisterSignature =
        "1a8a682498b9c09c2cb919eea52347dd8a0fed51573053405386cdce7adc65469155739ea48dcfe1a36da3d115ba0ccf9f9da2f7b830e5d3e41a3cd9ccd4268b";

    public const string RegisterExtrinsic =
        "b1028400d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d011a8a682498b9c09c2cb919eea52347dd8a0fed51573053405386cdce7adc65469155739ea48dcfe1a36da3d115ba0ccf9f9da2f7b830e5d3e41a3cd9ccd4268b4502140033008eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a480004000000000000000000000000000000000000000000000000000000000000000000";

    public const string RegisterExtrinsicHash = "3ce5aec3d6ddc7707a9f67ace424a2275c8ba1f74bdfa2defefe1386c4c51492";

    // SUBSTRATE.md §6.1 (e): static substrate metadata (spec 268, tx 2), balances.transferKeepAlive(Bob, 12345), era(100, 64), nonce 5, tip 1000.
    public const string SubstrateTransferCall = "060300" + BobPublic + "e5c0";

    public const string SubstrateTransferPayload =
        SubstrateTransferCall + "4502" + "14" + "a10f" + "00" + "00" + "0c010000" + "02000000"
        + "1111111111111111111111111111111111111111111111111111111111111111"
        + "2222222222222222222222222222222222222222222222222222222222222222" + "00";

    public const string SubstrateTransferSr25519Extrinsic =
        "3d028400d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d015ea4c49ae19c9efcd62cdfeab5b6a3665939ebaf3a5d7083130c2f8930cd393d943abd1ccd89cde6d535c280ad4a9d86faad7ba30ec45ec295f20c999083b78e450214a10f00000603008eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48e5c0";

    public static byte[] Filled(byte value) => Enumerable.Repeat(value, 32).ToArray();

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);
}
