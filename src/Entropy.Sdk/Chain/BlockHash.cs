using System.Diagnostics.CodeAnalysis;

namespace Entropy.Chain;

/// <summary>A 32-byte block hash (Substrate <c>H256</c>), written as 0x-prefixed lower-case hex.</summary>
internal readonly struct BlockHash : IEquatable<BlockHash>
{
    /// <summary>The length of a block hash in bytes.</summary>
    public const int Length = 32;

    private static readonly byte[] s_zero = new byte[Length];
    private readonly byte[]? _bytes;

    /// <summary>Creates a block hash from its 32 bytes.</summary>
    /// <param name="bytes">The hash.</param>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public BlockHash(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A block hash is {Length} bytes, got {bytes.Length}.", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>Compares two hashes for equality.</summary>
    /// <param name="left">The first hash.</param>
    /// <param name="right">The second hash.</param>
    /// <returns><see langword="true"/> when the bytes are equal.</returns>
    public static bool operator ==(BlockHash left, BlockHash right) => left.Equals(right);

    /// <summary>Compares two hashes for inequality.</summary>
    /// <param name="left">The first hash.</param>
    /// <param name="right">The second hash.</param>
    /// <returns><see langword="true"/> when the bytes differ.</returns>
    public static bool operator !=(BlockHash left, BlockHash right) => !left.Equals(right);

    /// <summary>Gets the hash bytes (32 zero bytes for <c>default</c>).</summary>
    /// <returns>A read-only view of the bytes.</returns>
    public ReadOnlySpan<byte> AsSpan() => _bytes ?? s_zero;

    /// <summary>Copies the hash bytes into a new array.</summary>
    /// <returns>The 32 bytes.</returns>
    public byte[] ToArray() => AsSpan().ToArray();

    /// <summary>Parses 0x-prefixed hex of 32 bytes.</summary>
    /// <param name="text">The hex text.</param>
    /// <returns>The hash.</returns>
    /// <exception cref="FormatException"><paramref name="text"/> is not 0x followed by 64 hex digits.</exception>
    public static BlockHash Parse(string text) =>
        TryParse(text, out var hash) ? hash : throw new FormatException($"'{text}' is not a block hash (0x followed by 64 hex digits).");

    /// <summary>Tries to parse 0x-prefixed hex of 32 bytes.</summary>
    /// <param name="text">The hex text.</param>
    /// <param name="result">The hash, when parsing succeeded.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> is a valid block hash.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, out BlockHash result)
    {
        result = default;
        if (text is null || text.Length != 2 + (2 * Length) || !Rpc.Hex.TryDecode(text, out var bytes))
        {
            return false;
        }

        result = new BlockHash(bytes);
        return true;
    }

    /// <summary>Returns the hash as 0x-prefixed lower-case hex.</summary>
    /// <returns>The hex text.</returns>
    public override string ToString() => Rpc.Hex.Encode(AsSpan());

    /// <inheritdoc/>
    public bool Equals(BlockHash other) => AsSpan().SequenceEqual(other.AsSpan());

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is BlockHash other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(AsSpan());
}
