using System.Security.Cryptography;

namespace Entropy.Protocol.Noise;

/// <summary>The Noise HandshakeState for Noise_XK_25519_ChaChaPoly_BLAKE2s, as initiator or responder.</summary>
/// <remarks>
/// Implements noiseprotocol.org/noise.html revision 34, §5.3 and the XK pattern of §7.5:
/// <c>&lt;- s ... -&gt; e, es &lt;- e, ee -&gt; s, se</c>. The initiator must know the responder's static key.
/// </remarks>
internal sealed class NoiseHandshakeState : IDisposable
{
    /// <summary>The protocol name hashed into the initial state.</summary>
    public const string ProtocolName = "Noise_XK_25519_ChaChaPoly_BLAKE2s";

    private enum Token
    {
        E,
        S,
        Ee,
        Es,
        Se,
    }

    // Message i is sent by the initiator when i is even.
    private static readonly Token[][] s_messagePatterns =
    [
        [Token.E, Token.Es],
        [Token.E, Token.Ee],
        [Token.S, Token.Se],
    ];

    private readonly NoiseSymmetricState _symmetric;
    private readonly bool _initiator;
    private readonly byte[] _staticPrivate;
    private readonly byte[] _staticPublic;
    private byte[]? _ephemeralPrivate;
    private byte[]? _ephemeralPublic;
    private byte[]? _remoteStatic;
    private byte[]? _remoteEphemeral;
    private int _messageIndex;
    private bool _failed;

    private NoiseHandshakeState(bool initiator, ReadOnlySpan<byte> staticPrivateKey, ReadOnlySpan<byte> remoteStaticPublicKey, ReadOnlySpan<byte> prologue, ReadOnlySpan<byte> ephemeralPrivateKey)
    {
        if (staticPrivateKey.Length != NoiseCrypto.DhLength)
        {
            throw new ArgumentException($"An X25519 private key is {NoiseCrypto.DhLength} bytes, not {staticPrivateKey.Length}.", nameof(staticPrivateKey));
        }

        if (!ephemeralPrivateKey.IsEmpty && ephemeralPrivateKey.Length != NoiseCrypto.DhLength)
        {
            throw new ArgumentException($"An X25519 private key is {NoiseCrypto.DhLength} bytes, not {ephemeralPrivateKey.Length}.", nameof(ephemeralPrivateKey));
        }

        _initiator = initiator;
        _staticPrivate = staticPrivateKey.ToArray();
        _staticPublic = NoiseCrypto.PublicKeyOf(staticPrivateKey);
        _ephemeralPrivate = ephemeralPrivateKey.IsEmpty ? null : ephemeralPrivateKey.ToArray();
        _symmetric = new NoiseSymmetricState(ProtocolName);
        _symmetric.MixHash(prologue);

        // Pre-message pattern "<- s": both sides hash the responder's static public key.
        if (initiator)
        {
            if (remoteStaticPublicKey.Length != NoiseCrypto.DhLength)
            {
                throw new ArgumentException($"The responder's X25519 public key is {NoiseCrypto.DhLength} bytes, not {remoteStaticPublicKey.Length}.", nameof(remoteStaticPublicKey));
            }

            _remoteStatic = remoteStaticPublicKey.ToArray();
            _symmetric.MixHash(_remoteStatic);
        }
        else
        {
            _symmetric.MixHash(_staticPublic);
        }
    }

    /// <summary>Gets a value indicating whether this side started the handshake.</summary>
    public bool IsInitiator => _initiator;

    /// <summary>Gets a value indicating whether all three handshake messages have been processed.</summary>
    public bool IsHandshakeFinished => _messageIndex == s_messagePatterns.Length;

    /// <summary>Gets a value indicating whether it is this side's turn to write a message.</summary>
    public bool IsMyTurnToWrite => !IsHandshakeFinished && (_messageIndex % 2 == 0) == _initiator;

    /// <summary>Gets the local static public key.</summary>
    public ReadOnlySpan<byte> LocalStaticPublicKey => _staticPublic;

    /// <summary>Gets the remote static public key once known (from the start for the initiator, after message 3 for the responder).</summary>
    public ReadOnlySpan<byte> RemoteStaticPublicKey => _remoteStatic;

    /// <summary>Gets the current handshake hash h (the channel binding once the handshake has finished).</summary>
    public ReadOnlySpan<byte> HandshakeHash => _symmetric.HandshakeHash;

