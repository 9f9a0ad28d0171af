using System.Buffers.Binary;
using System.Numerics;

namespace Entropy.Synedrion.Hashing;

/// <summary>
/// SHAKE256 (FIPS 202) with streaming output. Our own Keccak-f[1600]: the platform's <c>Shake256</c> cannot squeeze
/// incrementally on OpenSSL before 3.3 and is missing on macOS, and synedrion's challenges read an unbounded stream.
/// </summary>
internal sealed class Shake256Xof
{
    private const int Rate = 136;

    private static readonly ulong[] RoundConstants =
    [
        0x0000000000000001UL, 0x0000000000008082UL, 0x800000000000808AUL, 0x8000000080008000UL,
        0x000000000000808BUL, 0x0000000080000001UL, 0x8000000080008081UL, 0x8000000000008009UL,
        0x000000000000008AUL, 0x0000000000000088UL, 0x0000000080008009UL, 0x000000008000000AUL,
        0x000000008000808BUL, 0x800000000000008BUL, 0x8000000000008089UL, 0x8000000000008003UL,
        0x8000000000008002UL, 0x8000000000000080UL, 0x000000000000800AUL, 0x800000008000000AUL,
        0x8000000080008081UL, 0x8000000000008080UL, 0x0000000080000001UL, 0x8000000080008008UL,
    ];

    private static readonly int[] Rotations =
    [
        0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
    ];

    private readonly ulong[] state = new ulong[25];
    private readonly byte[] block = new byte[Rate];
    private int offset;
    private bool squeezing;

    /// <summary>Absorbs bytes.</summary>
    /// <param name="data">The bytes.</param>
    public void Absorb(ReadOnlySpan<byte> data)
    {
        if (this.squeezing)
        {
            throw new InvalidOperationException("Cannot absorb after squeezing started.");
        }

        while (!data.IsEmpty)
        {
            int take = Math.Min(Rate - this.offset, data.Length);
            data[..take].CopyTo(this.block.AsSpan(this.offset));
            this.offset += take;
            data = data[take..];
            if (this.offset == Rate)
            {
                this.XorBlock();
                Permute(this.state);
                this.offset = 0;
            }
        }
    }

    /// <summary>Squeezes output bytes; successive calls continue the same stream.</summary>
    /// <param name="destination">The destination.</param>
    public void Squeeze(Span<byte> destination)
    {
        if (!this.squeezing)
        {
            this.block.AsSpan(this.offset).Clear();
            this.block[this.offset] ^= 0x1F;
            this.block[Rate - 1] ^= 0x80;
            this.XorBlock();
            Permute(this.state);
            this.WriteBlock();
            this.offset = 0;
            this.squeezing = true;
        }

        while (!destination.IsEmpty)
        {
            if (this.offset == Rate)
            {
                Permute(this.state);
                this.WriteBlock();
                this.offset = 0;
            }

            int take = Math.Min(Rate - this.offset, destination.Length);
            this.block.AsSpan(this.offset, take).CopyTo(destination);
            this.offset += take;
            destination = destination[take..];
        }
    }

    private static void Permute(ulong[] a)
    {
        Span<ulong> c = stackalloc ulong[5];
        Span<ulong> b = stackalloc ulong[25];
        for (int round = 0; round < 24; round++)
        {
            for (int x = 0; x < 5; x++)
            {
                c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
            }

            for (int x = 0; x < 5; x++)
            {
                ulong d = c[(x + 4) % 5] ^ BitOperations.RotateLeft(c[(x + 1) % 5], 1);
                for (int y = 0; y < 25; y += 5)
                {
                    a[y + x] ^= d;
                }
            }

            for (int x = 0; x < 5; x++)
            {
                for (int y = 0; y < 5; y++)
                {
                    int index = x + (5 * y);
                    b[y + (5 * (((2 * x) + (3 * y)) % 5))] = BitOperations.RotateLeft(a[index], Rotations[index]);
                }
            }

            for (int y = 0; y < 25; y += 5)
            {
                for (int x = 0; x < 5; x++)
                {
                    a[y + x] = b[y + x] ^ (~b[y + ((x + 1) % 5)] & b[y + ((x + 2) % 5)]);
                }
            }

            a[0] ^= RoundConstants[round];
        }
    }

    private void XorBlock()
    {
        for (int i = 0; i < Rate / 8; i++)
        {
            this.state[i] ^= BinaryPrimitives.ReadUInt64LittleEndian(this.block.AsSpan(i * 8));
        }
    }

    private void WriteBlock()
    {
        for (int i = 0; i < Rate / 8; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(this.block.AsSpan(i * 8), this.state[i]);
        }
    }
}
