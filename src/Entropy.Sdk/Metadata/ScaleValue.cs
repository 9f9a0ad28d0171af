using System.Collections;
using System.Numerics;
using System.Text;

namespace Entropy.Metadata;

/// <summary>The kind of a dynamic <see cref="ScaleValue"/>.</summary>
public enum ScaleValueKind
{
    /// <summary>A struct or tuple: <see cref="CompositeValue"/>.</summary>
    Composite,

    /// <summary>An enum variant: <see cref="VariantValue"/>.</summary>
    Variant,

    /// <summary>A vector or array of values: <see cref="SequenceValue"/>.</summary>
    Sequence,

    /// <summary>A vector or array of bytes: <see cref="BytesValue"/>.</summary>
    Bytes,

    /// <summary>A boolean: <see cref="BoolValue"/>.</summary>
    Bool,

    /// <summary>A Unicode scalar: <see cref="CharValue"/>.</summary>
    Char,

    /// <summary>A string: <see cref="StringValue"/>.</summary>
    String,

    /// <summary>An integer of any width or signedness: <see cref="NumberValue"/>.</summary>
    Number,

    /// <summary>A bit vector: <see cref="BitSequenceValue"/>.</summary>
    BitSequence,
}

/// <summary>A field of a <see cref="CompositeValue"/>: an optional name and a value.</summary>
/// <param name="Name">The field name, or <see langword="null"/> for a tuple-like field.</param>
/// <param name="Value">The field value.</param>
public readonly record struct ScaleField(string? Name, ScaleValue Value);

/// <summary>An immutable dynamic value that the metadata codec encodes to, and decodes from, SCALE for any registry type.</summary>
/// <remarks>
/// Structs decode as <see cref="CompositeValue"/>, enums as <see cref="VariantValue"/>, <c>Vec&lt;u8&gt;</c> and <c>[u8; N]</c> as
/// <see cref="BytesValue"/>, other vectors and arrays as <see cref="SequenceValue"/>, and integers as <see cref="NumberValue"/>.
/// When encoding, a single-field struct (such as <c>AccountId32</c> or <c>H256</c>) also accepts its inner value directly.
/// </remarks>
public abstract class ScaleValue : IEquatable<ScaleValue>
{
    private protected ScaleValue()
    {
    }

    /// <summary>Gets the empty composite, the value of <c>()</c> and of field-less structs.</summary>
    public static CompositeValue Unit => CompositeValue.Empty;

    /// <summary>Gets the <c>Option::None</c> variant.</summary>
    public static VariantValue None { get; } = new("None", CompositeValue.Empty);

    /// <summary>Gets the kind of the value.</summary>
    public abstract ScaleValueKind Kind { get; }

    /// <summary>Creates a boolean value.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The value.</returns>
    public static BoolValue Bool(bool value) => value ? BoolValue.True : BoolValue.False;

    /// <summary>Creates a character value.</summary>
    /// <param name="value">The Unicode scalar.</param>
    /// <returns>The value.</returns>
    public static CharValue Char(Rune value) => new(value);

    /// <summary>Creates a string value.</summary>
    /// <param name="value">The string.</param>
    /// <returns>The value.</returns>
    public static StringValue String(string value) => new(value);

    /// <summary>Creates an integer value; the type it is encoded as decides the width and checks the range.</summary>
    /// <param name="value">The integer.</param>
    /// <returns>The value.</returns>
    public static NumberValue Number(BigInteger value) => new(value);

    /// <summary>Creates an integer value from an unsigned 64-bit integer.</summary>
    /// <param name="value">The integer.</param>
    /// <returns>The value.</returns>
    public static NumberValue Number(ulong value) => new(value);

    /// <summary>Creates an integer value from a signed 64-bit integer.</summary>
    /// <param name="value">The integer.</param>
    /// <returns>The value.</returns>
    public static NumberValue Number(long value) => new(value);

    /// <summary>Creates a byte-string value (for <c>Vec&lt;u8&gt;</c>, <c>[u8; N]</c> and single-field wrappers around them).</summary>
    /// <param name="value">The bytes; they are copied.</param>
    /// <returns>The value.</returns>
    public static BytesValue Bytes(ReadOnlySpan<byte> value) => new(value.ToArray());

    /// <summary>Creates a bit-vector value.</summary>
    /// <param name="bits">The bits in order.</param>
    /// <returns>The value.</returns>
    public static BitSequenceValue Bits(IEnumerable<bool> bits) => new(bits.ToArray());

    /// <summary>Creates a composite with named fields.</summary>
    /// <param name="fields">The fields in order.</param>
    /// <returns>The value.</returns>
    public static CompositeValue Named(params (string Name, ScaleValue Value)[] fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var arr = new ScaleField[fields.Length];
        for (var i = 0; i < fields.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(fields[i].Name);
            ArgumentNullException.ThrowIfNull(fields[i].Value);
            arr[i] = new ScaleField(fields[i].Name, fields[i].Value);
        }

        return new CompositeValue(arr);
    }

