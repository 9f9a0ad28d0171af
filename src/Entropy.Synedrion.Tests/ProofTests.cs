using System.Numerics;
using Entropy.Synedrion.Encoding;
using Entropy.Synedrion.Hashing;
using Entropy.Synedrion.Proofs;
using NBitcoin.Secp256k1;

namespace Entropy.Synedrion.Tests;

public class ProofTests
{
    private static readonly SynedrionParams P = SynedrionParams.Test;
    private static readonly Lazy<(PaillierSecretKey Sk, PaillierSecretKey Other)> Keys = new(() =>
        (PaillierSecretKey.Generate(P), PaillierSecretKey.Generate(P)));

    private static readonly Action<Transcript> Aux = t => t.Bytes([1, 2, 3]).U32(7);
    private static readonly Action<Transcript> OtherAux = t => t.Bytes([1, 2, 3]).U32(8);

    [Test]
    public void SchnorrProofVerifiesAndRejectsTampering()
    {
        var x = Scalars.Random();
        var alpha = Scalars.Random();
        var xPoint = CurvePoint.FromSecret(x);
        var a = CurvePoint.FromSecret(alpha);
        var proof = SchProof.Prove(alpha, x, a, xPoint, Aux);
        Assert.That(proof.Verify(a, xPoint, Aux), Is.True);
        Assert.That(proof.Verify(a, xPoint, OtherAux), Is.False);
        Assert.That(proof.Verify(a, CurvePoint.FromSecret(Scalars.Random()), Aux), Is.False);

        var bytes = Encode(proof.Write);
        for (int i = 8; i < bytes.Length; i += 5)
        {
            var tampered = (byte[])bytes.Clone();
            tampered[i] ^= 0x01;
            if (i is >= 8 and < 40 or >= 48)
            {
                SchProof? decoded = null;
                try
                {
                    decoded = SchProof.Read(new BincodeReader(tampered, "t"), "p");
                }
                catch (SynedrionFormatException)
                {
                }

                Assert.That(decoded?.Verify(a, xPoint, Aux) ?? false, Is.False, $"byte {i}");
            }
        }
    }

    [Test]
    public void PrmProofVerifiesRoundTripsAndRejectsTampering()
    {
        var sk = Keys.Value.Sk;
        var rp = RingPedersen.Generate(sk, out var lambda);
        var proof = PrmProof.Prove(P, sk, lambda, rp, Aux);
        Assert.That(proof.Verify(P, rp, Aux), Is.True);
        Assert.That(proof.Verify(P, rp, OtherAux), Is.False);
        Assert.That(proof.Verify(P, new RingPedersen(rp.Modulus, rp.Base, rp.Power * rp.Base % rp.Modulus), Aux), Is.False);

        var bytes = Encode(w => proof.Write(w, P));
        var decoded = PrmProof.Read(new BincodeReader(bytes, "t"), P, "p");
        Assert.That(Encode(w => decoded.Write(w, P)), Is.EqualTo(bytes));
        Assert.That(decoded.Verify(P, rp, Aux), Is.True);
        AssertEveryTamperRejected(
            bytes,
            b =>
            {
                var d = PrmProof.Read(new BincodeReader(b, "t"), P, "p");
                return SameValues(d, proof) ? null : d.Verify(P, rp, Aux);
            },
            stride: 37);
    }

    [Test]
    public void ModProofVerifiesRoundTripsAndRejectsTampering()
    {
        var sk = Keys.Value.Sk;
        var proof = ModProof.Prove(P, sk, Aux);
        var n = sk.PublicKey.Modulus;
        Assert.That(proof.Verify(P, n, Aux), Is.True);
        Assert.That(proof.Verify(P, n, OtherAux), Is.False);
        Assert.That(proof.Verify(P, Keys.Value.Other.PublicKey.Modulus, Aux), Is.False);

        var bytes = Encode(w => proof.Write(w, P));
        var decoded = ModProof.Read(new BincodeReader(bytes, "t"), P, "p");
        Assert.That(Encode(w => decoded.Write(w, P)), Is.EqualTo(bytes));
        AssertEveryTamperRejected(bytes, b => ModProof.Read(new BincodeReader(b, "t"), P, "p").Verify(P, n, Aux), stride: 41);
    }

