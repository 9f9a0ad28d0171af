using System.Buffers;
using CsCheck;
using Entropy.Metadata;
using Entropy.Scale;
using static Entropy.Tests.Metadata.MetadataFixtures;
using static Entropy.TestSupport.SyntheticMetadata;

namespace Entropy.Tests.Metadata;

/// <summary>Malformed, truncated, random and hostile metadata raise <see cref="MetadataException"/>, never a crash, hang or stack overflow.</summary>
public class MalformedMetadataTests
{
    [Test]
    public void Parse_TruncatedAtManyOffsets_ThrowsMetadataException()
    {
        var bytes = Bytes(V10);
        var offsets = Enumerable.Range(0, 200).Concat(Enumerable.Range(0, bytes.Length / 1499).Select(i => i * 1499)).Append(bytes.Length - 1).Distinct();
        foreach (var length in offsets)
        {
            Assert.That(() => RuntimeMetadata.Parse(bytes.AsSpan(0, length)), Throws.TypeOf<MetadataException>(), $"length {length}");
        }
    }

    [Test]
    public void Parse_TrailingByte_ThrowsMetadataException()
    {
        var bytes = Bytes(LastOld).Append((byte)0).ToArray();
        Assert.That(() => RuntimeMetadata.Parse(bytes), Throws.TypeOf<MetadataException>().With.Message.Contains("trailing"));
    }

    [Test]
    public void Parse_OpaqueVecWrapper_IsAccepted()
    {
        var bytes = Bytes(DevnetV14);
        var wrapped = ScaleCodec.Encode(bytes, static (w, b) => w.WriteByteVec(b));
        Assert.That(RuntimeMetadata.Parse(wrapped).Pallets, Has.Count.EqualTo(MetadataFixtures.Load(DevnetV14).Pallets.Count));
    }

    [TestCase(13)]
    [TestCase(16)]
    [TestCase(0)]
    public void Parse_UnsupportedVersion_ThrowsNamingTheVersion(int version)
    {
        var bytes = Bytes(V10).ToArray();
        bytes[4] = (byte)version;
        var ex = Assert.Throws<MetadataException>(() => RuntimeMetadata.Parse(bytes));
        Assert.That(ex!.UnsupportedVersion, Is.EqualTo(version));
        Assert.That(ex.Message, Does.Contain($"version {version}"));
    }

    [Test]
    public void Parse_BadMagic_ThrowsMetadataException()
    {
        Assert.That(() => RuntimeMetadata.Parse([]), Throws.TypeOf<MetadataException>());
        Assert.That(() => RuntimeMetadata.Parse("meta"u8), Throws.TypeOf<MetadataException>());
        Assert.That(() => RuntimeMetadata.Parse("atem\x0f\0\0\0"u8), Throws.TypeOf<MetadataException>().With.Message.Contains("magic"));
    }

    [Test]
    public void Parse_RandomBytes_OnlyMetadataException()
    {
        Gen.Byte.Array[0, 600].Sample(random =>
        {
            foreach (var candidate in new[] { random, [.. "meta\x0e"u8, .. random], [.. "meta\x0f"u8, .. random] })
            {
                AssertParsesOrThrowsMetadataException(candidate);
            }
        }, iter: 300);
    }

    [Test]
    public void Parse_RandomlyMutatedFixture_OnlyMetadataException()
    {
        var original = Bytes(LastOld);
        Gen.Select(Gen.Int[5, original.Length - 1], Gen.Byte, Gen.Int[1, 3]).Sample((position, value, count) =>
        {
            var bytes = original.ToArray();
            for (var i = 0; i < count && position + i < bytes.Length; i++)
            {
                bytes[position + i] ^= (byte)(value | 1);
            }

            AssertParsesOrThrowsMetadataException(bytes);
        }, iter: 60);
    }

    [Test]
    public void Parse_TypeIdOutOfRange_ThrowsNamingTheId()
    {
        var blob = MinimalV15(w =>
        {
            // #0: struct { a: #5 } in a registry of one type.
            w.WriteCompact(1UL);
            WriteType(w, 0, ["Broken"], w2 =>
            {
                w2.WriteU8(0);
                w2.WriteCompact(1UL);
                WriteField(w2, "a", 5);
            });
        });
        Assert.That(() => RuntimeMetadata.Parse(blob), Throws.TypeOf<MetadataException>().With.Message.Contains("type id 5 does not exist"));
    }

