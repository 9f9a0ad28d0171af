using System.Buffers.Binary;
using System.Text.Json;
using Entropy.Crypto;
using Entropy.Synedrion.Encoding;
using Entropy.Synedrion.Hashing;
using Entropy.Synedrion.KeyGen;
using Entropy.Synedrion.Proofs;
using Entropy.Synedrion.Session;

namespace Entropy.Synedrion.Tests;

/// <summary>
/// A whole key generation as it went over the wire (testdata/synedrion/wasm-0.2.0-keygen.json): Entropy's wasm client 0.2.0 (synedrion
/// 0.1.0 in wasm) as the user, party 2, with two devnet committee servers, parties 0 and 1. Offline, message by message: every frame
/// decodes and re-encodes to the same bytes and carries its sender's signature; every round's data checks (the round-1 hashes, Σ X = 0,
/// Π^prm, Π^sch, Π^mod, Π^fac — the wasm's proofs and the servers' that the wasm accepted); the public shares computed from round 2
/// give the verifying key the wasm reported; and a tampered proof of the wasm's is rejected.
/// </summary>
public class WasmKeyGenVectorTests
{
    private const int User = 2;
    private static readonly SynedrionParams P = SynedrionParams.Production;

    [Test]
    public void EveryFrame_ReencodesIdentically_IsSignedByItsSender_AndEchoesCarryTheSameBroadcasts()
    {
        var run = Run.Shared;
        Assert.That(run.Messages, Has.Count.EqualTo(24));
        foreach (var (from, to, signed, bytes) in run.Messages)
        {
            Assert.Multiple(() =>
            {
                Assert.That(signed.ToBytes(), Is.EqualTo(bytes), $"{from}→{to} round {signed.RoundNumber} {signed.Type} re-encodes identically");
                Assert.That(signed.SessionId, Is.EqualTo(SignedMessage.SessionIdFor(run.SharedRandomness)));
                Assert.That(Verifier.Instance.VerifyPrehash(run.Parties[from], signed.SignedPrehash, signed.Signature), Is.True, $"{from}'s signature");
                Assert.That(Verifier.Instance.VerifyPrehash(run.Parties[to], signed.SignedPrehash, signed.Signature), Is.False, "not the recipient's");
            });
        }

        // Echo rounds: each echo lists the broadcasts its sender received in that round, byte for byte as their senders sent them.
        foreach (var (from, _, echo, _) in run.Messages.Where(m => m.Signed.Type == MessageType.BroadcastConsensus))
        {
            var r = new BincodeReader(echo.Payload, "echo");
            var count = r.SeqLength("echoes", 4);
            Assert.That(count, Is.EqualTo(2), "an echo carries the other two parties' broadcasts");
            for (int i = 0; i < count; i++)
            {
                var index = (int)r.U32("party");
                var inner = SignedMessage.Read(r, Verifier.Instance);
                Assert.That(Verifier.Instance.VerifyPrehash(run.Parties[index], inner.SignedPrehash, inner.Signature), Is.True, $"echoed broadcast of party {index}");
                if (run.Broadcast(index, inner.RoundNumber) is { } original)
                {
                    Assert.That(inner.ToBytes(), Is.EqualTo(original.ToBytes()), $"party {from} echoes party {index}'s round {inner.RoundNumber} broadcast as sent");
                }
            }

            r.End();
        }
    }

