using System.Text;
using CsCheck;
using Entropy.Hashing;

namespace Entropy.Tests.Hashing;

public class Blake2bTests
{
    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private static byte[] Seq(int n) => Enumerable.Range(0, n).Select(i => (byte)i).ToArray();

    [Test]
    public void Hash512_Abc_MatchesRfc7693AppendixA()
    {
        // RFC 7693 Appendix A: BLAKE2b-512("abc").
        Assert.That(Hex(Blake2b.Hash512("abc"u8)), Is.EqualTo(
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"));
    }

    [Test]
    public void Hash128And256_Abc_MatchPolkadotJs()
    {
        // SUBSTRATE.md §6.1 (c): blake2AsHex('abc', 128) and blake2AsHex('abc', 256), @polkadot/util-crypto 14.0.3.
        Assert.That(Hex(Blake2b.Hash128("abc"u8)), Is.EqualTo("cf4ab791c62b8d2b2109c90275287816"));
        Assert.That(Hex(Blake2b.Hash256("abc"u8)), Is.EqualTo("bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"));
    }

    // Keyed entries of the official BLAKE2 KAT file (github.com/BLAKE2/BLAKE2 testvectors/blake2b-kat.txt):
    // key = 00..3f, in = 00..(n-1). Entries 0 and 1 are quoted in the KAT file and several test suites;
    // the longer ones cross the block boundary and were reproduced with CPython's hashlib (the reference C code).
    [TestCase(0, "10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568")]
    [TestCase(1, "961f6dd1e4dd30f63901690c512e78e4b45e4742ed197c3c5e45c549fd25f2e4187b0bc9fe30492b16b0d0bc4ef9b0f34c7003fac09a5ef1532e69430234cebd")]
    [TestCase(64, "65676d800617972fbd87e4b9514e1c67402b7a331096d3bfac22f1abb95374abc942f16e9ab0ead33b87c91968a6e509e119ff07787b3ef483e1dcdccf6e3022")]
    [TestCase(127, "76d2d819c92bce55fa8e092ab1bf9b9eab237a25267986cacf2b8ee14d214d730dc9a5aa2d7b596e86a1fd8fa0804c77402d2fcd45083688b218b1cdfa0dcbcb")]
    [TestCase(128, "72065ee4dd91c2d8509fa1fc28a37c7fc9fa7d5b3f8ad3d0d7a25626b57b1b44788d4caf806290425f9890a3a2a35a905ab4b37acfd0da6e4517b2525c9651e4")]
    [TestCase(129, "64475dfe7600d7171bea0b394e27c9b00d8e74dd1e416a79473682ad3dfdbb706631558055cfc8a40e07bd015a4540dcdea15883cbbf31412df1de1cd4152b91")]
    [TestCase(255, "142709d62e28fcccd0af97fad0f8465b971e82201dc51070faa0372aa43e92484be1c1e73ba10906d5d1853db6a4106e0a7bf9800d373d6dee2d46d62ef2a461")]
    public void HashKeyed_OfficialKat_Matches(int length, string expected)
    {
        var output = new byte[64];
        Blake2b.HashKeyed(Seq(64), Seq(length), output);
        Assert.That(Hex(output), Is.EqualTo(expected));
    }

    [Test]
    public void Hasher_PiecewiseAppend_EqualsOneShot()
    {
        Gen.Select(Gen.Byte.Array[0, 400], Gen.Int[0, 400], Gen.Int[1, 64], Gen.Byte.Array[0, 64]).Sample((data, split, outLen, key) =>
        {
            split = Math.Min(split, data.Length);
            var expected = new byte[outLen];
            Blake2b.HashKeyed(key, data, expected);
            Blake2bHasher.Initialize(outLen, key, out var hasher);
            Blake2bHasher.Update(ref hasher, data.AsSpan(0, split));
            Blake2bHasher.Update(ref hasher, ReadOnlySpan<byte>.Empty);
            Blake2bHasher.Update(ref hasher, data.AsSpan(split));
            return Blake2bHasher.Finalize(ref hasher).AsSpan().SequenceEqual(expected);
        });
    }

    [Test]
    public void Hash_OutputLengthIsAParameter_NotATruncation()
    {
        byte[] h128 = Blake2b.Hash128("abc"u8);
        byte[] h512 = Blake2b.Hash512("abc"u8);
        Assert.That(h128, Is.Not.EqualTo(h512[..16]));
    }

    [Test]
    public void Hash_InvalidOutputOrKeyLength_ThrowsArgumentException()
    {
        Assert.That(() => Blake2b.Hash("abc"u8, Span<byte>.Empty), Throws.ArgumentException);
        Assert.That(() => Blake2b.Hash("abc"u8, new byte[65]), Throws.ArgumentException);
        Assert.That(() => Blake2b.HashKeyed(new byte[65], "abc"u8, new byte[32]), Throws.ArgumentException);
        Assert.That(() => Blake2bHasher.Initialize(0, out _), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Hasher_AfterFinishOrDefault_ThrowsInvalidOperation()
    {
        Blake2bHasher.Initialize(32, out var hasher);
        Blake2bHasher.Update(ref hasher, Encoding.ASCII.GetBytes("abc"));
        Assert.That(Blake2bHasher.Finalize(ref hasher), Has.Length.EqualTo(32));
        Assert.That(() => { var h = hasher; Blake2bHasher.Update(ref h, [1]); }, Throws.InvalidOperationException);
        Assert.That(() => { Blake2bHasher h = default; Blake2bHasher.Finalize(ref h); }, Throws.InvalidOperationException);
    }

    [Test]
    public void Hasher_FinishWithWrongOutputLength_ThrowsArgumentException()
    {
        Assert.That(() => { Blake2bHasher.Initialize(32, out var h); Blake2bHasher.Finalize(ref h, new byte[16]); }, Throws.ArgumentException);
    }
}
