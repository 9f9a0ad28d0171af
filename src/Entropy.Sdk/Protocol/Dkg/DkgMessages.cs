using System.Security.Cryptography;

namespace Entropy.Protocol.Dkg;

/// <summary>A message a DKG session wants delivered.</summary>
/// <param name="Recipient">The party to deliver it to, or <see langword="null"/> to deliver it to every other party.</param>
/// <param name="Payload">The SCALE-encoded message. Point-to-point messages carry a secret share: the transport must encrypt them.</param>
internal sealed record DkgOutgoingMessage(PartyId? Recipient, ReadOnlyMemory<byte> Payload)
{
    /// <summary>Gets a value indicating whether the message goes to every other party.</summary>
    public bool IsBroadcast => Recipient is null;
}

/// <summary>The kinds of message of the Pedersen DKG: the SCALE enum variant index.</summary>
internal enum DkgMessageKind : byte
{
    /// <summary>Round 1, broadcast: Feldman commitments and a proof of knowledge of the constant term.</summary>
    Commitments = 0,

    /// <summary>Round 2, point to point: the dealer's polynomial evaluated at the recipient's index.</summary>
    Share = 1,
}

/// <summary>Round 1: <c>Commitments { session: [u8; 32], sender: u32, commitments: Vec&lt;[u8; 33]&gt;, proof_r: [u8; 33], proof_mu: [u8; 32] }</c>.</summary>
internal sealed class CommitmentsMessage
{
    public required byte[] SessionId { get; init; }

    public required uint Sender { get; init; }

    /// <summary>Gets the compressed points <c>a_i0·G … a_i(t−1)·G</c>.</summary>
    public required byte[][] Commitments { get; init; }

    public required byte[] ProofR { get; init; }

    public required byte[] ProofMu { get; init; }
}

/// <summary>Round 2: <c>Share { session: [u8; 32], sender: u32, recipient: u32, transcript: [u8; 32], share: [u8; 32] }</c>.</summary>
internal sealed class ShareMessage : IDisposable
{
    public required byte[] SessionId { get; init; }

    public required uint Sender { get; init; }

    public required uint Recipient { get; init; }

    /// <summary>Gets the hash of every round-1 message the sender saw, so that parties detect a dealer who broadcast different commitments.</summary>
    public required byte[] Transcript { get; init; }

    /// <summary>Gets the secret share <c>f_sender(recipient)</c>, 32 big-endian bytes.</summary>
    public required byte[] Share { get; init; }

    public void Dispose() => CryptographicOperations.ZeroMemory(Share);
}

/// <summary>SCALE encoding of the DKG messages: a one-byte enum variant index, then the fields in order (fixed arrays raw, u32 little endian, Vec with a compact length).</summary>
internal static class DkgMessageCodec
{
    public const int SessionIdOffset = 1;

    public static byte[] Encode(CommitmentsMessage message)
    {
        var writer = new DkgWireWriter(1 + 32 + 4 + 5 + (message.Commitments.Length * 33) + 33 + 32);
        writer.WriteU8((byte)DkgMessageKind.Commitments);
        writer.WriteFixed(message.SessionId, DkgSessionContext.SessionIdLength);
        writer.WriteU32(message.Sender);
        writer.WriteCompact((uint)message.Commitments.Length);
        foreach (var c in message.Commitments)
        {
            writer.WriteFixed(c, Secp256k1Group.PointLength);
        }

        writer.WriteFixed(message.ProofR, Secp256k1Group.PointLength);
        writer.WriteFixed(message.ProofMu, Secp256k1Group.ScalarLength);
        return writer.ToArray();
    }

    public static byte[] Encode(ShareMessage message)
    {
        var writer = new DkgWireWriter(1 + 32 + 4 + 4 + 32 + 32);
        writer.WriteU8((byte)DkgMessageKind.Share);
        writer.WriteFixed(message.SessionId, DkgSessionContext.SessionIdLength);
        writer.WriteU32(message.Sender);
        writer.WriteU32(message.Recipient);
        writer.WriteFixed(message.Transcript, 32);
        writer.WriteFixed(message.Share, Secp256k1Group.ScalarLength);
        return writer.ToArray();
    }

    /// <summary>Reads the variant index and session id, which every message starts with.</summary>
    /// <exception cref="DkgWireFormatException">The message is shorter than its header or of an unknown kind.</exception>
    public static DkgMessageKind ReadHeader(ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> sessionId)
    {
        var reader = new DkgWireReader(payload);
        byte kind = reader.ReadU8();
        if (kind > (byte)DkgMessageKind.Share)
        {
            throw new DkgWireFormatException($"Unknown DKG message kind {kind}.", 0);
        }

        sessionId = reader.ReadBytes(DkgSessionContext.SessionIdLength);
        return (DkgMessageKind)kind;
    }

    /// <exception cref="DkgWireFormatException">The bytes are not a well-formed commitments message.</exception>
    public static CommitmentsMessage DecodeCommitments(ReadOnlySpan<byte> payload, int maxCommitments)
    {
        var reader = new DkgWireReader(payload);
        reader.ExpectU8((byte)DkgMessageKind.Commitments);
        var session = reader.ReadBytes(DkgSessionContext.SessionIdLength).ToArray();
        uint sender = reader.ReadU32();
        uint count = reader.ReadCompact();
        if (count > (uint)maxCommitments)
        {
            throw new DkgWireFormatException($"The message has {count} commitments; at most {maxCommitments} are allowed.", reader.Position);
        }

        var commitments = new byte[count][];
        for (int i = 0; i < commitments.Length; i++)
        {
            commitments[i] = reader.ReadBytes(Secp256k1Group.PointLength).ToArray();
        }

        var proofR = reader.ReadBytes(Secp256k1Group.PointLength).ToArray();
        var proofMu = reader.ReadBytes(Secp256k1Group.ScalarLength).ToArray();
        reader.EnsureEnd();
        return new CommitmentsMessage { SessionId = session, Sender = sender, Commitments = commitments, ProofR = proofR, ProofMu = proofMu };
    }

    /// <exception cref="DkgWireFormatException">The bytes are not a well-formed share message.</exception>
    public static ShareMessage DecodeShare(ReadOnlySpan<byte> payload)
    {
        var reader = new DkgWireReader(payload);
        reader.ExpectU8((byte)DkgMessageKind.Share);
        var session = reader.ReadBytes(DkgSessionContext.SessionIdLength).ToArray();
        uint sender = reader.ReadU32();
        uint recipient = reader.ReadU32();
        var transcript = reader.ReadBytes(32).ToArray();
        var share = reader.ReadBytes(Secp256k1Group.ScalarLength).ToArray();
        reader.EnsureEnd();
        return new ShareMessage { SessionId = session, Sender = sender, Recipient = recipient, Transcript = transcript, Share = share };
    }
}
