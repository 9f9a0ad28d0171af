using Entropy.Crypto;
using Entropy.Metadata;
using Entropy.Protocol;
using Entropy.Protocol.Noise;
using Entropy.Rpc;
using Entropy.Scale;
using Entropy.Simulator;
using Entropy.Simulator.Node;
using Entropy.Simulator.ThresholdServers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Entropy.Fuzz;

/// <summary>One fuzz target: parses <paramref name="data"/>; may throw only the exceptions its parser documents.</summary>
/// <param name="data">The fuzzer's input.</param>
public delegate void FuzzTarget(ReadOnlySpan<byte> data);

/// <summary>An invariant the fuzz harness checks (a round trip, a dispatch that must not throw) did not hold: always a bug.</summary>
public sealed class FuzzInvariantException(string message) : Exception(message);

/// <summary>The fuzz targets: each parser that reads bytes an attacker or a broken peer controls.</summary>
/// <remarks>
/// <see cref="Run"/> lets the documented typed exceptions through silently and rethrows anything else, which AFL++ (out of process)
/// or the corpus replay test (in process) reports as a crash.
/// </remarks>
public static class FuzzTargets
{
    private static readonly Lazy<RuntimeMetadata> s_metadata = new(() =>
        RuntimeMetadata.Parse(Simulator.Runtime.RuntimeFlavor.For(SimulatedRuntime.V0010).LoadMetadata()));

    private static readonly Lazy<FuzzPool> s_pool = new(() => new FuzzPool());

    private static readonly Lazy<NoiseFixture> s_noise = new(() => new NoiseFixture());

    private static readonly Lazy<ReceiveKeyFixture> s_receiveKey = new(() => new ReceiveKeyFixture());

    /// <summary>Gets every target by name (the names are the folders under <c>fuzz/corpus/</c>).</summary>
    public static IReadOnlyDictionary<string, FuzzTarget> All { get; } = new Dictionary<string, FuzzTarget>(StringComparer.Ordinal)
    {
        ["scale"] = Scale,
        ["metadata"] = Metadata,
        ["codec"] = Codec,
        ["extrinsic"] = Extrinsic,
        ["ocw"] = OcwMessage,
        ["noise"] = Noise,
        ["receive-key"] = ReceiveKey,
        ["rpc"] = RpcMessage,
        ["synedrion"] = SynedrionFuzz.Run,
    };

    /// <summary>Gets or sets a callback told of each typed refusal (the replay tool prints them with <c>--verbose</c>).</summary>
    public static Action<Exception>? Refused { get; set; }

    /// <summary>Runs a target on one input; the documented typed exceptions are swallowed, any other escapes.</summary>
    /// <param name="target">The target's name.</param>
    /// <param name="data">The input.</param>
    /// <exception cref="KeyNotFoundException">There is no such target.</exception>
    public static void Run(string target, ReadOnlySpan<byte> data)
    {
        var run = All.TryGetValue(target, out var t) ? t : throw new KeyNotFoundException($"No fuzz target '{target}'; known: {string.Join(", ", All.Keys)}.");
        try
        {
            run(data);
        }
        catch (Exception ex) when (IsExpected(ex))
        {
            // A documented, typed refusal of bad input.
            Refused?.Invoke(ex);
        }
    }

    /// <summary>Whether an exception is one the parsers document for bad input.</summary>
    /// <param name="exception">The exception.</param>
    /// <returns><see langword="true"/> for <see cref="EntropyException"/> and its subclasses and the simulator's typed HTTP/RPC refusals.</returns>
    public static bool IsExpected(Exception exception) => exception switch
    {
        FuzzInvariantException => false,
        EntropyException => true,
        Synedrion.Encoding.SynedrionFormatException => true,
        Simulator.Rpc.RpcException => true,
        ThresholdServerHost.UserError => true,
        _ => false,
    };

