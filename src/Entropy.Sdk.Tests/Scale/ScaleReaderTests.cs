using System.Buffers;
using CsCheck;
using Entropy.Scale;
using static Entropy.Tests.Scale.ScaleTestHelpers;

namespace Entropy.Tests.Scale;

/// <summary>Fixed-width integers, bytes, strings, options, results, enums and vectors.
/// Vectors: SUBSTRATE.md §6.1 (d), computed with polkadot-js @polkadot/types 16.5.6 (u8aToHex(toU8a())).</summary>
public class ScaleReaderTests
{
    private const string AliceHex = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";

    [Test]
    public void U32_PolkadotJsVector_RoundTrips()
    {
        Assert.That(Write(w => w.WriteU32(0x12345678)), Is.EqualTo("78563412"));
        var reader = new ScaleReader(Hex("78563412"));
        Assert.That(reader.ReadU32(), Is.EqualTo(0x12345678u));
    }

    [Test]
    public void U128_PolkadotJsVector_RoundTrips()
    {
        Assert.That(Write(w => w.WriteU128(1_000_000_000_000)), Is.EqualTo("0010a5d4e80000000000000000000000"));
        var reader = new ScaleReader(Hex("0010a5d4e80000000000000000000000"));
        Assert.That(reader.ReadU128(), Is.EqualTo((UInt128)1_000_000_000_000));
    }

    [Test]
    public void Bool_PolkadotJsVector_RoundTrips()
    {
        Assert.That(Write(w => w.WriteBool(true)), Is.EqualTo("01"));
        var reader = new ScaleReader(Hex("0100"));
        Assert.That(reader.ReadBool(), Is.True);
        Assert.That(reader.ReadBool(), Is.False);
    }

    [Test]
    public void Tuple_U8U16U32_PolkadotJsVector()
    {
        Assert.That(Write(w => { w.WriteU8(1); w.WriteU16(2); w.WriteU32(3); }), Is.EqualTo("01020003000000"));
        var reader = new ScaleReader(Hex("01020003000000"));
        Assert.That((reader.ReadU8(), reader.ReadU16(), reader.ReadU32()), Is.EqualTo(((byte)1, (ushort)2, 3u)));
        reader.EnsureEnd();
    }

    [Test]
    public void SignedIntegers_MinimumValues_RoundTripLittleEndianTwosComplement()
    {
        string hex = Write(w =>
        {
            w.WriteI8(sbyte.MinValue);
            w.WriteI16(short.MinValue);
            w.WriteI32(-2);
            w.WriteI64(long.MinValue);
            w.WriteI128(Int128.MinValue);
        });
        Assert.That(hex, Is.EqualTo("80" + "0080" + "feffffff" + "0000000000000080" + "00000000000000000000000000000080"));
        var reader = new ScaleReader(Hex(hex));
        Assert.That(reader.ReadI8(), Is.EqualTo(sbyte.MinValue));
        Assert.That(reader.ReadI16(), Is.EqualTo(short.MinValue));
        Assert.That(reader.ReadI32(), Is.EqualTo(-2));
        Assert.That(reader.ReadI64(), Is.EqualTo(long.MinValue));
        Assert.That(reader.ReadI128(), Is.EqualTo(Int128.MinValue));
        reader.EnsureEnd();
    }

    [Test]
    public void UnsignedIntegers_MaximumValues_RoundTrip()
    {
        string hex = Write(w =>
        {
            w.WriteU8(byte.MaxValue);
            w.WriteU16(ushort.MaxValue);
            w.WriteU64(ulong.MaxValue);
            w.WriteU128(UInt128.MaxValue);
        });
        Assert.That(hex, Is.EqualTo(new string('f', 2 * (1 + 2 + 8 + 16))));
        var reader = new ScaleReader(Hex(hex));
        Assert.That(reader.ReadU8(), Is.EqualTo(byte.MaxValue));
        Assert.That(reader.ReadU16(), Is.EqualTo(ushort.MaxValue));
        Assert.That(reader.ReadU64(), Is.EqualTo(ulong.MaxValue));
        Assert.That(reader.ReadU128(), Is.EqualTo(UInt128.MaxValue));
    }

