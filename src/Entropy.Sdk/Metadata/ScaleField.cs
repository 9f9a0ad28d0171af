namespace Entropy.Metadata;

/// <summary>A field of a <see cref="CompositeValue"/>: an optional name and a value.</summary>
/// <param name="Name">The field name, or <see langword="null"/> for a tuple-like field.</param>
/// <param name="Value">The field value.</param>
internal readonly record struct ScaleField(string? Name, ScaleValue Value);
