using System.Text;

namespace Entropy.Metadata;

/// <summary>An enum value: the variant name (and, after decoding, its index) with its fields.</summary>
internal sealed class VariantValue : ScaleValue
{
    internal VariantValue(string name, CompositeValue fields, int index = -1)
    {
        Name = name;
        Fields = fields;
        DecodedIndex = index;
    }

    /// <inheritdoc/>
    public override ScaleValueKind Kind => ScaleValueKind.Variant;

    /// <summary>Gets the variant name.</summary>
    public string Name { get; }

    /// <summary>Gets the variant's fields (empty for a unit variant).</summary>
    public CompositeValue Fields { get; }

    /// <summary>Gets the wire index when the value was decoded, otherwise <see langword="null"/>.</summary>
    public byte? Index => DecodedIndex >= 0 ? (byte)DecodedIndex : null;

    internal int DecodedIndex { get; }

    /// <summary>Gets a value indicating whether this is the <c>None</c> variant.</summary>
    public bool IsNone => Name == "None" && Fields.Count == 0;

    /// <inheritdoc/>
    public override bool Equals(ScaleValue? other) => other is VariantValue v && v.Name == Name && v.Fields.Equals(Fields);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ScaleValueKind.Variant, Name, Fields);

    internal override void Format(StringBuilder sb, int depth)
    {
        sb.Append(Name);
        if (Fields.Count > 0)
        {
            if (Fields.IsNamed)
            {
                sb.Append(' ');
            }

            Fields.Format(sb, depth + 1);
        }
    }
}
