namespace Entropy.Hashing;

/// <summary>One-shot Blake2s hashing (RFC 7693), unkeyed or keyed, with an output of 1 to 32 bytes.</summary>
/// <remarks>
/// The output length is part of the parameter block, so Blake2s with a 16-byte output is a different function from a truncated
/// 32-byte digest. For input that arrives in pieces use <see cref="Blake2sHasher"/>.
/// See <see href="https://www.rfc-editor.org/rfc/rfc7693"/>.
/// </remarks>
internal static class Blake2s
{
    /// <summary>Hashes <paramref name="data"/> with an output length of <c>output.Length</c> bytes.</summary>
    /// <param name="data">The input.</param>
    /// <param name="output">Receives the digest; its length (1 to 32) selects the output length.</param>
    /// <exception cref="ArgumentException"><paramref name="output"/> is empty or longer than 32 bytes.</exception>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> output) => HashKeyed(ReadOnlySpan<byte>.Empty, data, output);

    /// <summary>Computes the keyed Blake2s (a MAC) of <paramref name="data"/> with an output length of <c>output.Length</c> bytes.</summary>
    /// <param name="key">The key, 0 to 32 bytes; empty means unkeyed.</param>
    /// <param name="data">The input.</param>
    /// <param name="output">Receives the digest; its length (1 to 32) selects the output length.</param>
    /// <exception cref="ArgumentException"><paramref name="output"/> is empty or longer than 32 bytes, or <paramref name="key"/> is longer than 32 bytes.</exception>
    public static void HashKeyed(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output)
    {
        if (output.IsEmpty || output.Length > Blake2sHasher.MaxOutputLength)
        {
            throw new ArgumentException($"A Blake2s output is 1 to {Blake2sHasher.MaxOutputLength} bytes; got {output.Length}.", nameof(output));
        }

        Blake2sHasher.Initialize(output.Length, key, out var hasher);
        Blake2sHasher.Update(ref hasher, data);
        Blake2sHasher.Finalize(ref hasher, output);
    }

    /// <summary>Returns the 32-byte BLAKE2s digest of <paramref name="data"/>.</summary>
    /// <param name="data">The input.</param>
    /// <returns>A new 32-byte array.</returns>
    public static byte[] Hash256(ReadOnlySpan<byte> data)
    {
        var result = new byte[32];
        Hash(data, result);
        return result;
    }
}
