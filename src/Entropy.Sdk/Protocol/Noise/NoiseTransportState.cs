namespace Entropy.Protocol.Noise;

/// <summary>The two transport CipherStates produced by a finished Noise handshake, one per direction.</summary>
internal sealed class NoiseTransportState : IDisposable
{
    /// <summary>The largest plaintext one transport message can carry: 65535 − 16.</summary>
    public const int MaxPlaintextLength = NoiseCipherState.MaxMessageLength - NoiseCipherState.TagLength;

    private readonly NoiseCipherState _send;
    private readonly NoiseCipherState _receive;
    private readonly byte[] _handshakeHash;
    private readonly byte[] _remoteStatic;

    internal NoiseTransportState(NoiseCipherState send, NoiseCipherState receive, ReadOnlySpan<byte> handshakeHash, byte[] remoteStaticPublicKey)
    {
        _send = send;
        _receive = receive;
        _handshakeHash = handshakeHash.ToArray();
        _remoteStatic = remoteStaticPublicKey;
    }

    /// <summary>Gets the final handshake hash (channel binding).</summary>
    public ReadOnlySpan<byte> HandshakeHash => _handshakeHash;

    /// <summary>Gets the remote party's authenticated X25519 static public key.</summary>
    public ReadOnlySpan<byte> RemoteStaticPublicKey => _remoteStatic;

    /// <summary>Gets the send CipherState (test seam for nonce exhaustion).</summary>
    internal NoiseCipherState SendCipher => _send;

    /// <summary>Encrypts one transport message of at most 65519 plaintext bytes into <paramref name="destination"/>; returns the bytes written.</summary>
    /// <exception cref="EntropyProtocolException">The plaintext is too large, or the nonce is exhausted.</exception>
    public int Encrypt(ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        if (plaintext.Length > MaxPlaintextLength)
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.MessageTooLarge, $"A Noise transport message carries at most {MaxPlaintextLength} plaintext bytes; got {plaintext.Length}.");
        }

        return _send.EncryptWithAd(default, plaintext, destination);
    }

    /// <summary>Encrypts one transport message of at most 65519 plaintext bytes.</summary>
    /// <exception cref="EntropyProtocolException">The plaintext is too large, or the nonce is exhausted.</exception>
    public byte[] Encrypt(ReadOnlySpan<byte> plaintext)
    {
        if (plaintext.Length > MaxPlaintextLength)
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.MessageTooLarge, $"A Noise transport message carries at most {MaxPlaintextLength} plaintext bytes; got {plaintext.Length}.");
        }

        var message = new byte[plaintext.Length + NoiseCipherState.TagLength];
        Encrypt(plaintext, message);
        return message;
    }

    /// <summary>Decrypts one transport message into <paramref name="destination"/>; returns the plaintext length.</summary>
    /// <exception cref="EntropyProtocolException">The message is too long or too short, or fails authentication (<see cref="EntropyProtocolErrorKind.DecryptionFailed"/>).</exception>
    public int Decrypt(ReadOnlySpan<byte> message, Span<byte> destination)
    {
        if (message.Length > NoiseCipherState.MaxMessageLength)
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.MessageTooLarge, $"A Noise transport message is at most {NoiseCipherState.MaxMessageLength} bytes; got {message.Length}.");
        }

        return _receive.DecryptWithAd(default, message, destination, EntropyProtocolErrorKind.DecryptionFailed);
    }

    /// <summary>Decrypts one transport message.</summary>
    /// <exception cref="EntropyProtocolException">The message is too long or too short, or fails authentication.</exception>
    public byte[] Decrypt(ReadOnlySpan<byte> message)
    {
        if (message.Length < NoiseCipherState.TagLength)
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.DecryptionFailed, $"A Noise transport message is at least {NoiseCipherState.TagLength} bytes (the tag); got {message.Length}.");
        }

        var plaintext = new byte[message.Length - NoiseCipherState.TagLength];
        Decrypt(message, plaintext);
        return plaintext;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _send.Dispose();
        _receive.Dispose();
    }
}