    /// <summary>Creates the initiator side.</summary>
    /// <param name="staticPrivateKey">The initiator's 32-byte X25519 static private key.</param>
    /// <param name="responderStaticPublicKey">The responder's 32-byte X25519 static public key, known in advance.</param>
    /// <param name="prologue">Data both sides must agree on.</param>
    /// <param name="ephemeralPrivateKey">A fixed ephemeral private key (test vectors only); empty draws a random one.</param>
    public static NoiseHandshakeState CreateInitiator(ReadOnlySpan<byte> staticPrivateKey, ReadOnlySpan<byte> responderStaticPublicKey, ReadOnlySpan<byte> prologue, ReadOnlySpan<byte> ephemeralPrivateKey = default) =>
        new(true, staticPrivateKey, responderStaticPublicKey, prologue, ephemeralPrivateKey);

    /// <summary>Creates the responder side.</summary>
    /// <param name="staticPrivateKey">The responder's 32-byte X25519 static private key.</param>
    /// <param name="prologue">Data both sides must agree on.</param>
    /// <param name="ephemeralPrivateKey">A fixed ephemeral private key (test vectors only); empty draws a random one.</param>
    public static NoiseHandshakeState CreateResponder(ReadOnlySpan<byte> staticPrivateKey, ReadOnlySpan<byte> prologue, ReadOnlySpan<byte> ephemeralPrivateKey = default) =>
        new(false, staticPrivateKey, default, prologue, ephemeralPrivateKey);

