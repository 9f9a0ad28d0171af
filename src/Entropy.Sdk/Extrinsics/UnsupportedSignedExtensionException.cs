namespace Entropy.Extrinsics;

/// <summary>The exception thrown when the runtime declares a signed extension the SDK cannot fill in.</summary>
/// <remarks>
/// A runtime may add custom signed extensions. The SDK accepts an unknown one only when its extra and additional-signed
/// types are both empty, because otherwise it cannot know the bytes the runtime expects and every signature would fail
/// with <c>1010 BadProof</c>.
/// </remarks>
public sealed class UnsupportedSignedExtensionException : EntropyException
{
    /// <summary>Creates the exception for a named extension.</summary>
    /// <param name="identifier">The extension's identifier as the metadata spells it.</param>
    /// <param name="message">What is wrong with it.</param>
    internal UnsupportedSignedExtensionException(string identifier, string message)
        : base(message)
    {
        Identifier = identifier;
    }

    /// <summary>Gets the identifier of the extension the SDK cannot fill in.</summary>
    public string Identifier { get; }
}
