using System.Buffers;

namespace Entropy.Hashing;

/// <summary>Applies a <see cref="StorageHasher"/> to a SCALE-encoded storage map key.</summary>
/// <remarks>The numeric values of <see cref="StorageHasher"/> match the metadata's <c>StorageHasher</c> variant indices.</remarks>
internal static class StorageHashing
{
    /// <summary>Hashes <paramref name="data"/> with <paramref name="hasher"/> and appends the result to <paramref name="output"/>.</summary>
    /// <param name="hasher">The hasher.</param>
    /// <param name="data">The SCALE-encoded key.</param>
    /// <param name="output">Receives <see cref="OutputLength"/> bytes.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hasher"/> is not a defined value.</exception>
    public static void Hash(StorageHasher hasher, ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        int prefix = HashPrefixLength(hasher);
        int length = prefix + (IsConcat(hasher) ? data.Length : 0);
        Span<byte> span = output.GetSpan(length);
        Span<byte> hash = span.Slice(0, prefix);
        switch (hasher)
        {
            case StorageHasher.Blake2_128:
            case StorageHasher.Blake2_256:
            case StorageHasher.Blake2_128Concat:
                Blake2b.Hash(data, hash);
                break;
            case StorageHasher.Twox128:
                Twox.Hash128(data, hash);
                break;
            case StorageHasher.Twox256:
                Twox.Hash256(data, hash);
                break;
            case StorageHasher.Twox64Concat:
                Twox.Hash64(data, hash);
                break;
        }

        if (IsConcat(hasher))
        {
            data.CopyTo(span.Slice(prefix));
        }

        output.Advance(length);
    }

    /// <summary>Returns how many bytes <see cref="Hash"/> writes for a key of <paramref name="dataLength"/> bytes.</summary>
    /// <param name="hasher">The hasher.</param>
    /// <param name="dataLength">The length of the SCALE-encoded key.</param>
    /// <returns>The output length in bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hasher"/> is not a defined value, or <paramref name="dataLength"/> is negative.</exception>
    public static int OutputLength(StorageHasher hasher, int dataLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dataLength);
        return HashPrefixLength(hasher) + (IsConcat(hasher) ? dataLength : 0);
    }

    /// <summary>Returns whether the original key follows the hash in the output, so that it can be recovered from a storage key.</summary>
    /// <param name="hasher">The hasher.</param>
    /// <returns><see langword="true"/> for <see cref="StorageHasher.Blake2_128Concat"/>, <see cref="StorageHasher.Twox64Concat"/> and <see cref="StorageHasher.Identity"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hasher"/> is not a defined value.</exception>
    public static bool IsConcat(StorageHasher hasher) => hasher switch
    {
        StorageHasher.Blake2_128Concat or StorageHasher.Twox64Concat or StorageHasher.Identity => true,
        StorageHasher.Blake2_128 or StorageHasher.Blake2_256 or StorageHasher.Twox128 or StorageHasher.Twox256 => false,
        _ => throw Undefined(hasher),
    };

    /// <summary>Returns the length of the hash part of the output, before any concatenated key.</summary>
    /// <param name="hasher">The hasher.</param>
    /// <returns>16, 32, 8 or 0 bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hasher"/> is not a defined value.</exception>
    public static int HashPrefixLength(StorageHasher hasher) => hasher switch
    {
        StorageHasher.Blake2_128 or StorageHasher.Blake2_128Concat or StorageHasher.Twox128 => 16,
        StorageHasher.Blake2_256 or StorageHasher.Twox256 => 32,
        StorageHasher.Twox64Concat => 8,
        StorageHasher.Identity => 0,
        _ => throw Undefined(hasher),
    };

    private static ArgumentOutOfRangeException Undefined(StorageHasher hasher) =>
        new(nameof(hasher), hasher, "Unknown storage hasher.");
}
