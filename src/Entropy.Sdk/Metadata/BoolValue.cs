using System.Text;

namespace Entropy.Metadata;

/// <summary>A boolean.</summary>
internal sealed class BoolValue : ScaleValue
{
    internal static readonly BoolValue True = new(true);
    internal static readonly BoolValue False = new(false);

    private BoolValue(bool value) => Value = value;

    /// <inheritdoc/>
    public override ScaleValueKind Kind => ScaleValueKind.Bool;

    /// <summary>Gets the boolean.</summary>
    public bool Value { get; }

    /// <inheritdoc/>
    public override bool Equals(ScaleValue? other) => other is BoolValue b && b.Value == Value;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ScaleValueKind.Bool, Value);

    internal override void Format(StringBuilder sb, int depth) => sb.Append(Value ? "true" : "false");
}
