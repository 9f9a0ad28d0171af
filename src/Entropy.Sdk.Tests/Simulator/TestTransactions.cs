using System.Buffers;
using Entropy.Crypto;
using Entropy.Hashing;
using Entropy.Scale;

namespace Entropy.Tests.Simulator;

/// <summary>Builds signed v4 extrinsics for the simulator tests (layout of SUBSTRATE.md §3; Entropy extra = era ‖ nonce ‖ tip).</summary>
internal static class TestTransactions
{
    public const uint SpecVersion = 10;
    public const uint TransactionVersion = 4;

    public static byte[] Call(Action<ScaleWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new ScaleWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] TransferKeepAlive(byte[] dest, UInt128 value) => Call(w =>
    {
        w.WriteU8(7);
        w.WriteU8(3);
        w.WriteU8(0);
        w.WriteBytes(dest);
        w.WriteCompact(value);
    });

    public static byte[] TransferAllowDeath(byte[] dest, UInt128 value) => Call(w =>
    {
        w.WriteU8(7);
        w.WriteU8(0);
        w.WriteU8(0);
        w.WriteBytes(dest);
        w.WriteCompact(value);
    });

    /// <summary><c>Relayer.register(program_modification_account, Public, programs)</c>.</summary>
    public static byte[] Register(byte[] programModificationAccount, params byte[][] pointers) => Call(w =>
    {
        w.WriteU8(51);
        w.WriteU8(0);
        w.WriteBytes(programModificationAccount);
        w.WriteU8(0);
        w.WriteCompact((ulong)pointers.Length);
        foreach (var pointer in pointers)
        {
            w.WriteBytes(pointer);
            w.WriteByteVec([]);
        }
    });

    public static byte[] PruneRegistration() => [51, 1];

    public static byte[] ConfirmRegister(byte[] account, byte subgroup, byte[] verifyingKey) => Call(w =>
    {
        w.WriteU8(51);
        w.WriteU8(3);
        w.WriteBytes(account);
        w.WriteU8(subgroup);
        w.WriteByteVec(verifyingKey);
    });

    public static byte[] SetProgram(byte[] bytecode, byte[] configurationInterface) => Call(w =>
    {
        w.WriteU8(53);
        w.WriteU8(0);
        w.WriteByteVec(bytecode);
        w.WriteByteVec(configurationInterface);
    });

    public static byte[] ChangeThresholdAccounts(byte[] tssAccount, byte[] x25519) => Call(w =>
    {
        w.WriteU8(12);
        w.WriteU8(1);
        w.WriteBytes(tssAccount);
        w.WriteBytes(x25519);
    });

    /// <summary>Encodes a mortal era (Substrate's <c>Era::mortal</c>) for <paramref name="period"/> starting at <paramref name="current"/>.</summary>
    public static byte[] MortalEra(ulong period, ulong current)
    {
        period = Math.Clamp(System.Numerics.BitOperations.RoundUpToPowerOf2(period), 4, 1 << 16);
        var phase = current % period;
        var quantizeFactor = Math.Max(period >> 12, 1);
        var quantizedPhase = phase / quantizeFactor * quantizeFactor;
        var encoded = (ushort)(Math.Clamp(System.Numerics.BitOperations.TrailingZeroCount(period) - 1, 1, 15) | (int)((quantizedPhase / quantizeFactor) << 4));
        return [(byte)encoded, (byte)(encoded >> 8)];
    }

    /// <summary>The signing payload: <c>call ‖ extra ‖ spec ‖ tx ‖ genesis ‖ birth hash</c>, blake2b-256'd when over 256 bytes.</summary>
    public static byte[] Payload(byte[] call, byte[] era, uint nonce, UInt128 tip, byte[] genesis, byte[] birthHash, uint spec = SpecVersion)
    {
        var payload = Call(w =>
        {
            w.WriteBytes(call);
            w.WriteBytes(era);
            w.WriteCompact(nonce);
            w.WriteCompact(tip);
            w.WriteU32(spec);
            w.WriteU32(TransactionVersion);
            w.WriteBytes(genesis);
            w.WriteBytes(birthHash);
        });
        return payload.Length > 256 ? Blake2b.Hash256(payload) : payload;
    }

    /// <summary>Signs and encodes an extrinsic; <paramref name="era"/> null means immortal (birth hash = genesis).</summary>
    public static byte[] Sign(Sr25519KeyPair signer, byte[] call, uint nonce, byte[] genesis, byte[]? era = null, byte[]? birthHash = null,
        UInt128 tip = default, uint spec = SpecVersion)
    {
        era ??= [0];
        var payload = Payload(call, era, nonce, tip, genesis, birthHash ?? genesis, spec);
        var signature = signer.Sign(payload).ToArray();
        var body = Call(w =>
        {
            w.WriteU8(0x84);
            w.WriteU8(0);
            w.WriteBytes(signer.PublicKey.ToArray());
            w.WriteU8(1);
            w.WriteBytes(signature);
            w.WriteBytes(era);
            w.WriteCompact(nonce);
            w.WriteCompact(tip);
            w.WriteBytes(call);
        });
        return Call(w =>
        {
            w.WriteCompact((ulong)body.Length);
            w.WriteBytes(body);
        });
    }
}