    /// <summary>Writes the next handshake message carrying <paramref name="payload"/> (WriteMessage()).</summary>
    /// <exception cref="InvalidOperationException">It is not this side's turn, or the handshake has finished or failed.</exception>
    /// <exception cref="EntropyProtocolException">The message would exceed 65535 bytes.</exception>
    public byte[] WriteMessage(ReadOnlySpan<byte> payload)
    {
        EnsureUsable();
        if (!IsMyTurnToWrite)
        {
            throw new InvalidOperationException($"Noise handshake message {_messageIndex + 1} is not this side's to write.");
        }

        Token[] pattern = s_messagePatterns[_messageIndex];
        int length = MessageLength(pattern, payload.Length);
        if (length > NoiseCipherState.MaxMessageLength)
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.MessageTooLarge, $"Noise handshake message {_messageIndex + 1} would be {length} bytes; the limit is {NoiseCipherState.MaxMessageLength}.");
        }

        var message = new byte[length];
        int offset = 0;
        Span<byte> dh = stackalloc byte[NoiseCrypto.DhLength];
        try
        {
            foreach (Token token in pattern)
            {
                switch (token)
                {
                    case Token.E:
                        _ephemeralPrivate ??= NoiseCrypto.GeneratePrivateKey();
                        _ephemeralPublic = NoiseCrypto.PublicKeyOf(_ephemeralPrivate);
                        _ephemeralPublic.CopyTo(message, offset);
                        offset += NoiseCrypto.DhLength;
                        _symmetric.MixHash(_ephemeralPublic);
                        break;
                    case Token.S:
                        offset += _symmetric.EncryptAndHash(_staticPublic, message.AsSpan(offset));
                        break;
                    default:
                        MixDh(token, dh);
                        break;
                }
            }

            offset += _symmetric.EncryptAndHash(payload, message.AsSpan(offset));
            _messageIndex++;
            return message;
        }
        catch
        {
            _failed = true;
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh);
        }
    }

    /// <summary>Reads the next handshake message and returns its payload (ReadMessage()).</summary>
    /// <exception cref="InvalidOperationException">It is not this side's turn to read, or the handshake has finished or failed.</exception>
    /// <exception cref="EntropyProtocolException">The message is malformed or does not authenticate (<see cref="EntropyProtocolErrorKind.HandshakeFailed"/>).</exception>
    public byte[] ReadMessage(ReadOnlySpan<byte> message)
    {
        EnsureUsable();
        if (IsMyTurnToWrite || IsHandshakeFinished)
        {
            throw new InvalidOperationException($"Noise handshake message {_messageIndex + 1} is not this side's to read.");
        }

        Token[] pattern = s_messagePatterns[_messageIndex];
        int minimum = MessageLength(pattern, 0);
        if (message.Length < minimum || message.Length > NoiseCipherState.MaxMessageLength)
        {
            _failed = true;
            throw new EntropyProtocolException(EntropyProtocolErrorKind.HandshakeFailed, $"Noise handshake message {_messageIndex + 1} has {message.Length} bytes; it must be between {minimum} and {NoiseCipherState.MaxMessageLength}.");
        }

        int offset = 0;
        Span<byte> dh = stackalloc byte[NoiseCrypto.DhLength];
        try
        {
            foreach (Token token in pattern)
            {
                switch (token)
                {
                    case Token.E:
                        _remoteEphemeral = message.Slice(offset, NoiseCrypto.DhLength).ToArray();
                        offset += NoiseCrypto.DhLength;
                        _symmetric.MixHash(_remoteEphemeral);
                        break;
                    case Token.S:
                        int sLength = _symmetric.HasKey ? NoiseCrypto.DhLength + NoiseCipherState.TagLength : NoiseCrypto.DhLength;
                        var remoteStatic = new byte[NoiseCrypto.DhLength];
                        _symmetric.DecryptAndHash(message.Slice(offset, sLength), remoteStatic);
                        _remoteStatic = remoteStatic;
                        offset += sLength;
                        break;
                    default:
                        MixDh(token, dh);
                        break;
                }
            }

            ReadOnlySpan<byte> encryptedPayload = message[offset..];
            var payload = new byte[_symmetric.HasKey ? encryptedPayload.Length - NoiseCipherState.TagLength : encryptedPayload.Length];
            _symmetric.DecryptAndHash(encryptedPayload, payload);
            _messageIndex++;
            return payload;
        }
        catch (EntropyProtocolException ex) when (ex.Kind != EntropyProtocolErrorKind.HandshakeFailed)
        {
            _failed = true;
            throw new EntropyProtocolException(EntropyProtocolErrorKind.HandshakeFailed, $"Noise handshake message {_messageIndex + 1} was rejected: {ex.Message}", ex);
        }
        catch
        {
            _failed = true;
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh);
        }
    }

    /// <summary>Finishes the handshake and returns the transport state (Split()); this handshake state is disposed.</summary>
    /// <exception cref="InvalidOperationException">The handshake has not finished.</exception>
    public NoiseTransportState Split()
    {
        EnsureUsable();
        if (!IsHandshakeFinished)
        {
            throw new InvalidOperationException("The Noise handshake has not finished; Split() needs all three messages.");
        }

        var (initiatorToResponder, responderToInitiator) = _symmetric.Split();
        var transport = _initiator
            ? new NoiseTransportState(initiatorToResponder, responderToInitiator, _symmetric.HandshakeHash, _remoteStatic!)
            : new NoiseTransportState(responderToInitiator, initiatorToResponder, _symmetric.HandshakeHash, _remoteStatic!);
        Dispose();
        return transport;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_staticPrivate);
        if (_ephemeralPrivate is not null)
        {
            CryptographicOperations.ZeroMemory(_ephemeralPrivate);
        }

        _symmetric.Dispose();
        _failed = true;
    }

    private int MessageLength(Token[] pattern, int payloadLength)
    {
        // Keys are known at this point: a key exists after message 1's "es" for both sides.
        bool keyed = _symmetric.HasKey;
        int length = 0;
        foreach (Token token in pattern)
        {
            if (token == Token.E)
            {
                length += NoiseCrypto.DhLength;
            }
            else if (token == Token.S)
            {
                length += NoiseCrypto.DhLength + (keyed ? NoiseCipherState.TagLength : 0);
            }
            else
            {
                keyed = true;
            }
        }

        return length + payloadLength + (keyed ? NoiseCipherState.TagLength : 0);
    }

    private void MixDh(Token token, Span<byte> dh)
    {
        // es: the initiator's ephemeral with the responder's static; se: the initiator's static with the responder's ephemeral.
        (byte[]? local, byte[]? remote) = token switch
        {
            Token.Ee => (_ephemeralPrivate, _remoteEphemeral),
            Token.Es => _initiator ? (_ephemeralPrivate, _remoteStatic) : (_staticPrivate, _remoteEphemeral),
            Token.Se => _initiator ? (_staticPrivate, _remoteEphemeral) : (_ephemeralPrivate, _remoteStatic),
            _ => (null, null),
        };
        NoiseCrypto.Dh(local!, remote!, dh, EntropyProtocolErrorKind.HandshakeFailed);
        _symmetric.MixKey(dh);
    }

    private void EnsureUsable()
    {
        if (_failed)
        {
            throw new InvalidOperationException("This Noise handshake state has failed or been disposed; start a new handshake.");
        }
    }
}
