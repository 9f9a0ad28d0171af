using System.Collections;
using System.Text;

namespace Entropy.Metadata;

/// <summary>A struct or tuple value: named or unnamed fields in order.</summary>
internal sealed class CompositeValue : ScaleValue, IReadOnlyList<ScaleValue>
{
    internal static readonly CompositeValue Empty = new([]);

    internal CompositeValue(ScaleField[] fields)
    {
        FieldArray = fields;
        IsNamed = fields.Length > 0 && fields[0].Name is not null;
    }

    /// <inheritdoc/>
    public override ScaleValueKind Kind => ScaleValueKind.Composite;

    /// <summary>Gets the fields in order.</summary>
    public IReadOnlyList<ScaleField> Fields => FieldArray;

    /// <summary>Gets a value indicating whether the fields have names.</summary>
    public bool IsNamed { get; }

    /// <summary>Gets the number of fields.</summary>
    public int Count => FieldArray.Length;

    internal ScaleField[] FieldArray { get; }

    /// <summary>Gets the value of the field at a position.</summary>
    /// <param name="index">The position.</param>
    /// <returns>The value.</returns>
    public ScaleValue this[int index] => FieldArray[index].Value;

    /// <summary>Gets the value of a named field.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="KeyNotFoundException">There is no such field.</exception>
    public ScaleValue this[string name] => TryGetField(name, out var v) ? v : throw new KeyNotFoundException($"The composite has no field '{name}'.");

    /// <summary>Finds a named field.</summary>
    /// <param name="name">The field name (exact, or ignoring case and underscores).</param>
    /// <param name="value">The value, when found.</param>
    /// <returns><see langword="true"/> if the field exists.</returns>
    public bool TryGetField(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ScaleValue? value)
    {
        foreach (var f in FieldArray)
        {
            if (f.Name == name)
            {
                value = f.Value;
                return true;
            }
        }

        var normalized = NameMatching.Normalize(name);
        foreach (var f in FieldArray)
        {
            if (f.Name is not null && NameMatching.Normalize(f.Name) == normalized)
            {
                value = f.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <inheritdoc/>
    public IEnumerator<ScaleValue> GetEnumerator()
    {
        foreach (var f in FieldArray)
        {
            yield return f.Value;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public override bool Equals(ScaleValue? other)
    {
        if (other is not CompositeValue c || c.FieldArray.Length != FieldArray.Length)
        {
            return false;
        }

        for (var i = 0; i < FieldArray.Length; i++)
        {
            if (FieldArray[i].Name != c.FieldArray[i].Name || !FieldArray[i].Value.Equals(c.FieldArray[i].Value))
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
        h.Add(ScaleValueKind.Composite);
        foreach (var f in FieldArray)
        {
            h.Add(f.Name);
            h.Add(f.Value);
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

        if (FieldArray.Length == 0)
        {
            sb.Append("()");
            return;
        }

        sb.Append(IsNamed ? "{ " : "(");
        for (var i = 0; i < FieldArray.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            if (FieldArray[i].Name is { } n)
            {
                sb.Append(n).Append(": ");
            }

            FieldArray[i].Value.Format(sb, depth + 1);
        }

        sb.Append(IsNamed ? " }" : ")");
    }
}
