using System.Buffers.Binary;
using System.Security.Cryptography;
using Entropy.Synedrion.KeyGen;
using Entropy.Synedrion.Session;

namespace Entropy.Synedrion.Tests;

public class SessionTests
{
    private static readonly SynedrionParams P = SynedrionParams.Test;

    [Test]
    public void SignedMessageLayoutIsSessionIdRoundTypePayloadSignature()
    {
        var signer = new TestSigner([7]);
        var sid = SignedMessage.SessionIdFor([1, 2, 3]);
        var m = SignedMessage.Sign(signer, sid, 2, MessageType.BroadcastConsensus, [0xAA, 0xBB]);
        var bytes = m.ToBytes();
        Assert.That(Convert.ToHexStringLower(bytes[..8]), Is.EqualTo("2000000000000000"));
        Assert.That(bytes[40], Is.EqualTo(2));
        Assert.That(Convert.ToHexStringLower(bytes[41..45]), Is.EqualTo("02000000"));
        Assert.That(Convert.ToHexStringLower(bytes[45..55]), Is.EqualTo("0200000000000000aabb"));
        var back = SignedMessage.Read(new Encoding.BincodeReader(bytes, "t"), new TestVerifier());
        Assert.That(back.SameAs(m), Is.True);
        Assert.That(new TestVerifier().VerifyPrehash([7], back.SignedPrehash, back.Signature), Is.True);
    }

    [Test]
    public void ThreePartySessionFinishesWithOneVerifyingKey()
    {
        var shares = RunSession(3, null);
        Assert.That(shares.Select(s => s.VerifyingKey).Distinct().Count(), Is.EqualTo(1));
        Assert.That(shares.Select(s => (int)s.Index), Is.EqualTo(new[] { 0, 1, 2 }));
    }

    [Test]
    public void BadSignatureNamesTheSender()
    {
        var ex = Assert.Throws<SynedrionProtocolException>(() => RunSession(3, (from, to, bytes) =>
        {
            if (from == 2)
            {
                bytes[^1] ^= 1;
            }

            return bytes;
        }));
        Assert.That(ex!.CulpritId, Is.EqualTo(new byte[] { 2 }));
        Assert.That(ex.Message, Does.Contain("signature"));
    }

    [Test]
    public void EquivocatingBroadcastIsCaughtByTheEchoAndNamesTheEquivocator()
    {
        var otherSigner = new TestSigner([1]);
        var ex = Assert.Throws<SynedrionProtocolException>(() => RunSession(3, (from, to, bytes) =>
        {
            var m = SignedMessage.Read(new Encoding.BincodeReader(bytes, "t"), new TestVerifier());
            if (from == 1 && to == 2 && m.RoundNumber == 1 && m.Type == MessageType.Broadcast)
            {
                var payload = (byte[])m.Payload.Clone();
                payload[20] ^= 1;
                return SignedMessage.Sign(otherSigner, m.SessionId, 1, MessageType.Broadcast, payload).ToBytes();
            }

            return bytes;
        }));
        Assert.That(ex!.CulpritId, Is.EqualTo(new byte[] { 1 }));
        Assert.That(ex.Message, Does.Contain("equivocation"));
    }

    [Test]
    public void ForeignSessionAndTruncationAreNamed()
    {
        var ex = Assert.Throws<SynedrionProtocolException>(() => RunSession(2, (from, to, bytes) =>
        {
            if (from == 1)
            {
                bytes[10] ^= 1;
            }

            return bytes;
        }));
        Assert.That(ex!.CulpritId, Is.EqualTo(new byte[] { 1 }));
        Assert.That(ex.Message, Does.Contain("session id"));

        var cut = Assert.Throws<SynedrionProtocolException>(() => RunSession(2, (from, to, bytes) => from == 0 ? bytes[..30] : bytes));
        Assert.That(cut!.CulpritId, Is.EqualTo(new byte[] { 0 }));
        Assert.That(cut.Message, Does.Contain("truncated"));
    }

    private static KeyShare[] RunSession(int n, Func<int, int, byte[], byte[]>? tamper)
    {
        var sr = RandomNumberGenerator.GetBytes(32);
        var ids = Enumerable.Range(0, n).Select(i => new[] { (byte)i }).ToArray();
        var sessions = ids.Select(id => KeyGenSession.Create(P, sr, new TestSigner(id), ids, new TestVerifier())).ToArray();
        var queue = new Queue<(int From, OutgoingMessage Message)>();
        for (int i = 0; i < n; i++)
        {
            foreach (var m in sessions[i].Start())
            {
                queue.Enqueue((i, m));
            }
        }

        while (queue.Count > 0)
        {
            var (from, m) = queue.Dequeue();
            int to = m.To[0];
            var bytes = tamper?.Invoke(from, to, (byte[])m.Bytes.Clone()) ?? m.Bytes;
            foreach (var reply in sessions[to].Receive(ids[from], bytes))
            {
                queue.Enqueue((to, reply));
            }
        }

        Assert.That(sessions.All(s => s.IsFinished), Is.True);
        return [.. sessions.Select(s => s.Result)];
    }

    // Test-only signature: u64 32 ‖ HMAC-SHA256(id, prehash) (a byte string, so the decoder's length logic is exercised).
    private sealed class TestSigner(byte[] id) : ISynedrionSigner
    {
        public byte[] VerifierId => id;

        public byte[] SignPrehash(ReadOnlySpan<byte> prehash)
        {
            var sig = new byte[40];
            BinaryPrimitives.WriteUInt64LittleEndian(sig, 32);
            HMACSHA256.HashData(id, prehash, sig.AsSpan(8));
            return sig;
        }
    }

    private sealed class TestVerifier : ISynedrionVerifier
    {
        public int SignatureLength(ReadOnlySpan<byte> bincode) =>
            bincode.Length >= 8 && BinaryPrimitives.ReadUInt64LittleEndian(bincode) == 32 ? 40 : -1;

        public bool VerifyPrehash(ReadOnlySpan<byte> verifierId, ReadOnlySpan<byte> prehash, ReadOnlySpan<byte> signature) =>
            signature.Length == 40 && signature[8..].SequenceEqual(HMACSHA256.HashData(verifierId.ToArray(), prehash.ToArray()));
    }
}