    [Test]
    public void EveryRound_ChecksAsSynedrionDoes_AndThePublicSharesGiveTheWasmsVerifyingKey()
    {
        var run = Run.Shared;
        var sr = run.SharedRandomness;
        var init = new KeyInitData[3];
        var refresh = new KeyRefreshData[3];
        for (int k = 0; k < 3; k++)
        {
            var r1 = new BincodeReader(run.Broadcast(k, 1)!.Payload, "round 1");
            var initHash = r1.FixedBytes("key_init.hash", 32).ToArray();
            var refreshHash = r1.FixedBytes("key_refresh.hash", 32).ToArray();
            r1.End();
            var r2 = new BincodeReader(run.Broadcast(k, 2)!.Payload, "round 2");
            init[k] = KeyInitData.Read(r2, P);
            refresh[k] = KeyRefreshData.Read(r2, P);
            r2.End();
            var bytes = new BincodeWriter();
            init[k].Write(bytes);
            refresh[k].Write(bytes, P);
            var (i, f) = (init[k], refresh[k]);
            Assert.Multiple(() =>
            {
                Assert.That(bytes.ToArray(), Is.EqualTo(run.Broadcast(k, 2)!.Payload), $"party {k}'s round 2 re-encodes identically");
                Assert.That(i.Hash(sr, (uint)k), Is.EqualTo(initHash), $"party {k}'s KeyInit data matches its round-1 hash");
                Assert.That(f.Hash(P, sr, (uint)k), Is.EqualTo(refreshHash), $"party {k}'s KeyRefresh data matches its round-1 hash");
                Assert.That(f.XsPublic, Has.Length.EqualTo(3));
                Assert.That(CurvePoint.Sum(f.XsPublic).IsIdentity, Is.True, $"party {k}'s zero-sharing sums to the identity");
                Assert.That(f.PrmProof.Verify(P, f.RingPedersen, t => t.Bytes(sr).U32((uint)k)), Is.True, $"party {k}'s Π^prm");
            });
        }

        var rid = Xor(init.Select(d => d.Rid));
        var rho = Xor(refresh.Select(d => d.Rho));
        for (int k = 0; k < 3; k++)
        {
            var r3 = new BincodeReader(run.Broadcast(k, 3)!.Payload, "round 3");
            var sch = SchProof.Read(r3, "proof");
            r3.End();
            Assert.That(sch.Verify(init[k].Commitment, init[k].Public, t => t.Bytes(sr).U32((uint)k).Bytes(rid)), Is.True, $"party {k}'s KeyInit Π^sch");
        }

        var directs = run.Messages.Where(m => m.Signed.RoundNumber == 3 && m.Signed.Type == MessageType.Direct).ToList();
        Assert.That(directs, Has.Count.EqualTo(4), "user → each server, each server → user");
        foreach (var (from, to, signed, _) in directs)
        {
            var message = ReadDirect(signed.Payload);
            var sender = refresh[from];
            Action<Transcript> aux = t => t.Bytes(sr).Bytes(rho).U32((uint)from);
            Assert.Multiple(() =>
            {
                Assert.That(message.ModProof.Verify(P, sender.PaillierPublic.Modulus, aux), Is.True, $"{from}→{to} Π^mod");
                Assert.That(message.FacProof.Verify(P, sender.PaillierPublic.Modulus, refresh[to].RingPedersen, aux), Is.True, $"{from}→{to} Π^fac against {to}'s ring-Pedersen");
                Assert.That(message.SchProofY.Verify(sender.ElGamalCommitment, sender.ElGamalPublic, aux), Is.True, $"{from}→{to} Π^sch for Y");
                Assert.That(message.SchProofX.Verify(sender.SchCommitmentsX[to], sender.XsPublic[to], aux), Is.True, $"{from}→{to} Π^sch for X");
            });
        }

        // KeyShare.public_shares[k] = X_init,k + Σ_j xs_public_j[k]; the verifying key is their sum.
        var shares = Enumerable.Range(0, 3).Select(k => refresh.Aggregate(init[k].Public, (sum, d) => sum + d.XsPublic[k])).ToList();
        Assert.That(CurvePoint.Sum(shares).ToCompressed(), Is.EqualTo(run.VerifyingKey), "the wasm's KeyShare.verifyingKey()");
    }

    [TestCase("mod_proof")]
    [TestCase("fac_proof")]
    [TestCase("sch_proof_y")]
    [TestCase("sch_proof_x")]
    public void TamperedProofOfTheWasm_IsRejected(string proof)
    {
        // Party 0's check, needing no secret of party 0 (it cannot decrypt here), of the named proof in the wasm's round-3 direct
        // message: the captured proof passes it, and with one byte of it altered it fails. (EveryRound_… checks every proof of every
        // direct message; here only the one altered, once each way: a Π^mod or Π^fac verification costs seconds of CPU in a Debug build.
        // A tampered proof inside a session names its sender: KeyGenTests.TamperedMessageIsRejectedNamingTheSender.)
        var run = Run.Shared;
        var (_, to, signed, _) = run.Messages.Single(m => m.From == User && m.To == 0 && m.Signed.RoundNumber == 3 && m.Signed.Type == MessageType.Direct);
        var refresh = Enumerable.Range(0, 3).Select(k => ReadRefresh(run.Broadcast(k, 2)!.Payload)).ToArray();
        var rho = Xor(refresh.Select(d => d.Rho));
        Action<Transcript> aux = t => t.Bytes(run.SharedRandomness).Bytes(rho).U32((uint)User);
        var payload = signed.Payload.ToArray();
        Assert.That(Accepts(payload), Is.True, $"the captured {proof} passes");

        payload[OffsetOf(payload, proof)] ^= 0x01;
        Assert.That(Accepts(payload), Is.False, $"the altered {proof} fails");

        bool Accepts(byte[] bytes)
        {
            try
            {
                var m = ReadDirect(bytes);
                var sender = refresh[User];
                return proof switch
                {
                    "mod_proof" => m.ModProof.Verify(P, sender.PaillierPublic.Modulus, aux),
                    "fac_proof" => m.FacProof.Verify(P, sender.PaillierPublic.Modulus, refresh[to].RingPedersen, aux),
                    "sch_proof_y" => m.SchProofY.Verify(sender.ElGamalCommitment, sender.ElGamalPublic, aux),
                    "sch_proof_x" => m.SchProofX.Verify(sender.SchCommitmentsX[to], sender.XsPublic[to], aux),
                    _ => throw new ArgumentException(proof),
                };
            }
            catch (SynedrionFormatException)
            {
                return false; // a typed decoding error: also a rejection
            }
        }
    }

