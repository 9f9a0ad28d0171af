using Entropy.Crypto;
using Entropy.Protocol;
using Entropy.Protocol.Dkg;

namespace Entropy.Tests.WasmClient;

/// <summary>
/// Offline checks of what Entropy's wasm client put on the wire in a recorded run (testdata/synedrion/): our envelope code decodes
/// each message, re-encodes it to the same bytes, and derives the session ids and shared randomness the client used.
/// </summary>
public class WasmCaptureTests
{
    /// <summary>The capture of the wasm client's subscription and round-1 messages to a two-member committee.</summary>
    public const string RoundOneCapture = "wasm-0.2.0-round1.json";

    /// <summary>The capture of a whole key generation between the wasm client (user) and two devnet servers running <c>SynedrionServerDkg</c>.</summary>
    public const string KeyGenCapture = "wasm-0.2.0-keygen.json";

    private static WasmCapture Load() => WasmCapture.Load(TestData.Path("synedrion", RoundOneCapture));

    [Test]
    public void Capture_Subscribes_ParseInTheBlockNumberEnvelope_VerifyAndReencodeToTheSameBytes()
    {
        var capture = Load();
        Assert.That(capture.Subscribes, Has.Count.EqualTo(capture.Parties.Count - 1));
        foreach (var (to, bytes) in capture.Subscribes)
        {
            var subscribe = SubscribeMessage.FromBincode(bytes, ProtocolEnvelope.SessionBlockNumber20240403);
            Assert.Multiple(() =>
            {
                Assert.That(subscribe.SessionId, Is.EqualTo(ProtocolEnvelope.SessionBlockNumber20240403.DkgSessionId(capture.User, capture.BlockNumber)));
                Assert.That(subscribe.SessionId.ToBincode(), Is.EqualTo(new SessionIdBytes(capture.User, capture.BlockNumber).Expected));
                Assert.That(subscribe.PublicKey.ToArray(), Is.EqualTo(capture.User));
                Assert.That(subscribe.Verify(), Is.True);
                Assert.That(subscribe.ToBincode(), Is.EqualTo(bytes));
                Assert.That(capture.Parties, Has.Some.EqualTo(to));
            });
        }
    }

    [Test]
    public void Capture_Subscribe_InTheV0010Envelope_IsRefusedNamingTheVersionItIs()
    {
        var bytes = Load().Subscribes[0].Bincode;
        var e = Assert.Throws<EntropyProtocolException>(() => SubscribeMessage.FromBincode(bytes, ProtocolEnvelope.V0010));
        Assert.Multiple(() =>
        {
            Assert.That(e!.Kind, Is.EqualTo(EntropyProtocolErrorKind.MalformedMessage));

            // The text the wasm client reported against the old devnet, and now which envelope the bytes are.
            Assert.That(e.Message, Does.Contain("exceeds the 188 remaining bytes (at byte 68)"));
            Assert.That(e.Message, Does.Contain("SessionBlockNumber20240403"));
        });
    }

    [TestCase(RoundOneCapture)]
    [TestCase(KeyGenCapture)]
    public void Capture_Messages_AreProtocolMessages_WithSynedrionSessionIdFromTheSharedRandomness_SignedByTheirAuthor(string file)
    {
        var capture = WasmCapture.Load(TestData.Path("synedrion", file));
        var session = capture.Envelope.DkgSessionId(capture.User, capture.BlockNumber);
        var synedrionSession = SynedrionEnvelope.SessionIdFromSeed(capture.Envelope.SharedRandomness(session));
        Assert.That(capture.Messages, Is.Not.Empty);
        foreach (var captured in capture.Messages)
        {
            var message = ProtocolMessage.FromBincode(captured.Frame);
            var signed = SynedrionEnvelope.Read(message.Payload.Span);
            Assert.Multiple(() =>
            {
                Assert.That(message.From, Is.EqualTo(new PartyId(captured.From)));
                Assert.That(message.To, Is.EqualTo(new PartyId(captured.To)));
                Assert.That(message.ToBincode(), Is.EqualTo(captured.Frame));
                Assert.That(signed.SessionId, Is.EqualTo(synedrionSession));
                Assert.That(Sr25519.VerifyCore(captured.From, signed.Prehash(), signed.Signature()), Is.True);
            });
        }
    }

    [Test]
    public void Capture_TamperedSignedMessage_FailsTheUsersSignature()
    {
        var captured = Load().Messages[0];
        var signed = SynedrionEnvelope.Read(ProtocolMessage.FromBincode(captured.Frame).Payload.Span);
        var payload = signed.Payload.ToArray();
        payload[^1] ^= 1;
        var tampered = signed with { Payload = payload };
        Assert.That(Sr25519.VerifyCore(captured.From, tampered.Prehash(), tampered.Signature()), Is.False);
    }

    /// <summary>bincode of <c>SessionId::Dkg { user, block_number }</c> spelled out from serde's rules: u32 tag 0, the SS58 text with a u64 length, u32 LE.</summary>
    private sealed record SessionIdBytes(byte[] User, uint Block)
    {
        public byte[] Expected
        {
            get
            {
                var ss58 = System.Text.Encoding.ASCII.GetBytes(Ss58.Encode(User, 42));
                return [0, 0, 0, 0, .. BitConverter.GetBytes((ulong)ss58.Length), .. ss58, .. BitConverter.GetBytes(Block)];
            }
        }
    }
}
