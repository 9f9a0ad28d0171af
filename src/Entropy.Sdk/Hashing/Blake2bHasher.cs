using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Entropy.Hashing;

/// <summary>An incremental BLAKE2b hasher (RFC 7693) for input that arrives in pieces, such as concatenated fields.</summary>
/// <remarks>
/// <para>
/// Shaped like NSec's <c>IncrementalHash</c>: a <see langword="readonly"/> struct whose state only its static methods change, through a
/// <see langword="ref"/> to the caller's variable:
/// </para>
/// <code>
/// Blake2bHasher.Initialize(32, out var hasher);
/// Blake2bHasher.Update(ref hasher, first);
/// Blake2bHasher.Update(ref hasher, second);
/// Blake2bHasher.Finalize(ref hasher, digest);
/// </code>
/// <para>
/// Every change needs a <see langword="ref"/> to a writable variable, so a hasher in a <see langword="readonly"/> field, an
/// <see langword="in"/> parameter or a temporary cannot be updated at all (a compile error) instead of silently updating a copy, and
/// forking the state takes a visible assignment. The state lives inline, so hashing allocates nothing.
/// <see cref="Finalize(ref Blake2bHasher, Span{byte})"/> wipes the state; a <see langword="default"/> or finalized hasher throws
/// <see cref="InvalidOperationException"/>.
/// </para>
/// <para>The output length is part of the parameter block, so a 16-byte BLAKE2b is a different function from a truncated
/// 64-byte one. NSec's libsodium BLAKE2b serves only 32 to 64-byte outputs, so the 16-byte <c>blake2_128</c> of storage keys stays here. See <see href="https://www.rfc-editor.org/rfc/rfc7693"/>.</para>
/// </remarks>
[StructLayout(LayoutKind.Auto)]
internal readonly partial struct Blake2bHasher
{
    internal const int BlockSize = 128;
    internal const int MaxOutputLength = 64;
    internal const int MaxKeyLength = 64;

    private readonly Core _core;

    /// <summary>Gets the digest length in bytes this hasher produces; 0 for a <see langword="default"/> or finalized hasher.</summary>
    public int OutputLength => _core.OutputLength;

    /// <summary>Starts an unkeyed hash producing <paramref name="outputLength"/> bytes.</summary>
    /// <param name="outputLength">The digest length in bytes, 1 to 64.</param>
    /// <param name="hasher">Receives the initialised hasher.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputLength"/> is outside 1 to 64.</exception>
    public static void Initialize(int outputLength, out Blake2bHasher hasher) => Initialize(outputLength, ReadOnlySpan<byte>.Empty, out hasher);

    /// <summary>Starts a keyed hash (a MAC) producing <paramref name="outputLength"/> bytes.</summary>
    /// <param name="outputLength">The digest length in bytes, 1 to 64.</param>
    /// <param name="key">The key, 0 to 64 bytes; empty means unkeyed.</param>
    /// <param name="hasher">Receives the initialised hasher.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputLength"/> is outside 1 to 64.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is longer than 64 bytes.</exception>
    public static void Initialize(int outputLength, ReadOnlySpan<byte> key, out Blake2bHasher hasher)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outputLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(outputLength, MaxOutputLength);
        if (key.Length > MaxKeyLength)
        {
            throw new ArgumentException($"A BLAKE2b key is at most {MaxKeyLength} bytes; got {key.Length}.", nameof(key));
        }

        hasher = default;
        State(ref hasher).Initialize(outputLength, key);
    }

    /// <summary>Feeds the next piece of input to the hash.</summary>
    /// <param name="hasher">The hasher, updated in place.</param>
    /// <param name="data">The next piece of input.</param>
    /// <exception cref="InvalidOperationException">The hasher is a <see langword="default"/> instance or has been finalized.</exception>
    public static void Update(ref Blake2bHasher hasher, ReadOnlySpan<byte> data) => State(ref hasher).Append(data);

    /// <summary>Completes the hash, writes the digest and wipes the hasher's state.</summary>
    /// <param name="hasher">The hasher; wiped afterwards.</param>
    /// <param name="output">Receives the digest; its length must equal <see cref="OutputLength"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="output"/> is not <see cref="OutputLength"/> bytes long.</exception>
    /// <exception cref="InvalidOperationException">The hasher is a <see langword="default"/> instance or has been finalized.</exception>
    public static void Finalize(ref Blake2bHasher hasher, Span<byte> output) => State(ref hasher).Finish(output);

    /// <summary>Completes the hash, returns the digest and wipes the hasher's state.</summary>
    /// <param name="hasher">The hasher; wiped afterwards.</param>
    /// <returns>A new array of <see cref="OutputLength"/> bytes.</returns>
    /// <exception cref="InvalidOperationException">The hasher is a <see langword="default"/> instance or has been finalized.</exception>
    public static byte[] Finalize(ref Blake2bHasher hasher)
    {
        ref var state = ref State(ref hasher);
        state.EnsureUsable();
        var result = new byte[state.OutputLength];
        state.Finish(result);
        return result;
    }

    // The one place the readonly field is written: through the caller's ref, which the signature proves writable.
    private static ref Core State(ref Blake2bHasher hasher) => ref Unsafe.AsRef(in hasher._core);
}
