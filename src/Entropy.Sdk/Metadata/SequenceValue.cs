using System.Collections;
using System.Text;

namespace Entropy.Metadata;

/// <summary>A vector or array of values.</summary>
internal sealed class SequenceValue : ScaleValue, IReadOnlyList<ScaleValue>
{
    internal static readonly SequenceValue Empty = new([]);

    internal SequenceValue(ScaleValue[] items) => Items = items;

    /// <inheritdoc/>
    public override ScaleValueKind Kind => ScaleValueKind.Sequence;

    /// <summary>Gets the number of items.</summary>
    public int Count => Items.Length;

    internal ScaleValue[] Items { get; }

    /// <summary>Gets an item.</summary>
    /// <param name="index">The position.</param>
    /// <returns>The item.</returns>
    public ScaleValue this[int index] => Items[index];

    /// <inheritdoc/>
    public IEnumerator<ScaleValue> GetEnumerator() => ((IEnumerable<ScaleValue>)Items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public override bool Equals(ScaleValue? other)
    {
        if (other is not SequenceValue s || s.Items.Length != Items.Length)
        {
            return false;
        }

        for (var i = 0; i < Items.Length; i++)
        {
            if (!Items[i].Equals(s.Items[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(ScaleValueKind.Sequence);
        foreach (var i in Items)
        {
            h.Add(i);
        }

        return h.ToHashCode();
    }

    internal override void Format(StringBuilder sb, int depth)
    {
        if (depth > 16)
        {
            sb.Append('…');
            return;
        }

        sb.Append('[');
        for (var i = 0; i < Items.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            Items[i].Format(sb, depth + 1);
        }

        sb.Append(']');
    }
}
