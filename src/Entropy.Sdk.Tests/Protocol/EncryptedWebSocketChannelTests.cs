using System.Net.WebSockets;
using System.Security.Cryptography;
using Entropy.Crypto;
using Entropy.Protocol;
using Entropy.Protocol.Noise;
using Entropy.Simulator.ThresholdServers;

namespace Entropy.Tests.Protocol;

public class EncryptedWebSocketChannelTests
{
    private static readonly byte[] s_serverStatic = NoiseCrypto.GeneratePrivateKey();
    private static readonly byte[] s_clientStatic = NoiseCrypto.GeneratePrivateKey();
    private static readonly Sr25519KeyPair s_client = Sr25519KeyPair.Generate();
    private static readonly byte[] s_user = RandomNumberGenerator.GetBytes(32);

    [OneTimeTearDown]
    public void DisposeKeys() => s_client.Dispose();

    private static SubscribeMessage Subscribe(bool validSignature = true)
    {
        var message = SubscribeMessage.Create(SessionId.Dkg(s_user), s_client);
        if (validSignature)
        {
            return message;
        }

        byte[] signature = message.Signature.ToArray();
        signature[0] ^= 1;
        return new SubscribeMessage(message.SessionId, message.PublicKey, signature);
    }

    [Test]
    public async Task SendReceive_MessagesOfEverySize_RoundTripBothWays()
    {
        int[] sizes = [0, 1, 65519, 65520, 300 * 1024];
        var serverSeen = new TaskCompletionSource<(byte[] Account, byte[] RemoteStatic, SessionId Session)>();
        await using var server = await LoopbackWebSocketServer.StartAsync(async socket =>
        {
            await using var pending = await ChannelResponder.AcceptAsync(socket, s_serverStatic);
            serverSeen.SetResult((pending.AccountId.ToArray(), pending.RemoteStaticPublicKey, pending.Subscribe.SessionId));
            await using var channel = await pending.AcceptAsync();
            foreach (int _ in sizes)
            {
                byte[] message = await channel.ReceiveAsync();
                await channel.SendAsync(message.Reverse().ToArray());
            }
        });

        await using var channel = await EncryptedWebSocketChannel.ConnectAsync(await server.ConnectAsync(), s_clientStatic, NoiseCrypto.PublicKeyOf(s_serverStatic), Subscribe());
        var seen = await serverSeen.Task;
        Assert.That(seen.Account, Is.EqualTo(s_client.PublicKey.ToArray()));
        Assert.That(seen.RemoteStatic, Is.EqualTo(NoiseCrypto.PublicKeyOf(s_clientStatic)));
        Assert.That(seen.Session, Is.EqualTo(SessionId.Dkg(s_user)));
        Assert.That(channel.RemoteStaticPublicKey.ToArray(), Is.EqualTo(NoiseCrypto.PublicKeyOf(s_serverStatic)));

        foreach (int size in sizes)
        {
            byte[] message = RandomNumberGenerator.GetBytes(size);
            await channel.SendAsync(message);
            Assert.That(await channel.ReceiveAsync(), Is.EqualTo(message.Reverse().ToArray()), $"{size} bytes");
        }
    }

    [TestCase(0, 0)]
    [TestCase(1, 17)]
    [TestCase(65519, 65535)]
    [TestCase(65520, 65535 + 17)]
    [TestCase(300 * 1024, (300 * 1024) + (5 * 16))]
    public async Task SendAsync_Chunking_FrameHasOneTagPerChunk(int size, int expectedFrame)
    {
        var frameLength = new TaskCompletionSource<int>();
        await using var server = await LoopbackWebSocketServer.StartAsync(async socket =>
        {
            await using var pending = await ChannelResponder.AcceptAsync(socket, s_serverStatic);
            await using var channel = await pending.AcceptAsync();
            var buffer = new byte[400 * 1024];
            int total = 0;
            while (true)
            {
                var result = await channel.Socket.ReceiveAsync(buffer.AsMemory(total), CancellationToken.None);
                total += result.Count;
                if (result.EndOfMessage)
                {
                    break;
                }
            }

            frameLength.SetResult(total);
        });

        await using var channel = await EncryptedWebSocketChannel.ConnectAsync(await server.ConnectAsync(), s_clientStatic, NoiseCrypto.PublicKeyOf(s_serverStatic), Subscribe());
        await channel.SendAsync(new byte[size]);
        Assert.That(await frameLength.Task, Is.EqualTo(expectedFrame));
    }

    [Test]
    public async Task ConnectAsync_WrongResponderStaticKey_BothSidesFailHandshake()
    {
        var serverError = new TaskCompletionSource<Exception?>();
        await using var server = await StartResponderAsync(serverError);

        byte[] wrongKey = NoiseCrypto.PublicKeyOf(NoiseCrypto.GeneratePrivateKey());
        var clientError = Assert.ThrowsAsync<EntropyProtocolException>(async () =>
            await EncryptedWebSocketChannel.ConnectAsync(await server.ConnectAsync(), s_clientStatic, wrongKey, Subscribe()));
        Assert.That(clientError!.Kind, Is.EqualTo(EntropyProtocolErrorKind.HandshakeFailed));
        Assert.That(await serverError.Task, Is.TypeOf<EntropyProtocolException>().With.Property(nameof(EntropyProtocolException.Kind)).EqualTo(EntropyProtocolErrorKind.HandshakeFailed));
    }

