using CsCheck;
using Entropy.Protocol;

namespace Entropy.Tests.Protocol;

public class NoiseTransportPropertyTests
{
    [Test]
    public void EncryptDecrypt_AnySequenceOfMessages_DecryptsToItself()
    {
        Gen.Byte.Array[0, 2000].Array[1, 12].Sample(messages =>
        {
            var (initiator, responder) = NoiseHandshakeStateTests.Establish(out _);
            using (initiator)
            using (responder)
            {
                for (int i = 0; i < messages.Length; i++)
                {
                    var (sender, receiver) = i % 3 == 0 ? (responder, initiator) : (initiator, responder);
                    byte[] plaintext = receiver.Decrypt(sender.Encrypt(messages[i]));
                    if (!plaintext.AsSpan().SequenceEqual(messages[i]))
                    {
                        return false;
                    }
                }
            }

            return true;
        }, iter: 60);
    }

    [Test]
    public void Decrypt_AnyTamperedByte_Fails()
    {
        Gen.Select(Gen.Byte.Array[0, 300], Gen.Int.Positive, Gen.Byte[1, 255]).Sample((plaintext, position, flip) =>
        {
            var (initiator, responder) = NoiseHandshakeStateTests.Establish(out _);
            using (initiator)
            using (responder)
            {
                byte[] message = initiator.Encrypt(plaintext);
                message[position % message.Length] ^= flip;
                try
                {
                    responder.Decrypt(message);
                    return false;
                }
                catch (EntropyProtocolException ex)
                {
                    return ex.Kind == EntropyProtocolErrorKind.DecryptionFailed;
                }
            }
        }, iter: 60);
    }
}
