using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Entropy.Hashing;

internal readonly partial struct Blake2sHasher
{
    // The mutable state: only the static methods of Blake2sHasher reach it, through the caller's ref (see Blake2sHasher.cs).
    [StructLayout(LayoutKind.Auto)]
    private struct Core
    {
        private uint _h0, _h1, _h2, _h3, _h4, _h5, _h6, _h7;
        private uint _t0, _t1;
        private BlockBuffer _buffer;
        private int _bufferLength;
        private int _outputLength;

        // Runs on a zeroed state (the caller assigns default first).
        public void Initialize(int outputLength, ReadOnlySpan<byte> key)
        {
            _outputLength = outputLength;

            // Parameter block word 0: digest length, key length, fanout = 1, depth = 1 (RFC 7693 §2.5); the rest are zero.
            _h0 = Iv0 ^ 0x01010000u ^ ((uint)key.Length << 8) ^ (uint)outputLength;
            _h1 = Iv1;
            _h2 = Iv2;
            _h3 = Iv3;
            _h4 = Iv4;
            _h5 = Iv5;
            _h6 = Iv6;
            _h7 = Iv7;
            if (!key.IsEmpty)
            {
                // The key, zero-padded to a full block, is the first data block (RFC 7693 §3.3).
                key.CopyTo(_buffer);
                _bufferLength = BlockSize;
            }
        }

        public readonly int OutputLength => _outputLength;

        public void Append(ReadOnlySpan<byte> data)
        {
            EnsureUsable();
            if (data.IsEmpty)
            {
                return;
            }

            // The last block must be compressed with the final flag, so a full buffer is only compressed once more input arrives.
            int free = BlockSize - _bufferLength;
            if (data.Length > free)
            {
                data.Slice(0, free).CopyTo(((Span<byte>)_buffer).Slice(_bufferLength));
                data = data.Slice(free);
                Increment(BlockSize);
                Compress(_buffer, last: false);
                _bufferLength = 0;
                while (data.Length > BlockSize)
                {
                    Increment(BlockSize);
                    Compress(data.Slice(0, BlockSize), last: false);
                    data = data.Slice(BlockSize);
                }
            }

            data.CopyTo(((Span<byte>)_buffer).Slice(_bufferLength));
            _bufferLength += data.Length;
        }

        public void Finish(Span<byte> output)
        {
            EnsureUsable();
            if (output.Length != _outputLength)
            {
                throw new ArgumentException($"The output must be {_outputLength} bytes; got {output.Length}.", nameof(output));
            }

            Increment((uint)_bufferLength);
            ((Span<byte>)_buffer).Slice(_bufferLength).Clear();
            Compress(_buffer, last: true);

            Span<byte> digest = stackalloc byte[8 * sizeof(uint)];
            BinaryPrimitives.WriteUInt32LittleEndian(digest, _h0);
            BinaryPrimitives.WriteUInt32LittleEndian(digest.Slice(1 * sizeof(uint)), _h1);
            BinaryPrimitives.WriteUInt32LittleEndian(digest.Slice(2 * sizeof(uint)), _h2);
            BinaryPrimitives.WriteUInt32LittleEndian(digest.Slice(3 * sizeof(uint)), _h3);
            BinaryPrimitives.WriteUInt32LittleEndian(digest.Slice(4 * sizeof(uint)), _h4);
            BinaryPrimitives.WriteUInt32LittleEndian(digest.Slice(5 * sizeof(uint)), _h5);
            BinaryPrimitives.WriteUInt32LittleEndian(digest.Slice(6 * sizeof(uint)), _h6);
            BinaryPrimitives.WriteUInt32LittleEndian(digest.Slice(7 * sizeof(uint)), _h7);
            digest.Slice(0, _outputLength).CopyTo(output);
            CryptographicOperations.ZeroMemory(digest);
            this = default;
        }

        public readonly void EnsureUsable()
        {
            if (_outputLength == 0)
            {
                throw new InvalidOperationException("This Blake2sHasher is not initialised or has already been finalized; initialise a new one with Blake2sHasher.Initialize.");
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Increment(uint count)
        {
            _t0 += count;
            if (_t0 < count)
            {
                _t1++;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void G(ref uint a, ref uint b, ref uint c, ref uint d, uint x, uint y)
        {
            a = a + b + x;
            d = BitOperations.RotateRight(d ^ a, 16);
            c += d;
            b = BitOperations.RotateRight(b ^ c, 12);
            a = a + b + y;
            d = BitOperations.RotateRight(d ^ a, 8);
            c += d;
            b = BitOperations.RotateRight(b ^ c, 7);
        }

        // Implements the compression function F of RFC 7693 §3.2, fully unrolled.
        private void Compress(ReadOnlySpan<byte> block, bool last)
        {
            const int W = sizeof(uint);
            uint m0 = BinaryPrimitives.ReadUInt32LittleEndian(block);
            uint m1 = BinaryPrimitives.ReadUInt32LittleEndian(block.Slice(1 * W));
            uint m2 = BinaryPrimitives.ReadUInt32LittleEndian(block.Slice(2 * W));
            uint m3 = BinaryPrimitives.ReadUInt32LittleEndian(block.Slice(3 * W));
            uint m4 = BinaryPrimitives.ReadUInt32LittleEndian(block.Slice(4 * W));
            uint m5 = BinaryPrimitives.ReadUInt32LittleEndian(block.Slice(5 * W));
            uint m6 = BinaryPrimitives.ReadUInt32LittleEndian(block.Slice(6 * W));
            uint m7 = BinaryPrimitives.ReadUInt32LittleEndian(block.Slice(7 * W));
            uint m8 = BinaryPrimitives.ReadUInt32LittleEndian(block.Slice(8 * W));
            uint m9 = BinaryPrimitives.ReadUInt32LittleEndian(block.Slice(9 * W));
            uint m10 = BinaryPrimitives.ReadUInt32LittleEndian(block.Slice(10 * W));
            uint m11 = BinaryPrimitives.ReadUInt32LittleEndian(block.Slice(11 * W));
            uint m12 = BinaryPrimitives.ReadUInt32LittleEndian(block.Slice(12 * W));
            uint m13 = BinaryPrimitives.ReadUInt32LittleEndian(block.Slice(13 * W));
            uint m14 = BinaryPrimitives.ReadUInt32LittleEndian(block.Slice(14 * W));
            uint m15 = BinaryPrimitives.ReadUInt32LittleEndian(block.Slice(15 * W));

            uint v0 = _h0, v1 = _h1, v2 = _h2, v3 = _h3, v4 = _h4, v5 = _h5, v6 = _h6, v7 = _h7;
            uint v8 = Iv0, v9 = Iv1, v10 = Iv2, v11 = Iv3;
            uint v12 = Iv4 ^ _t0, v13 = Iv5 ^ _t1, v14 = last ? ~Iv6 : Iv6, v15 = Iv7;

            // Round 0.
            G(ref v0, ref v4, ref v8, ref v12, m0, m1);
            G(ref v1, ref v5, ref v9, ref v13, m2, m3);
            G(ref v2, ref v6, ref v10, ref v14, m4, m5);
            G(ref v3, ref v7, ref v11, ref v15, m6, m7);
            G(ref v0, ref v5, ref v10, ref v15, m8, m9);
            G(ref v1, ref v6, ref v11, ref v12, m10, m11);
            G(ref v2, ref v7, ref v8, ref v13, m12, m13);
            G(ref v3, ref v4, ref v9, ref v14, m14, m15);
            // Round 1.
            G(ref v0, ref v4, ref v8, ref v12, m14, m10);
            G(ref v1, ref v5, ref v9, ref v13, m4, m8);
            G(ref v2, ref v6, ref v10, ref v14, m9, m15);
            G(ref v3, ref v7, ref v11, ref v15, m13, m6);
            G(ref v0, ref v5, ref v10, ref v15, m1, m12);
            G(ref v1, ref v6, ref v11, ref v12, m0, m2);
            G(ref v2, ref v7, ref v8, ref v13, m11, m7);
            G(ref v3, ref v4, ref v9, ref v14, m5, m3);
            // Round 2.
            G(ref v0, ref v4, ref v8, ref v12, m11, m8);
            G(ref v1, ref v5, ref v9, ref v13, m12, m0);
            G(ref v2, ref v6, ref v10, ref v14, m5, m2);
            G(ref v3, ref v7, ref v11, ref v15, m15, m13);
            G(ref v0, ref v5, ref v10, ref v15, m10, m14);
            G(ref v1, ref v6, ref v11, ref v12, m3, m6);
            G(ref v2, ref v7, ref v8, ref v13, m7, m1);
            G(ref v3, ref v4, ref v9, ref v14, m9, m4);
            // Round 3.
            G(ref v0, ref v4, ref v8, ref v12, m7, m9);
            G(ref v1, ref v5, ref v9, ref v13, m3, m1);
            G(ref v2, ref v6, ref v10, ref v14, m13, m12);
            G(ref v3, ref v7, ref v11, ref v15, m11, m14);
            G(ref v0, ref v5, ref v10, ref v15, m2, m6);
            G(ref v1, ref v6, ref v11, ref v12, m5, m10);
            G(ref v2, ref v7, ref v8, ref v13, m4, m0);
            G(ref v3, ref v4, ref v9, ref v14, m15, m8);
            // Round 4.
            G(ref v0, ref v4, ref v8, ref v12, m9, m0);
            G(ref v1, ref v5, ref v9, ref v13, m5, m7);
            G(ref v2, ref v6, ref v10, ref v14, m2, m4);
            G(ref v3, ref v7, ref v11, ref v15, m10, m15);
            G(ref v0, ref v5, ref v10, ref v15, m14, m1);
            G(ref v1, ref v6, ref v11, ref v12, m11, m12);
            G(ref v2, ref v7, ref v8, ref v13, m6, m8);
            G(ref v3, ref v4, ref v9, ref v14, m3, m13);
            // Round 5.
            G(ref v0, ref v4, ref v8, ref v12, m2, m12);
            G(ref v1, ref v5, ref v9, ref v13, m6, m10);
            G(ref v2, ref v6, ref v10, ref v14, m0, m11);
            G(ref v3, ref v7, ref v11, ref v15, m8, m3);
            G(ref v0, ref v5, ref v10, ref v15, m4, m13);
            G(ref v1, ref v6, ref v11, ref v12, m7, m5);
            G(ref v2, ref v7, ref v8, ref v13, m15, m14);
            G(ref v3, ref v4, ref v9, ref v14, m1, m9);
            // Round 6.
            G(ref v0, ref v4, ref v8, ref v12, m12, m5);
            G(ref v1, ref v5, ref v9, ref v13, m1, m15);
            G(ref v2, ref v6, ref v10, ref v14, m14, m13);
            G(ref v3, ref v7, ref v11, ref v15, m4, m10);
            G(ref v0, ref v5, ref v10, ref v15, m0, m7);
            G(ref v1, ref v6, ref v11, ref v12, m6, m3);
            G(ref v2, ref v7, ref v8, ref v13, m9, m2);
            G(ref v3, ref v4, ref v9, ref v14, m8, m11);
            // Round 7.
            G(ref v0, ref v4, ref v8, ref v12, m13, m11);
            G(ref v1, ref v5, ref v9, ref v13, m7, m14);
            G(ref v2, ref v6, ref v10, ref v14, m12, m1);
            G(ref v3, ref v7, ref v11, ref v15, m3, m9);
            G(ref v0, ref v5, ref v10, ref v15, m5, m0);
            G(ref v1, ref v6, ref v11, ref v12, m15, m4);
            G(ref v2, ref v7, ref v8, ref v13, m8, m6);
            G(ref v3, ref v4, ref v9, ref v14, m2, m10);
            // Round 8.
            G(ref v0, ref v4, ref v8, ref v12, m6, m15);
            G(ref v1, ref v5, ref v9, ref v13, m14, m9);
            G(ref v2, ref v6, ref v10, ref v14, m11, m3);
            G(ref v3, ref v7, ref v11, ref v15, m0, m8);
            G(ref v0, ref v5, ref v10, ref v15, m12, m2);
            G(ref v1, ref v6, ref v11, ref v12, m13, m7);
            G(ref v2, ref v7, ref v8, ref v13, m1, m4);
            G(ref v3, ref v4, ref v9, ref v14, m10, m5);
            // Round 9.
            G(ref v0, ref v4, ref v8, ref v12, m10, m2);
            G(ref v1, ref v5, ref v9, ref v13, m8, m4);
            G(ref v2, ref v6, ref v10, ref v14, m7, m6);
            G(ref v3, ref v7, ref v11, ref v15, m1, m5);
            G(ref v0, ref v5, ref v10, ref v15, m15, m11);
            G(ref v1, ref v6, ref v11, ref v12, m9, m14);
            G(ref v2, ref v7, ref v8, ref v13, m3, m12);
            G(ref v3, ref v4, ref v9, ref v14, m13, m0);

            _h0 ^= v0 ^ v8;
            _h1 ^= v1 ^ v9;
            _h2 ^= v2 ^ v10;
            _h3 ^= v3 ^ v11;
            _h4 ^= v4 ^ v12;
            _h5 ^= v5 ^ v13;
            _h6 ^= v6 ^ v14;
            _h7 ^= v7 ^ v15;
        }

        private const uint Iv0 = 0x6A09E667u;
        private const uint Iv1 = 0xBB67AE85u;
        private const uint Iv2 = 0x3C6EF372u;
        private const uint Iv3 = 0xA54FF53Au;
        private const uint Iv4 = 0x510E527Fu;
        private const uint Iv5 = 0x9B05688Cu;
        private const uint Iv6 = 0x1F83D9ABu;
        private const uint Iv7 = 0x5BE0CD19u;

        [InlineArray(BlockSize)]
        private struct BlockBuffer
        {
            private byte _element0;
        }
    }
}
