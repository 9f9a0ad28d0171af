using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Entropy.Crypto;
using Entropy.Hashing;
using Entropy.Protocol;
using Entropy.Simulator.ThresholdServers;

namespace Entropy.Tests.Simulator.ThresholdServers;

public class SignedMessageTests
{
    // Dev TSS mnemonics from PROTOCOL.md §10.
    private const string AliceMnemonic = "alarm mutual concert decrease hurry invest culture survey diagram crash snap click";
    private const string BobMnemonic = "where sight patient orphan general short empower hope party hurt month voice";
    private const string CharlieMnemonic = "lake carry still awful point mention bike category tornado plate brass lock";

    private Sr25519KeyPair _alice = null!;
    private Sr25519KeyPair _bob = null!;
    private Sr25519KeyPair _charlie = null!;

    [OneTimeSetUp]
    public void CreateKeys()
    {
        _alice = Sr25519KeyPair.FromMnemonic(AliceMnemonic);
        _bob = Sr25519KeyPair.FromMnemonic(BobMnemonic);
        _charlie = Sr25519KeyPair.FromMnemonic(CharlieMnemonic);
    }

    [OneTimeTearDown]
    public void DisposeKeys()
    {
        _alice.Dispose();
        _bob.Dispose();
        _charlie.Dispose();
    }

    [Test]
    public void CreateThenDecrypt_ThroughJson_RoundTrips()
    {
        byte[] plaintext = Encoding.UTF8.GetBytes("{\"key\":\"5H8q…\",\"value\":[1,2,3],\"proactive_refresh\":false}");
        var message = SignedMessage.Create(_alice, plaintext, ThresholdServerKeys.DeriveX25519PublicKey(_bob));
        var parsed = SignedMessage.FromJson(message.ToJson());
        Assert.That(parsed.Verify(), Is.True);
        Assert.That(parsed.Decrypt(ThresholdServerKeys.DeriveX25519StaticSecret(_bob)), Is.EqualTo(plaintext));
        Assert.That(parsed.SenderPublicKey.ToArray(), Is.EqualTo(_alice.PublicKey.ToArray()));
        Assert.That(parsed.SenderX25519PublicKey.ToArray(), Is.EqualTo(ThresholdServerKeys.DeriveX25519PublicKey(_alice)));
    }

    [Test]
    public void ToJson_Shape_MatchesProtocolDoc()
    {
        // PROTOCOL.md §6.2: msg = "0x" hex (sp_core::Bytes), sig = hex without 0x, pk/recip/a = arrays of 32 numbers, nonce = 12 numbers.
        byte[] nonce = Enumerable.Range(1, 12).Select(i => (byte)i).ToArray();
        var message = SignedMessage.Create(_alice, [0xde, 0xad], ThresholdServerKeys.DeriveX25519PublicKey(_bob), nonce);
        var json = JsonNode.Parse(message.ToJson())!.AsObject();
        Assert.That(json.Select(p => p.Key), Is.EqualTo(new[] { "msg", "sig", "pk", "recip", "a", "nonce" }));
        Assert.That(json["msg"]!.GetValue<string>(), Does.Match("^0x[0-9a-f]{36}$"));
        Assert.That(json["sig"]!.GetValue<string>(), Does.Match("^[0-9a-f]{128}$"));
        Assert.That(json["pk"]!.AsArray().Select(n => n!.GetValue<int>()), Is.EqualTo(_alice.PublicKey.ToArray().Select(b => (int)b)));
        Assert.That(json["recip"]!.AsArray().Select(n => n!.GetValue<int>()), Is.EqualTo(ThresholdServerKeys.DeriveX25519PublicKey(_bob).Select(b => (int)b)));
        Assert.That(json["a"]!.AsArray().Select(n => n!.GetValue<int>()), Is.EqualTo(ThresholdServerKeys.DeriveX25519PublicKey(_alice).Select(b => (int)b)));
        Assert.That(json["nonce"]!.AsArray().Select(n => n!.GetValue<int>()), Is.EqualTo(nonce.Select(b => (int)b)));
        Assert.That(Convert.ToHexStringLower(ThresholdServerKeys.DeriveX25519PublicKey(_bob)), Is.EqualTo("e13087d3e3d5aa1501bd769eff57f55924aaa9b544c9d2b2edf765509988660a"));
    }

    [Test]
    public void Create_Signature_IsOverBlake2sOfCiphertextAndRecipient()
    {
        byte[] recipient = ThresholdServerKeys.DeriveX25519PublicKey(_bob);
        var message = SignedMessage.Create(_alice, "x"u8, recipient);
        byte[] digest = Blake2s.Hash256([.. message.Ciphertext, .. recipient]);
        Assert.That(Sr25519.Verify(_alice.PublicKey, digest, new Sr25519Signature(message.Signature)), Is.True);
    }

