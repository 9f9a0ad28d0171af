namespace Entropy.Synedrion.KeyGen;

/// <summary>A party sent something synedrion's rules reject (a bad proof, a hash mismatch, a malformed or misrouted message); names the culprit.</summary>
internal sealed class SynedrionProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="culpritIndex">The culprit's party index.</param>
    /// <param name="round">The round (1–3).</param>
    /// <param name="reason">What the culprit did.</param>
    /// <param name="innerException">The cause, if any.</param>
    public SynedrionProtocolException(int culpritIndex, int round, string reason, Exception? innerException = null)
        : base($"Party {culpritIndex} misbehaved in key generation round {round}: {reason}", innerException)
    {
        this.CulpritIndex = culpritIndex;
        this.Round = round;
        this.Reason = reason;
    }

    /// <summary>Creates the exception.</summary>
    public SynedrionProtocolException()
        : this(-1, 0, "unspecified")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public SynedrionProtocolException(string message)
        : this(-1, 0, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public SynedrionProtocolException(string message, Exception innerException)
        : this(-1, 0, message, innerException)
    {
    }

    /// <summary>Gets the culprit's party index (position in the verifier list), or −1.</summary>
    public int CulpritIndex { get; }

    /// <summary>Gets the round.</summary>
    public int Round { get; }

    /// <summary>Gets the reason.</summary>
    public string Reason { get; }

    /// <summary>Gets or sets the culprit's verifier id (set by the session layer).</summary>
    public byte[]? CulpritId { get; set; }
}
