using System.Security.Cryptography;
using Entropy.Crypto;
using Entropy.Protocol;
using Entropy.Protocol.Dkg;
using Entropy.Protocol.Noise;
using Entropy.Simulator.ThresholdServers;

namespace Entropy.Tests.Protocol;

/// <summary>The transport of the real DKG (servers and the Private-mode client): share plaintexts are wiped once used.</summary>
public class ChannelDkgTransportTests
{
    [Test]
    public async Task SendAndRelease_PointToPointShare_BothPlaintextsAreWipedAfterUseAndTheBroadcastIsKept()
    {
        var serverStatic = NoiseCrypto.GeneratePrivateKey();
        var clientStatic = NoiseCrypto.GeneratePrivateKey();
        using var user = Sr25519KeyPair.Generate();
        var serverParty = new PartyId(RandomNumberGenerator.GetBytes(32));
        var clientParty = new PartyId(user.PublicKey.ToArray());
        var received = new TaskCompletionSource<(DkgIncomingMessage Share, byte[] ShareCopy, DkgIncomingMessage Broadcast, byte[] Released, byte[] Unreleased)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LoopbackWebSocketServer.StartAsync(async socket =>
        {
            await using var pending = await ChannelResponder.AcceptAsync(socket, serverStatic);
            var channel = await pending.AcceptAsync();
            var transport = new ChannelDkgTransport(new Dictionary<PartyId, EncryptedWebSocketChannel> { [clientParty] = channel });
            try
            {
                var share = await transport.ReceiveAsync();
                var copy = share.Payload.ToArray();
                var broadcast = await transport.ReceiveAsync();
                transport.Release(share);
                received.SetResult((share, copy, broadcast, share.Payload.ToArray(), broadcast.Payload.ToArray()));
                await done.Task;
            }
            finally
            {
                await transport.DisposeAsync();
            }
        });

        var subscribe = SubscribeMessage.Create(SessionId.Dkg(user.PublicKey.ToArray()), user);
        var clientChannel = await EncryptedWebSocketChannel.ConnectAsync(await server.ConnectAsync(), clientStatic, NoiseCrypto.PublicKeyOf(serverStatic), subscribe);
        var clientTransport = new ChannelDkgTransport(new Dictionary<PartyId, EncryptedWebSocketChannel> { [serverParty] = clientChannel });
        try
        {
            var secret = RandomNumberGenerator.GetBytes(32);
            var sharePayload = secret.ToArray();
            var broadcastPayload = RandomNumberGenerator.GetBytes(40);
            var broadcastCopy = broadcastPayload.ToArray();

            await clientTransport.SendAsync(new DkgOutgoingMessage(serverParty, sharePayload));
            await clientTransport.SendAsync(new DkgOutgoingMessage(null, broadcastPayload));
            var (share, shareCopy, broadcast, released, unreleased) = await received.Task.WaitAsync(TimeSpan.FromSeconds(20));

            Assert.Multiple(() =>
            {
                Assert.That(sharePayload, Is.All.EqualTo(0), "the sender's share plaintext is wiped once sent");
                Assert.That(broadcastPayload, Is.EqualTo(broadcastCopy), "a broadcast (public commitments, kept by the session) is left alone");
                Assert.That(shareCopy, Is.EqualTo(secret), "the share arrived intact");
                Assert.That(share.From, Is.EqualTo(clientParty));
                Assert.That(released, Is.All.EqualTo(0), "the receiver's share plaintext is wiped on Release");
                Assert.That(unreleased, Is.EqualTo(broadcastCopy));
                Assert.That(broadcast.Payload.ToArray(), Is.EqualTo(broadcastCopy));
            });
        }
        finally
        {
            done.TrySetResult();
            await clientTransport.DisposeAsync();
        }
    }
}
