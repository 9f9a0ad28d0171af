using System.Numerics;

namespace Entropy.Metadata;

/// <summary>
/// Reads runtime values by shape (a named field, bytes, a number, a variant) and turns a mismatch into a <see cref="MetadataException"/>
/// naming the pallet, storage item or event, and field — never an <see cref="InvalidCastException"/> or
/// <see cref="KeyNotFoundException"/> from deep inside a call.
/// </summary>
internal readonly struct ValueShape
{
    private readonly string _where;

    /// <summary>Creates a reader for values of <paramref name="pallet"/>.<paramref name="item"/>.</summary>
    /// <param name="pallet">The pallet name.</param>
    /// <param name="item">The storage item, event or call name.</param>
    public ValueShape(string pallet, string item) => _where = pallet + "." + item;

    /// <summary>Gets <c>pallet.item</c>.</summary>
    public string Where => _where;

    /// <summary>Gets the value as a composite (after unwrapping single-field wrappers such as <c>Option</c>'s <c>Some</c>).</summary>
    public CompositeValue Composite(ScaleValue? value, string field = "(value)") =>
        value as CompositeValue ?? value?.Unwrap() as CompositeValue ?? throw Mismatch(field, "a composite", value);

    /// <summary>Gets a named field, or the first of <paramref name="aliases"/> the composite has (fields renamed between runtimes).</summary>
    public ScaleValue Field(CompositeValue composite, string name, params string[] aliases)
    {
        if (composite.TryGetField(name, out var value))
        {
            return value;
        }

        foreach (var alias in aliases)
        {
            if (composite.TryGetField(alias, out value))
            {
                return value;
            }
        }

        throw new MetadataException($"{_where} has no field '{name}'{(aliases.Length == 0 ? string.Empty : $" (nor {string.Join(", ", aliases)})")}; the runtime's layout differs from the ones this SDK supports.");
    }

    /// <summary>Gets a named field as bytes.</summary>
    public byte[] Bytes(CompositeValue composite, string name, params string[] aliases) => Bytes(Field(composite, name, aliases), name);

    /// <summary>Gets a value as bytes (a byte string, a byte array or a single-field wrapper around one).</summary>
    public byte[] Bytes(ScaleValue value, string field) =>
        value.TryGetBytes(out var bytes) ? bytes : throw Mismatch(field, "bytes", value);

    /// <summary>Gets a value as fixed-length bytes.</summary>
    public byte[] Bytes(ScaleValue value, string field, int length)
    {
        var bytes = Bytes(value, field);
        return bytes.Length == length ? bytes : throw new MetadataException($"{_where}: field '{field}' holds {bytes.Length} bytes where {length} were expected.");
    }

    /// <summary>Gets a named field as a number.</summary>
    public BigInteger Number(CompositeValue composite, string name) =>
        Field(composite, name).Unwrap() is NumberValue n ? n.Value : throw Mismatch(name, "a number", Field(composite, name));

    /// <summary>Gets a value as a sequence.</summary>
    public SequenceValue Sequence(ScaleValue value, string field) =>
        value.Unwrap() as SequenceValue ?? value as SequenceValue ?? throw Mismatch(field, "a sequence", value);

    /// <summary>Gets a value as an enum variant.</summary>
    public VariantValue Variant(ScaleValue value, string field) =>
        value as VariantValue ?? throw Mismatch(field, "an enum variant", value);

    /// <summary>Gets the value inside an <c>Option</c>: <see langword="null"/> for <c>None</c>, the field of <c>Some</c>.</summary>
    public ScaleValue? Option(ScaleValue value, string field) => value switch
    {
        VariantValue { IsNone: true } => null,
        VariantValue { Name: "Some", Fields.Count: 1 } some => some.Fields[0],
        _ => throw Mismatch(field, "an Option", value),
    };

    /// <summary>Creates the exception for a field whose value has another shape.</summary>
    public MetadataException Mismatch(string field, string expected, ScaleValue? found) =>
        new($"{_where}: field '{field}' is not {expected} (found {Describe(found)}); the runtime's layout differs from the ones this SDK supports.");

    private static string Describe(ScaleValue? value)
    {
        if (value is null)
        {
            return "nothing";
        }

        var text = value.ToString();
        return value.GetType().Name.Replace("Value", string.Empty, StringComparison.Ordinal).ToLowerInvariant() + " " + (text.Length > 60 ? text[..60] + "…" : text);
    }
}