    [Test]
    public void ByteVec_PolkadotJsVectors_RoundTrip()
    {
        Assert.That(Write(w => w.WriteByteVec([1, 2, 3])), Is.EqualTo("0c010203"));
        Assert.That(Write(w => w.WriteByteVec([1, 2])), Is.EqualTo("080102"));
        var reader = new ScaleReader(Hex("0c010203"));
        Assert.That(reader.ReadByteVec(), Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [Test]
    public void String_PolkadotJsVector_RoundTrips()
    {
        Assert.That(Write(w => w.WriteString("hello")), Is.EqualTo("1468656c6c6f"));
        var reader = new ScaleReader(Hex("1468656c6c6f"));
        Assert.That(reader.ReadString(), Is.EqualTo("hello"));
    }

    [Test]
    public void String_NonAscii_RoundTripsAsUtf8()
    {
        string text = "Grüße, 世界 🌍";
        byte[] encoded = ScaleCodec.Encode(w => w.WriteString(text));
        Assert.That(ScaleCodec.Decode(encoded, (ref ScaleReader r) => r.ReadString()), Is.EqualTo(text));
    }

    [Test]
    public void ReadString_InvalidUtf8_ThrowsScaleFormatExceptionAtPrefix()
    {
        byte[] bytes = Hex("00" + "08c328");
        var reader = new ScaleReader(bytes);
        reader.ReadU8();
        try
        {
            reader.ReadString();
            Assert.Fail("expected ScaleFormatException");
        }
        catch (ScaleFormatException ex)
        {
            Assert.That(ex.Offset, Is.EqualTo(1));
            Assert.That(ex.Message, Does.Contain("UTF-8"));
        }

        Assert.That(reader.BytesConsumed, Is.EqualTo(1));
    }

    [Test]
    public void WriteString_LoneSurrogate_ThrowsArgumentException()
    {
        Assert.That(() => Write(w => w.WriteString("a\ud800b")), Throws.InstanceOf<ArgumentException>());
    }

    [Test]
    public void VecU32_PolkadotJsVector_RoundTrips()
    {
        Assert.That(Write(w => { w.WriteCompact(2UL); w.WriteU32(1); w.WriteU32(2); }), Is.EqualTo("080100000002000000"));
        var reader = new ScaleReader(Hex("080100000002000000"));
        Assert.That(reader.ReadVec((ref ScaleReader r) => r.ReadU32(), 4), Is.EqualTo(new uint[] { 1, 2 }));
        reader.EnsureEnd();
    }

    [Test]
    public void OptionU32_PolkadotJsVectors_RoundTrip()
    {
        Assert.That(Write(w => w.WriteOptionNone()), Is.EqualTo("00"));
        Assert.That(Write(w => { w.WriteOptionSome(); w.WriteU32(7); }), Is.EqualTo("0107000000"));
        Assert.That(ScaleCodec.Decode(Hex("00"), (ref ScaleReader r) => r.ReadOptionValue((ref ScaleReader x) => x.ReadU32())), Is.Null);
        Assert.That(ScaleCodec.Decode(Hex("0107000000"), (ref ScaleReader r) => r.ReadOptionValue((ref ScaleReader x) => x.ReadU32())), Is.EqualTo(7u));
    }

    [Test]
    public void OptionString_SomeAndNone_RoundTrip()
    {
        Assert.That(ScaleCodec.Decode(Hex("010478"), (ref ScaleReader r) => r.ReadOption((ref ScaleReader x) => x.ReadString())), Is.EqualTo("x"));
        Assert.That(ScaleCodec.Decode(Hex("00"), (ref ScaleReader r) => r.ReadOption((ref ScaleReader x) => x.ReadString())), Is.Null);
    }

    [Test]
    public void OptionBool_PolkadotJsVectors_RoundTrip()
    {
        Assert.That(Write(w => w.WriteOptionBool(false)), Is.EqualTo("0100"));
        Assert.That(Write(w => w.WriteOptionBool(true)), Is.EqualTo("0101"));
        Assert.That(Write(w => w.WriteOptionBool(null)), Is.EqualTo("00"));
        Assert.That(ScaleCodec.Decode(Hex("0100"), (ref ScaleReader r) => r.ReadOptionBool()), Is.False);
        Assert.That(ScaleCodec.Decode(Hex("0101"), (ref ScaleReader r) => r.ReadOptionBool()), Is.True);
        Assert.That(ScaleCodec.Decode(Hex("00"), (ref ScaleReader r) => r.ReadOptionBool()), Is.Null);
    }

    [Test]
    public void Enum_PolkadotJsVectors_RoundTrip()
    {
        // enum { A: Null, B: u32, C: (bool, Text) }
        Assert.That(Write(w => w.WriteVariantIndex(0)), Is.EqualTo("00"));
        Assert.That(Write(w => { w.WriteVariantIndex(1); w.WriteU32(42); }), Is.EqualTo("012a000000"));
        Assert.That(Write(w => { w.WriteVariantIndex(2); w.WriteBool(true); w.WriteString("x"); }), Is.EqualTo("02010478"));
        var reader = new ScaleReader(Hex("02010478"));
        Assert.That(reader.ReadVariantIndex(), Is.EqualTo(2));
        Assert.That(reader.ReadBool(), Is.True);
        Assert.That(reader.ReadString(), Is.EqualTo("x"));
        reader.EnsureEnd();
    }

    [Test]
    public void ResultU32Text_OkPolkadotJsVector_RoundTrips()
    {
        Assert.That(Write(w => { w.WriteResultTag(true); w.WriteU32(5); }), Is.EqualTo("0005000000"));
        var reader = new ScaleReader(Hex("0005000000"));
        Assert.That(reader.ReadResultTag(), Is.True);
        Assert.That(reader.ReadU32(), Is.EqualTo(5u));
        Assert.That(new ScaleReader(Hex("01")).ReadResultTag(), Is.False);
    }

    [Test]
    public void MultiAddressId_PolkadotJsVector_IsVariantZeroThenRawKey()
    {
        Assert.That(Write(w => { w.WriteVariantIndex(0); w.WriteBytes(Hex(AliceHex)); }), Is.EqualTo("00" + AliceHex));
        var reader = new ScaleReader(Hex("00" + AliceHex));
        Assert.That(reader.ReadVariantIndex(), Is.Zero);
        Span<byte> key = stackalloc byte[32];
        reader.ReadBytes(key);
        Assert.That(ToHex(key), Is.EqualTo(AliceHex));
        reader.EnsureEnd();
    }

    [TestCase("02")]
    [TestCase("ff")]
    public void ReadBool_InvalidByte_ThrowsScaleFormatException(string hex)
    {
        Assert.That(() => new ScaleReader(Hex(hex)).ReadBool(), Throws.TypeOf<ScaleFormatException>().With.Message.Contains("bool"));
    }

    [Test]
    public void ReadOptionTag_InvalidTag_ThrowsScaleFormatException()
    {
        Assert.That(() => new ScaleReader(Hex("02")).ReadOptionTag(), Throws.TypeOf<ScaleFormatException>().With.Message.Contains("Option"));
        Assert.That(() => new ScaleReader(Hex("0102")).ReadOptionBool(), Throws.TypeOf<ScaleFormatException>().With.Property("Offset").EqualTo(1));
    }

    [Test]
    public void ReadResultTag_InvalidTag_ThrowsScaleFormatException()
    {
        Assert.That(() => new ScaleReader(Hex("02")).ReadResultTag(), Throws.TypeOf<ScaleFormatException>().With.Message.Contains("Result"));
    }

    [Test]
    public void ReadByteVec_LengthBeyondInput_ThrowsBeforeAllocating()
    {
        // Compact length 2^30 followed by three bytes.
        var ex = Assert.Throws<ScaleFormatException>(() => new ScaleReader(Hex("0300000040010203")).ReadByteVec());
        Assert.That(ex!.Offset, Is.Zero);
        Assert.That(ex.Message, Does.Contain("1073741824").And.Contain("3 byte(s)"));
    }

    [Test]
    public void ReadLength_ElementSizeTooLargeForInput_Throws()
    {
        Assert.That(() => new ScaleReader(Hex("0801000000")).ReadLength(4), Throws.TypeOf<ScaleFormatException>());
        var reader = new ScaleReader(Hex("080100000002000000"));
        Assert.That(reader.ReadLength(4), Is.EqualTo(2));
    }

    [Test]
    public void ReadVec_ElementTruncated_ThrowsWithElementOffset()
    {
        var ex = Assert.Throws<ScaleFormatException>(() =>
            new ScaleReader(Hex("0801000000020000")).ReadVec((ref ScaleReader r) => r.ReadU32()));
        Assert.That(ex!.Offset, Is.EqualTo(5));
    }

    [Test]
    public void EnsureEnd_TrailingBytes_ThrowsWithOffset()
    {
        var ex = Assert.Throws<ScaleFormatException>(() => ScaleCodec.Decode(Hex("0100"), (ref ScaleReader r) => r.ReadBool()));
        Assert.That(ex!.Offset, Is.EqualTo(1));
        Assert.That(ex.Message, Does.Contain("trailing"));
    }

    [Test]
    public void ReadFixedWidth_Truncated_ThrowsScaleFormatException()
    {
        Assert.That(() => new ScaleReader(Hex("010203")).ReadU32(), Throws.TypeOf<ScaleFormatException>().With.Message.Contains("u32"));
        Assert.That(() => new ScaleReader([]).ReadU8(), Throws.TypeOf<ScaleFormatException>());
        Assert.That(() => new ScaleReader(new byte[15]).ReadI128(), Throws.TypeOf<ScaleFormatException>());
        Assert.That(() => new ScaleReader(new byte[3]).ReadBytes(4).Length, Throws.TypeOf<ScaleFormatException>());
    }

    [Test]
    public void ReadBytes_NegativeCount_ThrowsArgumentOutOfRange()
    {
        Assert.That(() => new ScaleReader(new byte[3]).ReadBytes(-1).Length, Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void DefaultWriter_Write_ThrowsInvalidOperation()
    {
        Assert.That(() => default(ScaleWriter).WriteU8(1), Throws.InvalidOperationException);
        Assert.That(() => default(ScaleWriter).WriteBytes([]), Throws.InvalidOperationException);
    }

    [Test]
    public void RandomBytes_DecodingAnything_ThrowsOnlyScaleFormatException()
    {
        Gen.Byte.Array[0, 40].Sample(bytes =>
        {
            for (int shape = 0; shape < 6; shape++)
            {
                try
                {
                    DecodeShape(bytes, shape);
                }
                catch (ScaleFormatException)
                {
                }
            }
        });
    }

    [Test]
    public void ByteVecAndString_RoundTrip_Property()
    {
        Gen.Select(Gen.Byte.Array[0, 300], Gen.String).Sample((bytes, text) =>
        {
            var buffer = new ArrayBufferWriter<byte>();
            var writer = new ScaleWriter(buffer);
            writer.WriteByteVec(bytes);
            writer.WriteString(text);
            var reader = new ScaleReader(buffer.WrittenSpan);
            bool ok = reader.ReadByteVec().AsSpan().SequenceEqual(bytes) && reader.ReadString() == text;
            reader.EnsureEnd();
            return ok;
        });
    }

    private static void DecodeShape(byte[] bytes, int shape)
    {
        var reader = new ScaleReader(bytes);
        switch (shape)
        {
            case 0:
                reader.ReadVec((ref ScaleReader r) => r.ReadString());
                break;
            case 1:
                reader.ReadOption((ref ScaleReader r) => r.ReadByteVec());
                reader.ReadCompactBigInteger();
                break;
            case 2:
                reader.ReadCompactU32();
                reader.ReadCompactU128();
                reader.ReadOptionBool();
                break;
            case 3:
                reader.ReadResultTag();
                reader.ReadVec((ref ScaleReader r) => r.ReadVec((ref ScaleReader x) => x.ReadU64(), 8), 1);
                break;
            case 4:
                reader.ReadBool();
                reader.ReadI128();
                reader.ReadBytes(reader.ReadLength());
                break;
            default:
                reader.ReadVec((ref ScaleReader r) => r.ReadVariantIndex(), 0);
                reader.EnsureEnd();
                break;
        }
    }
}
