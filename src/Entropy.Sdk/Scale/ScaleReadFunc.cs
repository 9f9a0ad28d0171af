namespace Entropy.Scale;

/// <summary>Reads one value of type <typeparamref name="T"/> from a <see cref="ScaleReader"/>, advancing it.</summary>
/// <typeparam name="T">The type of the decoded value.</typeparam>
/// <param name="reader">The reader to decode from.</param>
/// <returns>The decoded value.</returns>
internal delegate T ScaleReadFunc<T>(ref ScaleReader reader);
