using System.Buffers.Binary;
using System.Numerics;

namespace Entropy.Protocol.Noise;

/// <summary>Incremental unkeyed BLAKE2s-256 (RFC 7693) used by the Noise hash function until the shared Hashing module lands.</summary>
internal struct NoiseBlake2s
{
    private static readonly uint[] s_iv =
    [
        0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19,
    ];

    private static readonly byte[] s_sigma =
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
        11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4,
        7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8,
        9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13,
        2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9,
        12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11,
        13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10,
        6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5,
        10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0,
    ];

    private readonly uint[] _h;
    private readonly byte[] _buffer;
    private int _bufferLength;
    private ulong _total;

    private NoiseBlake2s(bool _)
    {
        _h = (uint[])s_iv.Clone();
        _h[0] ^= 0x01010000u ^ 32u;
        _buffer = new byte[64];
        _bufferLength = 0;
        _total = 0;
    }

    public static NoiseBlake2s Create() => new(true);

    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var hasher = Create();
        hasher.Update(data);
        hasher.Finish(destination);
    }

    public void Update(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_bufferLength == 64)
            {
                _total += 64;
                Compress(_buffer, false);
                _bufferLength = 0;
            }

            int take = Math.Min(64 - _bufferLength, data.Length);
            data[..take].CopyTo(_buffer.AsSpan(_bufferLength));
            _bufferLength += take;
            data = data[take..];
        }
    }

    public void Finish(Span<byte> destination)
    {
        _total += (ulong)_bufferLength;
        _buffer.AsSpan(_bufferLength).Clear();
        Compress(_buffer, true);
        for (int i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[(i * 4)..], _h[i]);
        }

        Array.Clear(_buffer);
        Array.Clear(_h);
    }

    private readonly void Compress(ReadOnlySpan<byte> block, bool last)
    {
        Span<uint> m = stackalloc uint[16];
        Span<uint> v = stackalloc uint[16];
        for (int i = 0; i < 16; i++)
        {
            m[i] = BinaryPrimitives.ReadUInt32LittleEndian(block[(i * 4)..]);
        }

        _h.CopyTo(v);
        s_iv.CopyTo(v[8..]);
        v[12] ^= (uint)_total;
        v[13] ^= (uint)(_total >> 32);
        if (last)
        {
            v[14] = ~v[14];
        }

        for (int r = 0; r < 10; r++)
        {
            ReadOnlySpan<byte> s = s_sigma.AsSpan(r * 16, 16);
            G(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
            G(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
            G(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
            G(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
            G(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
            G(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
            G(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
            G(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
        }

        for (int i = 0; i < 8; i++)
        {
            _h[i] ^= v[i] ^ v[i + 8];
        }
    }

    private static void G(Span<uint> v, int a, int b, int c, int d, uint x, uint y)
    {
        v[a] = v[a] + v[b] + x;
        v[d] = BitOperations.RotateRight(v[d] ^ v[a], 16);
        v[c] = v[c] + v[d];
        v[b] = BitOperations.RotateRight(v[b] ^ v[c], 12);
        v[a] = v[a] + v[b] + y;
        v[d] = BitOperations.RotateRight(v[d] ^ v[a], 8);
        v[c] = v[c] + v[d];
        v[b] = BitOperations.RotateRight(v[b] ^ v[c], 7);
    }
}