    /// <summary>Creates a composite with unnamed fields (a tuple or tuple struct).</summary>
    /// <param name="values">The values in order.</param>
    /// <returns>The value.</returns>
    public static CompositeValue Unnamed(params ScaleValue[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var arr = new ScaleField[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(values[i]);
            arr[i] = new ScaleField(null, values[i]);
        }

        return new CompositeValue(arr);
    }

    /// <summary>Creates an enum variant with unnamed fields.</summary>
    /// <param name="name">The variant name.</param>
    /// <param name="values">The field values in order.</param>
    /// <returns>The value.</returns>
    public static VariantValue Variant(string name, params ScaleValue[] values)
    {
        ArgumentNullException.ThrowIfNull(name);
        return new VariantValue(name, values.Length == 0 ? CompositeValue.Empty : Unnamed(values));
    }

    /// <summary>Creates an enum variant with the given fields.</summary>
    /// <param name="name">The variant name.</param>
    /// <param name="fields">The fields.</param>
    /// <returns>The value.</returns>
    public static VariantValue Variant(string name, CompositeValue fields)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(fields);
        return new VariantValue(name, fields);
    }

    /// <summary>Creates the <c>Option::Some</c> variant.</summary>
    /// <param name="value">The wrapped value.</param>
    /// <returns>The value.</returns>
    public static VariantValue Some(ScaleValue value) => Variant("Some", value);

    /// <summary>Creates a sequence of values.</summary>
    /// <param name="items">The items in order.</param>
    /// <returns>The value.</returns>
    public static SequenceValue Sequence(params ScaleValue[] items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return new SequenceValue((ScaleValue[])items.Clone());
    }

    /// <summary>Gets the bytes of a byte-string value, looking through single-field composites and sequences of <c>u8</c> numbers.</summary>
    /// <returns>The bytes.</returns>
    /// <exception cref="InvalidOperationException">The value is not a byte string.</exception>
    public byte[] AsBytes() => TryGetBytes(out var bytes) ? bytes : throw new InvalidOperationException($"The value {this} is not a byte string.");

    /// <summary>Gets the integer of a number value, looking through single-field composites.</summary>
    /// <returns>The integer.</returns>
    /// <exception cref="InvalidOperationException">The value is not a number.</exception>
    public BigInteger AsNumber() => Unwrap() is NumberValue n ? n.Value : throw new InvalidOperationException($"The value {this} is not a number.");

    /// <summary>Gets the string of a string value, looking through single-field composites.</summary>
    /// <returns>The string.</returns>
    /// <exception cref="InvalidOperationException">The value is not a string.</exception>
    public string AsString() => Unwrap() is StringValue s ? s.Value : throw new InvalidOperationException($"The value {this} is not a string.");

    /// <summary>Gets the boolean of a bool value, looking through single-field composites.</summary>
    /// <returns>The boolean.</returns>
    /// <exception cref="InvalidOperationException">The value is not a bool.</exception>
    public bool AsBool() => Unwrap() is BoolValue b ? b.Value : throw new InvalidOperationException($"The value {this} is not a bool.");

    /// <summary>Gets the bytes of a byte-string value, looking through single-field composites and sequences of <c>u8</c> numbers.</summary>
    /// <param name="bytes">The bytes, when the method returns <see langword="true"/>.</param>
    /// <returns><see langword="true"/> if the value is a byte string.</returns>
    public bool TryGetBytes(out byte[] bytes)
    {
        switch (Unwrap())
        {
            case BytesValue b:
                bytes = b.Data;
                return true;
            case SequenceValue s when s.All(v => v is NumberValue n && n.Value >= 0 && n.Value <= 255):
                bytes = s.Select(v => (byte)((NumberValue)v).Value).ToArray();
                return true;
            default:
                bytes = [];
                return false;
        }
    }

    /// <summary>Compares two values structurally.</summary>
    /// <param name="other">The other value.</param>
    /// <returns><see langword="true"/> if both have the same kind and content.</returns>
    public abstract bool Equals(ScaleValue? other);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ScaleValue v && Equals(v);

    /// <inheritdoc/>
    public abstract override int GetHashCode();

    /// <inheritdoc/>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Format(sb, 0);
        return sb.ToString();
    }

    internal abstract void Format(StringBuilder sb, int depth);

    /// <summary>Looks through single-field composites (newtypes such as <c>AccountId32</c>, <c>H256</c> or <c>BoundedVec</c>) to the value inside.</summary>
    /// <returns>The innermost value that is not a single-field composite.</returns>
    public ScaleValue Unwrap()
    {
        var v = this;
        while (v is CompositeValue { Count: 1 } c)
        {
            v = c[0];
        }

        return v;
    }
}

/// <summary>A struct or tuple value: named or unnamed fields in order.</summary>
public sealed class CompositeValue : ScaleValue, IReadOnlyList<ScaleValue>
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

/// <summary>An enum value: the variant name (and, after decoding, its index) with its fields.</summary>
public sealed class VariantValue : ScaleValue
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

/// <summary>A vector or array of values.</summary>
public sealed class SequenceValue : ScaleValue, IReadOnlyList<ScaleValue>
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

/// <summary>A byte string: the fast form of <c>Vec&lt;u8&gt;</c> and <c>[u8; N]</c>.</summary>
public sealed class BytesValue : ScaleValue
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

/// <summary>A boolean.</summary>
public sealed class BoolValue : ScaleValue
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

/// <summary>A Unicode scalar (Rust <c>char</c>).</summary>
public sealed class CharValue : ScaleValue
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

/// <summary>A string (Rust <c>str</c>/<c>String</c>).</summary>
public sealed class StringValue : ScaleValue
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

/// <summary>An integer of any width and signedness; the target type checks the range when encoding.</summary>
public sealed class NumberValue : ScaleValue
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

/// <summary>A bit vector (<c>BitVec&lt;Store, Order&gt;</c>).</summary>
public sealed class BitSequenceValue : ScaleValue
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
