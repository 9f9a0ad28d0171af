namespace Entropy.Metadata;

/// <summary>The kind of a dynamic <see cref="ScaleValue"/>.</summary>
internal enum ScaleValueKind
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
