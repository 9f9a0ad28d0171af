using Entropy.Protocol.Dkg;
using Entropy.Simulator.ThresholdServers;

namespace Entropy.Tests.Simulator.ThresholdServers;

/// <summary>The simulator's DKG fault decorator: what reaches the inner transport, and that a share never stays in memory.</summary>
public class FaultyDkgTransportTests
{
    private static readonly PartyId s_peer = new(Enumerable.Repeat((byte)7, PartyId.Length).ToArray());

    [Test]
    public async Task SendAsync_NoFault_PassesTheSameMessageThrough()
    {
        var inner = new RecordingTransport();
        var message = new DkgOutgoingMessage(s_peer, new byte[] { 1, 2, 3 });
        await new FaultyDkgTransport(inner, () => false, () => TimeSpan.Zero, p => p).SendAsync(message);
        Assert.That(inner.Sent, Is.EqualTo(new[] { message }));
    }

    [Test]
    public async Task SendAsync_Drop_SendsNothingAndWipesTheShare()
    {
        var inner = new RecordingTransport();
        var share = new byte[] { 1, 2, 3 };
        var faulty = new FaultyDkgTransport(inner, () => true, () => TimeSpan.Zero, p => p);
        await faulty.SendAsync(new DkgOutgoingMessage(s_peer, share));
        await faulty.SendAsync(new DkgOutgoingMessage(null, new byte[] { 9 }));
        Assert.Multiple(() =>
        {
            Assert.That(inner.Sent, Is.Empty);
            Assert.That(share, Is.All.EqualTo(0));
        });
    }

    [Test]
    public async Task SendAsync_Tamper_SendsTheRewrittenShareAndWipesTheOriginal()
    {
        var inner = new RecordingTransport();
        var share = new byte[] { 1, 2, 3 };
        await new FaultyDkgTransport(inner, () => false, () => TimeSpan.Zero, p => new byte[] { 4, 5 }).SendAsync(new DkgOutgoingMessage(s_peer, share));
        Assert.Multiple(() =>
        {
            Assert.That(inner.Sent, Has.Count.EqualTo(1));
            Assert.That(inner.Sent[0].Recipient, Is.EqualTo(s_peer));
            Assert.That(inner.SentPayloads[0], Is.EqualTo(new byte[] { 4, 5 }));
            Assert.That(share, Is.All.EqualTo(0));
        });
    }

    [Test]
    public async Task SendAsync_Broadcast_IsNeverTampered()
    {
        var inner = new RecordingTransport();
        var broadcast = new byte[] { 1, 2, 3 };
        await new FaultyDkgTransport(inner, () => false, () => TimeSpan.Zero, p => new byte[] { 4 }).SendAsync(new DkgOutgoingMessage(null, broadcast));
        Assert.That(inner.SentPayloads, Is.EqualTo(new[] { new byte[] { 1, 2, 3 } }));
    }

    [Test]
    public void SendAsync_Delay_WaitsBeforeSending()
    {
        var inner = new RecordingTransport();
        var faulty = new FaultyDkgTransport(inner, () => false, () => TimeSpan.FromMinutes(5), p => p);
        using var cancel = new CancellationTokenSource();
        var send = faulty.SendAsync(new DkgOutgoingMessage(s_peer, new byte[] { 1 }), cancel.Token);
        Assert.That(send.IsCompleted, Is.False);
        Assert.That(inner.Sent, Is.Empty);
        cancel.Cancel();
        Assert.That(async () => await send, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(inner.Sent, Is.Empty);
    }

    private sealed class RecordingTransport : DkgTransport
    {
        public List<DkgOutgoingMessage> Sent { get; } = [];

        public List<byte[]> SentPayloads { get; } = [];

        public override Task SendAsync(DkgOutgoingMessage message, CancellationToken cancellationToken = default)
        {
            Sent.Add(message);
            SentPayloads.Add(message.Payload.ToArray());
            return Task.CompletedTask;
        }

        public override Task<DkgIncomingMessage> ReceiveAsync(CancellationToken cancellationToken = default) =>
            Task.FromException<DkgIncomingMessage>(new InvalidOperationException("not used"));
    }
}
