using Entropy.Crypto;
using Entropy.Protocol;
using Entropy.Simulator.ThresholdServers;

namespace Entropy.Tests.Simulator.ThresholdServers;

public class ThresholdServerKeysTests
{
    // PROTOCOL.md §10 dev table (entropy-core a9463b08 node/cli/src/chain_spec/mod.rs and crates/testing-utils/src/constants.rs).
    [TestCase("alarm mutual concert decrease hurry invest culture survey diagram crash snap click", "e0543c102def9f6ef0e8b8ffa31aa259167a9391566929fd718a1ccdaabdb876", "0ac029f0b853b23bed652d6d0de69b7cc38d94f93732eefc85b5861e90f73a22")]
    [TestCase("where sight patient orphan general short empower hope party hurt month voice", "2a8200850770290c7ea3b50a8ff64c6761c882ff8393dc95fccb5d1475eff17f", "e13087d3e3d5aa1501bd769eff57f55924aaa9b544c9d2b2edf765509988660a")]
    [TestCase("lake carry still awful point mention bike category tornado plate brass lock", "14d223daeec68671f07298c66c9458980a48bb89fb8a85d5df31131acad8d611", "f5de63c959e377ec8ed94aab3aa28ca50768d224c4e3d0feaf64e232ef548d0d")]
    public void DeriveX25519PublicKey_DevTssMnemonics_MatchChainSpec(string mnemonic, string sr25519Hex, string x25519Hex)
    {
        using var pair = Sr25519KeyPair.FromMnemonic(mnemonic);
        Assert.That(Convert.ToHexStringLower(pair.PublicKey.ToArray()), Is.EqualTo(sr25519Hex));
        Assert.That(Convert.ToHexStringLower(ThresholdServerKeys.DeriveX25519PublicKey(pair)), Is.EqualTo(x25519Hex));
    }

    [Test]
    public void DeriveX25519StaticSecret_HashesUnscaledLayout_NotPolkadotJsLayout()
    {
        // PROTOCOL.md §6.1: hashing the scaled (·8) layout gives c9d5e8fe…b5868f49 for TSS Alice, which is wrong.
        using var pair = Sr25519KeyPair.FromMnemonic("alarm mutual concert decrease hurry invest culture survey diagram crash snap click");
        string x25519 = Convert.ToHexStringLower(ThresholdServerKeys.DeriveX25519PublicKey(pair));
        Assert.That(x25519, Does.Not.StartWith("c9d5e8fe"));
    }
}
