using System.Numerics;
using System.Text;
using CsCheck;
using Entropy.Crypto;

namespace Entropy.Tests.Crypto;

public class PrimitivesTests
{
    private static readonly BigInteger s_p = BigInteger.Pow(2, 255) - 19;
    private static readonly BigInteger s_ell = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493");

    private static BigInteger Le(ReadOnlySpan<byte> b) => new(b, isUnsigned: true);

    private static byte[] ToLe32(BigInteger x)
    {
        var bytes = new byte[32];
        x.TryWriteBytes(bytes, out _, isUnsigned: true);
        return bytes;
    }

    private static BigInteger Fe(FieldElement f)
    {
        var b = new byte[32];
        f.ToBytes(b);
        return Le(b);
    }

    private static BigInteger Sc(Scalar s)
    {
        var b = new byte[32];
        s.ToBytes(b);
        return Le(b);
    }

    private static readonly Gen<byte[]> s_fieldBytes = Gen.Byte.Array[32].Select(b =>
    {
        b[31] &= 0x7F;
        return b;
    });

    [Test]
    public void Keccak_ZeroState_MatchesKnownFirstLanes()
    {
        // Keccak team KeccakF-1600 intermediate values: permutation of the all-zero state.
        var state = new ulong[25];
        Keccak.Permute(state);
        Assert.That(state[0], Is.EqualTo(0xF1258F7940E1DDE7UL));
        Assert.That(state[1], Is.EqualTo(0x84D5CCF933C0478AUL));
    }

    [TestCase("", "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a")]
    [TestCase("abc", "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532")]
    public void Keccak_Sha3_256Sponge_MatchesFips202Vectors(string input, string expected)
    {
        // FIPS 202 / NIST CAVP SHA3-256 short-message vectors, built on our permutation (rate 136, padding 0x06…0x80).
        var state = new ulong[25];
        var block = new byte[136];
        var msg = Encoding.ASCII.GetBytes(input);
        msg.CopyTo(block, 0);
        block[msg.Length] ^= 0x06;
        block[135] ^= 0x80;
        for (int i = 0; i < 17; i++)
        {
            state[i] ^= BitConverter.ToUInt64(block, i * 8);
        }

        Keccak.Permute(state);
        var digest = new byte[32];
        for (int i = 0; i < 4; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(digest.AsSpan(i * 8), state[i]);
        }

        Assert.That(Convert.ToHexStringLower(digest), Is.EqualTo(expected));
    }

    [Test]
    public void Merlin_EquivalenceSimple_MatchesPublishedChallenge()
    {
        // dalek-cryptography/merlin src/transcript.rs test "equivalence_simple".
        var t = MerlinTranscript.Create("test protocol");
        t.AppendMessage("some label"u8, "some data"u8);
        var challenge = new byte[32];
        t.ChallengeBytes("challenge"u8, challenge);
        Assert.That(Convert.ToHexStringLower(challenge), Is.EqualTo("d5a21972d0d5fe320c0d263fac7fffb8145aa640af6e9bca177c03c7efcf0615"));
    }

    [Test]
    public void Merlin_LongMessageAcrossBlocks_IsDeterministicAndLabelSensitive()
    {
        var data = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        var a = MerlinTranscript.Create("p");
        var b = MerlinTranscript.Create("p");
        var c = MerlinTranscript.Create("p");
        a.AppendMessage("l"u8, data);
        b.AppendMessage("l"u8, data);
        c.AppendMessage("m"u8, data);
        var ca = new byte[200];
        var cb = new byte[200];
        var cc = new byte[200];
        a.ChallengeBytes("x"u8, ca);
        b.ChallengeBytes("x"u8, cb);
        c.ChallengeBytes("x"u8, cc);
        Assert.That(ca, Is.EqualTo(cb));
        Assert.That(ca, Is.Not.EqualTo(cc));
    }

