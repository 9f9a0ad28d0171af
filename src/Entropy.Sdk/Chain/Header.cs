using System.Buffers;
using System.ComponentModel;
using Entropy.Hashing;
using Entropy.Scale;

namespace Entropy.Chain;

/// <summary>A block header as the node reports it (<c>chain_getHeader</c>, head subscriptions).</summary>
/// <remarks>Layout: <c>sp_runtime::generic::Header</c> with a <c>u32</c> block number and BLAKE2b-256 hashing (https://docs.rs/sp-runtime/latest/sp_runtime/generic/struct.Header.html).</remarks>
internal sealed class Header
{
    /// <summary>Creates a header from its parts.</summary>
    /// <param name="parentHash">The parent block's hash.</param>
    /// <param name="number">The block number.</param>
    /// <param name="stateRoot">The state trie root (32 bytes).</param>
    /// <param name="extrinsicsRoot">The extrinsics trie root (32 bytes).</param>
    /// <param name="digestLogs">The digest items, each SCALE-encoded as the node sends them.</param>
    public Header(BlockHash parentHash, uint number, ReadOnlyMemory<byte> stateRoot, ReadOnlyMemory<byte> extrinsicsRoot, IReadOnlyList<ReadOnlyMemory<byte>> digestLogs)
    {
        ArgumentNullException.ThrowIfNull(digestLogs);
        ParentHash = parentHash;
        Number = number;
        StateRoot = stateRoot;
        ExtrinsicsRoot = extrinsicsRoot;
        DigestLogs = digestLogs;
        Hash = ComputeHash();
    }

    /// <summary>Gets the parent block's hash.</summary>
    public BlockHash ParentHash { get; }

    /// <summary>Gets the block number.</summary>
    public uint Number { get; }

    /// <summary>Gets the state trie root.</summary>
    public ReadOnlyMemory<byte> StateRoot { get; }

    /// <summary>Gets the extrinsics trie root.</summary>
    public ReadOnlyMemory<byte> ExtrinsicsRoot { get; }

    /// <summary>Gets the digest items, each SCALE-encoded.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> DigestLogs { get; }

    /// <summary>Gets this block's hash: BLAKE2b-256 of the SCALE-encoded header.</summary>
    public BlockHash Hash { get; }

    /// <inheritdoc/>
    public override string ToString() => $"#{Number} {Hash}";

    /// <inheritdoc/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public override bool Equals(object? obj) => obj is Header other && other.Hash == Hash;

    /// <inheritdoc/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public override int GetHashCode() => Hash.GetHashCode();

    private BlockHash ComputeHash()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write(ParentHash.AsSpan());
        buffer.Write(ScaleCodec.EncodeCompact(Number));
        buffer.Write(StateRoot.Span);
        buffer.Write(ExtrinsicsRoot.Span);
        buffer.Write(ScaleCodec.EncodeCompact((ulong)DigestLogs.Count));
        foreach (var log in DigestLogs)
        {
            buffer.Write(log.Span);
        }

        return new BlockHash(Blake2b.Hash256(buffer.WrittenSpan));
    }
}

/// <summary>A block: its header and its opaque, SCALE-encoded extrinsics (<c>chain_getBlock</c>).</summary>
/// <param name="Header">The header.</param>
/// <param name="Extrinsics">The extrinsics, each with its compact length prefix, as the node sends them.</param>
internal sealed record Block(Header Header, IReadOnlyList<ReadOnlyMemory<byte>> Extrinsics);

/// <summary>The version of one runtime API the runtime implements.</summary>
/// <param name="Id">The API id, BLAKE2b with an 8-byte output of the API trait name, as 0x-hex.</param>
/// <param name="Version">The API version.</param>
internal readonly record struct RuntimeApiVersion(string Id, uint Version);

/// <summary>The runtime's version (<c>state_getRuntimeVersion</c>): spec and transaction versions and the runtime APIs it implements.</summary>
internal sealed class RuntimeVersion
{
    /// <summary>Creates a runtime version.</summary>
    /// <param name="specName">The spec name.</param>
    /// <param name="implName">The implementation name.</param>
    /// <param name="authoringVersion">The authoring version.</param>
    /// <param name="specVersion">The spec version (part of every signed payload).</param>
    /// <param name="implVersion">The implementation version.</param>
    /// <param name="transactionVersion">The transaction version (part of every signed payload).</param>
    /// <param name="stateVersion">The state version, or 0 when the node does not report it.</param>
    /// <param name="apis">The runtime APIs and their versions.</param>
    public RuntimeVersion(
        string specName, string implName, uint authoringVersion, uint specVersion, uint implVersion, uint transactionVersion, uint stateVersion,
        IReadOnlyList<RuntimeApiVersion> apis)
    {
        SpecName = specName;
        ImplName = implName;
        AuthoringVersion = authoringVersion;
        SpecVersion = specVersion;
        ImplVersion = implVersion;
        TransactionVersion = transactionVersion;
        StateVersion = stateVersion;
        Apis = apis;
    }

