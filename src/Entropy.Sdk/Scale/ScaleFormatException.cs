namespace Entropy.Scale;

/// <summary>The exception thrown when bytes are not a valid, canonical SCALE encoding of the expected type.</summary>
/// <remarks>See the SCALE specification: <see href="https://docs.polkadot.com/polkadot-protocol/parachain-basics/data-encoding/"/>.</remarks>
public sealed class ScaleFormatException : EntropyException
{
    /// <summary>Creates an exception for malformed SCALE input at a given offset.</summary>
    /// <param name="message">What was wrong with the input.</param>
    /// <param name="offset">The offset in the input, in bytes, of the item that could not be decoded.</param>
    internal ScaleFormatException(string message, int offset)
        : base($"{message} (at offset {offset}).")
    {
        Offset = offset;
    }

    /// <summary>Creates an exception for malformed SCALE input at a given offset, wrapping the failure that caused it.</summary>
    /// <param name="message">What was wrong with the input.</param>
    /// <param name="offset">The offset in the input, in bytes, of the item that could not be decoded.</param>
    /// <param name="innerException">The failure that caused this one.</param>
    internal ScaleFormatException(string message, int offset, Exception? innerException)
        : base($"{message} (at offset {offset}).", innerException)
    {
        Offset = offset;
    }

    /// <summary>Gets the offset in the input, in bytes, of the item that could not be decoded.</summary>
    internal int Offset { get; }
}
