namespace Entropy.Scale;

internal ref partial struct ScaleReader
{
    /// <summary>Reads the tag of an <c>Option&lt;T&gt;</c>: <see langword="false"/> for <c>None</c> (0x00), <see langword="true"/> for <c>Some</c> (0x01).</summary>
    /// <returns>Whether a value follows.</returns>
    /// <exception cref="ScaleFormatException">The input is empty or the tag is neither 0 nor 1.</exception>
    public bool ReadOptionTag()
    {
        EnsureAvailable(1, "Option tag");
        byte b = _buffer[_position];
        if (b > 1)
        {
            throw new ScaleFormatException($"Invalid Option tag 0x{b:x2}; expected 0x00 (None) or 0x01 (Some)", _position);
        }

        _position++;
        return b == 1;
    }

    /// <summary>Reads an <c>Option&lt;bool&gt;</c> encoded as an option tag followed by a bool byte, as polkadot-js encodes it.</summary>
    /// <returns>The decoded value, or <see langword="null"/> for <c>None</c>.</returns>
    /// <exception cref="ScaleFormatException">The tag or the bool byte is invalid, or the input is truncated.</exception>
    public bool? ReadOptionBool() => ReadOptionTag() ? ReadBool() : null;

    /// <summary>Reads the tag of a <c>Result&lt;T, E&gt;</c>: <see langword="true"/> for <c>Ok</c> (0x00), <see langword="false"/> for <c>Err</c> (0x01).</summary>
    /// <returns>Whether the result is <c>Ok</c>.</returns>
    /// <exception cref="ScaleFormatException">The input is empty or the tag is neither 0 nor 1.</exception>
    public bool ReadResultTag()
    {
        EnsureAvailable(1, "Result tag");
        byte b = _buffer[_position];
        if (b > 1)
        {
            throw new ScaleFormatException($"Invalid Result tag 0x{b:x2}; expected 0x00 (Ok) or 0x01 (Err)", _position);
        }

        _position++;
        return b == 0;
    }

    /// <summary>Reads the one-byte variant index of an enum; the caller checks it against the enum's variants.</summary>
    /// <returns>The variant index.</returns>
    /// <exception cref="ScaleFormatException">The input is exhausted.</exception>
    public byte ReadVariantIndex()
    {
        EnsureAvailable(1, "variant index");
        return _buffer[_position++];
    }

    /// <summary>Reads a compact-length-prefixed vector, each element encoded in at least one byte.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="readElement">Reads one element.</param>
    /// <returns>The decoded elements.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="readElement"/> is <see langword="null"/>.</exception>
    /// <exception cref="ScaleFormatException">The prefix or an element is malformed.</exception>
    public T[] ReadVec<T>(ScaleReadFunc<T> readElement) => ReadVec(readElement, 1);

    /// <summary>Reads a compact-length-prefixed vector whose elements are encoded in at least <paramref name="minElementSize"/> bytes each.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="readElement">Reads one element.</param>
    /// <param name="minElementSize">The smallest encoded size of one element, used to reject impossible lengths before allocating; 0 for zero-sized elements.</param>
    /// <returns>The decoded elements.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="readElement"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minElementSize"/> is negative.</exception>
    /// <exception cref="ScaleFormatException">The prefix or an element is malformed.</exception>
    public T[] ReadVec<T>(ScaleReadFunc<T> readElement, int minElementSize)
    {
        ArgumentNullException.ThrowIfNull(readElement);
        int start = _position;
        int count = ReadLength(minElementSize);
        if (minElementSize == 0 && count > 1 << 20)
        {
            _position = start;
            throw new ScaleFormatException($"Vector of {count} zero-sized elements is implausibly long", start);
        }

        var result = new T[count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = readElement(ref this);
        }

        return result;
    }

    /// <summary>Reads an <c>Option&lt;T&gt;</c> of a reference type.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="readValue">Reads the value after a <c>Some</c> tag.</param>
    /// <returns>The value, or <see langword="null"/> for <c>None</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="readValue"/> is <see langword="null"/>.</exception>
    /// <exception cref="ScaleFormatException">The tag or the value is malformed.</exception>
    public T? ReadOption<T>(ScaleReadFunc<T> readValue)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(readValue);
        return ReadOptionTag() ? readValue(ref this) : null;
    }

    /// <summary>Reads an <c>Option&lt;T&gt;</c> of a value type.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="readValue">Reads the value after a <c>Some</c> tag.</param>
    /// <returns>The value, or <see langword="null"/> for <c>None</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="readValue"/> is <see langword="null"/>.</exception>
    /// <exception cref="ScaleFormatException">The tag or the value is malformed.</exception>
    public T? ReadOptionValue<T>(ScaleReadFunc<T> readValue)
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(readValue);
        return ReadOptionTag() ? readValue(ref this) : null;
    }
}