    [Test]
    public void Decrypt_TamperedSignature_ThrowsInvalidSignature()
    {
        var json = Json(SignedMessage.Create(_alice, "secret"u8, ThresholdServerKeys.DeriveX25519PublicKey(_bob)));
        string sig = json["sig"]!.GetValue<string>();
        json["sig"] = (sig[0] == '0' ? "1" : "0") + sig[1..];
        var ex = Assert.Throws<EntropyProtocolException>(() => Parse(json).Decrypt(ThresholdServerKeys.DeriveX25519StaticSecret(_bob)));
        Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.InvalidSignature));
    }

    [Test]
    public void Decrypt_TamperedCiphertext_ThrowsInvalidSignature()
    {
        var json = Json(SignedMessage.Create(_alice, "secret"u8, ThresholdServerKeys.DeriveX25519PublicKey(_bob)));
        string msg = json["msg"]!.GetValue<string>();
        json["msg"] = "0x" + (msg[2] == '0' ? "1" : "0") + msg[3..];
        var ex = Assert.Throws<EntropyProtocolException>(() => Parse(json).Decrypt(ThresholdServerKeys.DeriveX25519StaticSecret(_bob)));
        Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.InvalidSignature));
    }

    [Test]
    public void Decrypt_TamperedCiphertextResigned_ThrowsDecryptionFailed()
    {
        byte[] recipient = ThresholdServerKeys.DeriveX25519PublicKey(_bob);
        var original = SignedMessage.Create(_alice, "secret"u8, recipient);
        byte[] ciphertext = original.Ciphertext.ToArray();
        ciphertext[0] ^= 1;
        var json = Json(original);
        json["msg"] = "0x" + Convert.ToHexStringLower(ciphertext);
        json["sig"] = Convert.ToHexStringLower(_alice.Sign(Blake2s.Hash256([.. ciphertext, .. recipient])).ToArray());
        var ex = Assert.Throws<EntropyProtocolException>(() => Parse(json).Decrypt(ThresholdServerKeys.DeriveX25519StaticSecret(_bob)));
        Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.DecryptionFailed));
    }

    [Test]
    public void Decrypt_TamperedSenderX25519Key_ThrowsDecryptionFailed()
    {
        var json = Json(SignedMessage.Create(_alice, "secret"u8, ThresholdServerKeys.DeriveX25519PublicKey(_bob)));
        json["a"] = new JsonArray(ThresholdServerKeys.DeriveX25519PublicKey(_charlie).Select(b => JsonValue.Create((int)b)).ToArray<JsonNode?>());
        var ex = Assert.Throws<EntropyProtocolException>(() => Parse(json).Decrypt(ThresholdServerKeys.DeriveX25519StaticSecret(_bob)));
        Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.DecryptionFailed));
    }

    [Test]
    public void Decrypt_OtherRecipient_ThrowsWrongRecipient()
    {
        var message = SignedMessage.Create(_alice, "secret"u8, ThresholdServerKeys.DeriveX25519PublicKey(_bob));
        var ex = Assert.Throws<EntropyProtocolException>(() => message.Decrypt(ThresholdServerKeys.DeriveX25519StaticSecret(_charlie)));
        Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.WrongRecipient));
    }

    [TestCase("{}")]
    [TestCase("[]")]
    [TestCase("{\"msg\":\"00\",\"sig\":\"\",\"pk\":[],\"recip\":[],\"a\":[],\"nonce\":[]}")]
    [TestCase("not json")]
    public void FromJson_Malformed_ThrowsMalformedMessage(string json)
    {
        var ex = Assert.Throws<EntropyProtocolException>(() => SignedMessage.FromJson(Encoding.UTF8.GetBytes(json)));
        Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.MalformedMessage));
    }

    [Test]
    public void FromJson_ByteOutOfRange_ThrowsMalformedMessage()
    {
        var json = Json(SignedMessage.Create(_alice, "secret"u8, ThresholdServerKeys.DeriveX25519PublicKey(_bob)));
        json["nonce"]![0] = 256;
        var ex = Assert.Throws<EntropyProtocolException>(() => Parse(json));
        Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.MalformedMessage));
    }

    private static JsonObject Json(SignedMessage message) => JsonNode.Parse(message.ToJson())!.AsObject();

    private static SignedMessage Parse(JsonObject json) => SignedMessage.FromJson(JsonSerializer.SerializeToUtf8Bytes(json));
}
