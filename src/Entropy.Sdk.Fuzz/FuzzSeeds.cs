using System.Buffers;
using Entropy.Crypto;
using Entropy.Extrinsics;
using Entropy.Metadata;
using Entropy.Protocol;
using Entropy.Protocol.Noise;
using Entropy.Scale;
using Entropy.Simulator.ThresholdServers;
using static Entropy.TestSupport.SyntheticMetadata;

namespace Entropy.Fuzz;

/// <summary>Writes the seed corpus (<c>fuzz/corpus/&lt;target&gt;/</c>) from real vectors: <c>Entropy.Sdk.Fuzz --seeds fuzz/corpus</c>.</summary>
public static class FuzzSeeds
{
    private static readonly byte[] s_alice = Convert.FromHexString("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
    private static readonly byte[] s_bob = Convert.FromHexString("8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48");

    /// <summary>Every seed by target, as (file name, bytes).</summary>
    /// <returns>The seeds.</returns>
    public static IReadOnlyDictionary<string, IReadOnlyList<(string Name, byte[] Bytes)>> Build()
    {
        var metadata = RuntimeMetadata.Parse(Simulator.Runtime.RuntimeFlavor.For(Simulator.SimulatedRuntime.V0010).LoadMetadata());
        byte[] transfer = metadata.EncodeCall("Balances", "transfer_keep_alive", ScaleValue.Named(
            ("dest", ScaleValue.Variant("Id", ScaleValue.Bytes(s_bob))), ("value", ScaleValue.Number(12_345UL))));
        byte[] register = metadata.EncodeCall("Relayer", "register", ScaleValue.Named(
            ("program_modification_account", ScaleValue.Bytes(s_alice)),
            ("key_visibility", ScaleValue.Variant("Public")),
            ("programs_data", ScaleValue.Sequence(ScaleValue.Named(("program_pointer", ScaleValue.Bytes(new byte[32])), ("program_config", ScaleValue.Bytes([])))))));
        byte[] prune = metadata.EncodeCall("Relayer", "prune_registration");
        int accountIdType = metadata.Types.FindByPath("sp_core::crypto::AccountId32")!.Id;

        return new Dictionary<string, IReadOnlyList<(string, byte[])>>
        {
            ["scale"] =
            [
                // SCALE spec examples (docs.substrate.io "SCALE codec"): compact 0, 1, 42, 69, 65535, 100000000, 2^30.
                ("compacts", [7, 0, 1, 2, 3, 0, 1, 2, 0x00, 0x04, 0xa8, 0x15, 0x01, 0xfe, 0xff, 0x03, 0x00, 0x02, 0x84, 0xd7, 0x17, 0x03, 0x00, 0x00, 0x00, 0x40]),
                ("vecs", [5, 4, 5, 13, 14, 19, 0x0c, 1, 2, 3, 0x14, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o', 0x08, 1, 0, 0, 0, 2, 0, 0, 0, 0x04, 0x04, (byte)'a']),
                ("ints", [8, 6, 7, 8, 9, 10, 11, 12, 15, 1, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12, .. new byte[8], .. new byte[16], .. Enumerable.Repeat((byte)0xff, 16), 1, 1, 1, 0x04, 0x2a]),
                ("result-len", [3, 16, 17, 18 + (8 * 4), 0, 0x08, 0xde, 0xad, 0xbe, 0xef]),
            ],
            ["metadata"] =
            [
                ("v15-tree", MinimalV15(w =>
                {
                    w.WriteCompact(5UL);
                    WriteType(w, 0, ["Tree"], d =>
                    {
                        d.WriteU8(1);
                        d.WriteCompact(2UL);
                        d.WriteString("Leaf");
                        d.WriteCompact(0UL);
                        d.WriteU8(0);
                        d.WriteCompact(0UL);
                        d.WriteString("Node");
                        d.WriteCompact(1UL);
                        WriteField(d, null, 1);
                        d.WriteU8(1);
                        d.WriteCompact(0UL);
                    });
                    WriteType(w, 1, [], d =>
                    {
                        d.WriteU8(2);
                        d.WriteCompact(0UL);
                    });
                    WriteType(w, 2, ["Pair"], d =>
                    {
                        d.WriteU8(0);
                        d.WriteCompact(2UL);
                        WriteField(d, "a", 3);
                        WriteField(d, "b", 4);
                    });
                    WriteType(w, 3, [], d => { d.WriteU8(5); d.WriteU8(2); }); // u8
                    WriteType(w, 4, [], d => { d.WriteU8(5); d.WriteU8(0); }); // bool
                })),
                ("v15-primitives", MinimalV15(w =>
                {
                    w.WriteCompact(6UL);
                    WriteType(w, 0, [], d => { d.WriteU8(5); d.WriteU8(2); }); // u8
                    WriteType(w, 1, [], d => { d.WriteU8(3); d.WriteU32(32); d.WriteCompact(0UL); }); // [u8; 32]
                    WriteType(w, 2, [], d => { d.WriteU8(4); d.WriteCompact(2UL); d.WriteCompact(0UL); d.WriteCompact(1UL); }); // (u8, [u8; 32])
                    WriteType(w, 3, [], d => { d.WriteU8(6); d.WriteCompact(0UL); }); // Compact<u8>
                    WriteType(w, 4, [], d => { d.WriteU8(7); d.WriteCompact(0UL); d.WriteCompact(0UL); }); // BitSequence
                    WriteType(w, 5, [], d => { d.WriteU8(5); d.WriteU8(0); }); // bool
                })),
            ],
            ["codec"] =
            [
                ("account-id", [(byte)(accountIdType >> 8), (byte)accountIdType, .. s_alice]),
                ("call-transfer", [0x80, 0, .. transfer]),
                ("call-register", [0x80, 0, .. register]),
                ("call-prune", [0x80, 0, .. prune]),
            ],
            ["extrinsic"] =
            [
                ("unsigned-transfer", LengthPrefixed([4, .. transfer])),
                ("signed-transfer", LengthPrefixed([0x84, 0, .. s_alice, 1, .. new byte[64], 0, 0, 0, .. transfer])),
                ("signed-register-mortal", LengthPrefixed([0x84, 0, .. s_alice, 1, .. new byte[64], 0x15, 0x03, 0x04, 0x00, .. register])),
            ],
            ["ocw"] =
            [
                // PROTOCOL.md §4: the 199-byte OcwMessageDkg for block 5, Alice, and the Alice/Bob TSS of the dev table.
                ("dev-vector", Convert.FromHexString(
                    "050000000480d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d" +
                    "080ac029f0b853b23bed652d6d0de69b7cc38d94f93732eefc85b5861e90f73a22383132372e302e302e313a3330303180e0543c102def9f6ef0e8b8ffa31aa259167a9391566929fd718a1ccdaabdb876" +
                    "e13087d3e3d5aa1501bd769eff57f55924aaa9b544c9d2b2edf765509988660a38" + "3132372e302e302e313a33303032802a8200850770290c7ea3b50a8ff64c6761c882ff8393dc95fccb5d1475eff17f")),
                ("empty", [5, 0, 0, 0, 0, 0]),
            ],
            ["noise"] = NoiseSeeds(),
            ["receive-key"] = ReceiveKeySeeds(),
            ["synedrion"] = SynedrionFuzz.Seeds(),
            ["rpc"] =
            [
                ("result", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1234\"}"u8.ToArray()),
                ("error", "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":1010,\"message\":\"Invalid Transaction\",\"data\":\"Transaction has a bad signature\"}}"u8.ToArray()),
                ("subscribe", "{\"jsonrpc\":\"2.0\",\"id\":\"2\",\"result\":\"abc\"}"u8.ToArray()),
                ("notification", "{\"jsonrpc\":\"2.0\",\"method\":\"author_extrinsicUpdate\",\"params\":{\"subscription\":\"s\",\"result\":{\"inBlock\":\"0x00\"}}}"u8.ToArray()),
                ("notification-error", "{\"jsonrpc\":\"2.0\",\"method\":\"author_extrinsicUpdate\",\"params\":{\"subscription\":\"s\",\"error\":{\"code\":-32000,\"message\":\"gone\"}}}"u8.ToArray()),
                ("batch", "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null},{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}]"u8.ToArray()),
            ],
        };
    }

    /// <summary>Writes every seed under <paramref name="directory"/>/&lt;target&gt;/.</summary>
    /// <param name="directory">The corpus root.</param>
    public static void Write(string directory)
    {
        foreach (var (target, seeds) in Build())
        {
            string folder = Path.Combine(directory, target);
            Directory.CreateDirectory(folder);
            foreach (var (name, bytes) in seeds)
            {
                File.WriteAllBytes(Path.Combine(folder, name), bytes);
            }
        }
    }

    private static List<(string, byte[])> NoiseSeeds()
    {
        byte[] prologue = "entropy fuzz"u8.ToArray();
        byte[] initiatorStatic = Enumerable.Repeat((byte)1, 32).ToArray();
        byte[] responderStatic = Enumerable.Repeat((byte)2, 32).ToArray();
        using var initiator = NoiseHandshakeState.CreateInitiator(initiatorStatic, NoiseCrypto.PublicKeyOf(responderStatic), prologue, Enumerable.Repeat((byte)3, 32).ToArray());
        using var responder = NoiseHandshakeState.CreateResponder(responderStatic, prologue, Enumerable.Repeat((byte)4, 32).ToArray());
        using var alice = Sr25519KeyPair.FromSecretUri("//Alice");
        byte[] subscribe = SubscribeMessage.Create(SessionId.Dkg(alice.PublicKey.ToArray()), alice).ToBincode();
        byte[] first = initiator.WriteMessage([]);
        responder.ReadMessage(first);
        byte[] second = responder.WriteMessage([]);
        initiator.ReadMessage(second);
        byte[] third = initiator.WriteMessage(subscribe);
        responder.ReadMessage(third);
        using var sending = initiator.Split();
        byte[] frame = sending.Encrypt("hello"u8);
        return
        [
            ("msg1", [0, .. first]),
            ("msg2", [1, .. second]),
            ("msg3", [2, .. third]),
            ("frames", [3, (byte)(frame.Length >> 8), (byte)frame.Length, .. frame, 0, 16, .. new byte[16]]),
            ("subscribe", [4, .. subscribe]),
            ("response-ok", [5, .. ChannelResponder.EncodeSubscribeResponse(null)]),
            ("response-err", [5, .. ChannelResponder.EncodeSubscribeResponse("no such session")]),
        ];
    }

    private static List<(string, byte[])> ReceiveKeySeeds()
    {
        using var sender = Sr25519KeyPair.FromSecretUri("//Bob//tss");
        using var server = Sr25519KeyPair.FromSecretUri("//Alice//tss");
        byte[] plaintext = "{\"key\":\"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\",\"value\":[1,2,3,4],\"proactive_refresh\":false}"u8.ToArray();
        byte[] body = SignedMessage.Create(sender, plaintext, ThresholdServerKeys.DeriveX25519PublicKey(server), new byte[12]).ToJson();
        return
        [
            ("signed-body", [0, .. body]),
            ("plaintext", [1, .. plaintext]),
            ("plaintext-forbidden", [1, .. "{\"key\":\"LATEST_BLOCK_NUMBER_NEW_USER\",\"value\":[],\"proactive_refresh\":true}"u8]),
        ];
    }

    private static byte[] LengthPrefixed(byte[] body) => ScaleCodec.Encode(body, static (w, b) => { w.WriteCompact((ulong)b.Length); w.WriteBytes(b); });
}
