using Entropy.Protocol;
using Entropy.Protocol.Noise;

namespace Entropy.Tests.Protocol;

public class NoiseHandshakeStateTests
{
    private static readonly byte[] s_prologue = "Entropy signing protocol"u8.ToArray();

    /// <summary>A published Noise_XK_25519_ChaChaPoly_BLAKE2s vector.</summary>
    public sealed record Vector(
        string Source,
        string Prologue,
        string InitStatic,
        string InitEphemeral,
        string RespStatic,
        string RespEphemeral,
        string? HandshakeHash,
        (string Payload, string Ciphertext)[] Messages)
    {
        public override string ToString() => Source;
    }

    public static IEnumerable<Vector> Vectors()
    {
        // haskell-cryptography/cacophony vectors/cacophony.txt (copied in mcginty/snow tests/vectors/cacophony.txt @ 8ac60f5),
        // entry "Noise_XK_25519_ChaChaPoly_BLAKE2s".
        yield return new Vector(
            "cacophony",
            "4a6f686e2047616c74",
            "e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1",
            "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a",
            "4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893",
            "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b",
            "899891a0f1a8db67f8bfa46b8bced371c1c25de377f20cf882fdd06fc15517fd",
            [
                ("4c756477696720766f6e204d69736573", "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c7944e953bb4cd3450eecab157a8ce632f74fcac39a3fcd5be08267d5923ca353d4f0"),
                ("4d757272617920526f746862617264", "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f14480884382521c3ea09af48bfa39627819b007e7c0e179dad4a9a7482841bae32ec8eb"),
                ("462e20412e20486179656b", "f032de86c8d3c2099478fefb9b2e6a1fef904d3b2470949858ae9f497ff068dbb6ff7cb43fa51946bcd8a87863849aa7f0e663cd83961c752ce3be41384de8a849e4d130d9a2d717a5c7e8"),
                ("4361726c204d656e676572", "cb54ca2168a55a150760c409e2157b9e57ceab823d897bff36eeab"),
                ("4a65616e2d426170746973746520536179", "948e26c8a5348aec2711343de8e7c8faa7cae4b6bf51e9026eab234ed4f3e8e8fc"),
                ("457567656e2042f6686d20766f6e2042617765726b", "dbf0cedc457d87e0eaa4629b7167a7e552ac5197d5436a20a1b5ba001ca21116e22669773c"),
            ]);

        // mcginty/snow tests/vectors/snow.txt @ 8ac60f5, entry "Noise_XK_25519_ChaChaPoly_BLAKE2s".
        yield return new Vector(
            "snow",
            "5468657265206973206e6f20726967687420616e642077726f6e672e2054686572652773206f6e6c792066756e20616e6420626f72696e672e",
            "b29b7d68d15ed96c0eeec2b7e54744e85973638f75c8efe1c9d3efbb9f48fe91",
            "f0830ced8e6fe7709deb75932ffd61e5b3a60b9d6ea48057d539a06b42bedfa6",
            "f8cafd224cddae0b416e0d12c36d9e2d12cc75586f118a48709f102a1a9eaa82",
            "e1f19408062eb064c1e2918553a65ab07128f3ea210deea8c762aca1d04c1c9c",
            null,
            [
                ("8886f0308172cadb7e879b2127e33e6d74e220692e574a1d45e8a31d65c17a97", "70d0af03e37c227e33d5694d66d4b909c50b188ccceeea4fd16acc8d88f1fb09c2df1ece9ea8d7c5c66f64676c3eacc172fb75603be615b916acd026cd1416db768e21202ac5fd3e458a4bb2e597edbf"),
                ("4568d07511b048f212f4dd3cc24996510681b42d97e959d58778d019d515e4fc", "761c27b33ed10812d8a708353c4548304942ec3a74503f1414e76cc3272bfd6006e9c3a2b71c761209bc398f801c3f2452c32b152042de95e11344c9db29d3336304208ef6f1c3b7c86b20ebbb911fef"),
                ("71a8df6bd738456c729487eed11762daee007984cf04ab45582e3605ec0c9048", "3f1cf0c758be5c39ba167c0a749e32a8574357ea900f02462598d83b8d8f3014ec4287ef9fed44982c20d3c4543238a6eac2311fba70693a807ea2677271efd7a05cd436966aa0564a73f34c9b86e98bdf1604370967322ccb04bd5d7a1cec13"),
                ("bd3e6fc5e915646c6d6b054131073c580555d9e9d8de5cfccd9db7a901d21a73", "49c77aa5311482b61f9102cd62f9061cfc603814904ad96af5dc8ac939e7d44560d7badd33529775e032e92e70413693"),
                ("72dadc09c930e3a9d0008f995caf20896832ba99996b0dbbe4afeb39a20cdeaa", "c762c5860fe743a2a45144e7529e0dc41ef98eba9fdace4defa375a1fbadf23b2efbf1dbfa4b61b197d7de8f76a9b424"),
            ]);
    }

