using System.Security.Cryptography;

namespace Entropy.Crypto;

/// <summary>Per-thread buffered output of <see cref="RandomNumberGenerator"/> for sr25519 witness (signing nonce) randomness.</summary>
/// <remarks>
/// One <see cref="RandomNumberGenerator.Fill"/> call is a system call that costs several percent of a signature (more on a
/// loaded machine); reading 1 KiB at once serves 32 signatures per call. Every byte handed out is zeroed in the buffer at
/// once, so no witness randomness stays in memory after use. schnorrkel derives the nonce from the secret nonce seed and
/// the transcript as well as these bytes, so the randomness only hedges; it still comes from the OS CSPRNG only.
/// </remarks>
internal static class WitnessRandomness
{
    private const int BufferSize = 1024;

    [ThreadStatic]
    private static byte[]? t_buffer;

    [ThreadStatic]
    private static int t_offset;

    /// <summary>Fills <paramref name="destination"/> (at most 1 KiB) with fresh CSPRNG bytes.</summary>
    public static void Fill(Span<byte> destination)
    {
        if (destination.Length > BufferSize)
        {
            RandomNumberGenerator.Fill(destination);
            return;
        }

        var buffer = t_buffer;
        if (buffer is null)
        {
            buffer = GC.AllocateArray<byte>(BufferSize, pinned: true);
            t_buffer = buffer;
            t_offset = BufferSize;
        }

        if (BufferSize - t_offset < destination.Length)
        {
            RandomNumberGenerator.Fill(buffer);
            t_offset = 0;
        }

        Span<byte> chunk = buffer.AsSpan(t_offset, destination.Length);
        chunk.CopyTo(destination);
        CryptographicOperations.ZeroMemory(chunk);
        t_offset += destination.Length;
    }
}
