using Entropy.Extrinsics;
using CsCheck;
using Entropy.Scale;

namespace Entropy.Tests.Extrinsics;

public class EraTests
{
    // Vectors: SUBSTRATE.md §6.1 (d), computed with @polkadot/types 16.5.6 (GenericExtrinsicEra).
    [TestCase(64UL, 100UL, "4502", 64UL, 36UL)]
    [TestCase(256UL, 12345678UL, "e704", 256UL, 78UL)]
    [TestCase(80UL, 100UL, "4606", 128UL, 100UL)]
    [TestCase(8192UL, 12345678UL, "7c0a", 8192UL, 334UL)]
    [TestCase(65536UL, 12345678UL, "4f61", 65536UL, 24896UL)]
    public void Mortal_PublishedVectors_EncodeExactly(ulong period, ulong current, string hex, ulong expectedPeriod, ulong expectedPhase)
    {
        var era = Era.Mortal(period, current);

        Assert.That(Convert.ToHexStringLower(era.ToBytes()), Is.EqualTo(hex));
        Assert.That(era.Period, Is.EqualTo(expectedPeriod));
        Assert.That(era.Phase, Is.EqualTo(expectedPhase));
    }

    [TestCase("4502")]
    [TestCase("e704")]
    [TestCase("4606")]
    [TestCase("7c0a")]
    [TestCase("4f61")]
    [TestCase("00")]
    public void Decode_PublishedVectors_RoundTrip(string hex)
    {
        byte[] bytes = Convert.FromHexString(hex);

        var era = Era.Decode(bytes, out int consumed);

        Assert.That(consumed, Is.EqualTo(bytes.Length));
        Assert.That(era.ToBytes(), Is.EqualTo(bytes));
    }

    [Test]
    public void Mortal_Period64Current100_BirthAndDeathMatchPolkadotJs()
    {
        // SUBSTRATE.md §6.1 (d): Mortal(64, cur 100) → birth 100, death 164.
        var era = Era.Mortal(64, 100);

        Assert.That(era.Birth(100), Is.EqualTo(100UL));
        Assert.That(era.Death(100), Is.EqualTo(164UL));
        Assert.That(era.Birth(163), Is.EqualTo(100UL));
        Assert.That(era.Birth(164), Is.EqualTo(164UL));
    }

    [Test]
    public void Mortal_CurrentBelowPhase_BirthIsPhase()
    {
        var era = Era.Mortal(64, 36);

        Assert.That(era.Birth(10), Is.EqualTo(36UL));
    }

    [Test]
    public void Immortal_EncodesToZero_AndNeverDies()
    {
        Assert.That(Era.Immortal.ToBytes(), Is.EqualTo(new byte[] { 0 }));
        Assert.That(Era.Immortal.IsImmortal, Is.True);
        Assert.That(Era.Immortal.Death(5), Is.EqualTo(ulong.MaxValue));
        Assert.That(Era.Immortal.ToString(), Is.EqualTo("Immortal"));
    }

    [TestCase(0UL, 4UL)]
    [TestCase(1UL, 4UL)]
    [TestCase(5UL, 8UL)]
    [TestCase(1000000UL, 65536UL)]
    [TestCase(ulong.MaxValue, 65536UL)]
    public void Mortal_PeriodOutOfRange_IsRoundedAndClamped(ulong period, ulong expected)
    {
        Assert.That(Era.Mortal(period, 7).Period, Is.EqualTo(expected));
    }

    [Test]
    public void Decode_PhaseNotBelowPeriod_Throws()
    {
        // low nibble 1 → period 4; phase 5 ≥ 4 is invalid (era.rs Decode).
        Assert.That(() => Era.Decode(new byte[] { 0x51, 0x00 }, out _), Throws.TypeOf<ScaleFormatException>());
    }

    [Test]
    public void Decode_PeriodTooSmall_Throws()
    {
        // low nibble 0 → period 2 < 4.
        Assert.That(() => Era.Decode(new byte[] { 0x10, 0x00 }, out _), Throws.TypeOf<ScaleFormatException>());
    }

    [Test]
    public void Decode_Truncated_Throws()
    {
        Assert.That(() => Era.Decode(new byte[] { 0x45 }, out _), Throws.TypeOf<ScaleFormatException>().With.Message.Contains("2 bytes"));
        Assert.That(() => Era.Decode([], out _), Throws.TypeOf<ScaleFormatException>());
    }

    [Test]
    public void Mortal_AnyPeriodAndBlock_RoundTripsAndBirthIsInWindow()
    {
        Gen.Select(Gen.ULong[1, 1 << 17], Gen.ULong[0, uint.MaxValue]).Sample((period, current) =>
        {
            var era = Era.Mortal(period, current);
            var decoded = Era.Decode(era.ToBytes(), out int consumed);
            ulong birth = era.Birth(current);
            return consumed == 2 && decoded == era && birth <= current && current < birth + era.Period;
        });
    }
}