    [Test]
    public void Ristretto_GeneratorMultiples_MatchRfc9496A1()
    {
        // RFC 9496 Appendix A.1: encodings of 0·B … 15·B.
        string[] multiples =
        [
            "0000000000000000000000000000000000000000000000000000000000000000",
            "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
            "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
            "94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259",
            "da80862773358b466ffadfe0b3293ab3d9fd53c5ea6c955358f568322daf6a57",
            "e882b131016b52c1d3337080187cf768423efccbb517bb495ab812c4160ff44e",
            "f64746d3c92b13050ed8d80236a7f0007c3b3f962f5ba793d19a601ebb1df403",
            "44f53520926ec81fbd5a387845beb7df85a96a24ece18738bdcfa6a7822a176d",
            "903293d8f2287ebe10e2374dc1a53e0bc887e592699f02d077d5263cdd55601c",
            "02622ace8f7303a31cafc63f8fc48fdc16e1c8c8d234b2f0d6685282a9076031",
            "20706fd788b2720a1ed2a5dad4952b01f413bcf0e7564de8cdc816689e2db95f",
            "bce83f8ba5dd2fa572864c24ba1810f9522bc6004afe95877ac73241cafdab42",
            "e4549ee16b9aa03099ca208c67adafcafa4c3f3e4e5303de6026e3ca8ff84460",
            "aa52e000df2e16f55fb1032fc33bc42742dad6bd5a8fc0be0167436c5948501f",
            "46376b80f409b29dc2b5f6f0c52591990896e5716f41477cd30085ab7f10301e",
            "e0c418f7c8d9c4cdd7395b93ea124f3ad99021bb681dfc3302a9d99a2e53e64e",
        ];

        var acc = EdwardsPoint.Identity;
        var enc = new byte[32];
        for (int k = 0; k < multiples.Length; k++)
        {
            var scalar = Scalar.FromBytesModOrder(ToLe32(k));
            Ristretto255.Encode(ScalarMultiplication.MultiplyBase(scalar), enc);
            Assert.That(Convert.ToHexStringLower(enc), Is.EqualTo(multiples[k]), $"{k}·B fixed-base");

            Ristretto255.Encode(acc, enc);
            Assert.That(Convert.ToHexStringLower(enc), Is.EqualTo(multiples[k]), $"{k}·B by addition");

            Ristretto255.Encode(ScalarMultiplication.Multiply(EdwardsPoint.Base, scalar), enc);
            Assert.That(Convert.ToHexStringLower(enc), Is.EqualTo(multiples[k]), $"{k}·B variable-base");

            Ristretto255.Encode(ScalarMultiplication.DoubleScalarMulBaseVartime(Scalar.Zero, EdwardsPoint.Base, scalar), enc);
            Assert.That(Convert.ToHexStringLower(enc), Is.EqualTo(multiples[k]), $"{k}·B double-base");

            Assert.That(Ristretto255.TryDecode(Convert.FromHexString(multiples[k]), out var decoded), Is.True);
            Assert.That(Ristretto255.Equals(decoded, acc), Is.True);
            Ristretto255.Encode(decoded, enc);
            Assert.That(Convert.ToHexStringLower(enc), Is.EqualTo(multiples[k]), $"{k}·B decode/encode");

            acc = EdwardsPoint.Add(acc, EdwardsPoint.Base);
        }
    }

    [TestCase("00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")]
    [TestCase("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")]
    [TestCase("f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")]
    [TestCase("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")]
    [TestCase("0100000000000000000000000000000000000000000000000000000000000000")]
    [TestCase("01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")]
    [TestCase("ed57ffd8c914fb201471d1c3d245ce3c746fcbe63a3679d51b6a516ebebe0e20")]
    [TestCase("c34c4e1826e5d403b78e246e88aa051c36ccf0aafebffe137d148a2bf9104562")]
    [TestCase("c940e5a4404157cfb1628b108db051a8d439e1a421394ec4ebccb9ec92a8ac78")]
    [TestCase("47cfc5497c53dc8e61c91d17fd626ffb1c49e2bca94eed052281b510b1117a24")]
    [TestCase("f1c6165d33367351b0da8f6e4511010c68174a03b6581212c71c0e1d026c3c72")]
    [TestCase("87260f7a2f12495118360f02c26a470f450dadf34a413d21042b43b9d93e1309")]
    [TestCase("26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371")]
    [TestCase("4eac077a713c57b4f4397629a4145982c661f48044dd3f96427d40b147d9742f")]
    [TestCase("de6a7b00deadc788eb6b6c8d20c0ae96c2f2019078fa604fee5b87d6e989ad7b")]
    [TestCase("bcab477be20861e01e4a0e295284146a510150d9817763caf1a6f4b422d67042")]
    [TestCase("2a292df7e32cababbd9de088d1d1abec9fc0440f637ed2fba145094dc14bea08")]
    [TestCase("f4a9e534fc0d216c44b218fa0c42d99635a0127ee2e53c712f70609649fdff22")]
    [TestCase("8268436f8c4126196cf64b3c7ddbda90746a378625f9813dd9b8457077256731")]
    [TestCase("2810e5cbc2cc4d4eece54f61c6f69758e289aa7ab440b3cbeaa21995c2f4232b")]
    [TestCase("3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e")]
    [TestCase("a45fdc55c76448c049a1ab33f17023edfb2be3581e9c7aade8a6125215e04220")]
    [TestCase("d483fe813c6ba647ebbfd3ec41adca1c6130c2beeee9d9bf065c8d151c5f396e")]
    [TestCase("8a2e1d30050198c65a54483123960ccc38aef6848e1ec8f5f780e8523769ba32")]
    [TestCase("32888462f8b486c68ad7dd9610be5192bbeaf3b443951ac1a8118419d9fa097b")]
    [TestCase("227142501b9d4355ccba290404bde41575b037693cef1f438c47f8fbf35d1165")]
    [TestCase("5c37cc491da847cfeb9281d407efc41e15144c876e0170b499a96a22ed31e01e")]
    [TestCase("445425117cb8c90edcbc7c1cc0e74f747f2c1efa5630a967c64f287792a48a4b")]
    [TestCase("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")]
    public void Ristretto_BadEncodings_AreRejected(string hex)
    {
        // RFC 9496 Appendix A.2: non-canonical, negative, non-square, negative xy and s = -1 encodings.
        Assert.That(Ristretto255.TryDecode(Convert.FromHexString(hex), out _), Is.False);
    }

