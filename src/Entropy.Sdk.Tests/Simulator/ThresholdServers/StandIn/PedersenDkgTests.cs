using CsCheck;
using Entropy.Protocol.Dkg;
using Entropy.Simulator.ThresholdServers.StandIn;
using Entropy.Tests.Protocol;
using NBitcoin.Secp256k1;

namespace Entropy.Tests.Simulator.ThresholdServers.StandIn;

public class PedersenDkgTests
{
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(4)]
    [TestCase(5)]
    [TestCase(6)]
    [TestCase(7)]
    public void Run_CommitteeOfN_AllAgreeOnKeyAndSharesCombineToIt(int n)
    {
        using var network = new DkgTestNetwork(n);
        network.Run();

        Assert.That(network.Failures, Is.Empty);
        var results = network.TakeResults();
        try
        {
            var key = results.Values.First().VerifyingKey.ToArray();
            var share = new byte[32];
            Assert.That(key, Has.Length.EqualTo(33));
            Assert.That(key[0], Is.EqualTo(0x02).Or.EqualTo(0x03));
            foreach (var result in results.Values)
            {
                Assert.That(result.VerifyingKey.ToArray(), Is.EqualTo(key));
                result.SecretShare.CopyTo(share);
                Assert.That(result.VerificationShare.ToArray(), Is.EqualTo(KeyShareMath.ScalarTimesG(share)));
                foreach (var other in results.Values)
                {
                    Assert.That(other.GetVerificationShare(result.Self).ToArray(), Is.EqualTo(result.VerificationShare.ToArray()));
                }
            }

            Assert.That(DkgTestNetwork.CombineShares(results.Values), Is.EqualTo(key));
        }
        finally
        {
            foreach (var r in results.Values)
            {
                r.Dispose();
            }
        }
    }

    [Test]
    public void Run_SharesOvertakeCommitments_StillCompletes()
    {
        using var network = new DkgTestNetwork(4) { LastInFirstOut = true };
        network.Run();

        Assert.That(network.Failures, Is.Empty);
        var results = network.TakeResults();
        Assert.That(DkgTestNetwork.CombineShares(results.Values), Is.EqualTo(results.Values.First().VerifyingKey.ToArray()));
        Assert.That(network.Sessions.Values.Select(s => s.State), Is.All.EqualTo(DkgSessionState.Completed));
    }

    [Test]
    public void Run_Twice_GivesDifferentKeys()
    {
        using var a = new DkgTestNetwork(2);
        using var b = new DkgTestNetwork(a.Context);
        a.Run();
        b.Run();
        Assert.That(a.TakeResults().Values.First().VerifyingKey.ToArray(), Is.Not.EqualTo(b.TakeResults().Values.First().VerifyingKey.ToArray()));
    }

    [Test]
    public void Property_AnyCommitteeSize_SharesCombineToKey()
    {
        int runs = 0;
        Gen.Int[2, 7].Sample(
            n =>
            {
                Interlocked.Increment(ref runs);
                using var network = new DkgTestNetwork(n);
                network.Run();
                var results = network.TakeResults();
                var key = results.Values.First().VerifyingKey.ToArray();
                return network.Failures.Count == 0
                    && results.Values.All(r => r.VerifyingKey.SequenceEqual(key))
                    && DkgTestNetwork.CombineShares(results.Values).AsSpan().SequenceEqual(key);
            },
            iter: 10,
            threads: 1);
        Assert.That(runs, Is.GreaterThanOrEqualTo(10)); // CsCheck throws on a counterexample.
    }

    [Test]
    public void Receive_CheatingDealer_IsNamedByEveryHonestReceiver()
    {
        using var network = new DkgTestNetwork(4);
        var cheater = network.Context.Parties[1];
        network.Interceptor = e => e.From == cheater && e.Payload[0] == (byte)DkgMessageKind.Share ? TamperShare(e.Payload) : e.Payload;

        network.Run();

        var honest = network.Context.Parties.Where(p => p != cheater).ToList();
        Assert.That(network.Failures.Keys, Is.EquivalentTo(honest));
        foreach (var party in honest)
        {
            var failure = network.Failures[party];
            Assert.That(failure.Reason, Is.EqualTo(DkgFailureReason.InconsistentShare));
            Assert.That(failure.Culprit, Is.EqualTo(cheater));
            Assert.That(failure.Message, Does.Contain(cheater.ToString()));
            Assert.That(network.Sessions[party].State, Is.EqualTo(DkgSessionState.Failed));
            Assert.That(() => network.Sessions[party].TakeResult(), Throws.InvalidOperationException);
        }
    }

    [Test]
    public void Receive_CheatingDealerWhoseShareArrivesEarly_IsNamedWhenRoundOneCompletes()
    {
        using var network = new DkgTestNetwork(3) { LastInFirstOut = true };
        var cheater = network.Context.Parties[0];
        network.Interceptor = e => e.From == cheater && e.Payload[0] == (byte)DkgMessageKind.Share ? TamperShare(e.Payload) : e.Payload;

        network.Run();

        Assert.That(network.Failures.Keys, Is.EquivalentTo(network.Context.Parties.Skip(1)));
        Assert.That(network.Failures.Values.Select(f => f.Culprit), Is.All.EqualTo(cheater));
    }

    [Test]
    public void Receive_InvalidProofOfKnowledge_IsNamed()
    {
        using var network = new DkgTestNetwork(3);
        var cheater = network.Context.Parties[2];
        network.Interceptor = e => e.From == cheater && e.Payload[0] == (byte)DkgMessageKind.Commitments ? TamperProof(e.Payload) : e.Payload;

        network.Run();

        var honest = network.Context.Parties.Where(p => p != cheater).ToList();
        Assert.That(network.Failures.Keys, Is.EquivalentTo(honest));
        Assert.That(network.Failures.Values.Select(f => f.Reason), Is.All.EqualTo(DkgFailureReason.InvalidProof));
        Assert.That(network.Failures.Values.Select(f => f.Culprit), Is.All.EqualTo(cheater));
    }

    [Test]
    public void Receive_ProofReplayedFromAnotherSession_IsRejectedAsInvalidProof()
    {
        // The same committee in the next block: the proof's challenge binds the session, so re-labelling a message fails.
        var first = DkgSessionContext.Create(DkgTestNetwork.RandomBytes(32), 10, DkgTestNetwork.RandomParties(2));
        var second = DkgSessionContext.Create(first.UserAccount, 11, first.Parties);
        using var a = PedersenDkg.Instance.CreateSession(first, first.Parties[0]);
        using var b = PedersenDkg.Instance.CreateSession(second, second.Parties[1]);
        var fromA = a.Start()[0].Payload.ToArray();
        b.Start();
        second.SessionId.CopyTo(fromA.AsSpan(DkgMessageCodec.SessionIdOffset));

        var e = Assert.Throws<DkgException>(() => b.Receive(first.Parties[0], fromA));

        Assert.That(e!.Reason, Is.EqualTo(DkgFailureReason.InvalidProof));
    }

    [Test]
    public void Receive_MessageForAnotherSession_IsRejectedAndSessionGoesOn()
    {
        using var network = new DkgTestNetwork(3);
        var otherContext = DkgSessionContext.Create(network.Context.UserAccount, network.Context.BlockNumber + 1, network.Context.Parties);
        using var other = PedersenDkg.Instance.CreateSession(otherContext, otherContext.Parties[0]);
        var foreign = other.Start()[0].Payload.ToArray();
        network.StartAll();
        var receiver = network.Sessions[network.Context.Parties[1]];

        var e = Assert.Throws<DkgException>(() => receiver.Receive(network.Context.Parties[0], foreign));

        Assert.That(e!.Reason, Is.EqualTo(DkgFailureReason.WrongSession));
        Assert.That(StandInDkgFailures.IsRecoverable(e), Is.True);
        Assert.That(receiver.State, Is.EqualTo(DkgSessionState.Running));
        network.Pump();
        Assert.That(network.Failures, Is.Empty);
        Assert.That(receiver.State, Is.EqualTo(DkgSessionState.Completed));
    }

    [Test]
    public void WaitingFor_SilentParty_NamesItInEachRound()
    {
        using var network = new DkgTestNetwork(3);
        var silent = network.Context.Parties[2];
        network.Silent.Add(silent);

        network.Run();

        foreach (var party in network.Context.Parties.Take(2))
        {
            Assert.That(network.Sessions[party].Round, Is.EqualTo(1));
            Assert.That(network.Sessions[party].WaitingFor, Is.EqualTo(new[] { silent }));
        }
    }

    [Test]
    public void WaitingFor_SilentInRoundTwo_NamesOnlyThatParty()
    {
        using var network = new DkgTestNetwork(3);
        var quiet = network.Context.Parties[0];
        network.Interceptor = e => e.From == quiet && e.Payload[0] == (byte)DkgMessageKind.Share ? null : e.Payload;

        network.Run();

        Assert.That(network.Sessions[quiet].State, Is.EqualTo(DkgSessionState.Completed).Or.EqualTo(DkgSessionState.Running));
        foreach (var party in network.Context.Parties.Skip(1))
        {
            Assert.That(network.Sessions[party].Round, Is.EqualTo(2));
            Assert.That(network.Sessions[party].WaitingFor, Is.EqualTo(new[] { quiet }));
        }
    }

    [Test]
    public void Receive_TruncatedOrPaddedOrGarbage_ThrowsMalformedNamingSender(
        [Values("empty", "truncated", "trailing", "kind", "point", "count")] string damage)
    {
        using var network = new DkgTestNetwork(2);
        var sender = network.Context.Parties[0];
        var receiver = network.Sessions[network.Context.Parties[1]];
        var good = network.Sessions[sender].Start()[0].Payload.ToArray();
        receiver.Start();
        byte[] bad = damage switch
        {
            "empty" => [],
            "truncated" => good[..^1],
            "trailing" => [.. good, 0],
            "kind" => [9, .. good[1..]],
            "point" => WithByte(good, 1 + 32 + 4 + 1, 0x05), // first commitment's SEC1 tag
            _ => WithByte(good, 1 + 32 + 4, 3 << 2), // commitment count 3 in a 2-party run
        };

        var e = Assert.Throws<DkgException>(() => receiver.Receive(sender, bad));

        Assert.That(e!.Reason, Is.EqualTo(DkgFailureReason.MalformedMessage));
        Assert.That(e.Culprit, Is.EqualTo(sender));
        Assert.That(receiver.State, Is.EqualTo(DkgSessionState.Failed));
    }

    [Test]
    public void Receive_MessageFromOutsider_IsRejectedAndSessionGoesOn()
    {
        using var network = new DkgTestNetwork(2);
        var receiver = network.Sessions[network.Context.Parties[1]];
        var payload = network.Sessions[network.Context.Parties[0]].Start()[0].Payload.ToArray();
        receiver.Start();
        var outsider = new PartyId(DkgTestNetwork.RandomBytes(32));

        var e = Assert.Throws<DkgException>(() => receiver.Receive(outsider, payload));

        Assert.That(e!.Reason, Is.EqualTo(DkgFailureReason.UnknownSender));
        Assert.That(e.Culprit, Is.EqualTo(outsider));
        Assert.That(receiver.State, Is.EqualTo(DkgSessionState.Running));
    }

    [Test]
    public void Receive_MessageRelayedUnderAnotherSender_IsNamed()
    {
        using var network = new DkgTestNetwork(3);
        var p = network.Context.Parties;
        var fromFirst = network.Sessions[p[0]].Start()[0].Payload.ToArray();
        var receiver = network.Sessions[p[2]];
        receiver.Start();

        var e = Assert.Throws<DkgException>(() => receiver.Receive(p[1], fromFirst));

        Assert.That(e!.Reason, Is.EqualTo(DkgFailureReason.UnexpectedMessage));
        Assert.That(e.Culprit, Is.EqualTo(p[1]));
    }

    [Test]
    public void Receive_RetransmittedMessage_IsIgnored_DifferentOne_IsEquivocation()
    {
        using var network = new DkgTestNetwork(3);
        var p = network.Context.Parties;
        var first = network.Sessions[p[0]].Start()[0].Payload.ToArray();
        var receiver = network.Sessions[p[1]];
        receiver.Start();
        receiver.Receive(p[0], first);

        Assert.That(receiver.Receive(p[0], first), Is.Empty);
        using var twin = PedersenDkg.Instance.CreateSession(network.Context, p[0]);
        var e = Assert.Throws<DkgException>(() => receiver.Receive(p[0], twin.Start()[0].Payload.Span));
        Assert.That(e!.Reason, Is.EqualTo(DkgFailureReason.Equivocation));
        Assert.That(e.Culprit, Is.EqualTo(p[0]));
    }

    [Test]
    public void Run_DealerBroadcastsDifferentCommitments_NoHonestPartyCompletes()
    {
        // The dealer shows party 2 the commitments of a second, equally valid polynomial.
        using var network = new DkgTestNetwork(3);
        var p = network.Context.Parties;
        using var twin = PedersenDkg.Instance.CreateSession(network.Context, p[0]);
        var twinBroadcast = twin.Start()[0].Payload.ToArray();
        network.Interceptor = e => e.From == p[0] && e.To == p[2] && e.Payload[0] == (byte)DkgMessageKind.Commitments ? twinBroadcast : e.Payload;

        network.Run();

        Assert.That(network.Sessions[p[1]].State, Is.EqualTo(DkgSessionState.Failed));
        Assert.That(network.Sessions[p[2]].State, Is.EqualTo(DkgSessionState.Failed));
        Assert.That(network.Failures[p[1]].Reason, Is.EqualTo(DkgFailureReason.TranscriptMismatch));
    }

    [Test]
    public void Receive_BeforeStart_Throws()
    {
        using var network = new DkgTestNetwork(2);
        var payload = network.Sessions[network.Context.Parties[0]].Start()[0].Payload.ToArray();

        Assert.That(() => network.Sessions[network.Context.Parties[1]].Receive(network.Context.Parties[0], payload), Throws.InvalidOperationException);
    }

    [Test]
    public void CreateSession_PartyOutsideCommittee_Throws()
    {
        var context = DkgSessionContext.Create(DkgTestNetwork.RandomBytes(32), 1, DkgTestNetwork.RandomParties(2));

        Assert.That(() => PedersenDkg.Instance.CreateSession(context, new PartyId(new byte[32])), Throws.ArgumentException);
    }

    [Test]
    public void SecretShare_ToStringAndDispose_NeverRevealTheSecret()
    {
        using var network = new DkgTestNetwork(2);
        network.Run();
        var result = network.TakeResults().Values.First();
        var bytes = new byte[32];
        result.SecretShare.CopyTo(bytes);

        Assert.That(result.ToString(), Does.Not.Contain(Convert.ToHexStringLower(bytes)));
        Assert.That(result.SecretShare.ToString(), Is.EqualTo("DkgSecretShare"));
        result.Dispose();
        Assert.That(() => result.SecretShare.CopyTo(bytes), Throws.TypeOf<ObjectDisposedException>());
    }

    private static byte[] WithByte(byte[] source, int index, byte value)
    {
        var copy = (byte[])source.Clone();
        copy[index] = value;
        return copy;
    }

    private static byte[] TamperShare(byte[] payload)
    {
        using var message = DkgMessageCodec.DecodeShare(payload);
        var share = new Scalar(message.Share).Add(Scalar.One);
        using var forged = new ShareMessage
        {
            SessionId = message.SessionId,
            Sender = message.Sender,
            Recipient = message.Recipient,
            Transcript = message.Transcript,
            Share = share.ToBytes(),
        };
        return DkgMessageCodec.Encode(forged);
    }

    private static byte[] TamperProof(byte[] payload)
    {
        var message = DkgMessageCodec.DecodeCommitments(payload, 16);
        var forged = new CommitmentsMessage
        {
            SessionId = message.SessionId,
            Sender = message.Sender,
            Commitments = message.Commitments,
            ProofR = message.ProofR,
            ProofMu = new Scalar(message.ProofMu).Add(Scalar.One).ToBytes(),
        };
        return DkgMessageCodec.Encode(forged);
    }
}
