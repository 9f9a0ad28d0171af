using System.Numerics;
using System.Security.Cryptography;
using Entropy.Synedrion.Encoding;
using Entropy.Synedrion.Hashing;

namespace Entropy.Synedrion.Tests;

public class PrimitivesTests
{
    [Test]
    public void Shake256MatchesFips202VectorAndThePlatform()
    {
        // FIPS 202 / NIST example: SHAKE256("") first 32 bytes.
        var xof = new Shake256Xof();
        var output = new byte[32];
        xof.Squeeze(output);
        Assert.That(Convert.ToHexStringLower(output), Is.EqualTo("46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762f"));

        if (!Shake256.IsSupported)
        {
            return;
        }

        foreach (int inputLength in new[] { 0, 1, 135, 136, 137, 300, 1000 })
        {
            var input = RandomNumberGenerator.GetBytes(inputLength);
            var expected = Shake256.HashData(input, 700);
            var ours = new Shake256Xof();
            ours.Absorb(input.AsSpan(0, inputLength / 2));
            ours.Absorb(input.AsSpan(inputLength / 2));
            var actual = new byte[700];
            ours.Squeeze(actual.AsSpan(0, 100));
            ours.Squeeze(actual.AsSpan(100, 36));
            ours.Squeeze(actual.AsSpan(136));
            Assert.That(actual, Is.EqualTo(expected), $"input length {inputLength}");
        }
    }

    [Test]
    public void SafePrimeGenerationGivesSafePrimesOfExactSize()
    {
        foreach (int bits in new[] { 64, 128, 260 })
        {
            var p = SafePrimes.Generate(bits);
            Assert.That(BigInts.BitLength(p), Is.EqualTo(bits));
            Assert.That(SafePrimes.IsProbablePrime(p, 30), Is.True);
            Assert.That(SafePrimes.IsProbablePrime((p - 1) / 2, 30), Is.True);
            Assert.That((int)(p % 4), Is.EqualTo(3));
        }
    }

    [Test]
    public void MillerRabinKnowsKnownPrimesAndComposites()
    {
        // 2^127 − 1 is prime; 561 is a Carmichael number; 3825123056546413051 is a strong pseudoprime to bases 2..23.
        Assert.That(SafePrimes.IsProbablePrime(BigInteger.Pow(2, 127) - 1, 20), Is.True);
        Assert.That(SafePrimes.IsProbablePrime(561, 20), Is.False);
        Assert.That(SafePrimes.IsProbablePrime(BigInteger.Parse("3825123056546413051"), 20), Is.False);
        Assert.That(SafePrimes.IsProbablePrime((BigInteger.Pow(2, 61) - 1) * (BigInteger.Pow(2, 89) - 1), 20), Is.False);

        // 2^127 − 1 = 2q + 1 with q = 2^126 − 1 = 3·… so it is not a safe prime; 23 = 2·11 + 1 is.
        Assert.That(SafePrimes.IsSafePrime(BigInteger.Pow(2, 127) - 1, 127), Is.False);
        Assert.That(SafePrimes.IsSafePrime(23, 5), Is.True);
        Assert.That(SafePrimes.IsSafePrime(29, 5), Is.False);
    }

    [Test]
    public void JacobiSymbolAgreesWithEulerCriterionForPrimes()
    {
        var p = SafePrimes.Generate(64);
        for (int i = 0; i < 50; i++)
        {
            var a = BigInts.RandomBelow(p - 1) + 1;
            var euler = BigInteger.ModPow(a, (p - 1) / 2, p);
            int expected = euler.IsOne ? 1 : -1;
            Assert.That(BigInts.Jacobi(a, p), Is.EqualTo(expected));
        }

        Assert.That(BigInts.Jacobi(0, 15), Is.EqualTo(0));
        Assert.That(BigInts.Jacobi(2, 15), Is.EqualTo(1));
        Assert.That(BigInts.Jacobi(7, 15), Is.EqualTo(-1));
    }

    [Test]
    public void BoundedAndSignedPackingFollowsSynedrionsLayout()
    {
        // PackedSigned { is_negative: bool, abs: { bound: u32, bytes: u64 len ‖ ceil(bound/8) bytes big-endian } }
        var w = new BincodeWriter();
        new SignedInt(-0x0102, 12).Write(w);
        Assert.That(Convert.ToHexStringLower(w.ToArray()), Is.EqualTo("01" + "0c000000" + "0200000000000000" + "0102"));

        var r = new BincodeReader(w.ToArray(), "test");
        var back = SignedInt.Read(r, 256, "v");
        Assert.That(back, Is.EqualTo(new SignedInt(-0x0102, 12)));

        // A value above its bound, a bound with no sign bit, and truncation are typed errors.
        Assert.Throws<SynedrionFormatException>(() => SignedInt.Read(new BincodeReader(Convert.FromHexString("00" + "04000000" + "0100000000000000" + "ff"), "t"), 256, "v"));
        Assert.Throws<SynedrionFormatException>(() => SignedInt.Read(new BincodeReader(Convert.FromHexString("00" + "00080000" + "0100000000000000" + "01"), "t"), 256, "v"));
        Assert.Throws<SynedrionFormatException>(() => SignedInt.Read(new BincodeReader(Convert.FromHexString("00" + "0c000000" + "0200000000000000" + "01"), "t"), 256, "v"));
    }

