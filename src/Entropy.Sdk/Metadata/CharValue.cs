using System.Text;

namespace Entropy.Metadata;

/// <summary>A Unicode scalar (Rust <c>char</c>).</summary>
internal sealed class CharValue : ScaleValue
{
    internal CharValue(Rune value) => Value = value;

    /// <inheritdoc/>
    public override ScaleValueKind Kind => ScaleValueKind.Char;

    /// <summary>Gets the scalar.</summary>
    public Rune Value { get; }

    /// <inheritdoc/>
    public override bool Equals(ScaleValue? other) => other is CharValue c && c.Value == Value;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ScaleValueKind.Char, Value);

    internal override void Format(StringBuilder sb, int depth) => sb.Append('\'').Append(Value.ToString()).Append('\'');
}
