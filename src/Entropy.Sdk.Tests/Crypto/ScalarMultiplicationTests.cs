using System.Numerics;
using CsCheck;
using Entropy.Crypto;

namespace Entropy.Tests.Crypto;

/// <summary>The table-based and windowed scalar multiplications against a naive double-and-add ladder.</summary>
public class ScalarMultiplicationTests
{
    private static readonly BigInteger s_ell = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493");

    private static byte[] ToLe32(BigInteger x)
    {
        var bytes = new byte[32];
        x.TryWriteBytes(bytes, out _, isUnsigned: true);
        return bytes;
    }

    /// <summary>k·P by plain double-and-add over the bits of k (variable time; reference only).</summary>
    private static EdwardsPoint Naive(BigInteger k, EdwardsPoint p)
    {
        var r = EdwardsPoint.Identity;
        for (int i = (int)k.GetBitLength() - 1; i >= 0; i--)
        {
            r = r.Double();
            if (!(k >> i).IsEven)
            {
                r = EdwardsPoint.Add(r, p);
            }
        }

        return r;
    }

    /// <summary>Exact equality of Edwards points (not only of their Ristretto classes).</summary>
    private static bool SamePoint(EdwardsPoint a, EdwardsPoint b) =>
        FieldElement.EqualMask(FieldElement.Mul(a.X, b.Z), FieldElement.Mul(b.X, a.Z)) != 0
        && FieldElement.EqualMask(FieldElement.Mul(a.Y, b.Z), FieldElement.Mul(b.Y, a.Z)) != 0;

    private static Scalar ScalarOf(BigInteger k) => Scalar.FromBytesModOrder(ToLe32(k));

    private static IEnumerable<BigInteger> EdgeScalars()
    {
        yield return BigInteger.Zero;
        yield return BigInteger.One;
        yield return 2;
        yield return 8;
        yield return s_ell - 1;
        yield return s_ell - 2;
        yield return BigInteger.Pow(2, 252);
        yield return BigInteger.Pow(2, 252) - 1;
        yield return BigInteger.Parse("0888888888888888888888888888888888888888888888888888888888888888", System.Globalization.NumberStyles.HexNumber);
        yield return BigInteger.Parse("0777777777777777777777777777777777777777777777777777777777777777", System.Globalization.NumberStyles.HexNumber);
    }

    [Test]
    public void MultiplyBase_EdgeScalars_EqualsNaiveLadder()
    {
        foreach (var k in EdgeScalars())
        {
            Assert.That(SamePoint(ScalarMultiplication.MultiplyBase(ScalarOf(k)), Naive(k, EdwardsPoint.Base)), Is.True, $"k = {k}");
        }
    }

    [Test]
    public void MultiplyBase_RandomScalars_EqualsNaiveLadder()
    {
        Gen.Byte.Array[64].Sample(wide =>
        {
            var s = Scalar.FromBytesWide(wide);
            var k = new BigInteger(wide, isUnsigned: true) % s_ell;
            return SamePoint(ScalarMultiplication.MultiplyBase(s), Naive(k, EdwardsPoint.Base));
        }, iter: 40);
    }

    [Test]
    public void SelectBase_EveryRowAndDigit_EqualsDigitTimesPowerOfBase()
    {
        for (int pos = 0; pos < 32; pos += 5)
        {
            var rowBase = Naive(BigInteger.Pow(16, 2 * pos), EdwardsPoint.Base);
            for (int digit = -8; digit <= 8; digit++)
            {
                var selected = CompletedPoint.Add(EdwardsPoint.Identity, ScalarMultiplication.SelectBase(pos, (sbyte)digit)).ToExtended();
                var expected = Naive(BigInteger.Abs(digit), rowBase);
                if (digit < 0)
                {
                    expected = expected.Negate();
                }

                Assert.That(SamePoint(selected, expected), Is.True, $"row {pos}, digit {digit}");
            }
        }
    }

    [Test]
    public void Multiply_EdgeAndRandomScalars_EqualsNaiveLadder()
    {
        var p = Naive(987654321, EdwardsPoint.Base);
        foreach (var k in EdgeScalars())
        {
            Assert.That(SamePoint(ScalarMultiplication.Multiply(p, ScalarOf(k)), Naive(k, p)), Is.True, $"k = {k}");
        }

        Gen.Byte.Array[64].Sample(wide =>
        {
            var k = new BigInteger(wide, isUnsigned: true) % s_ell;
            return SamePoint(ScalarMultiplication.Multiply(p, ScalarOf(k)), Naive(k, p));
        }, iter: 10);
    }

    [Test]
    public void DoubleScalarMulBaseVartime_EdgeAndRandomScalars_EqualsConstantTimeResult()
    {
        var p = Naive(123456789, EdwardsPoint.Base);
        var edges = EdgeScalars().ToArray();
        foreach (var a in edges)
        {
            foreach (var b in edges)
            {
                var expected = EdwardsPoint.Add(ScalarMultiplication.Multiply(p, ScalarOf(a)), ScalarMultiplication.MultiplyBase(ScalarOf(b)));
                var actual = ScalarMultiplication.DoubleScalarMulBaseVartime(ScalarOf(a), p, ScalarOf(b));
                Assert.That(SamePoint(actual, expected), Is.True, $"a = {a}, b = {b}");
            }
        }

        Gen.Select(Gen.Byte.Array[64], Gen.Byte.Array[64]).Sample((wa, wb) =>
        {
            var a = Scalar.FromBytesWide(wa);
            var b = Scalar.FromBytesWide(wb);
            var expected = EdwardsPoint.Add(ScalarMultiplication.Multiply(p, a), ScalarMultiplication.MultiplyBase(b));
            return SamePoint(ScalarMultiplication.DoubleScalarMulBaseVartime(a, p, b), expected);
        }, iter: 20);
    }
}
