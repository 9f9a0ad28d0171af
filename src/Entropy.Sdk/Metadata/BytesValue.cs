using System.Text;

namespace Entropy.Metadata;

/// <summary>A byte string: the fast form of <c>Vec&lt;u8&gt;</c> and <c>[u8; N]</c>.</summary>
internal sealed class BytesValue : ScaleValue
{
    internal BytesValue(byte[] data) => Data = data;

    /// <inheritdoc/>
    public override ScaleValueKind Kind => ScaleValueKind.Bytes;

    /// <summary>Gets the bytes.</summary>
    public ReadOnlyMemory<byte> Value => Data;

    internal byte[] Data { get; }

    /// <inheritdoc/>
    public override bool Equals(ScaleValue? other) => other is BytesValue b && b.Data.AsSpan().SequenceEqual(Data);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(ScaleValueKind.Bytes);
        h.AddBytes(Data);
        return h.ToHashCode();
    }

    internal override void Format(StringBuilder sb, int depth) => sb.Append("0x").Append(Convert.ToHexStringLower(Data));
}