    /// <summary>
    /// The SCALE reader: the first byte says how many operations (up to 32) follow, each one byte choosing what to read next from the
    /// rest; every value read must re-encode to exactly the bytes it consumed (the reader is strict: no non-canonical form accepted).
    /// </summary>
    private static void Scale(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        int count = Math.Min(data[0] & 31, data.Length - 1);
        ReadOnlySpan<byte> ops = data.Slice(1, count);
        ReadOnlySpan<byte> input = data[(1 + count)..];
        var reader = new ScaleReader(input);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new ScaleWriter(buffer);
        foreach (byte op in ops)
        {
            int before = reader.BytesConsumed;
            switch (op % 20)
            {
                case 0: writer.WriteCompact(reader.ReadCompactU32()); break;
                case 1: writer.WriteCompact(reader.ReadCompactU64()); break;
                case 2: writer.WriteCompact(reader.ReadCompactU128()); break;
                case 3: writer.WriteCompact(reader.ReadCompactBigInteger()); break;
                case 4: writer.WriteByteVec(reader.ReadByteVec()); break;
                case 5: writer.WriteString(reader.ReadString()); break;
                case 6: writer.WriteBool(reader.ReadBool()); break;
                case 7: writer.WriteU16(reader.ReadU16()); break;
                case 8: writer.WriteU32(reader.ReadU32()); break;
                case 9: writer.WriteU64(reader.ReadU64()); break;
                case 10: writer.WriteU128(reader.ReadU128()); break;
                case 11: writer.WriteI128(reader.ReadI128()); break;
                case 12: writer.WriteOptionBool(reader.ReadOptionBool()); break;
                case 13:
                    var words = reader.ReadVec(static (ref ScaleReader r) => r.ReadU32(), 4);
                    writer.WriteCompact((ulong)words.Length);
                    foreach (var w in words)
                    {
                        writer.WriteU32(w);
                    }

                    break;
                case 14:
                    var strings = reader.ReadVec(static (ref ScaleReader r) => r.ReadString());
                    writer.WriteCompact((ulong)strings.Length);
                    foreach (var s in strings)
                    {
                        writer.WriteString(s);
                    }

                    break;
                case 15:
                    var option = reader.ReadOption(static (ref ScaleReader r) => r.ReadByteVec());
                    if (option is null)
                    {
                        writer.WriteOptionNone();
                    }
                    else
                    {
                        writer.WriteOptionSome();
                        writer.WriteByteVec(option);
                    }

                    break;
                case 16:
                    bool ok = reader.ReadResultTag();
                    writer.WriteResultTag(ok);
                    break;
                case 17:
                    int length = reader.ReadLength(32);
                    writer.WriteCompact((ulong)length);
                    break;
                case 18:
                    writer.WriteBytes(reader.ReadBytes(Math.Min(reader.Remaining, op >> 3)));
                    break;
                default:
                    reader.EnsureEnd();
                    break;
            }

            ReadOnlySpan<byte> consumed = input[before..reader.BytesConsumed];
            if (!buffer.WrittenSpan.SequenceEqual(consumed))
            {
                throw new FuzzInvariantException(
                    $"SCALE op {op % 20} at {before}: read {Convert.ToHexStringLower(consumed)} but it re-encodes to {Convert.ToHexStringLower(buffer.WrittenSpan)}.");
            }

            buffer.ResetWrittenCount();
        }
    }

    /// <summary>Runtime metadata decoding (any version prefix, opaque wrapper or not), then a walk over what was decoded.</summary>
    private static void Metadata(ReadOnlySpan<byte> data)
    {
        var metadata = RuntimeMetadata.Parse(data);
        for (int i = 0; i < metadata.Types.Count; i++)
        {
            _ = metadata.Types[i].ToString();
        }

        foreach (var pallet in metadata.Pallets)
        {
            _ = pallet.Name;
        }
    }

    /// <summary>
    /// The dynamic codec against the v0.0.10 registry: bytes 0–1 pick a type id, the rest is decoded as that type and must re-encode
    /// to itself; a first byte with the top bit set decodes the rest as a call instead.
    /// </summary>
    private static void Codec(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2)
        {
            return;
        }

        var metadata = s_metadata.Value;
        ReadOnlySpan<byte> rest = data[2..];
        if ((data[0] & 0x80) != 0)
        {
            var call = metadata.DecodeCall(rest);
            _ = call.ToString();
            var again = metadata.EncodeCall(call.Pallet.Name, call.Name, call.Arguments);
            if (!again.AsSpan().SequenceEqual(rest))
            {
                throw new FuzzInvariantException($"Call {call.Pallet.Name}.{call.Name} decoded from {Convert.ToHexStringLower(rest)} re-encodes to {Convert.ToHexStringLower(again)}.");
            }

            return;
        }

