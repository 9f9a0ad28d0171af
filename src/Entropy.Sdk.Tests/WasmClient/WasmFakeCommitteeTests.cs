using System.Collections.Concurrent;
using System.Security.Cryptography;
using Entropy.Crypto;
using Entropy.Protocol;
using Entropy.Protocol.Dkg;
using Entropy.Protocol.Noise;
using Entropy.Simulator.ThresholdServers;
using Entropy.Tests.Protocol;

namespace Entropy.Tests.WasmClient;

/// <summary>
/// Entropy's published wasm client dials a committee of bare responders (our Noise channel, no chain, no DKG): what it subscribes with
/// and the first messages it sends, checked field by field. With <c>ENTROPY_CAPTURE_SYNEDRION=1</c> the run is written to
/// testdata/synedrion/ (see its README); <see cref="WasmCaptureTests"/> checks that capture offline.
/// </summary>
[Category("WasmClient")]
public class WasmFakeCommitteeTests
{
    private const uint BlockNumber = 41;

    [Test]
    public async Task WasmClient_DialsTwoResponders_SubscribesWithTheBlockNumberEnvelopeAndSendsSignedRoundOneFrames()
    {
        using var user = Sr25519KeyPair.Generate();
        var userX25519 = NoiseCrypto.GeneratePrivateKey();
        var members = new List<Responder>();
        try
        {
            for (int i = 0; i < 2; i++)
            {
                members.Add(await Responder.StartAsync(framesWanted: 1));
            }

            var secret = new byte[Sr25519KeyPair.SecretKeyLength];
            user.ExportSecretKey(secret);
            using var stop = new CancellationTokenSource();
            var run = WasmClientProcess.RunDkgAsync(members.Select(m => m.Validator).ToList(), secret, userX25519, BlockNumber, TimeSpan.FromMinutes(4), null, stop.Token);
            CryptographicOperations.ZeroMemory(secret);

            // Round 1 of key generation creates the Paillier key first: the first frames can take a while in wasm.
            var captured = Task.WhenAll(members.Select(m => m.Done.Task));
            var first = await Task.WhenAny(captured, run);
            if (first == run)
            {
                var answer = await run;
                Assert.Fail($"The wasm client ended before sending its first messages: {answer.Error}");
            }

            await stop.CancelAsync();
            Assert.That(async () => await run, Throws.InstanceOf<OperationCanceledException>());

            var userParty = new PartyId(user.PublicKey.ToArray());
            var expectedSession = SessionId.Dkg(user.PublicKey.ToArray(), BlockNumber);
            var synedrionSession = SynedrionEnvelope.SessionIdFromSeed(ProtocolEnvelope.SessionBlockNumber20240403.SharedRandomness(expectedSession));
            foreach (var member in members)
            {
                var subscribe = SubscribeMessage.FromBincode(member.SubscribePayload!, ProtocolEnvelope.SessionBlockNumber20240403);
                var frame = member.Frames.Single();
                var message = ProtocolMessage.FromBincode(frame);
                var signed = SynedrionEnvelope.Read(message.Payload.Span);
                Assert.Multiple(() =>
                {
                    Assert.That(subscribe.SessionId, Is.EqualTo(expectedSession), "SessionId::Dkg { user, block_number }");
                    Assert.That(subscribe.PublicKey.ToArray(), Is.EqualTo(user.PublicKey.ToArray()));
                    Assert.That(subscribe.Verify(), Is.True, "sr25519 over bincode(session id)");
                    Assert.That(subscribe.ToBincode(), Is.EqualTo(member.SubscribePayload), "re-encodes to the wasm's bytes");
                    Assert.That(member.RemoteStatic, Is.EqualTo(NoiseCrypto.PublicKeyOf(userX25519)), "the Noise static key is the user's x25519 key");

                    Assert.That(message.From, Is.EqualTo(userParty));
                    Assert.That(message.To, Is.EqualTo(member.Party));
                    Assert.That(message.ToBincode(), Is.EqualTo(frame), "ProtocolMessage re-encodes to the wasm's bytes");
                    Assert.That(signed.SessionId, Is.EqualTo(synedrionSession), "synedrion's session id = SessionId::from_seed(Blake2s256(bincode(session id)))");
                    Assert.That(signed.Round, Is.EqualTo(1));
                    Assert.That(Sr25519.VerifyCore(user.PublicKey.ToArray(), signed.Prehash(), signed.Signature()), Is.True, "the user's sr25519 signature over synedrion's prehash");
                });
            }

            // A broadcast goes out as one ProtocolMessage per destination with the same SignedMessage.
            var payloads = members.Select(m => ProtocolMessage.FromBincode(m.Frames.Single()).Payload.ToArray()).ToList();
            Assert.That(payloads[1], Is.EqualTo(payloads[0]));

            if (Environment.GetEnvironmentVariable("ENTROPY_CAPTURE_SYNEDRION") == "1")
            {
                new WasmCapture
                {
                    Client = "@entropyxyz/entropy-protocol-nodejs@0.2.0",
                    Envelope = ProtocolEnvelope.SessionBlockNumber20240403,
                    User = user.PublicKey.ToArray(),
                    BlockNumber = BlockNumber,
                    Parties = [.. members.Select(m => m.Validator.TssAccount), user.PublicKey.ToArray()],
                    Subscribes = members.Select(m => (m.Validator.TssAccount, m.SubscribePayload!)).ToList(),
                    Messages = members.SelectMany(m => m.Frames.Select(f => new CapturedFrame(user.PublicKey.ToArray(), m.Validator.TssAccount, f))).ToList(),
                }.Save(Path.Combine(TestData.RepositoryRoot, "testdata", "synedrion", WasmCaptureTests.RoundOneCapture));
            }
        }
        finally
        {
            foreach (var member in members)
            {
                await member.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task WasmClient_ResponderSpeaksV0010_RefusesTheSubscriptionNamingTheEnvelopes_AndTheClientReportsIt()
    {
        using var user = Sr25519KeyPair.Generate();
        await using var member = await Responder.StartAsync(framesWanted: 0, ProtocolEnvelope.V0010);
        var secret = new byte[Sr25519KeyPair.SecretKeyLength];
        user.ExportSecretKey(secret);
        var answer = await WasmClientProcess.RunDkgAsync([member.Validator], secret, NoiseCrypto.GeneratePrivateKey(), BlockNumber, TimeSpan.FromSeconds(60));
        Assert.Multiple(() =>
        {
            Assert.That(answer.Ok, Is.False);
            Assert.That(answer.TimedOut, Is.False, "refused at once, not left waiting");
            Assert.That(answer.Error, Does.Contain("Bad Subscribe Message"));
            Assert.That(answer.Error, Does.Contain("It is a subscribe message of the SessionBlockNumber20240403 envelope"));
            Assert.That(answer.Error, Does.Contain("this party speaks V0010"));
        });
    }

    /// <summary>A bare committee member: accepts any valid subscription on its Noise key and records the frames that follow.</summary>
    private sealed class Responder : IAsyncDisposable
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private LoopbackWebSocketServer? _server;

        private Responder(int framesWanted, ProtocolEnvelope envelope)
        {
            FramesWanted = framesWanted;
            Envelope = envelope;
        }

        public int FramesWanted { get; }

        public ProtocolEnvelope Envelope { get; }

        public byte[] X25519Secret { get; } = NoiseCrypto.GeneratePrivateKey();

        public Sr25519KeyPair Account { get; } = Sr25519KeyPair.Generate();

        public PartyId Party => new(Account.PublicKey.ToArray());

        public WasmValidator Validator => new(NoiseCrypto.PublicKeyOf(X25519Secret), $"{_server!.Uri.Host}:{_server.Uri.Port}", Account.PublicKey.ToArray());

        public byte[]? SubscribePayload { get; private set; }

        public byte[]? RemoteStatic { get; private set; }

        public ConcurrentQueue<byte[]> Frames { get; } = new();

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static async Task<Responder> StartAsync(int framesWanted, ProtocolEnvelope envelope = ProtocolEnvelope.SessionBlockNumber20240403)
        {
            var responder = new Responder(framesWanted, envelope);
            responder._server = await LoopbackWebSocketServer.StartAsync(responder.HandleAsync);
            return responder;
        }

        public async ValueTask DisposeAsync()
        {
            _release.TrySetResult();
            if (_server is not null)
            {
                await _server.DisposeAsync();
            }

            Account.Dispose();
        }

        private async Task HandleAsync(System.Net.WebSockets.WebSocket socket)
        {
            try
            {
                await using var pending = await ChannelResponder.AcceptAsync(socket, X25519Secret, new EncryptedChannelOptions { Envelope = Envelope });
                SubscribePayload = pending.Payload;
                RemoteStatic = pending.RemoteStaticPublicKey;
                await using var channel = await pending.AcceptAsync();
                while (Frames.Count < FramesWanted)
                {
                    Frames.Enqueue(await channel.ReceiveAsync());
                }

                Done.TrySetResult();
                await _release.Task;
            }
            catch (Exception e)
            {
                Done.TrySetException(e);
            }
        }
    }
}
