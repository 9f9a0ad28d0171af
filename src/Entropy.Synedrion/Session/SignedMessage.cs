using Entropy.Synedrion.Encoding;
using Entropy.Synedrion.Hashing;

namespace Entropy.Synedrion.Session;

/// <summary>Signs the session layer's prehashes (entropy-protocol: sr25519 <c>Pair::sign(prehash)</c>); implemented by the SDK.</summary>
internal interface ISynedrionSigner
{
    /// <summary>Gets this party's verifier id (e.g. the 32-byte sr25519 public key).</summary>
    byte[] VerifierId { get; }

    /// <summary>Signs a 32-byte prehash.</summary>
    /// <param name="prehash">The prehash.</param>
    /// <returns>The bincode encoding of the signature (synedrion's <c>Sig</c>).</returns>
    byte[] SignPrehash(ReadOnlySpan<byte> prehash);
}

/// <summary>Verifies the session layer's signatures and knows the bincode length of a signature.</summary>
internal interface ISynedrionVerifier
{
    /// <summary>Verifies a signature.</summary>
    /// <param name="verifierId">The claimed signer.</param>
    /// <param name="prehash">The 32-byte prehash.</param>
    /// <param name="signature">The bincode-encoded signature.</param>
    /// <returns>Whether valid.</returns>
    bool VerifyPrehash(ReadOnlySpan<byte> verifierId, ReadOnlySpan<byte> prehash, ReadOnlySpan<byte> signature);

    /// <summary>Returns the length of the bincode signature at the start of <paramref name="bincode"/>, or −1 when it is not one.</summary>
    /// <param name="bincode">The remaining bytes of a message.</param>
    /// <returns>The length or −1.</returns>
    int SignatureLength(ReadOnlySpan<byte> bincode);
}

/// <summary>synedrion's message kinds (bincode u32 variant index; hashed as one byte).</summary>
internal enum MessageType : uint
{
    /// <summary>Direct message.</summary>
    Direct = 0,

    /// <summary>Broadcast.</summary>
    Broadcast = 1,

    /// <summary>Echo of the broadcasts (broadcast consensus).</summary>
    BroadcastConsensus = 2,
}

/// <summary>
/// synedrion's <c>SignedMessage&lt;Sig&gt; { session_id: HashOutput, round: u8, message_type, payload: bytes, signature: Sig }</c>;
/// the signature covers SHA256("SignedMessage" ‖ session_id ‖ round ‖ type ‖ len ‖ payload).
/// </summary>
internal sealed record SignedMessage(byte[] SessionId, byte RoundNumber, MessageType Type, byte[] Payload, byte[] Signature)
{
    /// <summary>Computes synedrion's session id from the shared randomness.</summary>
    /// <param name="sharedRandomness">The shared randomness.</param>
    /// <returns>32 bytes.</returns>
    public static byte[] SessionIdFor(ReadOnlySpan<byte> sharedRandomness) => Transcript.Sha256("SessionId").Bytes(sharedRandomness).Finish();

    /// <summary>Creates and signs a message.</summary>
    /// <param name="signer">The signer.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="round">The round.</param>
    /// <param name="type">The type.</param>
    /// <param name="payload">The payload.</param>
    /// <returns>The message.</returns>
    public static SignedMessage Sign(ISynedrionSigner signer, byte[] sessionId, byte round, MessageType type, byte[] payload) =>
        new(sessionId, round, type, payload, signer.SignPrehash(Prehash(sessionId, round, type, payload)));

    /// <summary>Decodes a message.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="verifier">Knows the signature length.</param>
    /// <returns>The message.</returns>
    public static SignedMessage Read(BincodeReader reader, ISynedrionVerifier verifier)
    {
        var sessionId = reader.FixedBytes("session_id", 32).ToArray();
        byte round = reader.U8();
        uint type = reader.U32("message_type");
        if (type > 2)
        {
            throw reader.Fail($"message_type: unknown variant {type}");
        }

        var payload = reader.Bytes("payload");
        int length = verifier.SignatureLength(reader.Rest);
        if (length < 0 || length > reader.Remaining)
        {
            throw reader.Fail("signature: not a valid signature encoding");
        }

        var signature = reader.Raw(length, "signature").ToArray();
        return new SignedMessage(sessionId, round, (MessageType)type, payload, signature);
    }

    /// <summary>Gets the prehash the signature covers.</summary>
    public byte[] SignedPrehash => Prehash(this.SessionId, this.RoundNumber, this.Type, this.Payload);

    /// <summary>Encodes the message.</summary>
    /// <returns>The bincode bytes.</returns>
    public byte[] ToBytes()
    {
        var w = new BincodeWriter();
        this.Write(w);
        return w.ToArray();
    }

    /// <summary>Writes the message.</summary>
    /// <param name="w">The writer.</param>
    public void Write(BincodeWriter w)
    {
        w.Bytes(this.SessionId);
        w.U8(this.RoundNumber);
        w.U32((uint)this.Type);
        w.Bytes(this.Payload);
        w.Raw(this.Signature);
    }

    /// <summary>Compares the wire content.</summary>
    /// <param name="other">The other message.</param>
    /// <returns>Whether equal.</returns>
    public bool SameAs(SignedMessage other) => this.ToBytes().AsSpan().SequenceEqual(other.ToBytes());

    private static byte[] Prehash(byte[] sessionId, byte round, MessageType type, byte[] payload) =>
        Transcript.Sha256("SignedMessage").Raw(sessionId).U8(round).U8((byte)type).Bytes(payload).Finish();
}
