namespace Entropy.Protocol;

/// <summary>Identifies why an exchange with a threshold server (Noise channel, subscribe step or signed message) failed.</summary>
internal enum EntropyProtocolErrorKind
{
    /// <summary>A Noise handshake message was malformed, failed authentication or did not come from the expected static key.</summary>
    HandshakeFailed,

    /// <summary>A transport message did not authenticate: it was tampered with, reordered or encrypted under another key.</summary>
    DecryptionFailed,

    /// <summary>A message did not have the expected structure (bad length, bad encoding, trailing bytes).</summary>
    MalformedMessage,

    /// <summary>A message was larger than the protocol allows.</summary>
    MessageTooLarge,

    /// <summary>The 64-bit Noise nonce counter is exhausted; the channel must be re-established.</summary>
    NonceExhausted,

    /// <summary>An sr25519 signature on a subscribe message or a signed message did not verify.</summary>
    InvalidSignature,

    /// <summary>A signed message is addressed to another x25519 key.</summary>
    WrongRecipient,

    /// <summary>The remote party refused the subscription, or the subscribing party was not one the caller expected.</summary>
    SubscribeRejected,

    /// <summary>The peer closed the connection before the exchange completed.</summary>
    ConnectionClosed,

    /// <summary>The peer did not answer within the allowed time.</summary>
    Timeout,
}

/// <summary>Raised when the encrypted channel to a threshold server, or a signed and encrypted message, fails to verify or is malformed.</summary>
public class EntropyProtocolException : EntropyException
{
    /// <summary>Creates an exception of a given kind with a message that says what failed and where.</summary>
    /// <param name="kind">Why the exchange failed.</param>
    /// <param name="message">What went wrong, and where.</param>
    internal EntropyProtocolException(EntropyProtocolErrorKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    /// <summary>Creates an exception of a given kind that wraps the failure that caused it.</summary>
    /// <param name="kind">Why the exchange failed.</param>
    /// <param name="message">What went wrong, and where.</param>
    /// <param name="innerException">The failure that caused this one.</param>
    internal EntropyProtocolException(EntropyProtocolErrorKind kind, string message, Exception? innerException)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>Gets why the exchange failed.</summary>
    internal EntropyProtocolErrorKind Kind { get; }

    /// <inheritdoc/>
    public override bool IsTransient => Kind is EntropyProtocolErrorKind.ConnectionClosed or EntropyProtocolErrorKind.Timeout;
}
