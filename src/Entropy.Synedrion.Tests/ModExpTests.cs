using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;

namespace Entropy.Synedrion.Tests;

/// <summary>
/// The Montgomery exponentiation (<see cref="ModExp"/>) and the CRT paths against <see cref="BigInteger.ModPow"/> (the .NET
/// runtime's independent implementation) on random and edge inputs.
/// </summary>
public class ModExpTests
{
    private static BigInteger Random(int bits)
    {
        var bytes = RandomNumberGenerator.GetBytes((bits + 7) / 8);
        bytes[0] &= (byte)(0xFF >> ((bytes.Length * 8) - bits));
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    private static BigInteger RandomOdd(int bits) => Random(bits) | BigInteger.One | (BigInteger.One << (bits - 1));

    private static BigInteger[] FixturePrimes() =>
        [.. File.ReadAllLines(Path.Combine(WasmKeyShareTests.RepositoryRoot(), "testdata", "synedrion", "safe-primes-1024.txt"))
            .Where(l => l.Length > 0).Select(l => BigInteger.Parse("0" + l, NumberStyles.HexNumber, CultureInfo.InvariantCulture))];

    [TestCase(3)]
    [TestCase(64)]
    [TestCase(65)]
    [TestCase(127)]
    [TestCase(128)]
    [TestCase(521)]
    [TestCase(1024)]
    [TestCase(2048)]
    [TestCase(4096)]
    public void Pow_AndPowSecret_EqualBigIntegerModPow_OnRandomInputs(int modulusBits)
    {
        for (int round = 0; round < (modulusBits > 2048 ? 3 : 12); round++)
        {
            var m = RandomOdd(modulusBits);
            var b = Random(modulusBits + 70); // also bases above the modulus
            var e = Random(1 + (round * 397 % (modulusBits + 130)));
            var expected = BigInteger.ModPow(b, e, m);
            Assert.That(ModExp.Pow(b, e, m), Is.EqualTo(expected), $"Pow, {modulusBits}-bit modulus, round {round}");
            Assert.That(ModExp.PowSecret(b, e, m, modulusBits), Is.EqualTo(expected), $"PowSecret, {modulusBits}-bit modulus, round {round}");
            Assert.That(ModExp.PowSecret(b, e, m, 1), Is.EqualTo(expected), $"PowSecret with a bound below the exponent, round {round}");
        }
    }

    [Test]
    public void Pow_EqualsBigIntegerModPow_OnEdgeInputs()
    {
        var m = RandomOdd(2048);
        var allOnes = (BigInteger.One << 2048) - 1; // the largest 2048-bit odd modulus (every limb all ones)
        var smallest = (BigInteger.One << 2047) + 1;
        BigInteger[] moduli = [3, 5, ulong.MaxValue, (BigInteger)ulong.MaxValue + 2, m, allOnes, smallest];
        foreach (var modulus in moduli)
        {
            BigInteger[] bases = [0, 1, 2, modulus - 1, modulus, modulus + 1, modulus * 3 + 2, (BigInteger.One << 64) - 1];
            BigInteger[] exponents = [0, 1, 2, 3, 15, 16, 17, 63, 64, 65, modulus - 1, modulus, modulus + 1, allOnes, BigInteger.One << 2100];
            foreach (var b in bases)
            {
                foreach (var e in exponents)
                {
                    var expected = BigInteger.ModPow(b, e, modulus);
                    Assert.That(ModExp.Pow(b, e, modulus), Is.EqualTo(expected), $"{b}^{e} mod {modulus} (sliding window)");
                    Assert.That(ModExp.PowSecret(b, e, modulus, 64), Is.EqualTo(expected), $"{b}^{e} mod {modulus} (fixed window)");
                }
            }
        }
    }

    [Test]
    public void Pow_FallsBackForEvenOrUnitModuliAndNegativeBases()
    {
        // Montgomery needs an odd modulus: even moduli, 1 and negative bases take BigInteger.ModPow's path (same results).
        var even = RandomOdd(1024) + 1;
        var b = Random(1100);
        var e = Random(1000);
        Assert.That(ModExp.Pow(b, e, even), Is.EqualTo(BigInteger.ModPow(b, e, even)));
        Assert.That(ModExp.PowSecret(b, e, even, 1024), Is.EqualTo(BigInteger.ModPow(b, e, even)));
        Assert.That(ModExp.Pow(b, e, 1), Is.EqualTo(BigInteger.Zero));
        Assert.That(ModExp.Pow(b, 0, 1), Is.EqualTo(BigInteger.ModPow(b, 0, 1)));
        Assert.That(ModExp.Pow(-b, 3, 1000003), Is.EqualTo(BigInteger.ModPow(-b, 3, 1000003)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ModExp.Pow(b, -1, 1000003));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Montgomery(even));
    }

    [Test]
    public void MultiplyAndSquare_MatchTheDefinition()
    {
        foreach (int bits in new[] { 64, 192, 1024, 2048 })
        {
            var m = RandomOdd(bits);
            var context = new Montgomery(m);
            var r = BigInteger.One << (64 * context.Limbs);
            var rInverse = BigInts.Inverse(r, m);
            var scratch = new ulong[context.ScratchLength];
            for (int round = 0; round < 20; round++)
            {
                var a = Random(bits) % m;
                var c = Random(bits) % m;
                var la = new ulong[context.Limbs];
                var lc = new ulong[context.Limbs];
                var product = new ulong[context.Limbs];
                Montgomery.WriteLimbs(a, la);
                Montgomery.WriteLimbs(c, lc);
                context.Multiply(la, lc, product, scratch);
                Assert.That(ToInteger(product), Is.EqualTo(a * c * rInverse % m), $"a·c·R⁻¹, {bits} bits");
                context.Square(la, product, scratch);
                Assert.That(ToInteger(product), Is.EqualTo(a * a * rInverse % m), $"a²·R⁻¹, {bits} bits");
            }
        }
    }

    [Test]
    public void PaillierCrtPaths_EqualTheDirectComputation()
    {
        var primes = FixturePrimes();
        var sk = new PaillierSecretKey(primes[0], primes[1]);
        var n = sk.PublicKey.Modulus;
        var n2 = sk.PublicKey.ModulusSquared;
        for (int round = 0; round < 4; round++)
        {
            var x = BigInts.RandomBelow(n);
            var e = Random(2048 + (round * 300));
            Assert.That(sk.PowModN(x, e), Is.EqualTo(BigInteger.ModPow(x, e, n)), "x^e mod N by CRT");

            var m = BigInts.RandomBelow(n);
            var c = sk.PublicKey.Encrypt(m);
            Assert.That(sk.Decrypt(c), Is.EqualTo(m), "decryption by CRT modulo p² and q²");
            var direct = BigInteger.ModPow(c, sk.Totient, n2);
            Assert.That(BigInts.Mod((direct - 1) / n * sk.InverseTotientModN, n), Is.EqualTo(m), "the direct decryption agrees");
        }

        // A ciphertext that is not a unit (no honest encryption gives one) decrypts to some value in [0, N) without throwing; the
        // key generation's check of the plaintext (x·G = X) then names the sender.
        var notUnit = primes[0] * 12345 % n2;
        var garbage = sk.Decrypt(notUnit);
        Assert.That(garbage.Sign >= 0 && garbage < n, Is.True);
    }

    [Test]
    public void PaillierEncryption_EqualsTheDefinition()
    {
        var primes = FixturePrimes();
        var pk = new PaillierSecretKey(primes[2], primes[3]).PublicKey;
        var m = BigInts.RandomBelow(pk.Modulus);
        var rho = BigInts.RandomUnit(pk.Modulus);
        var expected = (1 + (m * pk.Modulus)) * BigInteger.ModPow(rho, pk.Modulus, pk.ModulusSquared) % pk.ModulusSquared;
        Assert.That(pk.Encrypt(m, rho), Is.EqualTo(expected));
    }

    [Test]
    public void FixedBasePowers_EqualBigIntegerModPow()
    {
        var m = RandomOdd(2048);
        var g = Random(2048) % m;
        var powers = new FixedBasePowers(new Montgomery(m), g, 2100);
        BigInteger[] exponents = [0, 1, 2, 63, 64, (BigInteger.One << 2100) - 1, m, Random(2048), Random(1500), Random(2100), BigInteger.One << 2101];
        foreach (var e in exponents)
        {
            Assert.That(powers.Pow(e), Is.EqualTo(BigInteger.ModPow(g, e, m)), $"g^{e}");
        }

        Assert.That(new FixedBasePowers(new Montgomery(m), 0, 64).Pow(0), Is.EqualTo(BigInteger.One), "0^0 = 1 as BigInteger.ModPow");
    }

    private static BigInteger ToInteger(ulong[] limbs)
    {
        var bytes = new byte[limbs.Length * 8];
        for (int i = 0; i < limbs.Length; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 8), limbs[i]);
        }

        return new BigInteger(bytes, isUnsigned: true, isBigEndian: false);
    }
}
