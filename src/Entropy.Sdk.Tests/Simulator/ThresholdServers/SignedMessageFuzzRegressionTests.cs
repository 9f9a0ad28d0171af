using Entropy.Protocol;
using Entropy.Simulator.ThresholdServers;

namespace Entropy.Tests.Simulator.ThresholdServers;

/// <summary>Regressions found by fuzzing the <c>/user/receive_key</c> body (docs/reliability.md, Fuzzing).</summary>
public class SignedMessageFuzzRegressionTests
{
    [Test]
    public void FromJson_InvalidUtf8InTheHexString_ThrowsMalformedMessage()
    {
        // fuzz/corpus/receive-key/crash-invalid-utf8: "msg" holding the byte 0xFE made JsonElement.GetString throw InvalidOperationException.
        byte[] json = [.. "{\"msg\":\"0x8c3a"u8, 0xfe, .. "\",\"sig\":\"00\",\"pk\":[],\"recip\":[],\"a\":[],\"nonce\":[]}"u8];

        var ex = Assert.Throws<EntropyProtocolException>(() => SignedMessage.FromJson(json));

        Assert.That(ex!.Kind, Is.EqualTo(EntropyProtocolErrorKind.MalformedMessage));
        Assert.That(ex.Message, Does.Contain("UTF-8"));
    }
}
