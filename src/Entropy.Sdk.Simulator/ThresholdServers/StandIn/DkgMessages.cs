using System.Buffers;
using System.Security.Cryptography;
using Entropy.Scale;

namespace Entropy.Simulator.ThresholdServers.StandIn;

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
    /// <summary>The offset of the session id: every message starts with its variant index and the session id.</summary>
    public const int SessionIdOffset = 1;

    private const int ShareMessageLength = 1 + 32 + 4 + 4 + 32 + 32;

    public static byte[] Encode(CommitmentsMessage message)
    {
        int count = message.Commitments.Length;
        var output = new ExactBufferWriter(1 + 32 + 4 + CompactLength(count) + (count * 33) + 33 + 32);
        var writer = new ScaleWriter(output);
        writer.WriteVariantIndex((byte)DkgMessageKind.Commitments);
        WriteFixed(writer, message.SessionId, DkgSessionContext.SessionIdLength);
        writer.WriteU32(message.Sender);
        writer.WriteCompact((ulong)count);
        foreach (var c in message.Commitments)
        {
            WriteFixed(writer, c, Secp256k1Group.PointLength);
        }

        WriteFixed(writer, message.ProofR, Secp256k1Group.PointLength);
        WriteFixed(writer, message.ProofMu, Secp256k1Group.ScalarLength);
        return output.Complete();
    }

    public static byte[] Encode(ShareMessage message)
    {
        // Written into an array of the exact size, so no stray copy of the share is left in a grown buffer.
        var output = new ExactBufferWriter(ShareMessageLength);
        var writer = new ScaleWriter(output);
        writer.WriteVariantIndex((byte)DkgMessageKind.Share);
        WriteFixed(writer, message.SessionId, DkgSessionContext.SessionIdLength);
        writer.WriteU32(message.Sender);
        writer.WriteU32(message.Recipient);
        WriteFixed(writer, message.Transcript, 32);
        WriteFixed(writer, message.Share, Secp256k1Group.ScalarLength);
        return output.Complete();
    }

    /// <summary>Reads the variant index and session id, which every message starts with.</summary>
    /// <exception cref="ScaleFormatException">The message is shorter than its header or of an unknown kind.</exception>
    public static DkgMessageKind ReadHeader(ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> sessionId)
    {
        var reader = new ScaleReader(payload);
        byte kind = reader.ReadVariantIndex();
        if (kind > (byte)DkgMessageKind.Share)
        {
            throw new ScaleFormatException($"Unknown DKG message kind {kind}", 0);
        }

        sessionId = reader.ReadBytes(DkgSessionContext.SessionIdLength);
        return (DkgMessageKind)kind;
    }

    /// <exception cref="ScaleFormatException">The bytes are not a well-formed commitments message.</exception>
    public static CommitmentsMessage DecodeCommitments(ReadOnlySpan<byte> payload, int maxCommitments)
    {
        var reader = new ScaleReader(payload);
        ExpectKind(ref reader, DkgMessageKind.Commitments);
        var session = reader.ReadBytes(DkgSessionContext.SessionIdLength).ToArray();
        uint sender = reader.ReadU32();
        int at = reader.BytesConsumed;
        int count = reader.ReadLength(Secp256k1Group.PointLength);
        if (count > maxCommitments)
        {
            throw new ScaleFormatException($"The message has {count} commitments; at most {maxCommitments} are allowed", at);
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

    /// <exception cref="ScaleFormatException">The bytes are not a well-formed share message.</exception>
    public static ShareMessage DecodeShare(ReadOnlySpan<byte> payload)
    {
        var reader = new ScaleReader(payload);
        ExpectKind(ref reader, DkgMessageKind.Share);
        var session = reader.ReadBytes(DkgSessionContext.SessionIdLength).ToArray();
        uint sender = reader.ReadU32();
        uint recipient = reader.ReadU32();
        var transcript = reader.ReadBytes(32).ToArray();
        var share = reader.ReadBytes(Secp256k1Group.ScalarLength).ToArray();
        reader.EnsureEnd();
        return new ShareMessage { SessionId = session, Sender = sender, Recipient = recipient, Transcript = transcript, Share = share };
    }

    private static void ExpectKind(ref ScaleReader reader, DkgMessageKind expected)
    {
        byte kind = reader.ReadVariantIndex();
        if (kind != (byte)expected)
        {
            throw new ScaleFormatException($"Expected DKG message kind {(byte)expected}, found {kind}", 0);
        }
    }

    private static void WriteFixed(ScaleWriter writer, ReadOnlySpan<byte> value, int length)
    {
        if (value.Length != length)
        {
            throw new InvalidOperationException($"A field of {length} bytes was given {value.Length}.");
        }

        writer.WriteBytes(value);
    }

    private static int CompactLength(int value) => value < 0x40 ? 1 : value < 0x4000 ? 2 : 4;

    /// <summary>An <see cref="IBufferWriter{T}"/> over an array of the exact final size.</summary>
    private sealed class ExactBufferWriter(int length) : IBufferWriter<byte>
    {
        private readonly byte[] _buffer = new byte[length];
        private int _written;

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => _buffer.AsMemory(_written, Available(sizeHint));

        public Span<byte> GetSpan(int sizeHint = 0) => _buffer.AsSpan(_written, Available(sizeHint));

        public byte[] Complete() => _written == _buffer.Length
            ? _buffer
            : throw new InvalidOperationException($"Encoded {_written} of {_buffer.Length} bytes.");

        private int Available(int sizeHint)
        {
            int available = _buffer.Length - _written;
            return sizeHint <= available ? available : throw new InvalidOperationException("The message is larger than computed.");
        }
    }
}
