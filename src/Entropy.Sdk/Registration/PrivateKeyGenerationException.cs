namespace Entropy;

/// <summary>Why the client could not take part in the distributed key generation of a Private-mode registration.</summary>
public enum PrivateKeyGenerationFailure
{
    /// <summary>A committee server could not be reached at its endpoint (<c>ws://{endpoint}/ws</c>).</summary>
    ServerUnreachable = 0,

    /// <summary>The Noise handshake with a committee server failed, for example because its x25519 key differs from the chain's.</summary>
    HandshakeFailed = 1,

    /// <summary>A committee server refused the user's subscription (it does not expect this account or this x25519 key).</summary>
    SubscriptionRefused = 2,

    /// <summary>A committee server did not answer the connection, handshake or subscription in time.</summary>
    Timeout = 3,

    /// <summary>The connection to a committee server broke.</summary>
    ConnectionLost = 4,
}

/// <summary>The client could not join a committee server for the DKG of a Private-mode registration; names the server.</summary>
/// <remarks>
/// Failures of the key generation itself (a cheating or silent party) are reported as <see cref="Protocol.Dkg.DkgException"/>.
/// The <c>register</c> transaction stays on chain: the account stays <c>Registering</c> until it is pruned with
/// <see cref="EntropyClient.PruneRegistrationAsync"/>.
/// </remarks>
public sealed class PrivateKeyGenerationException : EntropyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">What went wrong.</param>
    /// <param name="server">The committee server concerned.</param>
    /// <param name="message">What went wrong, and where.</param>
    /// <param name="innerException">The failure that caused this one, if any.</param>
    /// <exception cref="ArgumentNullException"><paramref name="server"/> is <see langword="null"/>.</exception>
    public PrivateKeyGenerationException(PrivateKeyGenerationFailure failure, ThresholdServer server, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(server);
        Failure = failure;
        Server = server;
    }

    /// <summary>Gets what went wrong.</summary>
    public PrivateKeyGenerationFailure Failure { get; }

    /// <summary>Gets the committee server concerned.</summary>
    public ThresholdServer Server { get; }

    /// <inheritdoc/>
    public override bool IsTransient => Failure is PrivateKeyGenerationFailure.ServerUnreachable or PrivateKeyGenerationFailure.Timeout or PrivateKeyGenerationFailure.ConnectionLost;
}
