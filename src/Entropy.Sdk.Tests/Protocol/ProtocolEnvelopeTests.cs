using System.Text;
using Entropy.Protocol;
using Entropy.Protocol.Dkg;

namespace Entropy.Tests.Protocol;

/// <summary>
/// The three envelope versions of entropy-protocol's key generation (entropy-core <c>crates/protocol/src/{lib,execute_protocol}.rs</c> at
/// a9463b08, d7a7f3c2 and 68cc34ae). The Blake2s-256 digests were computed with Python's <c>hashlib.blake2s</c> over the bincode bytes
/// spelled out here from serde's rules; the wasm client's own bytes are checked in <see cref="Entropy.Tests.WasmClient.WasmCaptureTests"/>.
/// </summary>
public class ProtocolEnvelopeTests
{
    private const string AliceHex = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
    private const string AliceSs58 = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    private static readonly byte[] Alice = Convert.FromHexString(AliceHex);
    private static readonly string AliceText = Convert.ToHexStringLower(Encoding.ASCII.GetBytes(AliceSs58));

    [Test]
    public void V0010_DkgSessionIdHasNoBlockNumber_AndTheRandomnessIsTheConstant123456()
    {
        var id = ProtocolEnvelope.V0010.DkgSessionId(Alice, 5);
        Assert.Multiple(() =>
        {
            Assert.That(Convert.ToHexStringLower(id.ToBincode()), Is.EqualTo("00000000" + "3000000000000000" + AliceText));
            Assert.That(id.BlockNumber, Is.Null);
            Assert.That(ProtocolEnvelope.V0010.SharedRandomness(id), Is.EqualTo("123456"u8.ToArray()));
        });
    }

    [Test]
    public void Registry20240321_SameSessionIdAsV0010_RandomnessIsBlake2sOfItsBincode()
    {
        var id = ProtocolEnvelope.Registry20240321.DkgSessionId(Alice, 5);
        Assert.Multiple(() =>
        {
            Assert.That(id, Is.EqualTo(SessionId.Dkg(Alice)));
            Assert.That(Convert.ToHexStringLower(ProtocolEnvelope.Registry20240321.SharedRandomness(id)), Is.EqualTo("9c750efaefb4ee9f5a3b930d0fb3ec1f5f97236a82dfb502dbd11d7959a8c2a4"));
        });
    }

    [Test]
    public void SessionBlockNumber20240403_DkgSessionIdEndsWithTheBlockNumber_RandomnessIsBlake2sOfItsBincode()
    {
        var id = ProtocolEnvelope.SessionBlockNumber20240403.DkgSessionId(Alice, 5);
        Assert.Multiple(() =>
        {
            Assert.That(Convert.ToHexStringLower(id.ToBincode()), Is.EqualTo("00000000" + "3000000000000000" + AliceText + "05000000"));
            Assert.That(id.BlockNumber, Is.EqualTo(5));
            Assert.That(id.ToString(), Does.Contain("#5"));
            Assert.That(id, Is.Not.EqualTo(SessionId.Dkg(Alice, 6)));
            Assert.That(Convert.ToHexStringLower(ProtocolEnvelope.SessionBlockNumber20240403.SharedRandomness(id)), Is.EqualTo("3b2bc2aa8453c33f3e218cfc4674e3a54766fda335b8b793be1a925f8a6f8985"));
        });
    }

    [Test]
    public void SubscribeMessage_OfTheOtherEnvelope_IsRefusedNamingBoth_AndParsesInItsOwn()
    {
        using var pair = Entropy.Crypto.Sr25519KeyPair.Generate();
        var old = SubscribeMessage.Create(SessionId.Dkg(Alice), pair).ToBincode();
        var e = Assert.Throws<EntropyProtocolException>(() => SubscribeMessage.FromBincode(old, ProtocolEnvelope.SessionBlockNumber20240403));
        Assert.Multiple(() =>
        {
            Assert.That(e!.Message, Does.Contain("It is a subscribe message of the V0010 envelope"));
            Assert.That(e.Message, Does.Contain("this party speaks SessionBlockNumber20240403"));
            Assert.That(SubscribeMessage.FromBincode(old, ProtocolEnvelope.Registry20240321).Verify(), Is.True);
        });
    }

    [Test]
    public void SessionId_BlockNumberEnvelope_RefusesTheVariantsItDoesNotSupport()
    {
        var bytes = SessionId.ProactiveRefresh(Alice).ToBincode();
        var e = Assert.Throws<EntropyProtocolException>(() =>
        {
            var reader = new BincodeReader(bytes, "test");
            _ = SessionId.Read(ref reader, ProtocolEnvelope.SessionBlockNumber20240403);
        });
        Assert.That(e!.Message, Does.Contain("not supported in the SessionBlockNumber20240403 envelope"));
    }

    [Test]
    public void ProtocolMessage_ToBincode_IsTwoSs58PartyIdsThenThePayload_AndTruncationsAreTyped()
    {
        var message = new ProtocolMessage(new PartyId(Alice), new PartyId(Alice), new byte[] { 1, 2, 3 });
        byte[] bytes = message.ToBincode();
        Assert.That(Convert.ToHexStringLower(bytes), Is.EqualTo("3000000000000000" + AliceText + "3000000000000000" + AliceText + "010203"));
        for (int length = 0; length < bytes.Length - 3 + 1; length++)
        {
            var e = Assert.Throws<EntropyProtocolException>(() => ProtocolMessage.FromBincode(bytes.AsSpan(0, length)), $"length {length}");
            Assert.That(e!.Kind, Is.EqualTo(EntropyProtocolErrorKind.MalformedMessage));
        }
    }
}
