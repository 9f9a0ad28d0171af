using Entropy.Protocol.Dkg;
using Entropy.Simulator.ThresholdServers.StandIn;
using NBitcoin.Secp256k1;

namespace Entropy.Tests.Simulator.ThresholdServers.StandIn;

public class Secp256k1GroupTests
{
    // Multiples of the secp256k1 generator, SEC 2 v2 §2.4.1 (G) and the widely published table of k·G for small k.
    [TestCase(1u, "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")]
    [TestCase(2u, "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5")]
    [TestCase(3u, "02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9")]
    public void EncodePoint_SmallMultiplesOfG_MatchPublishedValues(uint k, string expected)
    {
        var point = Secp256k1Group.MultiplyGenerator(new Scalar(k));

        Assert.That(Convert.ToHexStringLower(Secp256k1Group.EncodePoint(point)), Is.EqualTo(expected));
    }

    [Test]
    public void TryReadPoint_RejectsUncompressedOffCurveAndWrongLength()
    {
        var g = Convert.FromHexString("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
        // x = 5 is not the x coordinate of any point: 125 + 7 = 132 is not a square modulo p.
        var offCurve = new byte[33];
        offCurve[0] = 0x02;
        offCurve[32] = 5;

        Assert.That(Secp256k1Group.TryReadPoint(g, out _), Is.True);
        Assert.That(Secp256k1Group.TryReadPoint(g[..32], out _), Is.False);
        Assert.That(Secp256k1Group.TryReadPoint([0x04, .. g[1..]], out _), Is.False);
        Assert.That(Secp256k1Group.TryReadPoint(new byte[33], out _), Is.False);
        Assert.That(Secp256k1Group.TryReadPoint(offCurve, out _), Is.False);
    }

    [Test]
    public void TryReadScalar_GroupOrder_IsRejected()
    {
        // n, SEC 2 v2 §2.4.1.
        var order = Convert.FromHexString("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
        var belowOrder = Convert.FromHexString("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140");

        Assert.That(Secp256k1Group.TryReadScalar(order, out _), Is.False);
        Assert.That(Secp256k1Group.TryReadScalar(belowOrder, out _), Is.True);
    }

    [TestCase(2)]
    [TestCase(3)]
    [TestCase(5)]
    public void LagrangeAtZero_SumsToOne_AndMatchesTwoPartyValues(int n)
    {
        var sum = Scalar.Zero;
        for (int i = 1; i <= n; i++)
        {
            sum = sum.Add(Secp256k1Group.LagrangeAtZero(i, n));
        }

        // Σ λ_i = 1 (the constant polynomial 1 interpolates to 1); for n = 2: λ_1 = 2, λ_2 = −1.
        Assert.That(sum.IsOne, Is.True);
        Assert.That(Secp256k1Group.LagrangeAtZero(1, 2), Is.EqualTo(new Scalar(2u)));
        Assert.That(Secp256k1Group.LagrangeAtZero(2, 2), Is.EqualTo(Scalar.MinusOne));
    }

    [Test]
    public void TaggedHash_IsBip340Construction()
    {
        // BIP-340: hash_tag(x) = SHA256(SHA256(tag) ‖ SHA256(tag) ‖ x).
        var tagHash = System.Security.Cryptography.SHA256.HashData("BIP0340/challenge"u8);
        var expected = System.Security.Cryptography.SHA256.HashData([.. tagHash, .. tagHash, 1, 2, 3]);

        Assert.That(Secp256k1Group.TaggedHash("BIP0340/challenge", [1, 2, 3]), Is.EqualTo(expected));
    }
}