    [Test]
    public async Task AcceptAsync_BadSubscribeSignature_RefusedOnBothSides()
    {
        var serverError = new TaskCompletionSource<Exception?>();
        await using var server = await StartResponderAsync(serverError);

        var clientError = Assert.ThrowsAsync<EntropyProtocolException>(async () =>
            await EncryptedWebSocketChannel.ConnectAsync(await server.ConnectAsync(), s_clientStatic, NoiseCrypto.PublicKeyOf(s_serverStatic), Subscribe(validSignature: false)));
        Assert.That(clientError!.Kind, Is.EqualTo(EntropyProtocolErrorKind.SubscribeRejected), clientError.ToString());
        Assert.That(clientError.Message, Does.Contain("Invalid signature"));
        Assert.That(await serverError.Task, Is.TypeOf<EntropyProtocolException>().With.Property(nameof(EntropyProtocolException.Kind)).EqualTo(EntropyProtocolErrorKind.InvalidSignature));
    }

    [Test]
    public async Task RejectAsync_UnexpectedPeer_ClientSeesReason()
    {
        await using var server = await LoopbackWebSocketServer.StartAsync(async socket =>
        {
            await using var pending = await ChannelResponder.AcceptAsync(socket, s_serverStatic);
            await pending.RejectAsync("not in the committee");
        });

        var clientError = Assert.ThrowsAsync<EntropyProtocolException>(async () =>
            await EncryptedWebSocketChannel.ConnectAsync(await server.ConnectAsync(), s_clientStatic, NoiseCrypto.PublicKeyOf(s_serverStatic), Subscribe()));
        Assert.That(clientError!.Kind, Is.EqualTo(EntropyProtocolErrorKind.SubscribeRejected), clientError.ToString());
        Assert.That(clientError.Message, Does.Contain("not in the committee"));
    }

    [Test]
    public async Task ReceiveAsync_PeerCloses_ThrowsConnectionClosed()
    {
        await using var server = await LoopbackWebSocketServer.StartAsync(async socket =>
        {
            await using var pending = await ChannelResponder.AcceptAsync(socket, s_serverStatic);
            await using var channel = await pending.AcceptAsync();
            await channel.CloseAsync();
        });

        await using var channel = await EncryptedWebSocketChannel.ConnectAsync(await server.ConnectAsync(), s_clientStatic, NoiseCrypto.PublicKeyOf(s_serverStatic), Subscribe());
        var ex = Assert.ThrowsAsync<EntropyProtocolException>(async () => await channel.ReceiveAsync());
        Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.ConnectionClosed));
    }

    [Test]
    public async Task ReceiveAsync_TimeoutOnInjectedClock_ThrowsTimeout()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var release = new TaskCompletionSource();
        await using var server = await LoopbackWebSocketServer.StartAsync(async socket =>
        {
            await using var pending = await ChannelResponder.AcceptAsync(socket, s_serverStatic);
            await using var channel = await pending.AcceptAsync();
            await release.Task;
        });

        var options = new EncryptedChannelOptions { ReceiveTimeout = TimeSpan.FromSeconds(5), TimeProvider = time };
        await using var channel = await EncryptedWebSocketChannel.ConnectAsync(await server.ConnectAsync(), s_clientStatic, NoiseCrypto.PublicKeyOf(s_serverStatic), Subscribe(), options);
        Task<byte[]> receive = channel.ReceiveAsync();
        time.Advance(TimeSpan.FromSeconds(6));
        var ex = Assert.ThrowsAsync<EntropyProtocolException>(async () => await receive);
        Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.Timeout));
        release.SetResult();
    }

    [Test]
    public void ShouldDial_LargerPublicKeyDials()
    {
        byte[] low = new byte[32];
        byte[] high = new byte[32];
        high[0] = 1;
        Assert.That(ChannelResponder.ShouldDial(high, low), Is.True);
        Assert.That(ChannelResponder.ShouldDial(low, high), Is.False);
        Assert.That(ChannelResponder.ShouldDial(low, low), Is.False);
    }

    /// <summary>A loopback server whose responder's outcome (null, or what it threw) goes to <paramref name="outcome"/>.</summary>
    private static Task<LoopbackWebSocketServer> StartResponderAsync(TaskCompletionSource<Exception?> outcome) =>
        LoopbackWebSocketServer.StartAsync(async socket =>
        {
            try
            {
                await ChannelResponder.AcceptAsync(socket, s_serverStatic);
                outcome.SetResult(null);
            }
            catch (Exception ex)
            {
                outcome.SetResult(ex);
            }
        });
}
