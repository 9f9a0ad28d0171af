using CsCheck;
using Entropy.Hashing;

namespace Entropy.Tests.Hashing;

public class Blake2sTests
{
    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private static byte[] Seq(int n) => Enumerable.Range(0, n).Select(i => (byte)i).ToArray();

    [Test]
    public void Hash256_Abc_MatchesRfc7693AppendixB()
    {
        // RFC 7693 Appendix B: BLAKE2s-256("abc").
        Assert.That(Hex(Blake2s.Hash256("abc"u8)), Is.EqualTo("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982"));
    }

    // Keyed entries of the official BLAKE2 KAT file (github.com/BLAKE2/BLAKE2 testvectors/blake2s-kat.txt):
    // key = 00..1f, in = 00..(n-1). Entry 0 is quoted in the KAT file; the others cross block boundaries and were
    // reproduced with CPython's hashlib (the reference C code).
    [TestCase(0, "48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49")]
    [TestCase(1, "40d15fee7c328830166ac3f918650f807e7e01e177258cdc0a39b11f598066f1")]
    [TestCase(63, "c65382513f07460da39833cb666c5ed82e61b9e998f4b0c4287cee56c3cc9bcd")]
    [TestCase(64, "8975b0577fd35566d750b362b0897a26c399136df07bababbde6203ff2954ed4")]
    [TestCase(65, "21fe0ceb0052be7fb0f004187cacd7de67fa6eb0938d927677f2398c132317a8")]
    [TestCase(255, "3fb735061abc519dfe979e54c1ee5bfad0a9d858b3315bad34bde999efd724dd")]
    public void HashKeyed_OfficialKat_Matches(int length, string expected)
    {
        var output = new byte[32];
        Blake2s.HashKeyed(Seq(32), Seq(length), output);
        Assert.That(Hex(output), Is.EqualTo(expected));
    }

    [Test]
    public void Hasher_PiecewiseAppend_EqualsOneShot()
    {
        Gen.Select(Gen.Byte.Array[0, 300], Gen.Int[0, 300], Gen.Int[1, 32], Gen.Byte.Array[0, 32]).Sample((data, split, outLen, key) =>
        {
            split = Math.Min(split, data.Length);
            var expected = new byte[outLen];
            Blake2s.HashKeyed(key, data, expected);
            Blake2sHasher.Initialize(outLen, key, out var hasher);
            Blake2sHasher.Update(ref hasher, data.AsSpan(0, split));
            Blake2sHasher.Update(ref hasher, data.AsSpan(split));
            var actual = new byte[outLen];
            Blake2sHasher.Finalize(ref hasher, actual);
            return actual.AsSpan().SequenceEqual(expected);
        });
    }

    [Test]
    public void Hash_InvalidOutputOrKeyLength_ThrowsArgumentException()
    {
        Assert.That(() => Blake2s.Hash("abc"u8, new byte[33]), Throws.ArgumentException);
        Assert.That(() => Blake2s.HashKeyed(new byte[33], "abc"u8, new byte[32]), Throws.ArgumentException);
        Assert.That(() => { Blake2sHasher h = default; Blake2sHasher.Update(ref h, [1]); }, Throws.InvalidOperationException);
    }
}
