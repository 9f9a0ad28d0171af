using System.Text;

namespace Entropy.Metadata;

/// <summary>A string (Rust <c>str</c>/<c>String</c>).</summary>
internal sealed class StringValue : ScaleValue
{
    internal StringValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    /// <inheritdoc/>
    public override ScaleValueKind Kind => ScaleValueKind.String;

    /// <summary>Gets the string.</summary>
    public string Value { get; }

    /// <inheritdoc/>
    public override bool Equals(ScaleValue? other) => other is StringValue s && s.Value == Value;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ScaleValueKind.String, Value);

    internal override void Format(StringBuilder sb, int depth) => sb.Append('"').Append(Value).Append('"');
}