    [Test]
    public void FacProofVerifiesRoundTripsAndRejectsTampering()
    {
        var (sk, verifierKey) = Keys.Value;
        var setup = RingPedersen.Generate(verifierKey, out _);
        var proof = FacProof.Prove(P, sk, setup, Aux);
        var n0 = sk.PublicKey.Modulus;
        Assert.That(proof.Verify(P, n0, setup, Aux), Is.True);
        Assert.That(proof.Verify(P, n0, setup, OtherAux), Is.False);
        Assert.That(proof.Verify(P, verifierKey.PublicKey.Modulus, setup, Aux), Is.False);

        var bytes = Encode(w => proof.Write(w, P));
        var decoded = FacProof.Read(new BincodeReader(bytes, "t"), P, "p");
        Assert.That(Encode(w => decoded.Write(w, P)), Is.EqualTo(bytes));
        AssertEveryTamperRejected(
            bytes,
            b =>
            {
                var d = FacProof.Read(new BincodeReader(b, "t"), P, "p");
                return SameValues(d, proof) ? null : d.Verify(P, n0, setup, Aux);
            },
            stride: 29);
    }

    [Test]
    public void PaillierDecryptsWhatItEncryptsAndRingPedersenIsConsistent()
    {
        var sk = Keys.Value.Sk;
        var m = BigInts.RandomBelow(sk.PublicKey.Modulus);
        Assert.That(sk.Decrypt(sk.PublicKey.Encrypt(m)), Is.EqualTo(m));
        var rp = RingPedersen.Generate(sk, out var lambda);
        Assert.That(BigInteger.ModPow(rp.Base, lambda, rp.Modulus), Is.EqualTo(rp.Power));
        Assert.That(BigInts.Jacobi(rp.Base, rp.Modulus), Is.EqualTo(1));
        Assert.That(sk.ToString(), Does.Not.Contain(sk.P.ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain("redacted"));
        Assert.That(SafePrimes.IsSafePrime(sk.P, P.PrimeBits) && SafePrimes.IsSafePrime(sk.Q, P.PrimeBits), Is.True);
    }

    internal static byte[] Encode(Action<BincodeWriter> write)
    {
        var w = new BincodeWriter();
        write(w);
        return w.ToArray();
    }

    // A flipped bit in a declared bound (Bounded/Signed metadata) leaves every value unchanged: the proof alone cannot notice
    // (synedrion's verifier neither); the protocol commits to Π^prm's bounds through the round-1 hash. Those cases return null.
    private static bool SameValues(PrmProof a, PrmProof b) =>
        a.Commitment.SequenceEqual(b.Commitment) && a.ChallengeBits.SequenceEqual(b.ChallengeBits)
        && a.Response.Select(z => z.Value).SequenceEqual(b.Response.Select(z => z.Value));

    private static bool SameValues(FacProof a, FacProof b) =>
        a.Commitments.SequenceEqual(b.Commitments)
        && new[] { a.Sigma, a.Z1, a.Z2, a.Omega1, a.Omega2, a.V }.Select(v => v.Value)
            .SequenceEqual(new[] { b.Sigma, b.Z1, b.Z2, b.Omega1, b.Omega2, b.V }.Select(v => v.Value));

    private static void AssertEveryTamperRejected(byte[] bytes, Func<byte[], bool?> decodeAndVerify, int stride)
    {
        int checkedCount = 0;
        for (int i = 0; i < bytes.Length; i += stride)
        {
            var tampered = (byte[])bytes.Clone();
            tampered[i] ^= 0x04;
            bool? accepted;
            try
            {
                accepted = decodeAndVerify(tampered);
            }
            catch (SynedrionFormatException)
            {
                accepted = false;
            }

            if (accepted is null)
            {
                continue;
            }

            Assert.That(accepted, Is.False, $"flipping a bit of byte {i} was accepted");
            checkedCount++;
        }

        Assert.That(checkedCount, Is.GreaterThan(10));
    }
}
