using System.Threading.Channels;
using Entropy.Protocol.Dkg;
using Entropy.Simulator.ThresholdServers.StandIn;
using Microsoft.Extensions.Time.Testing;

namespace Entropy.Tests.Simulator.ThresholdServers.StandIn;

public class DkgRunnerTests
{
    [Test]
    public async Task RunAsync_ThreePartiesOverChannels_AllAgree()
    {
        var context = DkgSessionContext.Create(DkgTestNetwork.RandomBytes(32), 3, DkgTestNetwork.RandomParties(3));
        var hub = new ChannelHub(context.Parties);

        var runs = context.Parties
            .Select(p => DkgRunner.RunAsync(PedersenDkg.Instance.CreateSession(context, p), hub.TransportOf(p)))
            .ToList();
        var results = await Task.WhenAll(runs);

        var key = results[0].VerifyingKey.ToArray();
        Assert.That(results.Select(r => r.VerifyingKey.ToArray()), Is.All.EqualTo(key));
        Assert.That(DkgTestNetwork.CombineShares(results), Is.EqualTo(key));
    }

    [Test]
    public async Task RunAsync_SilentParty_TimesOutAfterTwentySecondsNamingIt()
    {
        var context = DkgSessionContext.Create(DkgTestNetwork.RandomBytes(32), 3, DkgTestNetwork.RandomParties(3));
        var p = context.Parties;
        var hub = new ChannelHub(p);
        var time = new FakeTimeProvider();

        // Party 1 has already broadcast; party 2 never answers.
        using var first = PedersenDkg.Instance.CreateSession(context, p[0]);
        await hub.TransportOf(p[0]).SendAsync(first.Start()[0]);
        var run = DkgRunner.RunAsync(PedersenDkg.Instance.CreateSession(context, p[1]), hub.TransportOf(p[1]), timeProvider: time);

        time.Advance(TimeSpan.FromSeconds(19));
        Assert.That(run.IsCompleted, Is.False);
        time.Advance(TimeSpan.FromSeconds(1));
        var e = Assert.ThrowsAsync<DkgException>(async () => await run);

        Assert.That(e!.Reason, Is.EqualTo(DkgFailureReason.Timeout));
        Assert.That(e.Culprits, Is.EqualTo(new[] { p[2] }));
        Assert.That(e.Message, Does.Contain(p[2].ToString()).And.Contain("20 s"));
        Assert.That(e.IsTransient, Is.True);
    }

    [Test]
    public async Task RunAsync_ForeignSessionMessage_IsIgnored()
    {
        var context = DkgSessionContext.Create(DkgTestNetwork.RandomBytes(32), 3, DkgTestNetwork.RandomParties(2));
        var other = DkgSessionContext.Create(context.UserAccount, 4, context.Parties);
        var hub = new ChannelHub(context.Parties);
        using var stranger = PedersenDkg.Instance.CreateSession(other, context.Parties[0]);
        await hub.TransportOf(context.Parties[0]).SendAsync(stranger.Start()[0]);

        var results = await Task.WhenAll(context.Parties.Select(p => DkgRunner.RunAsync(PedersenDkg.Instance.CreateSession(context, p), hub.TransportOf(p))));

        Assert.That(DkgTestNetwork.CombineShares(results), Is.EqualTo(results[1].VerifyingKey.ToArray()));
    }

    [Test]
    public void RunAsync_Cancelled_ThrowsOperationCanceled()
    {
        var context = DkgSessionContext.Create(DkgTestNetwork.RandomBytes(32), 3, DkgTestNetwork.RandomParties(2));
        var hub = new ChannelHub(context.Parties);
        using var cts = new CancellationTokenSource();
        var run = DkgRunner.RunAsync(PedersenDkg.Instance.CreateSession(context, context.Parties[0]), hub.TransportOf(context.Parties[0]), cancellationToken: cts.Token);

        cts.Cancel();

        Assert.That(async () => await run, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task RunAsync_EveryMessageTheSessionRead_IsReleasedToTheTransport()
    {
        var context = DkgSessionContext.Create(DkgTestNetwork.RandomBytes(32), 3, DkgTestNetwork.RandomParties(2));
        var a = new RecordingTransport(context.Parties[0]);
        var b = new RecordingTransport(context.Parties[1]);
        a.Peer = b;
        b.Peer = a;

        var results = await Task.WhenAll(context.Parties.Zip([a, b]).Select(x => DkgRunner.RunAsync(PedersenDkg.Instance.CreateSession(context, x.First), x.Second)));

        Assert.Multiple(() =>
        {
            Assert.That(DkgTestNetwork.CombineShares(results), Is.EqualTo(results[0].VerifyingKey.ToArray()));
            Assert.That(a.Received, Has.Count.EqualTo(2), "a commitments and a share message");
            Assert.That(a.Released, Is.EqualTo(a.Received));
            Assert.That(b.Released, Is.EqualTo(b.Received));
        });
    }

    /// <summary>An in-memory network: one unbounded channel per party.</summary>
    private sealed class ChannelHub(IReadOnlyList<PartyId> parties)
    {
        private readonly Dictionary<PartyId, Channel<DkgIncomingMessage>> _inboxes =
            parties.ToDictionary(p => p, _ => Channel.CreateUnbounded<DkgIncomingMessage>());

        public DkgTransport TransportOf(PartyId self) => new Transport(this, self);

        private sealed class Transport(ChannelHub hub, PartyId self) : DkgTransport
        {
            public override async Task SendAsync(DkgOutgoingMessage message, CancellationToken cancellationToken = default)
            {
                foreach (var (party, inbox) in hub._inboxes)
                {
                    if (party != self && (message.Recipient is null || message.Recipient == party))
                    {
                        await inbox.Writer.WriteAsync(new DkgIncomingMessage(self, message.Payload), cancellationToken);
                    }
                }
            }

            public override async Task<DkgIncomingMessage> ReceiveAsync(CancellationToken cancellationToken = default) =>
                await hub._inboxes[self].Reader.ReadAsync(cancellationToken);
        }
    }

    /// <summary>Two parties connected back to back; records what the runner took and released.</summary>
    private sealed class RecordingTransport(PartyId self) : DkgTransport
    {
        private readonly Channel<DkgIncomingMessage> _inbox = Channel.CreateUnbounded<DkgIncomingMessage>();

        public RecordingTransport? Peer { get; set; }

        public List<byte[]> Received { get; } = [];

        public List<byte[]> Released { get; } = [];

        public override async Task SendAsync(DkgOutgoingMessage message, CancellationToken cancellationToken = default) =>
            await Peer!._inbox.Writer.WriteAsync(new DkgIncomingMessage(self, message.Payload.ToArray()), cancellationToken);

        public override async Task<DkgIncomingMessage> ReceiveAsync(CancellationToken cancellationToken = default)
        {
            var message = await _inbox.Reader.ReadAsync(cancellationToken);
            lock (Received)
            {
                Received.Add(message.Payload.ToArray());
            }

            return message;
        }

        public override void Release(DkgIncomingMessage message)
        {
            lock (Received)
            {
                Released.Add(message.Payload.ToArray());
            }
        }
    }
}
