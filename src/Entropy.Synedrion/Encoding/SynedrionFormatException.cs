namespace Entropy.Synedrion.Encoding;

/// <summary>Bytes that are not a valid bincode encoding of the expected synedrion 0.1.0 type (truncated, malformed, out of range).</summary>
internal sealed class SynedrionFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and where.</param>
    public SynedrionFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public SynedrionFormatException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and where.</param>
    /// <param name="innerException">The cause.</param>
    public SynedrionFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