    private static KeyRefreshDirect ReadDirect(ReadOnlyMemory<byte> payload)
    {
        var r = new BincodeReader(payload, "round 3 direct");
        var message = KeyRefreshDirect.Read(r, P);
        r.End();
        return message;
    }

    private static KeyRefreshData ReadRefresh(ReadOnlyMemory<byte> payload)
    {
        var r = new BincodeReader(payload, "round 2");
        KeyInitData.Read(r, P);
        return KeyRefreshData.Read(r, P);
    }

    /// <summary>An offset inside the named proof of a round-3 direct payload (re-encoding the parts before it to find where it starts).</summary>
    private static int OffsetOf(byte[] payload, string proof)
    {
        var m = ReadDirect(payload);
        var w = new BincodeWriter();
        var start = 0;
        foreach (var (name, write) in new (string, Action)[]
        {
            ("mod_proof", () => m.ModProof.Write(w, P)),
            ("fac_proof", () => m.FacProof.Write(w, P)),
            ("sch_proof_y", () => m.SchProofY.Write(w)),
            ("paillier_enc_x", () => w.Uint(m.EncryptedX, P.WideBytes)),
            ("sch_proof_x", () => m.SchProofX.Write(w)),
        })
        {
            write();
            var end = w.ToArray().Length;
            if (name == proof)
            {
                return end - 1; // the last byte of the proof: inside its response, never a length prefix
            }

            start = end;
        }

        throw new ArgumentException(proof);
    }

    private static byte[] Xor(IEnumerable<byte[]> values) =>
        values.Aggregate((a, b) => [.. a.Zip(b, (x, y) => (byte)(x ^ y))]);

    private sealed record Frame(int From, int To, SignedMessage Signed, byte[] Bytes);

    private sealed record Run(byte[] SharedRandomness, byte[][] Parties, byte[] VerifyingKey, List<Frame> Messages)
    {
        private static readonly Lazy<Run> s_shared = new(Load);

        /// <summary>Gets the capture, read once for the fixture (the tests only read it).</summary>
        public static Run Shared => s_shared.Value;

        public static Run Load()
        {
            var path = Path.Combine(WasmKeyShareTests.RepositoryRoot(), "testdata", "synedrion", "wasm-0.2.0-keygen.json");
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            var parties = root.GetProperty("parties").EnumerateArray().Select(p => Convert.FromHexString(p.GetString()!)).ToArray();
            int IndexOf(string hex) => Array.FindIndex(parties, p => p.AsSpan().SequenceEqual(Convert.FromHexString(hex)));
            var messages = root.GetProperty("messages").EnumerateArray().Select(m =>
            {
                // The frame is bincode ProtocolMessage { from: SS58 text, to: SS58 text, payload }: two u64-prefixed 48-byte strings, then the SignedMessage.
                var frame = Convert.FromHexString(m.GetProperty("frame").GetString()!);
                var bytes = frame[(2 * (8 + 48))..];
                var signed = SignedMessage.Read(new BincodeReader(bytes, "SignedMessage"), Verifier.Instance);
                return new Frame(IndexOf(m.GetProperty("from").GetString()!), IndexOf(m.GetProperty("to").GetString()!), signed, bytes);
            }).ToList();
            Assert.That(parties, Has.Length.EqualTo(3));
            Assert.That(messages.Select(m => m.From).Concat(messages.Select(m => m.To)), Has.None.EqualTo(-1));
            return new Run(Convert.FromHexString(root.GetProperty("sharedRandomness").GetString()!), parties, Convert.FromHexString(root.GetProperty("verifyingKey").GetString()!), messages);
        }

        /// <summary>Party <paramref name="from"/>'s broadcast of a round, as the capture saw it (a broadcast goes to every party alike).</summary>
        public SignedMessage? Broadcast(int from, int round) =>
            this.Messages.FirstOrDefault(m => m.From == from && m.Signed.RoundNumber == round && m.Signed.Type == MessageType.Broadcast)?.Signed;
    }

    /// <summary>entropy-protocol's Sig: sp-core's sr25519 signature, bincode u64 128 ‖ 128 lowercase hex digits; the verifier id is the sr25519 key.</summary>
    private sealed class Verifier : ISynedrionVerifier
    {
        public static Verifier Instance { get; } = new();

        public int SignatureLength(ReadOnlySpan<byte> bincode) =>
            bincode.Length >= 136 && BinaryPrimitives.ReadUInt64LittleEndian(bincode) == 128 ? 136 : -1;

        public bool VerifyPrehash(ReadOnlySpan<byte> verifierId, ReadOnlySpan<byte> prehash, ReadOnlySpan<byte> signature) =>
            verifierId.Length == 32 && SignatureLength(signature) == signature.Length
            && Sr25519.Verify(new Sr25519PublicKey(verifierId), prehash, new Sr25519Signature(Convert.FromHexString(System.Text.Encoding.ASCII.GetString(signature[8..]))));
    }
}
