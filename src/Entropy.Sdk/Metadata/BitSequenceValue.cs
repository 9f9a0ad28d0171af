using System.Text;

namespace Entropy.Metadata;

/// <summary>A bit vector (<c>BitVec&lt;Store, Order&gt;</c>).</summary>
internal sealed class BitSequenceValue : ScaleValue
{
    internal BitSequenceValue(bool[] bits) => BitArray = bits;

    /// <inheritdoc/>
    public override ScaleValueKind Kind => ScaleValueKind.BitSequence;

    /// <summary>Gets the bits in order.</summary>
    public IReadOnlyList<bool> Values => BitArray;

    internal bool[] BitArray { get; }

    /// <inheritdoc/>
    public override bool Equals(ScaleValue? other) => other is BitSequenceValue b && b.BitArray.AsSpan().SequenceEqual(BitArray);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(ScaleValueKind.BitSequence);
        foreach (var b in BitArray)
        {
            h.Add(b);
        }

        return h.ToHashCode();
    }

    internal override void Format(StringBuilder sb, int depth)
    {
        sb.Append("0b");
        foreach (var b in BitArray)
        {
            sb.Append(b ? '1' : '0');
        }
    }
}
