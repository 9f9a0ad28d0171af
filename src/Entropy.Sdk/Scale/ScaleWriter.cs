using System.Buffers;
using System.Runtime.CompilerServices;

namespace Entropy.Scale;

/// <summary>Writes SCALE-encoded values to an <see cref="IBufferWriter{T}"/>.</summary>
/// <remarks>
/// <para>
/// This is a <see langword="readonly"/> struct holding only the target buffer writer, so creating one allocates nothing and
/// copies of it are interchangeable: all state (what has been written so far) lives in the buffer writer. That keeps the hot
/// encoding paths allocation-free, unlike a class, and avoids the copy-divergence trap of a mutable struct. A
/// <see langword="default"/> instance has no target and throws <see cref="InvalidOperationException"/>.
/// </para>
/// <para>See the SCALE specification: <see href="https://docs.polkadot.com/polkadot-protocol/parachain-basics/data-encoding/"/>.</para>
/// </remarks>
internal readonly partial struct ScaleWriter
{
    private readonly IBufferWriter<byte>? _output;

    /// <summary>Creates a writer that appends to <paramref name="output"/>.</summary>
    /// <param name="output">The buffer to append encoded bytes to.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is <see langword="null"/>.</exception>
    public ScaleWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    /// <summary>Gets the buffer writer this writer appends to.</summary>
    /// <exception cref="InvalidOperationException">The writer is a <see langword="default"/> instance.</exception>
    public IBufferWriter<byte> Output => _output ?? throw NoOutput();

    /// <summary>Writes raw bytes with no length prefix (fixed-size arrays such as <c>[u8; 32]</c>).</summary>
    /// <param name="value">The bytes.</param>
    /// <exception cref="InvalidOperationException">The writer is a <see langword="default"/> instance.</exception>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        IBufferWriter<byte> output = Output;
        if (value.IsEmpty)
        {
            return;
        }

        value.CopyTo(output.GetSpan(value.Length));
        output.Advance(value.Length);
    }

    /// <summary>Writes a compact-length-prefixed byte vector (<c>Vec&lt;u8&gt;</c>, <c>Bytes</c>).</summary>
    /// <param name="value">The bytes.</param>
    /// <exception cref="InvalidOperationException">The writer is a <see langword="default"/> instance.</exception>
    public void WriteByteVec(ReadOnlySpan<byte> value)
    {
        WriteCompact((ulong)value.Length);
        WriteBytes(value);
    }

    /// <summary>Writes a compact-length-prefixed UTF-8 string (<c>String</c>, <c>Text</c>).</summary>
    /// <param name="value">The string.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> contains an unpaired surrogate and so has no UTF-8 encoding.</exception>
    /// <exception cref="InvalidOperationException">The writer is a <see langword="default"/> instance.</exception>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        IBufferWriter<byte> output = Output;
        int length = ScaleCodec.StrictUtf8.GetByteCount(value);
        WriteCompact((ulong)length);
        if (length > 0)
        {
            int written = ScaleCodec.StrictUtf8.GetBytes(value, output.GetSpan(length));
            output.Advance(written);
        }
    }

    /// <summary>Writes an <c>Option</c> <c>None</c> tag (0x00).</summary>
    /// <exception cref="InvalidOperationException">The writer is a <see langword="default"/> instance.</exception>
    public void WriteOptionNone() => WriteU8(0);

    /// <summary>Writes an <c>Option</c> <c>Some</c> tag (0x01); the caller writes the value next.</summary>
    /// <exception cref="InvalidOperationException">The writer is a <see langword="default"/> instance.</exception>
    public void WriteOptionSome() => WriteU8(1);

    /// <summary>Writes an <c>Option&lt;bool&gt;</c> as an option tag followed, for <c>Some</c>, by a bool byte.</summary>
    /// <param name="value">The value, or <see langword="null"/> for <c>None</c>.</param>
    /// <exception cref="InvalidOperationException">The writer is a <see langword="default"/> instance.</exception>
    public void WriteOptionBool(bool? value)
    {
        if (value is bool b)
        {
            Span<byte> span = GetSpan(2);
            span[0] = 1;
            span[1] = b ? (byte)1 : (byte)0;
            Advance(2);
        }
        else
        {
            WriteU8(0);
        }
    }

    /// <summary>Writes a <c>Result</c> tag: 0x00 for <c>Ok</c>, 0x01 for <c>Err</c>; the caller writes the payload next.</summary>
    /// <param name="isOk">Whether the result is <c>Ok</c>.</param>
    /// <exception cref="InvalidOperationException">The writer is a <see langword="default"/> instance.</exception>
    public void WriteResultTag(bool isOk) => WriteU8(isOk ? (byte)0 : (byte)1);

    /// <summary>Writes the one-byte variant index of an enum; the caller writes the variant's fields next.</summary>
    /// <param name="index">The variant index.</param>
    /// <exception cref="InvalidOperationException">The writer is a <see langword="default"/> instance.</exception>
    public void WriteVariantIndex(byte index) => WriteU8(index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> GetSpan(int size) => Output.GetSpan(size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Advance(int count) => _output!.Advance(count);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static InvalidOperationException NoOutput() =>
        new("This ScaleWriter is a default instance with no output; create it with new ScaleWriter(bufferWriter).");
}
