using System.Security.Cryptography;
using Entropy.Synedrion.KeyGen;

namespace Entropy.Synedrion.Tests;

public class KeyGenTests
{
    private static readonly SynedrionParams P = SynedrionParams.Test;

    [Test]
    public void ThreePartiesAgreeOnTheVerifyingKeyAndSharesAddUp()
    {
        var shares = Run(3, tamper: null);
        var vk = shares[0].VerifyingKey;
        Assert.That(vk.IsIdentity, Is.False);
        foreach (var share in shares)
        {
            Assert.That(share.VerifyingKey, Is.EqualTo(vk));
            Assert.That(CurvePoint.FromSecret(share.SecretShare), Is.EqualTo(share.PublicShares[share.Index]));
            Assert.That(share.PublicShares, Is.EqualTo(shares[0].PublicShares));
            Assert.That(share.PublicAux.Select(a => a.PaillierPublic.Modulus), Is.EqualTo(shares[0].PublicAux.Select(a => a.PaillierPublic.Modulus)));
        }

        var sum = shares[0].SecretShare.Add(shares[1].SecretShare).Add(shares[2].SecretShare);
        Assert.That(CurvePoint.FromSecret(sum), Is.EqualTo(vk));
        Assert.That(shares.Select(s => (int)s.Index), Is.EqualTo(new[] { 0, 1, 2 }));
    }

    [Test]
    public void KeyShareBytesRoundTripAndRejectTruncation()
    {
        var shares = Run(2, tamper: null);
        var bytes = shares[1].ToBytes();
        using var back = KeyShare.FromBytes(bytes, P);
        Assert.That(back.ToBytes(), Is.EqualTo(bytes));
        Assert.That(back.VerifyingKey, Is.EqualTo(shares[0].VerifyingKey));
        Assert.That(back.ToString(), Does.Contain("redacted"));
        Assert.That(back.ToString(), Does.Not.Contain(Convert.ToHexString(bytes.AsSpan(12, 32))));
        foreach (int cut in new[] { 0, 3, 4, 20, 44, bytes.Length / 2, bytes.Length - 1 })
        {
            Assert.Throws<Encoding.SynedrionFormatException>(() => KeyShare.FromBytes(bytes.AsMemory(0, cut), P), $"cut at {cut}");
        }

        var extra = bytes.Concat(new byte[] { 0 }).ToArray();
        Assert.Throws<Encoding.SynedrionFormatException>(() => KeyShare.FromBytes(extra, P));
    }

    // Round, message kind, byte offset to flip: every tampered message is rejected and names party 1, the sender.
    [TestCase(1, "bc", 12)]
    [TestCase(2, "bc", 20)]
    [TestCase(2, "bc", 300)]
    [TestCase(2, "bc", -20)]
    [TestCase(3, "bc", 12)]
    [TestCase(3, "bc", 60)]
    [TestCase(3, "dm", 140)]
    [TestCase(3, "dm", 2000)]
    [TestCase(3, "dm", 3500)]
    [TestCase(3, "dm", -12)]
    public void TamperedMessageIsRejectedNamingTheSender(int round, string kind, int offset)
    {
        var ex = Assert.Throws<SynedrionProtocolException>(() => Run(3, (r, k, from, payload) =>
        {
            if (r == round && k == kind && from == 1)
            {
                int i = offset >= 0 ? Math.Min(offset, payload.Length - 1) : payload.Length + offset;
                payload[i] ^= 0x10;
            }
        }));
        Assert.That(ex!.CulpritIndex, Is.EqualTo(1));
        // A tampered round-1 commitment is caught when the round-2 data does not open it.
        Assert.That(ex.Round, Is.EqualTo(round == 1 ? 2 : round));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void TruncatedMessageIsATypedErrorNamingTheSender(int round)
    {
        var ex = Assert.Throws<SynedrionProtocolException>(() => Run(2, (r, k, from, payload) => { }, truncateRound: round));
        Assert.That(ex!.CulpritIndex, Is.EqualTo(0));
        Assert.That(ex.Message, Does.Contain("truncated").Or.Contain("Malformed"));
    }

    internal static KeyShare[] Run(int n, Action<int, string, int, byte[]>? tamper, int truncateRound = 0, SynedrionParams? parameters = null, Func<int, System.Numerics.BigInteger>? primes = null)
    {
        parameters ??= P;
        var sr = RandomNumberGenerator.GetBytes(32);
        var parties = Enumerable.Range(0, n).Select(i => new KeyGenParty(parameters, sr, n, i, primes)).ToArray();

        byte[] Out(int round, string kind, int from, byte[] payload)
        {
            tamper?.Invoke(round, kind, from, payload);
            return round == truncateRound && from == 0 ? payload[..(payload.Length - 1)] : payload;
        }

        var r1 = parties.Select(p => Out(1, "bc", p.Index, p.Round1Broadcast())).ToArray();
        Deliver(parties, (to, from) => to.ReceiveRound1(from, r1[from]));
        var r2 = parties.Select(p => Out(2, "bc", p.Index, p.Round2Broadcast())).ToArray();
        Deliver(parties, (to, from) => to.ReceiveRound2(from, r2[from]));
        var r3 = parties.Select(p => Out(3, "bc", p.Index, p.Round3Broadcast())).ToArray();
        var dm = parties.Select(p => Enumerable.Range(0, n).Select(to => to == p.Index ? [] : Out(3, "dm", p.Index, p.Round3Direct(to))).ToArray()).ToArray();
        Deliver(parties, (to, from) =>
        {
            to.ReceiveRound3Broadcast(from, r3[from]);
            to.ReceiveRound3Direct(from, dm[from][to.Index]);
        });
        return [.. parties.Select(p => p.Finish())];
    }

    private static void Deliver(KeyGenParty[] parties, Action<KeyGenParty, int> receive)
    {
        foreach (var to in parties)
        {
            foreach (var from in parties)
            {
                if (from.Index != to.Index)
                {
                    receive(to, from.Index);
                }
            }
        }
    }
}