    [Test]
    public void Field_Operations_MatchBigInteger()
    {
        Gen.Select(s_fieldBytes, s_fieldBytes).Sample((xb, yb) =>
        {
            var x = FieldElement.FromBytes(xb);
            var y = FieldElement.FromBytes(yb);
            BigInteger bx = Le(xb) % s_p, by = Le(yb) % s_p;
            return Fe(x) == bx
                && Fe(FieldElement.Mul(x, y)) == bx * by % s_p
                && Fe(FieldElement.Square(x)) == bx * bx % s_p
                && Fe(FieldElement.Add(x, y)) == (bx + by) % s_p
                && Fe(FieldElement.Sub(x, y)) == ((bx - by) % s_p + s_p) % s_p
                && Fe(FieldElement.Negate(x)) == (s_p - bx) % s_p
                && (bx.IsZero || Fe(FieldElement.Invert(x)) == BigInteger.ModPow(bx, s_p - 2, s_p));
        }, iter: 200);
    }

    [Test]
    public void Field_MulSquare_UnreducedLimbsUpTo2To54_MatchBigInteger()
    {
        // Mul and Square accept limbs below 2^54 (sums of Add results); check the carry bounds at and near the limit.
        var limb = Gen.OneOf(Gen.ULong[0, (1UL << 54) - 1], Gen.Const((1UL << 54) - 1), Gen.ULong[(1UL << 53), (1UL << 54) - 1]);
        var element = Gen.Select(limb, limb, limb, limb, limb).Select(t => new FieldElement(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5));
        Gen.Select(element, element).Sample((x, y) =>
        {
            BigInteger bx = Limbs(x) % s_p, by = Limbs(y) % s_p;
            var product = FieldElement.Mul(x, y);
            var square = FieldElement.Square(x);
            return Fe(product) == bx * by % s_p
                && Fe(square) == bx * bx % s_p
                && MaxLimb(product) < (1UL << 52)
                && MaxLimb(square) < (1UL << 52);
        }, iter: 2000);

        var max = new FieldElement((1UL << 54) - 1, (1UL << 54) - 1, (1UL << 54) - 1, (1UL << 54) - 1, (1UL << 54) - 1);
        Assert.That(Fe(FieldElement.Mul(max, max)), Is.EqualTo(Limbs(max) * Limbs(max) % s_p));
        Assert.That(Fe(FieldElement.Square(max)), Is.EqualTo(Limbs(max) * Limbs(max) % s_p));
    }

    private static BigInteger Limbs(FieldElement f) =>
        f.L0 + ((BigInteger)f.L1 << 51) + ((BigInteger)f.L2 << 102) + ((BigInteger)f.L3 << 153) + ((BigInteger)f.L4 << 204);

    private static ulong MaxLimb(FieldElement f) => Math.Max(Math.Max(Math.Max(f.L0, f.L1), Math.Max(f.L2, f.L3)), f.L4);

