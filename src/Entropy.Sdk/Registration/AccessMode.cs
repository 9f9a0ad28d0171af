namespace Entropy;

/// <summary>Who may ask the network to sign with a registered account's key (the runtime's <c>KeyVisibility</c>).</summary>
/// <remarks>
/// v0.0.10 runtimes know all three; runtimes from 2024-03-22 on dropped <see cref="Permissioned"/>, and later ones the whole
/// concept. The SDK maps these to the runtime's variants by name through the metadata, so a runtime that lacks one gives a
/// clear error before anything is signed.
/// </remarks>
public enum AccessMode
{
    /// <summary>Anyone may submit signature requests; the servers hold the whole key.</summary>
    Public = 0,

    /// <summary>Only the signature request account may submit signature requests.</summary>
    Permissioned = 1,

    /// <summary>The user holds a key share and takes part in every signing; requires the user's x25519 public key.</summary>
    Private = 2,
}
