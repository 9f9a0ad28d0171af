using System.Globalization;

namespace Entropy;

/// <summary>The 32-byte hash that names a program stored in the <c>Programs</c> pallet.</summary>
/// <remarks>
/// The runtime computes it as BlakeTwo256(bytecode ‖ configuration interface) when the program is stored
/// (see <see href="https://github.com/entropyxyz/entropy-core">entropy-core</see> <c>pallets/programs</c>); <see cref="Compute"/> does the same.
/// </remarks>
public readonly struct ProgramPointer : IEquatable<ProgramPointer>
{
    private static readonly byte[] s_zero = new byte[32];
    private readonly byte[]? _bytes;

    /// <summary>The length of a program pointer in bytes.</summary>
    public const int Length = 32;

    /// <summary>Creates a pointer from its 32 bytes.</summary>
    /// <param name="bytes">Exactly 32 bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public ProgramPointer(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A program pointer is {Length} bytes; got {bytes.Length}.", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>Computes the pointer the runtime gives a program: BlakeTwo256(bytecode ‖ configuration interface).</summary>
    /// <param name="bytecode">The program's bytecode.</param>
    /// <param name="configurationInterface">The program's configuration interface (may be empty).</param>
    /// <returns>The pointer <c>Programs.set_program</c> stores the program under.</returns>
    /// <remarks>entropy-core v0.0.10 <c>pallets/programs</c> <c>set_program</c>: <c>T::Hashing::hash(new_program ++ configuration_interface)</c>, with the runtime's
    /// <c>Hashing = BlakeTwo256</c>. A runtime of this design stores no program at genesis; there is no well-known pointer.</remarks>
    public static ProgramPointer Compute(ReadOnlySpan<byte> bytecode, ReadOnlySpan<byte> configurationInterface)
    {
        var input = new byte[bytecode.Length + configurationInterface.Length];
        bytecode.CopyTo(input);
        configurationInterface.CopyTo(input.AsSpan(bytecode.Length));
        return new ProgramPointer(Hashing.Blake2b.Hash256(input));
    }

    /// <summary>Gets the 32 bytes of the pointer.</summary>
    /// <returns>A read-only view of the bytes.</returns>
    public ReadOnlySpan<byte> AsSpan() => _bytes ?? s_zero;

    /// <summary>Parses a 0x-prefixed (or bare) 64-digit hex string.</summary>
    /// <param name="hex">The hex string.</param>
    /// <returns>The pointer.</returns>
    /// <exception cref="FormatException"><paramref name="hex"/> is not 32 bytes of hex.</exception>
    public static ProgramPointer Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        return TryParse(hex, out var pointer)
            ? pointer
            : throw new FormatException($"'{hex}' is not a program pointer: expected 0x followed by {Length * 2} hex digits.");
    }

    /// <summary>Tries to parse a 0x-prefixed (or bare) 64-digit hex string.</summary>
    /// <param name="hex">The hex string.</param>
    /// <param name="pointer">The pointer, when parsing succeeded.</param>
    /// <returns><see langword="true"/> when <paramref name="hex"/> was a valid pointer.</returns>
    public static bool TryParse(string? hex, out ProgramPointer pointer)
    {
        pointer = default;
        if (hex is null)
        {
            return false;
        }

        var digits = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex.AsSpan(2) : hex.AsSpan();
        if (digits.Length != Length * 2)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Length];
        if (Convert.FromHexString(digits, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != Length)
        {
            return false;
        }

        pointer = new ProgramPointer(bytes);
        return true;
    }

    /// <inheritdoc/>
    public bool Equals(ProgramPointer other) => AsSpan().SequenceEqual(other.AsSpan());

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ProgramPointer other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(AsSpan());
        return hash.ToHashCode();
    }

    /// <summary>Returns the pointer as 0x-prefixed lowercase hex.</summary>
    /// <returns>The hex string.</returns>
    public override string ToString() => "0x" + Convert.ToHexStringLower(AsSpan());

    /// <summary>Compares two pointers for equality.</summary>
    /// <param name="left">The first pointer.</param>
    /// <param name="right">The second pointer.</param>
    /// <returns><see langword="true"/> when both hold the same bytes.</returns>
    public static bool operator ==(ProgramPointer left, ProgramPointer right) => left.Equals(right);

    /// <summary>Compares two pointers for inequality.</summary>
    /// <param name="left">The first pointer.</param>
    /// <param name="right">The second pointer.</param>
    /// <returns><see langword="true"/> when the bytes differ.</returns>
    public static bool operator !=(ProgramPointer left, ProgramPointer right) => !left.Equals(right);
}