    /// <summary>Gets the spec name.</summary>
    public string SpecName { get; }

    /// <summary>Gets the implementation name.</summary>
    public string ImplName { get; }

    /// <summary>Gets the authoring version.</summary>
    public uint AuthoringVersion { get; }

    /// <summary>Gets the spec version.</summary>
    public uint SpecVersion { get; }

    /// <summary>Gets the implementation version.</summary>
    public uint ImplVersion { get; }

    /// <summary>Gets the transaction version.</summary>
    public uint TransactionVersion { get; }

    /// <summary>Gets the state version (0 when not reported).</summary>
    public uint StateVersion { get; }

    /// <summary>Gets the runtime APIs and their versions.</summary>
    public IReadOnlyList<RuntimeApiVersion> Apis { get; }

    /// <summary>Finds the version of a runtime API by its trait name (for example <c>Metadata</c>).</summary>
    /// <param name="apiName">The API trait name.</param>
    /// <returns>The version, or <see langword="null"/> when the runtime does not implement it.</returns>
    public uint? GetApiVersion(string apiName)
    {
        ArgumentNullException.ThrowIfNull(apiName);
        var id = ApiId(apiName);
        foreach (var api in Apis)
        {
            if (string.Equals(api.Id, id, StringComparison.OrdinalIgnoreCase))
            {
                return api.Version;
            }
        }

        return null;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{SpecName} spec {SpecVersion}, tx {TransactionVersion}";

    /// <summary>Computes a runtime API id: BLAKE2b with an 8-byte output of the trait name (sp_api's <c>decl_runtime_apis</c>).</summary>
    internal static string ApiId(string apiName)
    {
        Span<byte> id = stackalloc byte[8];
        Blake2b.Hash(System.Text.Encoding.UTF8.GetBytes(apiName), id);
        return Rpc.Hex.Encode(id);
    }
}

/// <summary>The chain's properties (<c>system_properties</c>): address format and token.</summary>
internal sealed class ChainProperties
{
    /// <summary>Creates chain properties.</summary>
    /// <param name="ss58Format">The SS58 address prefix, or <see langword="null"/> when the node does not say.</param>
    /// <param name="tokenSymbols">The token symbols (usually one).</param>
    /// <param name="tokenDecimals">The token decimals, one per symbol.</param>
    public ChainProperties(ushort? ss58Format, IReadOnlyList<string> tokenSymbols, IReadOnlyList<int> tokenDecimals)
    {
        Ss58Format = ss58Format;
        TokenSymbols = tokenSymbols;
        TokenDecimals = tokenDecimals;
    }

    /// <summary>Gets the SS58 address prefix, or <see langword="null"/> when the node does not say (then 42, the generic Substrate prefix, applies).</summary>
    public ushort? Ss58Format { get; }

    /// <summary>Gets the token symbols.</summary>
    public IReadOnlyList<string> TokenSymbols { get; }

    /// <summary>Gets the token decimals.</summary>
    public IReadOnlyList<int> TokenDecimals { get; }

    /// <summary>Gets the main token's symbol, or <see langword="null"/>.</summary>
    public string? TokenSymbol => TokenSymbols.Count > 0 ? TokenSymbols[0] : null;

    /// <summary>Gets the main token's decimals, or <see langword="null"/>.</summary>
    public int? TokenDecimal => TokenDecimals.Count > 0 ? TokenDecimals[0] : null;
}

/// <summary>An account's <c>System.Account</c> entry: nonce, reference counters and balances.</summary>
/// <param name="Nonce">The number of transactions the account has sent.</param>
/// <param name="Consumers">The consumer reference count.</param>
/// <param name="Providers">The provider reference count.</param>
/// <param name="Sufficients">The sufficient reference count.</param>
/// <param name="Free">The free balance, in planck.</param>
/// <param name="Reserved">The reserved balance, in planck.</param>
/// <param name="Frozen">The frozen balance (the larger of <c>misc_frozen</c>/<c>fee_frozen</c> on older runtimes), in planck.</param>
internal sealed record AccountInfo(uint Nonce, uint Consumers, uint Providers, uint Sufficients, System.Numerics.BigInteger Free, System.Numerics.BigInteger Reserved, System.Numerics.BigInteger Frozen);
