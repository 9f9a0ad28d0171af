using System.Numerics;
using System.Text;

namespace Entropy.Metadata;

/// <summary>An immutable dynamic value that the metadata codec encodes to, and decodes from, SCALE for any registry type.</summary>
/// <remarks>
/// Structs decode as <see cref="CompositeValue"/>, enums as <see cref="VariantValue"/>, <c>Vec&lt;u8&gt;</c> and <c>[u8; N]</c> as
/// <see cref="BytesValue"/>, other vectors and arrays as <see cref="SequenceValue"/>, and integers as <see cref="NumberValue"/>.
/// When encoding, a single-field struct (such as <c>AccountId32</c> or <c>H256</c>) also accepts its inner value directly.
/// </remarks>
internal abstract class ScaleValue : IEquatable<ScaleValue>
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
