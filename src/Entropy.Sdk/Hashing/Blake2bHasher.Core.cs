using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Entropy.Hashing;

internal readonly partial struct Blake2bHasher
{
    // The mutable state: only the static methods of Blake2bHasher reach it, through the caller's ref (see Blake2bHasher.cs).
    [StructLayout(LayoutKind.Auto)]
    private struct Core
    {
        private ulong _h0, _h1, _h2, _h3, _h4, _h5, _h6, _h7;
        private ulong _t0, _t1;
        private BlockBuffer _buffer;
        private int _bufferLength;
        private int _outputLength;

        // Runs on a zeroed state (the caller assigns default first).
        public void Initialize(int outputLength, ReadOnlySpan<byte> key)
        {
            _outputLength = outputLength;

            // Parameter block word 0: digest length, key length, fanout = 1, depth = 1 (RFC 7693 §2.5); the rest are zero.
            _h0 = Iv0 ^ 0x01010000u ^ ((ulong)key.Length << 8) ^ (ulong)outputLength;
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

            Span<byte> digest = stackalloc byte[8 * sizeof(ulong)];
            BinaryPrimitives.WriteUInt64LittleEndian(digest, _h0);
            BinaryPrimitives.WriteUInt64LittleEndian(digest.Slice(1 * sizeof(ulong)), _h1);
            BinaryPrimitives.WriteUInt64LittleEndian(digest.Slice(2 * sizeof(ulong)), _h2);
            BinaryPrimitives.WriteUInt64LittleEndian(digest.Slice(3 * sizeof(ulong)), _h3);
            BinaryPrimitives.WriteUInt64LittleEndian(digest.Slice(4 * sizeof(ulong)), _h4);
            BinaryPrimitives.WriteUInt64LittleEndian(digest.Slice(5 * sizeof(ulong)), _h5);
            BinaryPrimitives.WriteUInt64LittleEndian(digest.Slice(6 * sizeof(ulong)), _h6);
            BinaryPrimitives.WriteUInt64LittleEndian(digest.Slice(7 * sizeof(ulong)), _h7);
            digest.Slice(0, _outputLength).CopyTo(output);
            CryptographicOperations.ZeroMemory(digest);
            this = default;
        }

        public readonly void EnsureUsable()
        {
            if (_outputLength == 0)
            {
                throw new InvalidOperationException("This Blake2bHasher is not initialised or has already been finalized; initialise a new one with Blake2bHasher.Initialize.");
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Increment(ulong count)
        {
            _t0 += count;
            if (_t0 < count)
            {
                _t1++;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void G(ref ulong a, ref ulong b, ref ulong c, ref ulong d, ulong x, ulong y)
        {
            a = a + b + x;
            d = BitOperations.RotateRight(d ^ a, 32);
            c += d;
            b = BitOperations.RotateRight(b ^ c, 24);
            a = a + b + y;
            d = BitOperations.RotateRight(d ^ a, 16);
            c += d;
            b = BitOperations.RotateRight(b ^ c, 63);
        }

        // Implements the compression function F of RFC 7693 §3.2, fully unrolled.
        private void Compress(ReadOnlySpan<byte> block, bool last)
        {
            const int W = sizeof(ulong);
            ulong m0 = BinaryPrimitives.ReadUInt64LittleEndian(block);
            ulong m1 = BinaryPrimitives.ReadUInt64LittleEndian(block.Slice(1 * W));
            ulong m2 = BinaryPrimitives.ReadUInt64LittleEndian(block.Slice(2 * W));
            ulong m3 = BinaryPrimitives.ReadUInt64LittleEndian(block.Slice(3 * W));
            ulong m4 = BinaryPrimitives.ReadUInt64LittleEndian(block.Slice(4 * W));
            ulong m5 = BinaryPrimitives.ReadUInt64LittleEndian(block.Slice(5 * W));
            ulong m6 = BinaryPrimitives.ReadUInt64LittleEndian(block.Slice(6 * W));
            ulong m7 = BinaryPrimitives.ReadUInt64LittleEndian(block.Slice(7 * W));
            ulong m8 = BinaryPrimitives.ReadUInt64LittleEndian(block.Slice(8 * W));
            ulong m9 = BinaryPrimitives.ReadUInt64LittleEndian(block.Slice(9 * W));
            ulong m10 = BinaryPrimitives.ReadUInt64LittleEndian(block.Slice(10 * W));
            ulong m11 = BinaryPrimitives.ReadUInt64LittleEndian(block.Slice(11 * W));
            ulong m12 = BinaryPrimitives.ReadUInt64LittleEndian(block.Slice(12 * W));
            ulong m13 = BinaryPrimitives.ReadUInt64LittleEndian(block.Slice(13 * W));
            ulong m14 = BinaryPrimitives.ReadUInt64LittleEndian(block.Slice(14 * W));
            ulong m15 = BinaryPrimitives.ReadUInt64LittleEndian(block.Slice(15 * W));

            ulong v0 = _h0, v1 = _h1, v2 = _h2, v3 = _h3, v4 = _h4, v5 = _h5, v6 = _h6, v7 = _h7;
            ulong v8 = Iv0, v9 = Iv1, v10 = Iv2, v11 = Iv3;
            ulong v12 = Iv4 ^ _t0, v13 = Iv5 ^ _t1, v14 = last ? ~Iv6 : Iv6, v15 = Iv7;

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
            // Round 10.
            G(ref v0, ref v4, ref v8, ref v12, m0, m1);
            G(ref v1, ref v5, ref v9, ref v13, m2, m3);
            G(ref v2, ref v6, ref v10, ref v14, m4, m5);
            G(ref v3, ref v7, ref v11, ref v15, m6, m7);
            G(ref v0, ref v5, ref v10, ref v15, m8, m9);
            G(ref v1, ref v6, ref v11, ref v12, m10, m11);
            G(ref v2, ref v7, ref v8, ref v13, m12, m13);
            G(ref v3, ref v4, ref v9, ref v14, m14, m15);
            // Round 11.
            G(ref v0, ref v4, ref v8, ref v12, m14, m10);
            G(ref v1, ref v5, ref v9, ref v13, m4, m8);
            G(ref v2, ref v6, ref v10, ref v14, m9, m15);
            G(ref v3, ref v7, ref v11, ref v15, m13, m6);
            G(ref v0, ref v5, ref v10, ref v15, m1, m12);
            G(ref v1, ref v6, ref v11, ref v12, m0, m2);
            G(ref v2, ref v7, ref v8, ref v13, m11, m7);
            G(ref v3, ref v4, ref v9, ref v14, m5, m3);

            _h0 ^= v0 ^ v8;
            _h1 ^= v1 ^ v9;
            _h2 ^= v2 ^ v10;
            _h3 ^= v3 ^ v11;
            _h4 ^= v4 ^ v12;
            _h5 ^= v5 ^ v13;
            _h6 ^= v6 ^ v14;
            _h7 ^= v7 ^ v15;
        }

        private const ulong Iv0 = 0x6a09e667f3bcc908UL;
        private const ulong Iv1 = 0xbb67ae8584caa73bUL;
        private const ulong Iv2 = 0x3c6ef372fe94f82bUL;
        private const ulong Iv3 = 0xa54ff53a5f1d36f1UL;
        private const ulong Iv4 = 0x510e527fade682d1UL;
        private const ulong Iv5 = 0x9b05688c2b3e6c1fUL;
        private const ulong Iv6 = 0x1f83d9abfb41bd6bUL;
        private const ulong Iv7 = 0x5be0cd19137e2179UL;

        [InlineArray(BlockSize)]
        private struct BlockBuffer
        {
            private byte _element0;
        }
    }
}
