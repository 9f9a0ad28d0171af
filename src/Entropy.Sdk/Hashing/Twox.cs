using System.Buffers.Binary;
using System.IO.Hashing;

namespace Entropy.Hashing;

/// <summary>Substrate's <c>twox</c> hashes: concatenated XXH64 digests with seeds 0, 1, 2, 3, each written little-endian.</summary>
/// <remarks>
/// <c>twox_64</c> is XXH64 with seed 0, <c>twox_128</c> appends seed 1, <c>twox_256</c> appends seeds 2 and 3. Each 64-bit digest
/// is written little-endian, unlike <see cref="XxHash64.Hash(ReadOnlySpan{byte}, long)"/>, which returns big-endian bytes.
/// See <see href="https://docs.polkadot.com/polkadot-protocol/parachain-basics/chain-data/#storage-hashers"/>.
/// </remarks>
internal static class Twox
{
    /// <summary>Writes the 8-byte <c>twox_64</c> digest of <paramref name="data"/>.</summary>
    /// <param name="data">The input.</param>
    /// <param name="output">Receives the digest; it must be exactly 8 bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="output"/> is not 8 bytes long.</exception>
    public static void Hash64(ReadOnlySpan<byte> data, Span<byte> output) => HashCore(data, output, 1);

    /// <summary>Writes the 16-byte <c>twox_128</c> digest of <paramref name="data"/>.</summary>
    /// <param name="data">The input.</param>
    /// <param name="output">Receives the digest; it must be exactly 16 bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="output"/> is not 16 bytes long.</exception>
    public static void Hash128(ReadOnlySpan<byte> data, Span<byte> output) => HashCore(data, output, 2);

    /// <summary>Writes the 32-byte <c>twox_256</c> digest of <paramref name="data"/>.</summary>
    /// <param name="data">The input.</param>
    /// <param name="output">Receives the digest; it must be exactly 32 bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="output"/> is not 32 bytes long.</exception>
    public static void Hash256(ReadOnlySpan<byte> data, Span<byte> output) => HashCore(data, output, 4);

    /// <summary>Returns the 16-byte <c>twox_128</c> digest of <paramref name="data"/>, as used for pallet and storage item prefixes.</summary>
    /// <param name="data">The input.</param>
    /// <returns>A new 16-byte array.</returns>
    public static byte[] Hash128(ReadOnlySpan<byte> data)
    {
        var result = new byte[16];
        HashCore(data, result, 2);
        return result;
    }

    private static void HashCore(ReadOnlySpan<byte> data, Span<byte> output, int words)
    {
        if (output.Length != words * 8)
        {
            throw new ArgumentException($"The output must be {words * 8} bytes; got {output.Length}.", nameof(output));
        }

        for (int i = 0; i < words; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(output.Slice(i * 8), XxHash64.HashToUInt64(data, i));
        }
    }
}
