using System.Numerics;
using System.Text;
using Entropy.Metadata;
using static Entropy.Tests.Metadata.MetadataFixtures;

namespace Entropy.Tests.Metadata;

/// <summary>The dynamic codec on a hand-built registry: primitives, compact wrappers, bit sequences, options and tuples.</summary>
public class ValueCodecTests
{
    private static readonly TypeRegistry s_types = Build();

    // Type ids of the hand-built registry.
    private const int U8 = 0, Lsb0 = 1, Msb0 = 2, BitsU8Lsb = 3, BitsU8Msb = 4, U16 = 5, BitsU16Lsb = 6, I256 = 7, U256 = 8, Char = 9,
        Str = 10, Perbill = 11, CompactPerbill = 12, U32 = 13, OptionU32 = 14, Tuple3 = 15, U64 = 16, I8 = 17, Bool = 18, CompactUnit = 19, Unit = 20;

    private static TypeRegistry Build()
    {
        static MetadataType T(int id, TypeDefinition def, params string[] path) => new(id, path, [], def, []);
        static TypeField F(string? name, int ty) => new(name, ty, null, []);
        return new TypeRegistry(
        [
            T(U8, PrimitiveDefinition.Get(PrimitiveKind.U8)),
            T(Lsb0, new CompositeDefinition([]), "bitvec", "order", "Lsb0"),
            T(Msb0, new CompositeDefinition([]), "bitvec", "order", "Msb0"),
            T(BitsU8Lsb, new BitSequenceDefinition(U8, Lsb0)),
            T(BitsU8Msb, new BitSequenceDefinition(U8, Msb0)),
            T(U16, PrimitiveDefinition.Get(PrimitiveKind.U16)),
            T(BitsU16Lsb, new BitSequenceDefinition(U16, Lsb0)),
            T(I256, PrimitiveDefinition.Get(PrimitiveKind.I256)),
            T(U256, PrimitiveDefinition.Get(PrimitiveKind.U256)),
            T(Char, PrimitiveDefinition.Get(PrimitiveKind.Char)),
            T(Str, PrimitiveDefinition.Get(PrimitiveKind.Str)),
            T(Perbill, new CompositeDefinition([F(null, U32)]), "sp_arithmetic", "per_things", "Perbill"),
            T(CompactPerbill, new CompactDefinition(Perbill)),
            T(U32, PrimitiveDefinition.Get(PrimitiveKind.U32)),
            T(OptionU32, new VariantDefinition([new TypeVariant("None", [], 0, []), new TypeVariant("Some", [F(null, U32)], 1, [])]), "Option"),
            T(Tuple3, new TupleDefinition([U8, U16, U32])),
            T(U64, PrimitiveDefinition.Get(PrimitiveKind.U64)),
            T(I8, PrimitiveDefinition.Get(PrimitiveKind.I8)),
            T(Bool, PrimitiveDefinition.Get(PrimitiveKind.Bool)),
            T(CompactUnit, new CompactDefinition(Unit)),
            T(Unit, new TupleDefinition([])),
        ]);
    }

    private static string Enc(int typeId, ScaleValue value) => Convert.ToHexStringLower(s_types.Encode(typeId, value));

    [Test]
    public void BitSequence_Layouts_MatchBitvecEncoding()
    {
        // parity-scale-codec's bitvec encoding: Compact(bit count) then the store words (LE); Lsb0 puts bit i at position i of its word.
        bool[] bits = [true, false, true];
        Assert.That(Enc(BitsU8Lsb, ScaleValue.Bits(bits)), Is.EqualTo("0c05"));
        Assert.That(Enc(BitsU8Msb, ScaleValue.Bits(bits)), Is.EqualTo("0ca0"));
        var ten = Enumerable.Range(0, 10).Select(i => i is 0 or 9).ToArray();
        Assert.That(Enc(BitsU16Lsb, ScaleValue.Bits(ten)), Is.EqualTo("280102"));
        foreach (var (type, value) in new[] { (BitsU8Lsb, bits), (BitsU8Msb, bits), (BitsU16Lsb, ten), (BitsU8Lsb, Array.Empty<bool>()) })
        {
            var decoded = (BitSequenceValue)s_types.Decode(type, s_types.Encode(type, ScaleValue.Bits(value)));
            Assert.That(decoded.Values, Is.EqualTo(value));
        }

        Assert.That(() => s_types.Decode(BitsU8Lsb, Hex("2405")), Throws.TypeOf<MetadataException>());
    }

    [Test]
    public void Primitives_EncodeAsScale()
    {
        // SUBSTRATE.md §6.1 (d): u32 0x12345678 → 78563412, bool true → 01, Option<u32> Some(7) → 0107000000, (u8,u16,u32)(1,2,3) → 01020003000000.
        Assert.That(Enc(U32, ScaleValue.Number(0x12345678)), Is.EqualTo("78563412"));
        Assert.That(Enc(Bool, ScaleValue.Bool(true)), Is.EqualTo("01"));
        Assert.That(Enc(OptionU32, ScaleValue.Some(ScaleValue.Number(7))), Is.EqualTo("0107000000"));
        Assert.That(Enc(OptionU32, ScaleValue.None), Is.EqualTo("00"));
        Assert.That(Enc(Tuple3, ScaleValue.Unnamed(ScaleValue.Number(1), ScaleValue.Number(2), ScaleValue.Number(3))), Is.EqualTo("01020003000000"));
        Assert.That(Enc(Str, ScaleValue.String("hello")), Is.EqualTo("1468656c6c6f"));
        Assert.That(Enc(I8, ScaleValue.Number(-1)), Is.EqualTo("ff"));
        Assert.That(Enc(Char, ScaleValue.Char(new Rune('€'))), Is.EqualTo("ac200000"));
        Assert.That(Enc(I256, ScaleValue.Number(-2)), Is.EqualTo("fe" + new string('f', 62)));
        Assert.That(Enc(U256, ScaleValue.Number(BigInteger.Pow(2, 255))), Is.EqualTo(new string('0', 62) + "80"));
    }