    [Test]
    public void Parse_UnknownTypeDefTag_ThrowsMetadataException()
    {
        var blob = MinimalV15(w =>
        {
            w.WriteCompact(1UL);
            WriteType(w, 0, [], w2 => w2.WriteU8(9));
        });
        Assert.That(() => RuntimeMetadata.Parse(blob), Throws.TypeOf<MetadataException>().With.Message.Contains("unknown type definition tag 9"));
    }

    [Test]
    public void SelfReferentialStruct_ParsesButCodecStopsAtDepthLimit()
    {
        // #0: struct Loop { next: Loop }, which has no finite encoding.
        var blob = MinimalV15(w =>
        {
            w.WriteCompact(1UL);
            WriteType(w, 0, ["Loop"], w2 =>
            {
                w2.WriteU8(0);
                w2.WriteCompact(1UL);
                WriteField(w2, "next", 0);
            });
        });
        var metadata = RuntimeMetadata.Parse(blob);
        var types = metadata.Types;
        Assert.That(types.IsZeroSized(0), Is.False);
        Assert.That(types.GetDisplayName(0), Is.EqualTo("Loop"));
        Assert.That(types.TryBuildDefault(0), Is.Null);
        Assert.That(() => types.Decode(0, new byte[16]), Throws.TypeOf<MetadataException>().With.Message.Contains("deeper than"));
        ScaleValue deep = ScaleValue.Unit;
        for (var i = 0; i < 1000; i++)
        {
            deep = ScaleValue.Named(("next", deep));
        }

        Assert.That(() => types.Encode(0, deep), Throws.TypeOf<MetadataException>().With.Message.Contains("deeper than"));
    }

    [Test]
    public void RecursiveEnumThroughVec_DeepValueThrowsShallowValueWorks()
    {
        // #0: enum Tree { Leaf, Node(Vec<Tree>) }, #1: Vec<Tree> — recursive like RuntimeCall through Utility.batch.
        var blob = MinimalV15(w =>
        {
            w.WriteCompact(2UL);
            WriteType(w, 0, ["Tree"], w2 =>
            {
                w2.WriteU8(1);
                w2.WriteCompact(2UL);
                w2.WriteString("Leaf");
                w2.WriteCompact(0UL);
                w2.WriteU8(0);
                w2.WriteCompact(0UL);
                w2.WriteString("Node");
                w2.WriteCompact(1UL);
                WriteField(w2, null, 1);
                w2.WriteU8(1);
                w2.WriteCompact(0UL);
            });
            WriteType(w, 1, [], w2 =>
            {
                w2.WriteU8(2);
                w2.WriteCompact(0UL);
            });
        });
        var types = RuntimeMetadata.Parse(blob).Types;
        Assert.That(types.GetDisplayName(1), Is.EqualTo("Vec<Tree>"));

        static byte[] Nested(int depth) => [.. Enumerable.Repeat(new byte[] { 1, 4 }, depth).SelectMany(b => b), 0];
        var shallow = types.Decode(0, Nested(20));
        Assert.That(types.Decode(0, types.Encode(0, shallow)), Is.EqualTo(shallow));
        Assert.That(() => types.Decode(0, Nested(5000)), Throws.TypeOf<MetadataException>().With.Message.Contains("deeper than"));
    }

    [Test]
    public void DecodeCall_RandomBytes_OnlyMetadataException()
    {
        var metadata = MetadataFixtures.Load(V10);
        Gen.Select(Gen.Byte[0, 60], Gen.Byte.Array[0, 300]).Sample((pallet, rest) =>
        {
            byte[] data = [pallet, .. rest];
            try
            {
                var call = metadata.DecodeCall(data);
                Assert.That(metadata.EncodeCall(call.Pallet.Name, call.Name, call.Arguments), Is.EqualTo(data));
            }
            catch (MetadataException)
            {
                // Expected for most random inputs.
            }
        }, iter: 2000);
    }

    private static void AssertParsesOrThrowsMetadataException(byte[] bytes)
    {
        try
        {
            RuntimeMetadata.Parse(bytes);
        }
        catch (MetadataException)
        {
            // Expected.
        }
    }
}
