using System.Collections.Immutable;
using Entropy.Hashing;
using Entropy.Simulator.Rpc;

namespace Entropy.Simulator.Node;

/// <summary>A block header: <c>parent_hash ‖ Compact(number) ‖ state_root ‖ extrinsics_root ‖ digest</c> (digest always empty).</summary>
internal sealed class Header
{
    public Header(byte[] parentHash, uint number, byte[] stateRoot, byte[] extrinsicsRoot)
    {
        ParentHash = parentHash;
        Number = number;
        StateRoot = stateRoot;
        ExtrinsicsRoot = extrinsicsRoot;
        Encoded = ScaleBytes.Build(w =>
        {
            w.WriteBytes(parentHash);
            w.WriteCompact(number);
            w.WriteBytes(stateRoot);
            w.WriteBytes(extrinsicsRoot);
            w.WriteCompact(0UL);
        });
        Hash = Blake2b.Hash256(Encoded);
    }

    public byte[] ParentHash { get; }

    public uint Number { get; }

    public byte[] StateRoot { get; }

    public byte[] ExtrinsicsRoot { get; }

    public byte[] Encoded { get; }

    public byte[] Hash { get; }

    public System.Text.Json.Nodes.JsonObject ToJson() => new()
    {
        ["parentHash"] = Hex.Encode(ParentHash),
        ["number"] = Hex.Number(Number),
        ["stateRoot"] = Hex.Encode(StateRoot),
        ["extrinsicsRoot"] = Hex.Encode(ExtrinsicsRoot),
        ["digest"] = new System.Text.Json.Nodes.JsonObject { ["logs"] = new System.Text.Json.Nodes.JsonArray() },
    };
}

/// <summary>An authored block with the state after it.</summary>
internal sealed class Block
{
    private byte[]? _headerJson;

    public Block(Header header, IReadOnlyList<byte[]> extrinsics, ImmutableSortedDictionary<byte[], byte[]> state)
    {
        Header = header;
        Extrinsics = extrinsics;
        State = state;
        HashHex = Hex.Encode(header.Hash);
    }

    public Header Header { get; }

    /// <summary>Gets the header as JSON-RPC serializes it (UTF-8), made once and shared by every subscriber's notification.</summary>
    public byte[] HeaderJson => _headerJson ??= System.Text.Encoding.UTF8.GetBytes(Header.ToJson().ToJsonString());

    public byte[] Hash => Header.Hash;

    public string HashHex { get; }

    public uint Number => Header.Number;

    /// <summary>Gets the extrinsics as they are encoded in the block body (each with its compact length prefix).</summary>
    public IReadOnlyList<byte[]> Extrinsics { get; }

    public ImmutableSortedDictionary<byte[], byte[]> State { get; }

    /// <summary>A digest of the whole state: blake2b-256 over the sorted (key, value) pairs, SCALE-encoded.</summary>
    /// <remarks>Not a Merkle-Patricia trie root; it changes exactly when the content changes, which is all clients rely on.</remarks>
    public static byte[] ComputeStateRoot(ImmutableSortedDictionary<byte[], byte[]> state)
    {
        Blake2bHasher.Initialize(32, out var hasher);
        Span<byte> prefix = stackalloc byte[5];
        foreach (var (key, value) in state)
        {
            Blake2bHasher.Update(ref hasher, prefix[..WriteCompact(prefix, (uint)key.Length)]);
            Blake2bHasher.Update(ref hasher, key);
            Blake2bHasher.Update(ref hasher, prefix[..WriteCompact(prefix, (uint)value.Length)]);
            Blake2bHasher.Update(ref hasher, value);
        }

        return Blake2bHasher.Finalize(ref hasher);
    }

    /// <summary>blake2b-256 of the SCALE-encoded extrinsic list (<c>Vec&lt;OpaqueExtrinsic&gt;</c>).</summary>
    public static byte[] ComputeExtrinsicsRoot(IReadOnlyList<byte[]> extrinsics)
    {
        Blake2bHasher.Initialize(32, out var hasher);
        Span<byte> prefix = stackalloc byte[5];
        Blake2bHasher.Update(ref hasher, prefix[..WriteCompact(prefix, (uint)extrinsics.Count)]);
        foreach (var extrinsic in extrinsics)
        {
            Blake2bHasher.Update(ref hasher, extrinsic);
        }

        return Blake2bHasher.Finalize(ref hasher);
    }

    private static int WriteCompact(Span<byte> destination, uint value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(5);
        new Entropy.Scale.ScaleWriter(buffer).WriteCompact(value);
        buffer.WrittenSpan.CopyTo(destination);
        return buffer.WrittenCount;
    }
}
