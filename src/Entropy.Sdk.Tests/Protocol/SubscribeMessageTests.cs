using Entropy.Crypto;
using Entropy.Protocol;

namespace Entropy.Tests.Protocol;

public class SubscribeMessageTests
{
    [Test]
    public void Create_WithSr25519KeyPair_VerifiesOverBincodeSessionId()
    {
        using var pair = Sr25519KeyPair.Generate();
        var session = SessionId.Dkg(new byte[32]);
        var message = SubscribeMessage.Create(session, pair);
        Assert.That(message.Verify(), Is.True);
        Assert.That(Sr25519.Verify(pair.PublicKey, session.ToBincode(), new Sr25519Signature(message.Signature)), Is.True);
        Assert.That(message.AccountId.ToArray(), Is.EqualTo(pair.PublicKey.ToArray()));
    }

    [Test]
    public void Verify_SignatureForOtherSession_ReturnsFalse()
    {
        using var pair = Sr25519KeyPair.Generate();
        var signed = SubscribeMessage.Create(SessionId.Dkg(new byte[32]), pair);
        var forged = new SubscribeMessage(SessionId.ProactiveRefresh(new byte[32]), signed.PublicKey, signed.Signature);
        Assert.That(forged.Verify(), Is.False);
    }

    [Test]
    public void FromBincode_RoundTrip_StillVerifies()
    {
        using var pair = Sr25519KeyPair.Generate();
        var message = SubscribeMessage.Create(SessionId.Sign(new byte[32], new byte[32]), pair);
        Assert.That(SubscribeMessage.FromBincode(message.ToBincode()).Verify(), Is.True);
    }
}
