namespace Entropy.Metadata;

/// <summary>Raised when runtime metadata is malformed or unsupported, or when a value does not fit the metadata type it is encoded or decoded as.</summary>
/// <remarks>
/// Format reference: <see href="https://github.com/paritytech/frame-metadata">paritytech/frame-metadata</see> (V14, V15) and
/// <see href="https://github.com/paritytech/scale-info">scale-info</see> (the portable type registry).
/// </remarks>
public sealed class MetadataException : EntropyException
{
    /// <summary>Creates an exception with a message that says what went wrong and where.</summary>
    /// <param name="message">What went wrong, and where.</param>
    internal MetadataException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception that wraps the failure that caused it.</summary>
    /// <param name="message">What went wrong, and where.</param>
    /// <param name="innerException">The failure that caused this one.</param>
    internal MetadataException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal MetadataException(string message, Exception? innerException, int? typeId, string? valuePath)
        : base(message, innerException)
    {
        TypeId = typeId;
        ValuePath = valuePath;
    }

    /// <summary>Gets the id of the innermost type that failed to encode or decode, when the failure concerns a value.</summary>
    internal int? TypeId { get; }

    /// <summary>Gets the path of the field that failed (for example <c>programs_data[1].program_pointer</c>), when the failure concerns a value.</summary>
    internal string? ValuePath { get; }

    /// <summary>Gets the metadata version that is not supported, when that is the failure.</summary>
    internal int? UnsupportedVersion { get; init; }
}