    [Test]
    public void Field_NonCanonicalInputs_ReduceOnEncode()
    {
        // p, p + 1 and 2^255 - 1 (all ≥ p) encode as 0, 1 and 18.
        Assert.That(Fe(FieldElement.FromBytes(ToLe32(s_p))), Is.EqualTo(BigInteger.Zero));
        Assert.That(Fe(FieldElement.FromBytes(ToLe32(s_p + 1))), Is.EqualTo(BigInteger.One));
        Assert.That(Fe(FieldElement.FromBytes(ToLe32(BigInteger.Pow(2, 255) - 1))), Is.EqualTo(new BigInteger(18)));
    }

    [Test]
    public void Field_SqrtRatio_MatchesDefinition()
    {
        Gen.Select(s_fieldBytes, s_fieldBytes).Sample((ub, vb) =>
        {
            var u = FieldElement.FromBytes(ub);
            var v = FieldElement.FromBytes(vb);
            var (wasSquare, r) = FieldElement.SqrtRatioM1(u, v);
            BigInteger bu = Fe(u), bv = Fe(v), br = Fe(r);
            if (bv.IsZero || bu.IsZero)
            {
                return true;
            }

            bool isSquare = BigInteger.ModPow(bu * BigInteger.ModPow(bv, s_p - 2, s_p) % s_p, (s_p - 1) / 2, s_p).IsOne;
            var lhs = bv * br * br % s_p;
            return (wasSquare != 0) == isSquare && br.IsEven && (isSquare ? lhs == bu : true);
        }, iter: 100);
    }

    [Test]
    public void Scalar_Operations_MatchBigInteger()
    {
        Gen.Select(Gen.Byte.Array[64], Gen.Byte.Array[64], Gen.Byte.Array[32]).Sample((wa, wb, raw) =>
        {
            var a = Scalar.FromBytesWide(wa);
            var b = Scalar.FromBytesWide(wb);
            BigInteger ba = Le(wa) % s_ell, bb = Le(wb) % s_ell;
            return Sc(a) == ba
                && Sc(b) == bb
                && Sc(Scalar.Mul(a, b)) == ba * bb % s_ell
                && Sc(Scalar.Add(a, b)) == (ba + bb) % s_ell
                && Sc(Scalar.Sub(a, b)) == ((ba - bb) % s_ell + s_ell) % s_ell
                && Sc(Scalar.MulAdd(a, b, a)) == (ba * bb + ba) % s_ell
                && Sc(Scalar.FromBytesModOrder(raw)) == Le(raw) % s_ell
                && Scalar.IsCanonical(raw) == (Le(raw) < s_ell);
        }, iter: 200);
    }

    [Test]
    public void Scalar_Edges_AreCanonicalOrNot()
    {
        Assert.That(Scalar.IsCanonical(ToLe32(s_ell - 1)), Is.True);
        Assert.That(Scalar.IsCanonical(ToLe32(s_ell)), Is.False);
        Assert.That(Scalar.IsCanonical(ToLe32(s_ell + 1)), Is.False);
        Assert.That(Sc(Scalar.FromBytesWide(Enumerable.Repeat((byte)0xFF, 64).ToArray())), Is.EqualTo((BigInteger.Pow(2, 512) - 1) % s_ell));
    }

    [Test]
    public void ScalarMultiplication_RandomScalars_AgreeAcrossAlgorithms()
    {
        Gen.Select(Gen.Byte.Array[64], Gen.Byte.Array[64]).Sample((wa, wb) =>
        {
            var a = Scalar.FromBytesWide(wa);
            var b = Scalar.FromBytesWide(wb);
            var aB = ScalarMultiplication.MultiplyBase(a);
            var bB = ScalarMultiplication.MultiplyBase(b);

            // a·(b·B) = (a·b)·B, and a·P + b·B computed three ways.
            var left = ScalarMultiplication.Multiply(bB, a);
            var right = ScalarMultiplication.MultiplyBase(Scalar.Mul(a, b));
            var sum = ScalarMultiplication.DoubleScalarMulBaseVartime(a, bB, b);
            var expected = EdwardsPoint.Add(left, bB);
            return Ristretto255.Equals(left, right)
                && Ristretto255.Equals(sum, expected)
                && Ristretto255.Equals(ScalarMultiplication.Multiply(EdwardsPoint.Base, a), aB);
        }, iter: 20);
    }
}