    [TestCaseSource(nameof(Vectors))]
    public void Handshake_PublishedVector_ReproducesEveryMessageByteForByte(Vector vector)
    {
        byte[] prologue = Convert.FromHexString(vector.Prologue);
        byte[] respStatic = Convert.FromHexString(vector.RespStatic);
        using var initiator = NoiseHandshakeState.CreateInitiator(
            Convert.FromHexString(vector.InitStatic), NoiseCrypto.PublicKeyOf(respStatic), prologue, Convert.FromHexString(vector.InitEphemeral));
        using var responder = NoiseHandshakeState.CreateResponder(respStatic, prologue, Convert.FromHexString(vector.RespEphemeral));

        for (int i = 0; i < 3; i++)
        {
            var (writer, reader) = i % 2 == 0 ? (initiator, responder) : (responder, initiator);
            byte[] payload = Convert.FromHexString(vector.Messages[i].Payload);
            byte[] message = writer.WriteMessage(payload);
            Assert.That(Convert.ToHexStringLower(message), Is.EqualTo(vector.Messages[i].Ciphertext), $"handshake message {i}");
            Assert.That(reader.ReadMessage(message), Is.EqualTo(payload), $"handshake payload {i}");
        }

        Assert.That(initiator.IsHandshakeFinished && responder.IsHandshakeFinished, Is.True);
        if (vector.HandshakeHash is not null)
        {
            Assert.That(Convert.ToHexStringLower(initiator.HandshakeHash), Is.EqualTo(vector.HandshakeHash));
        }

        Assert.That(responder.RemoteStaticPublicKey.ToArray(), Is.EqualTo(NoiseCrypto.PublicKeyOf(Convert.FromHexString(vector.InitStatic))));
        using var initiatorTransport = initiator.Split();
        using var responderTransport = responder.Split();
        Assert.That(initiatorTransport.HandshakeHash.ToArray(), Is.EqualTo(responderTransport.HandshakeHash.ToArray()));

        for (int i = 3; i < vector.Messages.Length; i++)
        {
            var (sender, receiver) = i % 2 == 0 ? (initiatorTransport, responderTransport) : (responderTransport, initiatorTransport);
            byte[] payload = Convert.FromHexString(vector.Messages[i].Payload);
            byte[] message = sender.Encrypt(payload);
            Assert.That(Convert.ToHexStringLower(message), Is.EqualTo(vector.Messages[i].Ciphertext), $"transport message {i}");
            Assert.That(receiver.Decrypt(message), Is.EqualTo(payload), $"transport payload {i}");
        }
    }

    [Test]
    public void Handshake_RandomEphemerals_EstablishesMatchingChannels()
    {
        var (initiator, responder) = Establish(out byte[] initiatorStatic);
        using (initiator)
        using (responder)
        {
            Assert.That(responder.RemoteStaticPublicKey.ToArray(), Is.EqualTo(NoiseCrypto.PublicKeyOf(initiatorStatic)));
            byte[] message = initiator.Encrypt("hello"u8);
            Assert.That(responder.Decrypt(message), Is.EqualTo("hello"u8.ToArray()));
            byte[] reply = responder.Encrypt([]);
            Assert.That(reply, Has.Length.EqualTo(16));
            Assert.That(initiator.Decrypt(reply), Is.Empty);
        }
    }

