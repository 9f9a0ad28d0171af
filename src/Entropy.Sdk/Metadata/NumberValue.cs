using System.Numerics;
using System.Text;

namespace Entropy.Metadata;

/// <summary>An integer of any width and signedness; the target type checks the range when encoding.</summary>
internal sealed class NumberValue : ScaleValue
{
    private static readonly NumberValue[] s_small = Enumerable.Range(0, 256).Select(i => new NumberValue(new BigInteger(i))).ToArray();

    internal NumberValue(BigInteger value) => Value = value;

    /// <inheritdoc/>
    public override ScaleValueKind Kind => ScaleValueKind.Number;

    /// <summary>Gets the integer.</summary>
    public BigInteger Value { get; }

    /// <inheritdoc/>
    public override bool Equals(ScaleValue? other) => other is NumberValue n && n.Value == Value;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ScaleValueKind.Number, Value);

    internal static NumberValue Of(ulong value) => value < 256 ? s_small[value] : new NumberValue(value);

    internal override void Format(StringBuilder sb, int depth) => sb.Append(Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
