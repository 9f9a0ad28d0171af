using System.Buffers.Binary;
using System.Text.Json;
using Entropy.Crypto;
using Entropy.Synedrion.Encoding;
using Entropy.Synedrion.Session;

namespace Entropy.Synedrion.Tests;

/// <summary>Messages Entropy's wasm client (synedrion 0.1.0) put on the wire, recorded by synwire in testdata/synedrion/.</summary>
public class WasmVectorTests
{
    [Test]
    public void Round1MessagesDecodeReencodeAndVerify()
    {
        var path = Path.Combine(WasmKeyShareTests.RepositoryRoot(), "testdata", "synedrion", "wasm-0.2.0-round1.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var sharedRandomness = Convert.FromHexString(root.GetProperty("sharedRandomness").GetString()!);
        var user = new Sr25519PublicKey(Convert.FromHexString(root.GetProperty("user").GetString()!));
        int count = 0;
        foreach (var message in root.GetProperty("messages").EnumerateArray())
        {
            var frame = Convert.FromHexString(message.GetProperty("frame").GetString()!);
            var signed = frame.AsMemory(2 * (8 + 48));
            var m = SignedMessage.Read(new BincodeReader(signed, "SignedMessage"), new Sr25519HexVerifier(user));

            Assert.That(m.ToBytes(), Is.EqualTo(signed.ToArray()), "re-encodes to identical bytes");
            Assert.That(m.SessionId, Is.EqualTo(SignedMessage.SessionIdFor(sharedRandomness)), "synedrion session id = SHA-256(\"SessionId\" ‖ len ‖ seed)");
            Assert.That(m.RoundNumber, Is.EqualTo(1));
            Assert.That(m.Type, Is.EqualTo(MessageType.Broadcast));
            Assert.That(new Sr25519HexVerifier(user).VerifyPrehash([], m.SignedPrehash, m.Signature), Is.True, "the user's signature over our prehash");

            // Round-1 payload: (KeyInit hash, KeyRefresh hash), each u64 32 ‖ 32 bytes.
            var r = new BincodeReader(m.Payload, "round 1");
            Assert.That(r.FixedBytes("a", 32).Length + r.FixedBytes("b", 32).Length, Is.EqualTo(64));
            r.End();

            var tampered = m with { Payload = [.. m.Payload.Select((b, i) => i == 20 ? (byte)(b ^ 1) : b)] };
            Assert.That(new Sr25519HexVerifier(user).VerifyPrehash([], tampered.SignedPrehash, tampered.Signature), Is.False);
            count++;
        }

        Assert.That(count, Is.GreaterThan(0));
    }

    // entropy-protocol 0.2.0's Sig: sp_core::sr25519::Signature, serde = hex string → bincode u64 128 ‖ 128 lowercase hex chars.
    private sealed class Sr25519HexVerifier(Sr25519PublicKey key) : ISynedrionVerifier
    {
        public int SignatureLength(ReadOnlySpan<byte> bincode) =>
            bincode.Length >= 136 && BinaryPrimitives.ReadUInt64LittleEndian(bincode) == 128 ? 136 : -1;

        public bool VerifyPrehash(ReadOnlySpan<byte> verifierId, ReadOnlySpan<byte> prehash, ReadOnlySpan<byte> signature)
        {
            var sig = Convert.FromHexString(System.Text.Encoding.ASCII.GetString(signature[8..]));
            return Sr25519.Verify(key, prehash, new Sr25519Signature(sig));
        }
    }
}
