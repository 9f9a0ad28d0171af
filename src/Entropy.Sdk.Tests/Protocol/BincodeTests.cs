using System.Text;
using Entropy.Protocol;
using Entropy.Simulator.ThresholdServers;

namespace Entropy.Tests.Protocol;

public class BincodeTests
{
    // PROTOCOL.md §10 (entropy-core chain_spec/mod.rs and the well-known //Alice address).
    private const string AliceHex = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
    private const string AliceSs58 = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    private const string TssAliceHex = "e0543c102def9f6ef0e8b8ffa31aa259167a9391566929fd718a1ccdaabdb876";
    private const string TssAliceSs58 = "5H8qc7f4mXFY16NBWSB9qkc6pTks98HdVuoQTs1aova5fRtN";

    [TestCase(AliceHex, AliceSs58)]
    [TestCase(TssAliceHex, TssAliceSs58)]
    [TestCase("be5ddb1579b72e84524fc29e78609e3caf42e85aa118ebfe0b0ad404b5bdd25f", "5GNJqTPyNqANBkUVMN1LPPrxXnFouWXoe2wNSmmEoLctxiZY")]
    public void Ss58_KnownAccounts_EncodeAndDecode(string hex, string ss58)
    {
        Assert.That(Ss58Text.Encode(Convert.FromHexString(hex)), Is.EqualTo(ss58));
        Assert.That(Convert.ToHexStringLower(Ss58Text.Decode(ss58, "test")), Is.EqualTo(hex));
    }

    [Test]
    public void Ss58_BadChecksum_ThrowsMalformed()
    {
        string broken = AliceSs58[..^1] + (AliceSs58[^1] == 'Y' ? 'Z' : 'Y');
        var ex = Assert.Throws<EntropyProtocolException>(() => Ss58Text.Decode(broken, "test"));
        Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.MalformedMessage));
    }

    [Test]
    public void SessionIdDkg_ToBincode_IsTagThenLengthPrefixedSs58()
    {
        // PROTOCOL.md §6.3: SessionId::Dkg(acct) = 00000000 ++ u64(48) ++ the 48 ASCII bytes of the SS58 address.
        byte[] bytes = SessionId.Dkg(Convert.FromHexString(AliceHex)).ToBincode();
        Assert.That(Convert.ToHexStringLower(bytes), Is.EqualTo("00000000" + "3000000000000000" + Convert.ToHexStringLower(Encoding.ASCII.GetBytes(AliceSs58))));
    }

    [Test]
    public void SessionIdSign_RoundTrips_WithFixedArrayHash()
    {
        byte[] hash = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var id = SessionId.Sign(Convert.FromHexString(AliceHex), hash);
        byte[] bytes = id.ToBincode();
        Assert.That(bytes, Has.Length.EqualTo(4 + 8 + 48 + 32));
        Assert.That(bytes[..4], Is.EqualTo(new byte[] { 2, 0, 0, 0 }));
        var reader = new BincodeReaderBox(bytes);
        Assert.That(reader.ReadSessionId(), Is.EqualTo(id));
    }

    [Test]
    public void SubscribeMessage_ToBincode_HasSs58KeyAndLowercaseHexSignature()
    {
        byte[] signature = Enumerable.Range(0, 64).Select(i => (byte)(0xa0 + (i % 16))).ToArray();
        var message = new SubscribeMessage(SessionId.Dkg(Convert.FromHexString(AliceHex)), Convert.FromHexString(TssAliceHex), signature);
        byte[] bytes = message.ToBincode();
        string expected = "00000000" + "3000000000000000" + Convert.ToHexStringLower(Encoding.ASCII.GetBytes(AliceSs58))
            + "3000000000000000" + Convert.ToHexStringLower(Encoding.ASCII.GetBytes(TssAliceSs58))
            + "8000000000000000" + Convert.ToHexStringLower(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(signature)));
        Assert.That(Convert.ToHexStringLower(bytes), Is.EqualTo(expected));

        var parsed = SubscribeMessage.FromBincode(bytes);
        Assert.That(parsed.SessionId, Is.EqualTo(message.SessionId));
        Assert.That(parsed.PublicKey.ToArray(), Is.EqualTo(Convert.FromHexString(TssAliceHex)));
        Assert.That(parsed.Signature.ToArray(), Is.EqualTo(signature));
    }

    [Test]
    public void SubscribeMessage_TrailingByte_ThrowsMalformed()
    {
        var message = new SubscribeMessage(SessionId.Dkg(Convert.FromHexString(AliceHex)), Convert.FromHexString(TssAliceHex), new byte[64]);
        byte[] bytes = [.. message.ToBincode(), 0];
        var ex = Assert.Throws<EntropyProtocolException>(() => SubscribeMessage.FromBincode(bytes));
        Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.MalformedMessage));
    }

    [Test]
    public void SubscribeMessage_HugeLengthPrefix_ThrowsMalformed()
    {
        byte[] bytes = Convert.FromHexString("00000000" + "ffffffffffffff7f");
        var ex = Assert.Throws<EntropyProtocolException>(() => SubscribeMessage.FromBincode(bytes));
        Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.MalformedMessage));
    }

    [Test]
    public void SubscribeMessage_UnknownSessionVariant_ThrowsMalformed()
    {
        var ex = Assert.Throws<EntropyProtocolException>(() => SubscribeMessage.FromBincode(Convert.FromHexString("03000000")));
        Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.MalformedMessage));
    }

    [Test]
    public void SubscribeResponse_OkAndErr_MatchBincodeResultLayout()
    {
        // bincode 1.3: Result is an enum, Ok = variant 0 (unit payload), Err = variant 1 then the String.
        Assert.That(Convert.ToHexStringLower(ChannelResponder.EncodeSubscribeResponse(null)), Is.EqualTo("00000000"));
        Assert.That(Convert.ToHexStringLower(ChannelResponder.EncodeSubscribeResponse("no")), Is.EqualTo("01000000" + "0200000000000000" + "6e6f"));
        Assert.That(SubscribeResponse.Decode(Convert.FromHexString("00000000")), Is.Null);
        Assert.That(SubscribeResponse.Decode(ChannelResponder.EncodeSubscribeResponse("refused")), Is.EqualTo("refused"));
        Assert.Throws<EntropyProtocolException>(() => SubscribeResponse.Decode(Convert.FromHexString("02000000")));
    }

    private sealed class BincodeReaderBox(byte[] bytes)
    {
        public SessionId ReadSessionId()
        {
            var reader = new BincodeReader(bytes, "test");
            var id = SessionId.Read(ref reader);
            reader.EnsureEnd();
            return id;
        }
    }
}
