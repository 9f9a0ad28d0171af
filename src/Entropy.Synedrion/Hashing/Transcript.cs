using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using NBitcoin.Secp256k1;

namespace Entropy.Synedrion.Hashing;

/// <summary>
/// The hash inputs of synedrion 0.1.0: a SHA-256 or SHAKE256 state fed with a length-prefixed domain-separation tag, then
/// items chained as synedrion's <c>Hashable</c> impls do (byte strings with a u32 big-endian length, integers big-endian).
/// </summary>
internal sealed class Transcript
{
    private readonly IncrementalHash? sha;
    private readonly Shake256Xof? shake;

    private Transcript(string dst, bool xof)
    {
        if (xof)
        {
            this.shake = new Shake256Xof();
        }
        else
        {
            this.sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }

        this.Bytes(System.Text.Encoding.ASCII.GetBytes(dst));
    }

    /// <summary>Starts a SHA-256 transcript (synedrion <c>Hash::new_with_dst</c>).</summary>
    /// <param name="dst">The tag.</param>
    /// <returns>The transcript.</returns>
    public static Transcript Sha256(string dst) => new(dst, xof: false);

    /// <summary>Starts a SHAKE256 transcript (synedrion <c>XofHash::new_with_dst</c>).</summary>
    /// <param name="dst">The tag.</param>
    /// <returns>The transcript.</returns>
    public static Transcript Shake(string dst) => new(dst, xof: true);

    /// <summary>Chains raw bytes (constant-sized items).</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>This transcript.</returns>
    public Transcript Raw(ReadOnlySpan<byte> bytes)
    {
        if (this.sha is not null)
        {
            this.sha.AppendData(bytes);
        }
        else
        {
            this.shake!.Absorb(bytes);
        }

        return this;
    }

    /// <summary>Chains a byte string: u32 big-endian length then the bytes.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>This transcript.</returns>
    public Transcript Bytes(ReadOnlySpan<byte> bytes) => this.U32((uint)bytes.Length).Raw(bytes);

    /// <summary>Chains a u32 big-endian (lengths, party indices, bounds).</summary>
    /// <param name="value">The value.</param>
    /// <returns>This transcript.</returns>
    public Transcript U32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        return this.Raw(b);
    }

    /// <summary>Chains one byte.</summary>
    /// <param name="value">The value.</param>
    /// <returns>This transcript.</returns>
    public Transcript U8(byte value) => this.Raw([value]);

    /// <summary>Chains a <c>Uint</c> as its full-width big-endian bytes.</summary>
    /// <param name="value">The value.</param>
    /// <param name="width">The width in bytes.</param>
    /// <returns>This transcript.</returns>
    public Transcript Uint(BigInteger value, int width) => this.Raw(BigInts.ToBigEndian(value, width));

    /// <summary>Chains a curve point (length-prefixed compressed encoding).</summary>
    /// <param name="point">The point.</param>
    /// <returns>This transcript.</returns>
    public Transcript Point(CurvePoint point) => this.Bytes(point.ToCompressed());

    /// <summary>Finishes a SHA-256 transcript.</summary>
    /// <returns>32 bytes.</returns>
    public byte[] Finish() => this.sha?.GetHashAndReset() ?? throw new InvalidOperationException("Not a SHA-256 transcript.");

    /// <summary>Finishes a SHA-256 transcript as a scalar (the digest as a big-endian integer reduced mod n).</summary>
    /// <returns>The scalar.</returns>
    public Scalar FinishToScalar() => new(this.Finish(), out _);

    /// <summary>Finishes a SHAKE256 transcript into an output stream.</summary>
    /// <returns>The reader.</returns>
    public XofReader FinishToReader() => new(this.shake ?? throw new InvalidOperationException("Not a SHAKE256 transcript."));
}

/// <summary>Reads a SHAKE256 output stream the way synedrion derives challenges from it.</summary>
internal sealed class XofReader
{
    private readonly Shake256Xof shake;

    /// <summary>Wraps a finished XOF.</summary>
    /// <param name="shake">The XOF.</param>
    public XofReader(Shake256Xof shake) => this.shake = shake;

    /// <summary>Reads bytes.</summary>
    /// <param name="destination">The destination.</param>
    public void Read(Span<byte> destination) => this.shake.Squeeze(destination);

    /// <summary>
    /// Samples an integer below <paramref name="modulus"/>: reads ceil(bits/8) bytes as little-endian, no masking,
    /// and repeats while the value is not below the modulus (synedrion's <c>from_xof</c>).
    /// </summary>
    /// <param name="modulus">The positive modulus.</param>
    /// <returns>The value.</returns>
    public BigInteger Below(BigInteger modulus)
    {
        int bytes = (BigInts.BitLength(modulus) + 7) / 8;
        var buffer = new byte[bytes];
        while (true)
        {
            this.Read(buffer);
            var value = new BigInteger(buffer, isUnsigned: true, isBigEndian: false);
            if (value < modulus)
            {
                return value;
            }
        }
    }
}
