using Entropy.Crypto;

namespace Entropy.Protocol;

/// <summary>Signs a message with an sr25519 key (signing context "substrate") and returns the 64-byte signature.</summary>
internal delegate byte[] Sr25519SignFunction(ReadOnlySpan<byte> message);

/// <summary>Verifies a 64-byte sr25519 signature (signing context "substrate") against a 32-byte public key.</summary>
internal delegate bool Sr25519Verifier(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature);

/// <summary>The first message a party sends over a new Noise channel: which session it joins, who it is, and an sr25519 signature over bincode(session id).</summary>
/// <remarks>Mirrors <c>entropy_protocol::protocol_transport::SubscribeMessage</c> at entropy-core a9463b08 (PROTOCOL.md §6.3).</remarks>
internal sealed class SubscribeMessage
{
    private readonly byte[] _publicKey;
    private readonly byte[] _signature;

    internal SubscribeMessage(SessionId sessionId, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != 32)
        {
            throw new ArgumentException($"An sr25519 public key is 32 bytes, not {publicKey.Length}.", nameof(publicKey));
        }

        if (signature.Length != 64)
        {
            throw new ArgumentException($"An sr25519 signature is 64 bytes, not {signature.Length}.", nameof(signature));
        }

        SessionId = sessionId;
        _publicKey = publicKey.ToArray();
        _signature = signature.ToArray();
    }

    /// <summary>Gets the session the sender subscribes to.</summary>
    public SessionId SessionId { get; }

    /// <summary>Gets the sender's sr25519 public key, which is also its account id.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>Gets the sender's account id (the same 32 bytes as <see cref="PublicKey"/>).</summary>
    public ReadOnlySpan<byte> AccountId => _publicKey;

    /// <summary>Gets the 64-byte sr25519 signature over bincode(session id).</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    /// <summary>Creates a subscribe message signed by <paramref name="signer"/>.</summary>
    /// <param name="sessionId">The session to join.</param>
    /// <param name="publicKey">The signer's 32-byte sr25519 public key.</param>
    /// <param name="signer">Signs bincode(session id).</param>
    public static SubscribeMessage Create(SessionId sessionId, ReadOnlySpan<byte> publicKey, Sr25519SignFunction signer)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(signer);
        return new SubscribeMessage(sessionId, publicKey, signer(sessionId.ToBincode()));
    }

    /// <summary>Creates a subscribe message signed with an sr25519 key pair (signing context "substrate").</summary>
    /// <param name="sessionId">The session to join.</param>
    /// <param name="keyPair">The subscriber's sr25519 key pair (a threshold server's account, or the user's).</param>
    public static SubscribeMessage Create(SessionId sessionId, Sr25519KeyPair keyPair)
    {
        ArgumentNullException.ThrowIfNull(keyPair);
        return Create(sessionId, keyPair.PublicKey.ToArray(), message => keyPair.Sign(message).ToArray());
    }

    /// <summary>The sr25519 verifier of sp-core's <c>Pair::verify</c> (signing context "substrate").</summary>
    public static bool VerifySr25519(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        Sr25519.VerifyCore(publicKey, message, signature);

    /// <summary>Checks the sr25519 signature over bincode(session id) against <see cref="PublicKey"/>.</summary>
    public bool Verify() => Verify(VerifySr25519);

    /// <summary>Checks the signature over bincode(session id) against <see cref="PublicKey"/> with another verifier (test seam).</summary>
    public bool Verify(Sr25519Verifier verifier)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        return verifier(_publicKey, SessionId.ToBincode(), _signature);
    }

    /// <summary>Returns <c>bincode::serialize(&amp;subscribe_message)</c>: session id, public key as SS58 text, signature as 128 lowercase hex digits.</summary>
    public byte[] ToBincode()
    {
        var writer = new BincodeWriter();
        SessionId.Write(writer);
        writer.WriteString(Ss58Text.Encode(_publicKey));
        writer.WriteString(Convert.ToHexStringLower(_signature));
        return writer.ToArray();
    }

    /// <summary>Parses the bincode form of the v0.0.10 envelope, rejecting trailing bytes.</summary>
    /// <exception cref="EntropyProtocolException">The bytes are not a valid subscribe message (<see cref="EntropyProtocolErrorKind.MalformedMessage"/>).</exception>
    public static SubscribeMessage FromBincode(ReadOnlySpan<byte> bytes) => FromBincode(bytes, ProtocolEnvelope.V0010);

    /// <summary>Parses the bincode form of <paramref name="envelope"/>'s session id layout, rejecting trailing bytes.</summary>
    /// <exception cref="EntropyProtocolException">The bytes are not a valid subscribe message (<see cref="EntropyProtocolErrorKind.MalformedMessage"/>);
    /// when they are one of another envelope version, the message says which.</exception>
    public static SubscribeMessage FromBincode(ReadOnlySpan<byte> bytes, ProtocolEnvelope envelope)
    {
        try
        {
            return Parse(bytes, envelope);
        }
        catch (EntropyProtocolException e) when (e.Kind == EntropyProtocolErrorKind.MalformedMessage)
        {
            var other = Enum.GetValues<ProtocolEnvelope>().FirstOrDefault(o => o.HasBlockNumber() != envelope.HasBlockNumber());
            if (IsParsable(bytes, other))
            {
                throw new EntropyProtocolException(
                    EntropyProtocolErrorKind.MalformedMessage,
                    $"{e.Message} It is a subscribe message of the {other} envelope{(other.HasBlockNumber() ? " (session id with a block number)" : string.Empty)}, but this party speaks {envelope}.",
                    e);
            }

            throw;
        }
    }

    private static bool IsParsable(ReadOnlySpan<byte> bytes, ProtocolEnvelope envelope)
    {
        try
        {
            _ = Parse(bytes, envelope);
            return true;
        }
        catch (EntropyProtocolException)
        {
            return false;
        }
    }

    private static SubscribeMessage Parse(ReadOnlySpan<byte> bytes, ProtocolEnvelope envelope)
    {
        var reader = new BincodeReader(bytes, "SubscribeMessage");
        SessionId sessionId = SessionId.Read(ref reader, envelope);
        byte[] publicKey = Ss58Text.Decode(reader.ReadString(), "SubscribeMessage public_key");
        string signatureHex = reader.ReadString();
        reader.EnsureEnd();
        ReadOnlySpan<char> hex = signatureHex.StartsWith("0x", StringComparison.Ordinal) ? signatureHex.AsSpan(2) : signatureHex;
        if (hex.Length != 128)
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.MalformedMessage, $"SubscribeMessage signature: expected 128 hex digits, got {hex.Length}.");
        }

        byte[] signature;
        try
        {
            signature = Convert.FromHexString(hex);
        }
        catch (FormatException ex)
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.MalformedMessage, "SubscribeMessage signature: not a hex string.", ex);
        }

        return new SubscribeMessage(sessionId, publicKey, signature);
    }
}

/// <summary>The responder's answer to a subscribe message, <c>bincode(Result&lt;(), String&gt;)</c> (the simulator's servers encode it).</summary>
internal static class SubscribeResponse
{
    /// <summary>Decodes the response; returns null for <c>Ok(())</c> or the error text for <c>Err</c>.</summary>
    /// <exception cref="EntropyProtocolException">The bytes are not a valid <c>Result&lt;(), String&gt;</c>.</exception>
    public static string? Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new BincodeReader(bytes, "subscribe response");
        uint tag = reader.ReadU32();
        string? error = tag switch
        {
            0 => null,
            1 => reader.ReadString(),
            _ => throw reader.Error($"unknown Result variant {tag}"),
        };
        reader.EnsureEnd();
        return error;
    }
}