        int typeId = ((data[0] << 8) | data[1]) % metadata.Types.Count;
        var value = metadata.Types.Decode(typeId, rest);
        _ = value.ToString();
        var encoded = metadata.Types.Encode(typeId, value);
        if (!encoded.AsSpan().SequenceEqual(rest))
        {
            throw new FuzzInvariantException($"Type {typeId} decoded from {Convert.ToHexStringLower(rest)} re-encodes to {Convert.ToHexStringLower(encoded)}.");
        }
    }

    /// <summary>
    /// An extrinsic submitted to the simulator's pool (decode, then validation against genesis state; signatures are accepted so the
    /// fuzzer reaches the runtime checks: sr25519 itself is covered by its property tests). Refusals are the node's typed RPC errors.
    /// </summary>
    private static void Extrinsic(ReadOnlySpan<byte> data) => s_pool.Value.Submit(data.ToArray());

    /// <summary>The <c>/user/new</c> body (<c>OcwMessageDkg</c>); a decoded message must re-encode to itself.</summary>
    private static void OcwMessage(ReadOnlySpan<byte> data)
    {
        var message = OcwMessageDkg.Decode(data);
        _ = message.ValidatorsInfo.Select(v => v.Endpoint).ToList();
        if (!message.Encode().AsSpan().SequenceEqual(data))
        {
            throw new FuzzInvariantException($"OcwMessageDkg {Convert.ToHexStringLower(data)} re-encodes differently.");
        }
    }

    /// <summary>
    /// Noise XK and the <c>/ws</c> subscribe exchange. Byte 0 picks the step the rest is fed to: 0 message 1 to the responder, 1 message 2
    /// to the initiator, 2 message 3 to the responder, 3 transport frames (u16 length-prefixed) to the responder, 4 the subscribe
    /// message carried (encrypted by an honest initiator) in message 3, 5 the subscribe response to the initiator.
    /// </summary>
    private static void Noise(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        s_noise.Value.Run(data[0] % 6, data[1..]);
    }

    /// <summary>
    /// The <c>/user/receive_key</c> body. Byte 0 even: the rest is the request body as is. Odd: the rest is the plaintext, sealed by an
    /// honest validator into a valid <c>SignedMessage</c> for the server, so the fuzzer reaches the plaintext parser.
    /// </summary>
    private static void ReceiveKey(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        var fixture = s_receiveKey.Value;
        byte[] body = (data[0] & 1) == 0 ? data[1..].ToArray() : fixture.Seal(data[1..]);
        var (_, info) = ThresholdServerHost.ReadReceiveKeyBody(body, fixture.ServerSecret);
        _ = AccountId.TryParse(info.Key, out _);
    }

    /// <summary>
    /// The JSON-RPC client's incoming-message parser with requests 1 (a call) and 2 (a subscribe) pending and subscription "s" live. It
    /// must never throw (it runs on the receive loop); every pending request must end with a result or a typed RPC error.
    /// </summary>
    private static void RpcMessage(ReadOnlySpan<byte> data)
    {
        var client = RpcClient.CreateDetached(new RpcClientOptions { Logger = NullLogger.Instance });
        var call = client.ExpectResponse(1, "state_getStorage");
        var subscribe = client.ExpectResponse(2, "chain_subscribeNewHeads", client.CreateSubscription("chain_subscribeNewHeads", "chain_unsubscribeNewHeads"));
        var live = client.CreateSubscription("author_submitAndWatchExtrinsic", "author_unwatchExtrinsic");
        var registered = client.ExpectResponse(3, "author_submitAndWatchExtrinsic", live);
        client.DispatchIncoming("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"s\"}"u8.ToArray());
        if (!registered.IsCompletedSuccessfully)
        {
            throw new FuzzInvariantException("The harness's subscription did not register.");
        }

        try
        {
            client.DispatchIncoming(data.ToArray());
        }
        catch (Exception ex)
        {
            throw new FuzzInvariantException($"The RPC dispatcher threw {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
        }

        foreach (var task in new[] { call, subscribe })
        {
            if (task.IsFaulted && task.Exception!.InnerException is not EntropyRpcException)
            {
                throw new FuzzInvariantException($"A pending request failed with {task.Exception.InnerException!.GetType().Name}.");
            }
        }

        // The client stays usable: whatever came before, a valid answer to a request still waiting completes it, and a live
        // subscription still gets its notifications.
        if (!call.IsCompleted)
        {
            client.DispatchIncoming("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"ok\"}"u8.ToArray());
            if (!call.IsCompletedSuccessfully || call.Result.GetString() != "ok")
            {
                throw new FuzzInvariantException("After this input a valid response to a waiting request did not complete it.");
            }
        }

        if (!live.IsCompleted && live.Id == "s")
        {
            client.DispatchIncoming("{\"jsonrpc\":\"2.0\",\"method\":\"author_extrinsicUpdate\",\"params\":{\"subscription\":\"s\",\"result\":\"last\"}}"u8.ToArray());
            var last = DrainLast(live);
            if (last != "last")
            {
                throw new FuzzInvariantException($"After this input a notification for a live subscription was not delivered (last read: {last ?? "nothing"}).");
            }
        }
    }

    private static string? DrainLast(RpcSubscription subscription)
    {
        string? last = null;
        while (true)
        {
            var next = subscription.ReadAsync();
            if (!next.IsCompletedSuccessfully)
            {
                return last;
            }

            last = next.Result.ValueKind == System.Text.Json.JsonValueKind.String ? next.Result.GetString() : next.Result.GetRawText();
        }
    }

    private sealed class FuzzPool
    {
        private ChainNode _node = NewNode();

        public void Submit(byte[] encoded)
        {
            if (_node.PoolCount > 1000)
            {
                _node = NewNode();
            }

            _node.Submit(encoded, null);
        }

        private static ChainNode NewNode() => new(
            new SimulatedChainOptions { BlockProduction = BlockProductionMode.Manual },
            static (_, _, _, _) => true,
            NullLogger.Instance);
    }

    private sealed class NoiseFixture
    {
        private static readonly byte[] s_prologue = "entropy fuzz"u8.ToArray();
        private readonly byte[] _initiatorStatic = Fill(1);
        private readonly byte[] _responderStatic = Fill(2);
        private readonly byte[] _initiatorEphemeral = Fill(3);
        private readonly byte[] _responderEphemeral = Fill(4);
        private readonly byte[] _subscribe;

        public NoiseFixture()
        {
            using var alice = Sr25519KeyPair.FromSecretUri("//Alice");
            _subscribe = SubscribeMessage.Create(SessionId.Dkg(alice.PublicKey.ToArray()), alice).ToBincode();
        }

        public void Run(int step, ReadOnlySpan<byte> input)
        {
            using var initiator = NoiseHandshakeState.CreateInitiator(_initiatorStatic, NoiseCrypto.PublicKeyOf(_responderStatic), s_prologue, _initiatorEphemeral);
            using var responder = NoiseHandshakeState.CreateResponder(_responderStatic, s_prologue, _responderEphemeral);
            if (step == 0)
            {
                responder.ReadMessage(input);
                _ = responder.WriteMessage([]);
                return;
            }

            if (step == 5)
            {
                _ = SubscribeResponse.Decode(input);
                return;
            }

            responder.ReadMessage(initiator.WriteMessage([]));
            byte[] second = responder.WriteMessage([]);
            if (step == 1)
            {
                initiator.ReadMessage(input);
                return;
            }

            initiator.ReadMessage(second);
            if (step == 2)
            {
                responder.ReadMessage(input);
                return;
            }

            byte[] third = initiator.WriteMessage(step == 4 ? input : _subscribe);
            byte[] payload = responder.ReadMessage(third);
            var subscribe = SubscribeMessage.FromBincode(payload);
            _ = subscribe.Verify();
            _ = subscribe.SessionId.ToString();
            if (step == 3)
            {
                using var transport = responder.Split();
                int offset = 0;
                while (input.Length - offset >= 2)
                {
                    int length = Math.Min((input[offset] << 8) | input[offset + 1], input.Length - offset - 2);
                    _ = transport.Decrypt(input.Slice(offset + 2, length));
                    offset += 2 + length;
                }
            }
        }

        private static byte[] Fill(byte value) => Enumerable.Repeat(value, 32).ToArray();
    }

    private sealed class ReceiveKeyFixture
    {
        private readonly Sr25519KeyPair _sender = Sr25519KeyPair.FromSecretUri("//Bob//tss");
        private readonly byte[] _serverPublic;

        public ReceiveKeyFixture()
        {
            using var server = Sr25519KeyPair.FromSecretUri("//Alice//tss");
            ServerSecret = ThresholdServerKeys.DeriveX25519StaticSecret(server);
            _serverPublic = NoiseCrypto.PublicKeyOf(ServerSecret);
        }

        public byte[] ServerSecret { get; }

        public byte[] Seal(ReadOnlySpan<byte> plaintext) => SignedMessage.Create(_sender, plaintext, _serverPublic, new byte[12]).ToJson();
    }
}
