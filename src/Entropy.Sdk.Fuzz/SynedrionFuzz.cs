using System.Buffers.Binary;
using System.Security.Cryptography;
using Entropy.Synedrion;
using Entropy.Synedrion.Encoding;
using Entropy.Synedrion.KeyGen;
using Entropy.Synedrion.Session;

namespace Entropy.Fuzz;

/// <summary>
/// The synedrion 0.1.0 decoders (src/Entropy.Synedrion): the first byte chooses what the rest is read as — 0 a KeyShare,
/// 1 a SignedMessage (sr25519 signature as sp-core's hex string), 2 a round-2 broadcast, 3 a round-3 direct message, 4 an echo
/// (broadcast consensus) payload; TestParams widths. Only <see cref="SynedrionFormatException"/> may escape.
/// </summary>
internal static class SynedrionFuzz
{
    private static readonly SynedrionParams P = SynedrionParams.Test;

    /// <summary>Runs the target.</summary>
    /// <param name="data">The input.</param>
    public static void Run(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        var rest = data[1..].ToArray();
        var r = new BincodeReader(rest, "fuzz input");
        switch (data[0] % 5)
        {
            case 0:
                KeyShare.FromBytes(rest, P).Dispose();
                break;
            case 1:
                SignedMessage.Read(r, new HexSignatureLength());
                break;
            case 2:
                KeyInitData.Read(r, P);
                KeyRefreshData.Read(r, P);
                break;
            case 3:
                KeyRefreshDirect.Read(r, P);
                break;
            default:
                int count = r.SeqLength("broadcasts", 36);
                for (int i = 0; i < count; i++)
                {
                    r.U32("index");
                    SignedMessage.Read(r, new HexSignatureLength());
                }

                break;
        }
    }

    /// <summary>Seeds: a TestParams key generation's share and messages, and a signed message in the wasm client's layout.</summary>
    /// <returns>The seeds.</returns>
    public static IReadOnlyList<(string Name, byte[] Bytes)> Seeds()
    {
        var sr = RandomNumberGenerator.GetBytes(32);
        var a = new KeyGenParty(P, sr, 2, 0);
        var b = new KeyGenParty(P, sr, 2, 1);
        a.ReceiveRound1(1, b.Round1Broadcast());
        b.ReceiveRound1(0, a.Round1Broadcast());
        var round2 = a.Round2Broadcast();
        a.ReceiveRound2(1, b.Round2Broadcast());
        b.ReceiveRound2(0, round2);
        var direct = a.Round3Direct(1);
        b.ReceiveRound3Broadcast(0, a.Round3Broadcast());
        b.ReceiveRound3Direct(0, direct);
        a.ReceiveRound3Broadcast(1, b.Round3Broadcast());
        a.ReceiveRound3Direct(1, b.Round3Direct(0));
        using var share = a.Finish();
        b.Finish().Dispose();

        var signature = new byte[136];
        BinaryPrimitives.WriteUInt64LittleEndian(signature, 128);
        System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(64))).CopyTo(signature, 8);
        var message = new SignedMessage(SignedMessage.SessionIdFor(sr), 1, MessageType.Broadcast, a.Round1Broadcast(), signature).ToBytes();
        var echo = new BincodeWriter();
        echo.SeqLength(1);
        echo.U32(1);
        echo.Raw(message);
        return
        [
            ("keyshare", [0, .. share.ToBytes()]),
            ("signed-message", [1, .. message]),
            ("round2", [2, .. round2]),
            ("round3-direct", [3, .. direct]),
            ("echo", [4, .. echo.ToArray()]),
        ];
    }

    private sealed class HexSignatureLength : ISynedrionVerifier
    {
        public int SignatureLength(ReadOnlySpan<byte> bincode) =>
            bincode.Length >= 136 && BinaryPrimitives.ReadUInt64LittleEndian(bincode) == 128 ? 136 : -1;

        public bool VerifyPrehash(ReadOnlySpan<byte> verifierId, ReadOnlySpan<byte> prehash, ReadOnlySpan<byte> signature) => false;
    }
}
