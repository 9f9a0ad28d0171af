using System.Numerics;
using CsCheck;
using Entropy.Scale;
using static Entropy.Tests.Scale.ScaleTestHelpers;

namespace Entropy.Tests.Scale;

/// <summary>Compact integers. Vectors: SUBSTRATE.md §6.1 (d), computed with polkadot-js @polkadot/types 16.5.6 (u8aToHex(toU8a())).</summary>
public class ScaleCompactTests
{
    private static readonly object[] s_vectors =
    [
        new object[] { "0", "00" },
        new object[] { "1", "04" },
        new object[] { "63", "fc" },
        new object[] { "64", "0101" },
        new object[] { "16383", "fdff" },
        new object[] { "16384", "02000100" },
        new object[] { "1073741823", "feffffff" },
        new object[] { "1073741824", "0300000040" },
        new object[] { "4294967295", "03ffffffff" },
        new object[] { "18446744073709551615", "13ffffffffffffffff" },
        new object[] { "340282366920938463463374607431768211455", "33ffffffffffffffffffffffffffffffff" },
    ];

    [TestCaseSource(nameof(s_vectors))]
    public void WriteCompactU128_PolkadotJsVector_MatchesBytes(string value, string hex)
    {
        Assert.That(Write(w => w.WriteCompact(UInt128.Parse(value))), Is.EqualTo(hex));
    }

    [TestCaseSource(nameof(s_vectors))]
    public void WriteCompactBigInteger_PolkadotJsVector_MatchesBytes(string value, string hex)
    {
        Assert.That(Write(w => w.WriteCompact(BigInteger.Parse(value))), Is.EqualTo(hex));
    }

    [TestCaseSource(nameof(s_vectors))]
    public void ReadCompactU128_PolkadotJsVector_DecodesValueAndConsumesAll(string value, string hex)
    {
        var reader = new ScaleReader(Hex(hex));
        Assert.That(reader.ReadCompactU128(), Is.EqualTo(UInt128.Parse(value)));
        Assert.That(reader.Remaining, Is.Zero);
    }

    [TestCaseSource(nameof(s_vectors))]
    public void ReadCompactBigInteger_PolkadotJsVector_DecodesValue(string value, string hex)
    {
        var reader = new ScaleReader(Hex(hex));
        Assert.That(reader.ReadCompactBigInteger(), Is.EqualTo(BigInteger.Parse(value)));
        Assert.That(reader.BytesConsumed, Is.EqualTo(hex.Length / 2));
    }

    [TestCaseSource(nameof(s_vectors))]
    public void WriteCompactU64_VectorsThatFit_MatchBytesAndLength(string value, string hex)
    {
        if (!ulong.TryParse(value, out ulong v))
        {
            Assert.That(() => new ScaleReader(Hex(hex)).ReadCompactU64(), Throws.TypeOf<ScaleFormatException>());
            return;
        }

        Assert.That(Write(w => w.WriteCompact(v)), Is.EqualTo(hex));
        Assert.That(ScaleCodec.CompactLength(v), Is.EqualTo(hex.Length / 2));
        Assert.That(ToHex(ScaleCodec.EncodeCompact(v)), Is.EqualTo(hex));
        Assert.That(new ScaleReader(Hex(hex)).ReadCompactU64(), Is.EqualTo(v));
    }

    [TestCase("03ffffffff", 4294967295u)]
    [TestCase("feffffff", 1073741823u)]
    public void ReadCompactU32_MaximumForms_Decodes(string hex, uint expected)
    {
        var reader = new ScaleReader(Hex(hex));
        Assert.That(reader.ReadCompactU32(), Is.EqualTo(expected));
    }

    [TestCase("0700000000010000")] // 2^32 in five bytes
    [TestCase("13ffffffffffffffff")]
    public void ReadCompactU32_ValueAboveU32_ThrowsScaleFormatException(string hex)
    {
        var ex = Assert.Throws<ScaleFormatException>(() => new ScaleReader(Hex(hex)).ReadCompactU32());
        Assert.That(ex!.Offset, Is.Zero);
        Assert.That(ex.Message, Does.Contain("out of range"));
    }

    [TestCase("0100", Description = "0 in two-byte mode")]
    [TestCase("fd00", Description = "63 in two-byte mode")]
    [TestCase("02000000", Description = "0 in four-byte mode")]
    [TestCase("feff0000", Description = "16383 in four-byte mode")]
    [TestCase("03ffffff3f", Description = "2^30 - 1 in big-integer mode")]
    [TestCase("0700000040" + "00", Description = "2^30 with a zero top byte")]
    public void ReadCompactU64_NonCanonical_ThrowsScaleFormatException(string hex)
    {
        var ex = Assert.Throws<ScaleFormatException>(() => new ScaleReader(Hex(hex)).ReadCompactU64());
        Assert.That(ex!.Message, Does.Contain("Non-canonical"));
    }

