using System.Threading.Channels;
using Entropy.Protocol.Dkg;
using Microsoft.Extensions.Time.Testing;

namespace Entropy.Tests.Protocol;

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
}