    [Test]
    public void Primitives_RoundTripExtremes()
    {
        var cases = new (int Type, BigInteger Value)[]
        {
            (U8, 255), (U16, 65535), (U64, ulong.MaxValue), (I8, -128), (I8, 127),
            (I256, -(BigInteger.One << 255)), (I256, (BigInteger.One << 255) - 1), (U256, (BigInteger.One << 256) - 1),
        };
        foreach (var (type, value) in cases)
        {
            Assert.That(s_types.Decode(type, s_types.Encode(type, ScaleValue.Number(value))).AsNumber(), Is.EqualTo(value), $"#{type} {value}");
        }

        Assert.That(() => s_types.Encode(U256, ScaleValue.Number(BigInteger.One << 256)), Throws.TypeOf<MetadataException>().With.Message.Contains("out of range"));
        Assert.That(() => s_types.Encode(I8, ScaleValue.Number(128)), Throws.TypeOf<MetadataException>());
        Assert.That(() => s_types.Encode(U8, ScaleValue.Number(-1)), Throws.TypeOf<MetadataException>());
        Assert.That(() => s_types.Encode(U8, ScaleValue.String("1")), Throws.TypeOf<MetadataException>().With.Message.Contains("expected an integer"));
        Assert.That(() => s_types.Decode(Char, Hex("00d80000")), Throws.TypeOf<MetadataException>().With.Message.Contains("Unicode"));
        Assert.That(() => s_types.Decode(Bool, Hex("02")), Throws.TypeOf<MetadataException>());
    }

    [Test]
    public void Compact_WrappedInNewtype_EncodesNumberAndDecodesWrapper()
    {
        // Compact<Perbill(u32)>: 1_000_000 → 0x02093d00 (mode 2, 1e6 << 2).
        Assert.That(Enc(CompactPerbill, ScaleValue.Number(1_000_000)), Is.EqualTo("02093d00"));
        var decoded = s_types.Decode(CompactPerbill, Hex("02093d00"));
        Assert.That(decoded, Is.EqualTo(ScaleValue.Unnamed(ScaleValue.Number(1_000_000))));
        Assert.That(Enc(CompactPerbill, decoded), Is.EqualTo("02093d00"));
        Assert.That(() => s_types.Decode(CompactPerbill, Hex("13ffffffffffffffff")), Throws.TypeOf<MetadataException>().With.Message.Contains("does not fit u32"));
        Assert.That(Enc(CompactUnit, ScaleValue.Unit), Is.Empty);
        Assert.That(s_types.IsZeroSized(CompactUnit), Is.False);
        Assert.That(s_types.IsZeroSized(Unit), Is.True);
    }

    [Test]
    public void DisplayNames_AreRustLike()
    {
        Assert.That(s_types.GetDisplayName(Tuple3), Is.EqualTo("(u8, u16, u32)"));
        Assert.That(s_types.GetDisplayName(CompactPerbill), Is.EqualTo("Compact<Perbill>"));
        Assert.That(s_types.GetDisplayName(BitsU8Lsb), Is.EqualTo("BitVec<u8, Lsb0>"));
        Assert.That(() => s_types.GetDisplayName(99), Throws.TypeOf<MetadataException>());
        var v10 = MetadataFixtures.Load(V10).Types;
        var accountId = v10.FindByPath("sp_core::crypto::AccountId32")!;
        Assert.That(v10.GetDisplayName(accountId.Id), Is.EqualTo("AccountId32"));
        Assert.That(accountId.ToString(), Is.EqualTo($"#{accountId.Id} sp_core::crypto::AccountId32"));
    }

    [Test]
    public void Values_EqualityAndFormatting_AreStructural()
    {
        var a = ScaleValue.Named(("x", ScaleValue.Number(1)), ("y", ScaleValue.Bytes([1, 2])));
        var b = ScaleValue.Named(("x", ScaleValue.Number(1)), ("y", ScaleValue.Bytes([1, 2])));
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a.GetHashCode(), Is.EqualTo(b.GetHashCode()));
        Assert.That(a, Is.Not.EqualTo(ScaleValue.Unnamed(ScaleValue.Number(1), ScaleValue.Bytes([1, 2]))));
        Assert.That(a.ToString(), Is.EqualTo("{ x: 1, y: 0x0102 }"));
        Assert.That(ScaleValue.Variant("Private", ScaleValue.Bytes([0xab])).ToString(), Is.EqualTo("Private(0xab)"));
        Assert.That(ScaleValue.Sequence(ScaleValue.Number(1), ScaleValue.Number(2)).AsBytes(), Is.EqualTo(new byte[] { 1, 2 }));
        Assert.That(() => ScaleValue.String("x").AsBytes(), Throws.InvalidOperationException);
        Assert.That(a["y"].AsBytes(), Is.EqualTo(new byte[] { 1, 2 }));
        Assert.That(() => a["z"], Throws.TypeOf<KeyNotFoundException>());
    }
}