    [Test]
    public void ReadMessage_TamperedFirstMessage_ThrowsHandshakeFailed()
    {
        byte[] respStatic = NoiseCrypto.GeneratePrivateKey();
        using var initiator = NoiseHandshakeState.CreateInitiator(NoiseCrypto.GeneratePrivateKey(), NoiseCrypto.PublicKeyOf(respStatic), s_prologue);
        using var responder = NoiseHandshakeState.CreateResponder(respStatic, s_prologue);
        byte[] message = initiator.WriteMessage([]);
        message[^1] ^= 0x01;
        var ex = Assert.Throws<EntropyProtocolException>(() => responder.ReadMessage(message));
        Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.HandshakeFailed));
        Assert.Throws<InvalidOperationException>(() => responder.ReadMessage(message));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    public void ReadMessage_TamperedMessage_ThrowsHandshakeFailed(int tamperedIndex)
    {
        byte[] respStatic = NoiseCrypto.GeneratePrivateKey();
        using var initiator = NoiseHandshakeState.CreateInitiator(NoiseCrypto.GeneratePrivateKey(), NoiseCrypto.PublicKeyOf(respStatic), s_prologue);
        using var responder = NoiseHandshakeState.CreateResponder(respStatic, s_prologue);
        for (int i = 0; i < 3; i++)
        {
            var (writer, reader) = i % 2 == 0 ? (initiator, responder) : (responder, initiator);
            byte[] message = writer.WriteMessage("payload"u8);
            if (i == tamperedIndex)
            {
                // Flip a bit in the encrypted part (the tag) so authentication fails.
                message[^3] ^= 0x80;
                var ex = Assert.Throws<EntropyProtocolException>(() => reader.ReadMessage(message));
                Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.HandshakeFailed));
                return;
            }

            reader.ReadMessage(message);
        }

        Assert.Fail("not reached");
    }

    [Test]
    public void ReadMessage_InitiatorUsesWrongResponderStaticKey_ResponderRejectsFirstMessage()
    {
        byte[] respStatic = NoiseCrypto.GeneratePrivateKey();
        byte[] otherStatic = NoiseCrypto.GeneratePrivateKey();
        using var initiator = NoiseHandshakeState.CreateInitiator(NoiseCrypto.GeneratePrivateKey(), NoiseCrypto.PublicKeyOf(otherStatic), s_prologue);
        using var responder = NoiseHandshakeState.CreateResponder(respStatic, s_prologue);
        var ex = Assert.Throws<EntropyProtocolException>(() => responder.ReadMessage(initiator.WriteMessage([])));
        Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.HandshakeFailed));
    }

    [Test]
    public void ReadMessage_DifferentPrologue_Fails()
    {
        byte[] respStatic = NoiseCrypto.GeneratePrivateKey();
        using var initiator = NoiseHandshakeState.CreateInitiator(NoiseCrypto.GeneratePrivateKey(), NoiseCrypto.PublicKeyOf(respStatic), "other"u8);
        using var responder = NoiseHandshakeState.CreateResponder(respStatic, s_prologue);
        var ex = Assert.Throws<EntropyProtocolException>(() => responder.ReadMessage(initiator.WriteMessage([])));
        Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.HandshakeFailed));
    }

    [Test]
    public void ReadMessage_TruncatedMessage_ThrowsHandshakeFailed()
    {
        byte[] respStatic = NoiseCrypto.GeneratePrivateKey();
        using var initiator = NoiseHandshakeState.CreateInitiator(NoiseCrypto.GeneratePrivateKey(), NoiseCrypto.PublicKeyOf(respStatic), s_prologue);
        using var responder = NoiseHandshakeState.CreateResponder(respStatic, s_prologue);
        byte[] message = initiator.WriteMessage([]);
        var ex = Assert.Throws<EntropyProtocolException>(() => responder.ReadMessage(message.AsSpan(0, 40)));
        Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.HandshakeFailed));
    }

    [Test]
    public void WriteMessage_OutOfTurn_ThrowsInvalidOperation()
    {
        using var responder = NoiseHandshakeState.CreateResponder(NoiseCrypto.GeneratePrivateKey(), s_prologue);
        Assert.Throws<InvalidOperationException>(() => responder.WriteMessage([]));
    }

    [Test]
    public void WriteMessage_PayloadOverLimit_ThrowsMessageTooLarge()
    {
        byte[] respStatic = NoiseCrypto.GeneratePrivateKey();
        using var initiator = NoiseHandshakeState.CreateInitiator(NoiseCrypto.GeneratePrivateKey(), NoiseCrypto.PublicKeyOf(respStatic), s_prologue);
        var ex = Assert.Throws<EntropyProtocolException>(() => initiator.WriteMessage(new byte[65535 - 32 - 16 + 1]));
        Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.MessageTooLarge));
        Assert.That(initiator.WriteMessage(new byte[65535 - 32 - 16 - 1]), Has.Length.EqualTo(65535 - 1));
    }

    [Test]
    public void Split_BeforeHandshakeFinished_ThrowsInvalidOperation()
    {
        using var responder = NoiseHandshakeState.CreateResponder(NoiseCrypto.GeneratePrivateKey(), s_prologue);
        Assert.Throws<InvalidOperationException>(() => responder.Split());
    }

    [Test]
    public void Encrypt_PlaintextOver65519_ThrowsMessageTooLarge()
    {
        var (initiator, responder) = Establish(out _);
        using (initiator)
        using (responder)
        {
            Assert.That(initiator.Encrypt(new byte[65519]), Has.Length.EqualTo(65535));
            var ex = Assert.Throws<EntropyProtocolException>(() => initiator.Encrypt(new byte[65520]));
            Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.MessageTooLarge));
        }
    }

    [Test]
    public void Encrypt_NonceExhausted_ThrowsNonceExhausted()
    {
        var (initiator, responder) = Establish(out _);
        using (initiator)
        using (responder)
        {
            initiator.SendCipher.SetNonce(ulong.MaxValue - 1);
            Assert.That(initiator.Encrypt([1]), Has.Length.EqualTo(17));
            var ex = Assert.Throws<EntropyProtocolException>(() => initiator.Encrypt([1]));
            Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.NonceExhausted));
        }
    }

    [Test]
    public void Decrypt_ReplayedMessage_ThrowsDecryptionFailed_AndKeepsNonce()
    {
        var (initiator, responder) = Establish(out _);
        using (initiator)
        using (responder)
        {
            byte[] first = initiator.Encrypt("one"u8);
            byte[] second = initiator.Encrypt("two"u8);
            Assert.That(responder.Decrypt(first), Is.EqualTo("one"u8.ToArray()));
            var ex = Assert.Throws<EntropyProtocolException>(() => responder.Decrypt(first));
            Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.DecryptionFailed));
            Assert.That(responder.Decrypt(second), Is.EqualTo("two"u8.ToArray()));
        }
    }

    [Test]
    public void Dh_LowOrderRemoteKey_ThrowsHandshakeFailed()
    {
        var ex = Assert.Throws<EntropyProtocolException>(() => NoiseCrypto.Dh(NoiseCrypto.GeneratePrivateKey(), new byte[32], new byte[32], EntropyProtocolErrorKind.HandshakeFailed));
        Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.HandshakeFailed));
    }

    internal static (NoiseTransportState Initiator, NoiseTransportState Responder) Establish(out byte[] initiatorStatic)
    {
        byte[] respStatic = NoiseCrypto.GeneratePrivateKey();
        initiatorStatic = NoiseCrypto.GeneratePrivateKey();
        var initiator = NoiseHandshakeState.CreateInitiator(initiatorStatic, NoiseCrypto.PublicKeyOf(respStatic), s_prologue);
        var responder = NoiseHandshakeState.CreateResponder(respStatic, s_prologue);
        responder.ReadMessage(initiator.WriteMessage([]));
        initiator.ReadMessage(responder.WriteMessage([]));
        responder.ReadMessage(initiator.WriteMessage([]));
        return (initiator.Split(), responder.Split());
    }
}
