namespace Entropy.Hashing;

/// <summary>One-shot Blake2b hashing (RFC 7693), unkeyed or keyed, with an output of 1 to 64 bytes.</summary>
/// <remarks>
/// The output length is part of the parameter block, so Blake2b with a 16-byte output is a different function from a truncated
/// 64-byte digest. For input that arrives in pieces use <see cref="Blake2bHasher"/>.
/// See <see href="https://www.rfc-editor.org/rfc/rfc7693"/>.
/// </remarks>
internal static class Blake2b
{
    /// <summary>Hashes <paramref name="data"/> with an output length of <c>output.Length</c> bytes.</summary>
    /// <param name="data">The input.</param>
    /// <param name="output">Receives the digest; its length (1 to 64) selects the output length.</param>
    /// <exception cref="ArgumentException"><paramref name="output"/> is empty or longer than 64 bytes.</exception>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> output) => HashKeyed(ReadOnlySpan<byte>.Empty, data, output);

    /// <summary>Computes the keyed Blake2b (a MAC) of <paramref name="data"/> with an output length of <c>output.Length</c> bytes.</summary>
    /// <param name="key">The key, 0 to 64 bytes; empty means unkeyed.</param>
    /// <param name="data">The input.</param>
    /// <param name="output">Receives the digest; its length (1 to 64) selects the output length.</param>
    /// <exception cref="ArgumentException"><paramref name="output"/> is empty or longer than 64 bytes, or <paramref name="key"/> is longer than 64 bytes.</exception>
    public static void HashKeyed(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output)
    {
        if (output.IsEmpty || output.Length > Blake2bHasher.MaxOutputLength)
        {
            throw new ArgumentException($"A Blake2b output is 1 to {Blake2bHasher.MaxOutputLength} bytes; got {output.Length}.", nameof(output));
        }

        Blake2bHasher.Initialize(output.Length, key, out var hasher);
        Blake2bHasher.Update(ref hasher, data);
        Blake2bHasher.Finalize(ref hasher, output);
    }

    /// <summary>Returns the 16-byte BLAKE2b digest (<c>blake2_128</c>) of <paramref name="data"/>.</summary>
    /// <param name="data">The input.</param>
    /// <returns>A new 16-byte array.</returns>
    public static byte[] Hash128(ReadOnlySpan<byte> data) => HashToArray(data, 16);

    /// <summary>Returns the 32-byte BLAKE2b digest (<c>blake2_256</c>) of <paramref name="data"/>.</summary>
    /// <param name="data">The input.</param>
    /// <returns>A new 32-byte array.</returns>
    public static byte[] Hash256(ReadOnlySpan<byte> data) => HashToArray(data, 32);

    /// <summary>Returns the 64-byte BLAKE2b digest (<c>blake2_512</c>) of <paramref name="data"/>.</summary>
    /// <param name="data">The input.</param>
    /// <returns>A new 64-byte array.</returns>
    public static byte[] Hash512(ReadOnlySpan<byte> data) => HashToArray(data, 64);

    private static byte[] HashToArray(ReadOnlySpan<byte> data, int length)
    {
        var result = new byte[length];
        Hash(data, result);
        return result;
    }
}
