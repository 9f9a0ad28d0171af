using Entropy.Protocol.Dkg;
using Entropy.Simulator.ThresholdServers.StandIn;
using Entropy.Scale;

namespace Entropy.Tests.Simulator.ThresholdServers.StandIn;

public class DkgMessageCodecTests
{
    [Test]
    public void EncodeShare_MatchesScaleLayout()
    {
        using var message = new ShareMessage
        {
            SessionId = Enumerable.Repeat((byte)0xAA, 32).ToArray(),
            Sender = 1,
            Recipient = 0x0302,
            Transcript = Enumerable.Repeat((byte)0xBB, 32).ToArray(),
            Share = Enumerable.Repeat((byte)0x11, 32).ToArray(),
        };

        var bytes = DkgMessageCodec.Encode(message);

        // SCALE: variant index 1, [u8; 32], u32 LE, u32 LE, [u8; 32], [u8; 32].
        var expected = "01" + new string('a', 64) + "01000000" + "02030000" + new string('b', 64) + new string('1', 64);
        Assert.That(Convert.ToHexStringLower(bytes), Is.EqualTo(expected));
        using var decoded = DkgMessageCodec.DecodeShare(bytes);
        Assert.That(decoded.Recipient, Is.EqualTo(0x0302u));
    }

    [Test]
    public void EncodeCommitments_MatchesScaleLayout()
    {
        var point = Convert.FromHexString("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
        var message = new CommitmentsMessage
        {
            SessionId = new byte[32],
            Sender = 2,
            Commitments = [point, point],
            ProofR = point,
            ProofMu = Enumerable.Repeat((byte)0x22, 32).ToArray(),
        };

        var bytes = DkgMessageCodec.Encode(message);

        // SCALE: variant 0, [u8; 32], u32 LE, Vec<[u8; 33]> with compact length 2 = 0x08, [u8; 33], [u8; 32].
        var hexPoint = Convert.ToHexStringLower(point);
        var expected = "00" + new string('0', 64) + "02000000" + "08" + hexPoint + hexPoint + hexPoint + new string('2', 64);
        Assert.That(Convert.ToHexStringLower(bytes), Is.EqualTo(expected));
        Assert.That(DkgMessageCodec.DecodeCommitments(bytes, 2).Commitments, Has.Length.EqualTo(2));
    }

    [Test]
    public void DecodeCommitments_NonCanonicalCompactLength_Throws()
    {
        var point = new byte[33];
        // Length 2 written in the two-byte compact form (0x09 0x00) instead of the single byte 0x08.
        byte[] bytes = [0, .. new byte[32], 2, 0, 0, 0, 0x09, 0x00, .. point, .. point, .. point, .. new byte[32]];

        Assert.That(() => DkgMessageCodec.DecodeCommitments(bytes, 2), Throws.TypeOf<ScaleFormatException>());
    }

    [Test]
    public void SessionId_DependsOnBlockAndAccountButNotCommitteeOrder()
    {
        var parties = DkgTestNetwork.RandomParties(3);
        var user = DkgTestNetwork.RandomBytes(32);
        var a = DkgSessionContext.Create(user, 5, parties);
        var reversed = DkgSessionContext.Create(user, 5, Enumerable.Reverse(parties));
        var nextBlock = DkgSessionContext.Create(user, 6, parties);
        var otherUser = DkgSessionContext.Create(DkgTestNetwork.RandomBytes(32), 5, parties);

        Assert.That(reversed.SessionId.ToArray(), Is.EqualTo(a.SessionId.ToArray()));
        Assert.That(nextBlock.SessionId.ToArray(), Is.Not.EqualTo(a.SessionId.ToArray()));
        Assert.That(otherUser.SessionId.ToArray(), Is.Not.EqualTo(a.SessionId.ToArray()));
        Assert.That(a.Parties, Is.Ordered);
    }

    [Test]
    public void Create_DuplicateOrTooFewParties_Throws()
    {
        var one = DkgTestNetwork.RandomParties(1);

        Assert.That(() => DkgSessionContext.Create(new byte[32], 1, one), Throws.ArgumentException);
        Assert.That(() => DkgSessionContext.Create(new byte[32], 1, [one[0], one[0]]), Throws.ArgumentException);
        Assert.That(() => DkgSessionContext.Create(new byte[31], 1, DkgTestNetwork.RandomParties(2)), Throws.ArgumentException);
    }

    [Test]
    public void PartyId_OrdersByBytesAndPrintsHex()
    {
        var low = new byte[32];
        var high = new byte[32];
        low[31] = 0xFF;
        high[0] = 0x01;

        Assert.That(new PartyId(low), Is.LessThan(new PartyId(high)));
        Assert.That(new PartyId(high).ToString(), Is.EqualTo("0x01" + new string('0', 62)));
        Assert.That(new PartyId(high).ToArray(), Is.EqualTo(high));
        Assert.That(() => new PartyId(new byte[31]), Throws.ArgumentException);
    }
}
