using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Entropy.Protocol;

namespace Entropy.Tests.WasmClient;

/// <summary>One message of a capture: the frame exactly as the wasm client sent it, decrypted (<c>bincode(ProtocolMessage)</c>).</summary>
/// <param name="From">The author's 32-byte account.</param>
/// <param name="To">The destination's 32-byte account.</param>
/// <param name="Frame">The whole decrypted frame.</param>
internal sealed record CapturedFrame(byte[] From, byte[] To, byte[] Frame);

/// <summary>A capture of the wasm client's side of a key generation (testdata/synedrion/README.md): what it subscribed with and every message it sent.</summary>
internal sealed class WasmCapture
{
    public required string Client { get; init; }

    public required ProtocolEnvelope Envelope { get; init; }

    public required byte[] User { get; init; }

    public required uint BlockNumber { get; init; }

    /// <summary>Gets the parties in synedrion's order: the committee as given to the client, then the user.</summary>
    public required IReadOnlyList<byte[]> Parties { get; init; }

    /// <summary>Gets each committee member's account and the subscribe message it received.</summary>
    public required IReadOnlyList<(byte[] To, byte[] Bincode)> Subscribes { get; init; }

    public required IReadOnlyList<CapturedFrame> Messages { get; init; }

    /// <summary>Gets the verifying key the run produced (the wasm's <c>KeyShare.verifyingKey()</c>), when it completed.</summary>
    public byte[]? VerifyingKey { get; init; }

    public static WasmCapture Load(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))!;
        static byte[] Hex(JsonNode? node) => Convert.FromHexString(node!.GetValue<string>());
        return new WasmCapture
        {
            Client = root["client"]!.GetValue<string>(),
            Envelope = Enum.Parse<ProtocolEnvelope>(root["envelope"]!.GetValue<string>()),
            User = Hex(root["user"]),
            BlockNumber = root["blockNumber"]!.GetValue<uint>(),
            Parties = root["parties"]!.AsArray().Select(Hex).ToList(),
            Subscribes = root["subscribe"]!.AsArray().Select(s => (Hex(s!["to"]), Hex(s["bincode"]))).ToList(),
            Messages = root["messages"]!.AsArray().Select(m => new CapturedFrame(Hex(m!["from"]), Hex(m["to"]), Hex(m["frame"]))).ToList(),
            VerifyingKey = root["verifyingKey"] is { } key ? Hex(key) : null,
        };
    }

    public void Save(string path)
    {
        var root = new JsonObject
        {
            ["client"] = Client,
            ["envelope"] = Envelope.ToString(),
            ["user"] = Convert.ToHexStringLower(User),
            ["blockNumber"] = BlockNumber,
            ["sharedRandomness"] = Convert.ToHexStringLower(Envelope.SharedRandomness(Envelope.DkgSessionId(User, BlockNumber))),
            ["verifyingKey"] = VerifyingKey is null ? null : Convert.ToHexStringLower(VerifyingKey),
            ["parties"] = new JsonArray(Parties.Select(p => (JsonNode)Convert.ToHexStringLower(p)).ToArray()),
            ["subscribe"] = new JsonArray(Subscribes.Select(s => (JsonNode)new JsonObject { ["to"] = Convert.ToHexStringLower(s.To), ["bincode"] = Convert.ToHexStringLower(s.Bincode) }).ToArray()),
            ["messages"] = new JsonArray(Messages.Select(m => (JsonNode)new JsonObject
            {
                ["from"] = Convert.ToHexStringLower(m.From),
                ["to"] = Convert.ToHexStringLower(m.To),
                ["frame"] = Convert.ToHexStringLower(m.Frame),
            }).ToArray()),
        };
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}

/// <summary>
/// The outer fields of synedrion 0.1.0's <c>SignedMessage&lt;sr25519::Signature&gt;</c> as bincode writes them, read here only to check the
/// envelope around it (session id from the shared randomness, the author's sr25519 signature); the payload itself is syncrypto's.
/// </summary>
/// <remarks>
/// Facts from synedrion <c>release/v0.1.0</c> <c>sessions/signed_message.rs</c> and <c>tools/{hashing,serde_bytes}.rs</c>: fields
/// <c>session_id</c> (32 bytes, u64 length), <c>round: u8</c>, <c>message_type</c> (u32 tag: Direct 0, Broadcast 1, BroadcastConsensus 2),
/// <c>payload</c> (bytes, u64 length), <c>signature</c>. <c>SessionId::from_seed(s) = SHA-256(dst "SessionId" ‖ bytes s)</c> and the
/// signed prehash is <c>SHA-256(dst "SignedMessage" ‖ session_id ‖ round ‖ type byte ‖ bytes payload)</c>, where a dst or "bytes" is
/// its u32 big-endian length then the bytes.
/// </remarks>
internal sealed record SynedrionEnvelope(byte[] SessionId, byte Round, uint MessageType, byte[] Payload, byte[] SignatureField)
{
    public static SynedrionEnvelope Read(ReadOnlySpan<byte> signedMessage)
    {
        int at = 0;
        byte[] Bytes(ReadOnlySpan<byte> source)
        {
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(source[at..]);
            at += 8;
            var value = source.Slice(at, checked((int)length)).ToArray();
            at += value.Length;
            return value;
        }

        var sessionId = Bytes(signedMessage);
        byte round = signedMessage[at++];
        uint type = BinaryPrimitives.ReadUInt32LittleEndian(signedMessage[at..]);
        at += 4;
        var payload = Bytes(signedMessage);
        return new SynedrionEnvelope(sessionId, round, type, payload, signedMessage[at..].ToArray());
    }

    public static byte[] SessionIdFromSeed(ReadOnlySpan<byte> seed) => Sha256(WithLength("SessionId"u8), WithLength(seed));

    public byte[] Prehash() => Sha256(WithLength("SignedMessage"u8), SessionId, [Round], [(byte)MessageType], WithLength(Payload));

    /// <summary>The 64 signature bytes, whichever way serde wrote them (a 128-digit hex string, or 64 raw bytes).</summary>
    public byte[] Signature()
    {
        if (SignatureField.Length == 8 + 128 && BinaryPrimitives.ReadUInt64LittleEndian(SignatureField) == 128)
        {
            return Convert.FromHexString(Encoding.ASCII.GetString(SignatureField, 8, 128));
        }

        if (SignatureField.Length == 64)
        {
            return SignatureField;
        }

        throw new FormatException($"An sr25519 signature field of {SignatureField.Length} bytes: {Convert.ToHexStringLower(SignatureField)}");
    }

    private static byte[] WithLength(ReadOnlySpan<byte> bytes)
    {
        var result = new byte[4 + bytes.Length];
        BinaryPrimitives.WriteUInt32BigEndian(result, (uint)bytes.Length);
        bytes.CopyTo(result.AsSpan(4));
        return result;
    }

    private static byte[] Sha256(params byte[][] parts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in parts)
        {
            hash.AppendData(part);
        }

        return hash.GetHashAndReset();
    }
}