    [TestCase("03ffffff3f")]
    [TestCase("0b000000000000000000")]
    public void ReadCompactBigInteger_NonCanonical_ThrowsScaleFormatException(string hex)
    {
        Assert.That(() => new ScaleReader(Hex(hex)).ReadCompactBigInteger(), Throws.TypeOf<ScaleFormatException>());
    }

    [TestCase("")]
    [TestCase("01")]
    [TestCase("020001")]
    [TestCase("03ffffff")]
    [TestCase("13ffffffffffffff")]
    public void ReadCompactU64_Truncated_ThrowsAndLeavesPosition(string hex)
    {
        var reader = new ScaleReader(Hex(hex));
        try
        {
            reader.ReadCompactU64();
            Assert.Fail("expected ScaleFormatException");
        }
        catch (ScaleFormatException ex)
        {
            Assert.That(ex.Message, Does.Contain("end of input"));
        }

        Assert.That(reader.BytesConsumed, Is.Zero);
    }

    [Test]
    public void ReadCompactU128_SeventeenByteForm_ThrowsOutOfRange()
    {
        byte[] bytes = new byte[18];
        bytes[0] = (17 - 4) << 2 | 3;
        bytes[17] = 1;
        Assert.That(() => new ScaleReader(bytes).ReadCompactU128(), Throws.TypeOf<ScaleFormatException>().With.Message.Contains("out of range"));
        Assert.That(new ScaleReader(bytes).ReadCompactBigInteger(), Is.EqualTo(BigInteger.One << 128));
    }

    [Test]
    public void WriteCompactBigInteger_Maximum_RoundTripsIn68Bytes()
    {
        BigInteger max = (BigInteger.One << 536) - 1;
        byte[] encoded = ScaleCodec.Encode(w => w.WriteCompact(max));
        Assert.That(encoded, Has.Length.EqualTo(68));
        Assert.That(encoded[0], Is.EqualTo(0xff));
        Assert.That(ScaleCodec.Decode(encoded, (ref ScaleReader r) => r.ReadCompactBigInteger()), Is.EqualTo(max));
    }

    [Test]
    public void WriteCompactBigInteger_OutOfRange_ThrowsOverflowException()
    {
        Assert.That(() => Write(w => w.WriteCompact(BigInteger.MinusOne)), Throws.TypeOf<OverflowException>());
        Assert.That(() => Write(w => w.WriteCompact(BigInteger.One << 536)), Throws.TypeOf<OverflowException>());
    }

    [Test]
    public void TryReadCompact_ValidAndInvalid_ReportsResult()
    {
        Assert.That(ScaleCodec.TryReadCompact(Hex("0101ff"), out ulong value, out int consumed), Is.True);
        Assert.That((value, consumed), Is.EqualTo((64UL, 2)));
        Assert.That(ScaleCodec.TryReadCompact(Hex("0100"), out value, out consumed), Is.False);
        Assert.That((value, consumed), Is.EqualTo((0UL, 0)));
        Assert.That(ScaleCodec.TryReadCompact(Hex("33ffffffffffffffffffffffffffffffff"), out _, out _), Is.False);
    }

    private static readonly Gen<ulong> s_anySizeULong =
        Gen.Select(Gen.ULong, Gen.Int[0, 64], (v, bits) => bits == 64 ? v : v & ((1UL << bits) - 1));

    [Test]
    public void CompactU64_RoundTrip_Property()
    {
        s_anySizeULong.Sample(v =>
        {
            byte[] encoded = ScaleCodec.Encode(w => w.WriteCompact(v));
            var reader = new ScaleReader(encoded);
            return reader.ReadCompactU64() == v && reader.Remaining == 0 && encoded.Length == ScaleCodec.CompactLength(v)
                && ScaleCodec.Decode(encoded, (ref ScaleReader r) => r.ReadCompactBigInteger()) == v;
        });
    }

    [Test]
    public void CompactU128_RoundTrip_Property()
    {
        Gen.Select(s_anySizeULong, s_anySizeULong, Gen.Bool, (hi, lo, big) => new UInt128(big ? hi : 0, lo)).Sample(v =>
        {
            byte[] encoded = ScaleCodec.Encode(w => w.WriteCompact(v));
            byte[] viaBig = ScaleCodec.Encode(w => w.WriteCompact((BigInteger)v));
            return encoded.AsSpan().SequenceEqual(viaBig)
                && ScaleCodec.Decode(encoded, (ref ScaleReader r) => r.ReadCompactU128()) == v;
        });
    }
}
