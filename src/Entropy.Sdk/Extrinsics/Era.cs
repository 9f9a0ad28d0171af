using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using Entropy.Scale;

namespace Entropy.Extrinsics;

/// <summary>The validity window of a transaction: immortal, or mortal for a power-of-two number of blocks from a birth block.</summary>
/// <remarks>
/// Implements <c>sp_runtime::generic::Era</c>; see
/// <see href="https://github.com/paritytech/polkadot-sdk/blob/master/substrate/primitives/runtime/src/generic/era.rs">era.rs</see>.
/// Immortal encodes to <c>0x00</c>; mortal encodes to two bytes.
/// </remarks>
internal readonly struct Era : IEquatable<Era>
{
    /// <summary>The smallest mortal period.</summary>
    public const ulong MinPeriod = 4;

    /// <summary>The largest mortal period.</summary>
    public const ulong MaxPeriod = 1 << 16;

    /// <summary>The period the SDK uses when none is given.</summary>
    public const ulong DefaultPeriod = 64;

    private Era(ulong period, ulong phase)
    {
        Period = period;
        Phase = phase;
    }

    /// <summary>Gets the immortal era: the transaction is valid in any block (its birth block hash is the genesis hash).</summary>
    public static Era Immortal => default;

    /// <summary>Gets a value indicating whether this era is immortal.</summary>
    public bool IsImmortal => Period == 0;

    /// <summary>Gets the number of blocks the transaction is valid for, a power of two in [4, 65536]; 0 when immortal.</summary>
    public ulong Period { get; }

    /// <summary>Gets the birth block number modulo <see cref="Period"/>, quantised as the encoding requires; 0 when immortal.</summary>
    public ulong Phase { get; }

    /// <summary>Gets the number of bytes the SCALE encoding takes (1 immortal, 2 mortal).</summary>
    public int EncodedLength => IsImmortal ? 1 : 2;

    /// <summary>Creates a mortal era valid for about <paramref name="period"/> blocks starting at <paramref name="currentBlock"/>.</summary>
    /// <param name="period">The wanted validity length in blocks; rounded up to a power of two and clamped to [4, 65536].</param>
    /// <param name="currentBlock">The block number the era starts at (normally a recent finalized block, whose hash is the birth hash).</param>
    /// <returns>The mortal era, exactly as <c>Era::mortal(period, current)</c> in Substrate.</returns>
    public static Era Mortal(ulong period, ulong currentBlock)
    {
        ulong p = period > MaxPeriod ? MaxPeriod : BitOperations.RoundUpToPowerOf2(period);
        p = Math.Clamp(p, MinPeriod, MaxPeriod);
        ulong phase = currentBlock % p;
        ulong quantizeFactor = Math.Max(p >> 12, 1);
        return new Era(p, phase / quantizeFactor * quantizeFactor);
    }

    /// <summary>Gets the first block number in which a transaction with this era is valid, given a block number inside the window.</summary>
    /// <param name="currentBlock">A block number at or after the birth block (for example the birth block itself).</param>
    /// <returns>The birth block number; 0 when immortal.</returns>
    public ulong Birth(ulong currentBlock)
    {
        if (IsImmortal)
        {
            return 0;
        }

        return ((Math.Max(currentBlock, Phase) - Phase) / Period * Period) + Phase;
    }

    /// <summary>Gets the first block number in which a transaction with this era is no longer valid.</summary>
    /// <param name="currentBlock">A block number at or after the birth block.</param>
    /// <returns>The death block number (<c>birth + period</c>); <see cref="ulong.MaxValue"/> when immortal.</returns>
    public ulong Death(ulong currentBlock) => IsImmortal ? ulong.MaxValue : Birth(currentBlock) + Period;

    /// <summary>Writes the SCALE encoding of this era.</summary>
    /// <param name="destination">Where to write; at least <see cref="EncodedLength"/> bytes.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small.</exception>
    public int Encode(Span<byte> destination)
    {
        if (destination.Length < EncodedLength)
        {
            throw new ArgumentException($"An era needs {EncodedLength} bytes; the destination has {destination.Length}.", nameof(destination));
        }

        if (IsImmortal)
        {
            destination[0] = 0;
            return 1;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(destination, EncodeMortal());
        return 2;
    }

    /// <summary>Writes the SCALE encoding of this era to a SCALE writer.</summary>
    internal void Write(ScaleWriter writer)
    {
        if (IsImmortal)
        {
            writer.WriteU8(0);
        }
        else
        {
            writer.WriteU16(EncodeMortal());
        }
    }

    private ushort EncodeMortal()
    {
        int low = Math.Clamp(BitOperations.TrailingZeroCount(Period) - 1, 1, 15);
        ulong quantizeFactor = Math.Max(Period >> 12, 1);
        int high = (int)(Phase / quantizeFactor) << 4;
        return (ushort)(low | high);
    }

    /// <summary>Returns the SCALE encoding of this era.</summary>
    /// <returns>One byte (immortal) or two bytes (mortal).</returns>
    public byte[] ToBytes()
    {
        var bytes = new byte[EncodedLength];
        Encode(bytes);
        return bytes;
    }

    /// <summary>Decodes an era from the start of <paramref name="source"/>.</summary>
    /// <param name="source">The bytes, starting with the era.</param>
    /// <param name="bytesConsumed">The number of bytes the era took.</param>
    /// <returns>The era.</returns>
    /// <exception cref="ScaleFormatException">The bytes are truncated or do not encode a valid era.</exception>
    public static Era Decode(ReadOnlySpan<byte> source, out int bytesConsumed)
    {
        var reader = new ScaleReader(source);
        Era era = Read(ref reader);
        bytesConsumed = reader.BytesConsumed;
        return era;
    }

    /// <summary>Reads an era at the reader's position.</summary>
    internal static Era Read(ref ScaleReader reader)
    {
        int offset = reader.BytesConsumed;
        if (reader.Remaining < 1)
        {
            throw new ScaleFormatException("The era is missing: no bytes are left", offset);
        }

        byte first = reader.ReadU8();
        if (first == 0)
        {
            return Immortal;
        }

        if (reader.Remaining < 1)
        {
            throw new ScaleFormatException("A mortal era needs 2 bytes; only 1 is left", offset);
        }

        ushort encoded = (ushort)(first | (reader.ReadU8() << 8));
        ulong period = 2UL << (encoded % (1 << 4));
        ulong quantizeFactor = Math.Max(period >> 12, 1);
        ulong phase = (ulong)(encoded >> 4) * quantizeFactor;
        if (period < MinPeriod || phase >= period)
        {
            throw new ScaleFormatException($"0x{first:x2}{encoded >> 8:x2} is not a valid mortal era (period {period}, phase {phase})", offset);
        }

        return new Era(period, phase);
    }

    /// <inheritdoc/>
    public bool Equals(Era other) => Period == other.Period && Phase == other.Phase;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Era other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Period, Phase);

    /// <summary>Returns <c>Immortal</c> or <c>Mortal(period, phase)</c>.</summary>
    /// <returns>A short description of the era.</returns>
    public override string ToString() =>
        IsImmortal ? "Immortal" : string.Create(CultureInfo.InvariantCulture, $"Mortal(period {Period}, phase {Phase})");

    /// <summary>Compares two eras for equality.</summary>
    /// <param name="left">The first era.</param>
    /// <param name="right">The second era.</param>
    /// <returns><see langword="true"/> when both are equal.</returns>
    public static bool operator ==(Era left, Era right) => left.Equals(right);

    /// <summary>Compares two eras for inequality.</summary>
    /// <param name="left">The first era.</param>
    /// <param name="right">The second era.</param>
    /// <returns><see langword="true"/> when they differ.</returns>
    public static bool operator !=(Era left, Era right) => !left.Equals(right);
}