    [Test]
    public void XofSamplingReadsLittleEndianWithoutMaskingAndRejects()
    {
        // Modulus 40000 (16 bits): reads 2 bytes little-endian each time (no masking) and keeps the first value below 40000.
        var t1 = Transcript.Shake("X");
        var reference = new Shake256Xof();
        reference.Absorb([0, 0, 0, 1, (byte)'X']);
        var stream = new byte[64];
        reference.Squeeze(stream);
        BigInteger expected = -1;
        for (int i = 0; i + 1 < stream.Length; i += 2)
        {
            int v = stream[i] | (stream[i + 1] << 8);
            if (v < 40000)
            {
                expected = v;
                break;
            }
        }

        Assume.That(expected, Is.Not.EqualTo(new BigInteger(-1)));
        Assert.That(t1.FinishToReader().Below(40000), Is.EqualTo(expected));
    }
}

public class MontgomeryFermatTests
{
    [Test]
    public void AgreesWithBigIntegerModPowOnRandomOddModuli()
    {
        foreach (int bits in new[] { 63, 64, 65, 127, 1023, 1024, 1025 })
        {
            for (int i = 0; i < 20; i++)
            {
                var m = BigInts.RandomBelow(BigInteger.One << bits) | (BigInteger.One << (bits - 1)) | 1;
                var e = BigInts.RandomBelow(BigInteger.One << bits) + 1;
                Assert.That(MontgomeryFermat.PowerOfTwo(m, e), Is.EqualTo(BigInteger.ModPow(2, e, m)), $"{bits} bits");
            }
        }

        var p = SafePrimes.Generate(256);
        Assert.That(MontgomeryFermat.PowerOfTwoIsOne(p, p - 1), Is.True);
        Assert.That(MontgomeryFermat.PowerOfTwoIsOne(p, p - 2), Is.False);
        Assert.That(MontgomeryFermat.PowerOfTwoIsOne(p * 7, (p * 7) - 1), Is.False);
    }
}

public class SafePrimePoolTests
{
    [Test]
    [CancelAfter(120_000)]
    public async Task FillsToCapacityHandsOutSafePrimesOnceAndFallsBackInline(CancellationToken cancellationToken)
    {
        using var pool = new SafePrimePool(bits: 128, capacity: 3, fillerThreads: 2);
        while (pool.Count < 3)
        {
            await Task.Delay(20, cancellationToken);
        }

        await Task.Delay(200, cancellationToken);
        Assert.That(pool.Count, Is.EqualTo(3), "never more than the capacity");

        var taken = Enumerable.Range(0, 5).Select(_ => pool.Take()).ToArray();
        Assert.That(taken.All(p => SafePrimes.IsSafePrime(p, 128)), Is.True);
        Assert.That(taken.Distinct().Count(), Is.EqualTo(5));
        Assert.That(pool.InlineSearches, Is.InRange(0, 2), "at most the two taken beyond the ready three were searched inline (fillers may refill in between)");

        var source = pool.AsSource();
        Assert.That(SafePrimes.IsSafePrime(source(128), 128), Is.True);
        Assert.That(SafePrimes.IsSafePrime(source(64), 64), Is.True, "another size is searched inline");
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task DisposeDoesNotWaitForAStarvedFiller_WhichThenEndsWithoutAddingAPrime(CancellationToken cancellationToken)
    {
        // The filler is held inside its start hook (as a low-priority filler on a busy machine is held inside a search).
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var pool = new SafePrimePool(bits: 64, capacity: 2, fillerStarted: () =>
        {
            started.Set();
            release.Wait(TimeSpan.FromSeconds(30));
        });
        Assert.That(started.Wait(TimeSpan.FromSeconds(30), cancellationToken), Is.True, "the hook runs on the filler thread");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        pool.Dispose();
        var disposeTook = clock.Elapsed;
        release.Set();
        await Task.Delay(500, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(disposeTook, Is.LessThan(TimeSpan.FromSeconds(10)), "Dispose gives a busy filler 0.5 s, not the search's duration");
            Assert.That(pool.Count, Is.Zero, "the released filler sees the cancellation and adds nothing");
            Assert.DoesNotThrow(pool.Dispose);
        });
    }

    [Test]
    public void DisposeStopsTheFillersAndForgetsThePrimes()
    {
        var pool = new SafePrimePool(bits: 512, capacity: 2);
        pool.Dispose();
        Assert.That(pool.Count, Is.Zero);
        Assert.DoesNotThrow(pool.Dispose);
    }
}
