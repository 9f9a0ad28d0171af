using Entropy.Protocol.Dkg;

namespace Entropy.Protocol;

/// <summary>
/// One protocol message on an Entropy channel after the subscription: <c>bincode(ProtocolMessage { from, to, payload })</c>, one per
/// Noise-encrypted websocket frame.
/// </summary>
/// <remarks>
/// <c>entropy_protocol::ProtocolMessage</c> (<c>protocol_message.rs</c>, the same from a9463b08 to v0.2.0):
/// <c>from</c> and <c>to</c> are <c>PartyId(AccountId32)</c>, which serde writes as SS58 text (prefix 42) with a u64 length; the
/// <c>payload</c> is a synedrion <c>SignedMessage&lt;sr25519::Signature&gt;</c>, the last field, so its bincode is the rest of the
/// frame. This type keeps the payload as opaque bytes for the protocol layer to decode. A broadcast goes out as one such message per
/// recipient, with the same payload (<c>execute_protocol.rs</c>).
/// </remarks>
internal sealed class ProtocolMessage
{
    private const string What = "ProtocolMessage";

    /// <summary>Creates a message.</summary>
    /// <param name="from">The author.</param>
    /// <param name="to">The destination.</param>
    /// <param name="payload">The bincode of the synedrion <c>SignedMessage</c> (not copied).</param>
    public ProtocolMessage(PartyId from, PartyId to, ReadOnlyMemory<byte> payload)
    {
        From = from;
        To = to;
        Payload = payload;
    }

    /// <summary>Gets the author, as the message states it.</summary>
    public PartyId From { get; }

    /// <summary>Gets the destination.</summary>
    public PartyId To { get; }

    /// <summary>Gets the payload: the bincode of synedrion's <c>SignedMessage</c>.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>Returns <c>bincode::serialize(&amp;message)</c>.</summary>
    public byte[] ToBincode()
    {
        var writer = new BincodeWriter();
        writer.WriteString(Ss58Text.Encode(From.ToArray()));
        writer.WriteString(Ss58Text.Encode(To.ToArray()));
        writer.WriteFixed(Payload.Span);
        return writer.ToArray();
    }

    /// <summary>Parses the bincode form; the payload is everything after <c>to</c> (copied).</summary>
    /// <param name="bytes">The decrypted frame.</param>
    /// <returns>The message.</returns>
    /// <exception cref="EntropyProtocolException">The bytes do not start with two SS58 party ids, or carry no payload (<see cref="EntropyProtocolErrorKind.MalformedMessage"/>).</exception>
    public static ProtocolMessage FromBincode(ReadOnlySpan<byte> bytes)
    {
        var reader = new BincodeReader(bytes, What);
        var from = new PartyId(Ss58Text.Decode(reader.ReadString(), $"{What} from"));
        var to = new PartyId(Ss58Text.Decode(reader.ReadString(), $"{What} to"));
        int consumed = reader.Position;
        if (consumed == bytes.Length)
        {
            throw reader.Error("no payload after the party ids");
        }

        return new ProtocolMessage(from, to, bytes[consumed..].ToArray());
    }
}
