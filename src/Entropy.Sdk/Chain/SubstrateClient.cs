using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Entropy.Metadata;
using Entropy.Rpc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Entropy.Chain;

/// <summary>A low-level Substrate chain client over <see cref="RpcClient"/>: genesis, runtime version, metadata, properties, headers, blocks, storage, events and nonces.</summary>
/// <remarks>
/// On connect it reads the genesis hash, the runtime version, the metadata (V15 through <c>Metadata_metadata_at_version</c> when the
/// runtime's <c>Metadata</c> API is version 2 or later, otherwise <c>state_getMetadata</c>) and the chain properties, and it follows
/// <c>state_subscribeRuntimeVersion</c> so that <see cref="Runtime"/> is refreshed after a runtime upgrade.
/// JSON-RPC reference: https://polkadot.js.org/docs/substrate/rpc.
/// </remarks>
internal partial class SubstrateClient : IAsyncDisposable
{
    private readonly bool _ownsRpc;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lifetime = new();
    private RuntimeSnapshot _runtime = null!;
    private RpcSubscription? _versionSubscription;
    private Task _versionLoop = Task.CompletedTask;
    private int _disposed;
    private BlockCache<Block>? _blocks;
    private BlockCache<IReadOnlyList<EventRecord>>? _blockEvents;

    /// <summary>Initializes a client for mocks; every virtual member must be set up.</summary>
    protected SubstrateClient()
    {
        Rpc = null!;
        Properties = new ChainProperties(null, [], []);
        _logger = NullLogger.Instance;
    }

    private SubstrateClient(RpcClient rpc, bool ownsRpc, ILogger? logger)
    {
        Rpc = rpc;
        _ownsRpc = ownsRpc;
        _logger = logger ?? NullLogger.Instance;
        Properties = new ChainProperties(null, [], []);
    }

    /// <summary>Gets the underlying JSON-RPC client.</summary>
    public RpcClient Rpc { get; }

    /// <summary>Gets the genesis block hash.</summary>
    public BlockHash GenesisHash { get; private set; }

    /// <summary>Gets the chain properties (SS58 format, token symbol and decimals).</summary>
    public ChainProperties Properties { get; private set; }

    /// <summary>Gets the current runtime: its version, metadata bytes and decoded metadata, replaced as one unit after an upgrade.</summary>
    public virtual RuntimeSnapshot Runtime => Volatile.Read(ref _runtime);

    /// <summary>Gets the current runtime version (a shortcut for <c>Runtime.Version</c>).</summary>
    public RuntimeVersion RuntimeVersion => Runtime.Version;

    /// <summary>Raised after a runtime upgrade was observed and the new metadata was loaded.</summary>
    public event EventHandler<RuntimeUpgradedEventArgs>? RuntimeUpgraded;

    /// <summary>Gets the current decoded metadata (a shortcut for <c>Runtime.Metadata</c>).</summary>
    public RuntimeMetadata Metadata => Runtime.Metadata;

    /// <summary>Connects to a node and reads its genesis hash, runtime version, metadata and properties.</summary>
    /// <param name="endpoint">The node's WebSocket endpoint.</param>
    /// <param name="options">Transport options; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the connection and the initial reads.</param>
    /// <returns>The connected client; dispose it to close the connection.</returns>
    /// <exception cref="ArgumentException"><paramref name="endpoint"/> is not a <c>ws://</c> or <c>wss://</c> URI, or an option is invalid.</exception>
    /// <exception cref="EntropyConnectionException">The node could not be reached.</exception>
    /// <exception cref="EntropyTimeoutException">Connecting and the initial reads took longer than <see cref="RpcClientOptions.ConnectTimeout"/>.</exception>
    /// <exception cref="EntropyRpcException">The node refused one of the initial reads.</exception>
    /// <exception cref="MetadataException">The node's metadata could not be decoded.</exception>
    public static async Task<SubstrateClient> ConnectAsync(Uri endpoint, RpcClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        return await RpcClient.ConnectAndInitializeAsync(
            endpoint, options, (rpc, ct) => CreateAsync(rpc, ownsRpc: true, options?.Logger, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Builds a chain client on an existing JSON-RPC client, which stays owned by the caller.</summary>
    /// <param name="rpc">The connected JSON-RPC client.</param>
    /// <param name="cancellationToken">Cancels the initial reads.</param>
    /// <returns>The chain client; disposing it does not dispose <paramref name="rpc"/>.</returns>
    /// <exception cref="EntropyRpcException">The node refused one of the initial reads.</exception>
    /// <exception cref="MetadataException">The node's metadata could not be decoded.</exception>
    public static Task<SubstrateClient> CreateAsync(RpcClient rpc, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        return CreateAsync(rpc, ownsRpc: false, null, cancellationToken);
    }

    /// <summary>Gets the hash of a block by number, or of the best block.</summary>
    /// <param name="number">The block number, or <see langword="null"/> for the best block.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The hash, or <see langword="null"/> when the node has no block with that number.</returns>
    /// <exception cref="EntropyException">The request failed (see <see cref="RpcClient.InvokeIdempotentAsync"/>).</exception>
    public virtual async Task<BlockHash?> GetBlockHashAsync(uint? number = null, CancellationToken cancellationToken = default)
    {
        var result = await Rpc.InvokeIdempotentAsync("chain_getBlockHash", number is null ? [] : [number.Value], cancellationToken).ConfigureAwait(false);
        return result.ValueKind == JsonValueKind.Null ? null : ChainJson.ReadHash(result, "chain_getBlockHash");
    }

    /// <summary>Gets the hash of the latest finalized block.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The hash.</returns>
    /// <exception cref="EntropyException">The request failed.</exception>
    public virtual async Task<BlockHash> GetFinalizedHeadAsync(CancellationToken cancellationToken = default) =>
        ChainJson.ReadHash(await Rpc.InvokeIdempotentAsync("chain_getFinalizedHead", [], cancellationToken).ConfigureAwait(false), "chain_getFinalizedHead");

    /// <summary>Gets a block header by hash, or the best block's header.</summary>
    /// <param name="hash">The block hash, or <see langword="null"/> for the best block.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The header, or <see langword="null"/> when the node does not know the block.</returns>
    /// <exception cref="EntropyException">The request failed.</exception>
    public virtual async Task<Header?> GetHeaderAsync(BlockHash? hash = null, CancellationToken cancellationToken = default)
    {
        var result = await Rpc.InvokeIdempotentAsync("chain_getHeader", At(hash), cancellationToken).ConfigureAwait(false);
        return result.ValueKind == JsonValueKind.Null ? null : ChainJson.ReadHeader(result, "chain_getHeader");
    }

    /// <summary>Gets a block header by number.</summary>
    /// <param name="number">The block number.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <returns>The header, or <see langword="null"/> when the node has no block with that number.</returns>
    /// <exception cref="EntropyException">A request failed.</exception>
    public virtual async Task<Header?> GetHeaderAsync(uint number, CancellationToken cancellationToken = default)
    {
        var hash = await GetBlockHashAsync(number, cancellationToken).ConfigureAwait(false);
        return hash is null ? null : await GetHeaderAsync(hash, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets a block (header and extrinsics) by hash, or the best block.</summary>
    /// <param name="hash">The block hash, or <see langword="null"/> for the best block.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The block, or <see langword="null"/> when the node does not know it.</returns>
    /// <exception cref="EntropyException">The request failed.</exception>
    public virtual async Task<Block?> GetBlockAsync(BlockHash? hash = null, CancellationToken cancellationToken = default)
    {
        var result = await Rpc.InvokeIdempotentAsync("chain_getBlock", At(hash), cancellationToken).ConfigureAwait(false);
        return result.ValueKind == JsonValueKind.Null ? null : ChainJson.ReadSignedBlock(result, "chain_getBlock");
    }

    /// <summary>Gets a block by number.</summary>
    /// <param name="number">The block number.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <returns>The block, or <see langword="null"/> when the node has no block with that number.</returns>
    /// <exception cref="EntropyException">A request failed.</exception>
    public virtual async Task<Block?> GetBlockAsync(uint number, CancellationToken cancellationToken = default)
    {
        var hash = await GetBlockHashAsync(number, cancellationToken).ConfigureAwait(false);
        return hash is null ? null : await GetBlockAsync(hash, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a raw storage value.</summary>
    /// <param name="key">The full storage key.</param>
    /// <param name="at">The block to read at, or <see langword="null"/> for the best block.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The SCALE-encoded value, or <see langword="null"/> when the key is absent.</returns>
    /// <exception cref="EntropyException">The request failed.</exception>
    public virtual async Task<byte[]?> GetStorageAsync(ReadOnlyMemory<byte> key, BlockHash? at = null, CancellationToken cancellationToken = default)
    {
        var result = await Rpc.InvokeIdempotentAsync("state_getStorage", WithAt([key], at), cancellationToken).ConfigureAwait(false);
        return result.ValueKind == JsonValueKind.Null ? null : ChainJson.ReadBytes(result, "state_getStorage");
    }

    /// <summary>Reads a storage item by pallet, item and map keys, decoded with the current metadata.</summary>
    /// <param name="pallet">The pallet name, for example <c>System</c>.</param>
    /// <param name="item">The storage item name, for example <c>Account</c>.</param>
    /// <param name="keys">The map keys (none for a plain value).</param>
    /// <param name="at">The block to read at, or <see langword="null"/> for the best block.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The decoded value; for an absent key, the item's default or <see langword="null"/> (for <c>OptionQuery</c> items).</returns>
    /// <exception cref="MetadataException">The pallet or item does not exist, a key does not fit its type, or the value does not decode.</exception>
    /// <exception cref="EntropyException">The request failed.</exception>
    public virtual async Task<ScaleValue?> GetStorageAsync(
        string pallet, string item, IReadOnlyList<ScaleValue> keys, BlockHash? at = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var metadata = Metadata;
        var key = metadata.StorageKey(pallet, item, [.. keys]);
        var raw = await GetStorageAsync(key, at, cancellationToken).ConfigureAwait(false);
        return metadata.DecodeStorageValue(pallet, item, raw);
    }

    /// <summary>Lists storage keys under a prefix, one page at a time (<c>state_getKeysPaged</c>).</summary>
    /// <param name="prefix">The key prefix (for example from <see cref="RuntimeMetadata.StorageKey(string, string, ScaleValue[])"/> with no keys).</param>
    /// <param name="count">The page size (the node may cap it, commonly at 1000).</param>
    /// <param name="startKey">Return keys after this one, or <see langword="null"/> for the first page.</param>
    /// <param name="at">The block to read at, or <see langword="null"/> for the best block.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>Up to <paramref name="count"/> full keys in lexicographic order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is zero.</exception>
    /// <exception cref="EntropyException">The request failed.</exception>
    public virtual async Task<IReadOnlyList<byte[]>> GetKeysPagedAsync(
        ReadOnlyMemory<byte> prefix, uint count, ReadOnlyMemory<byte>? startKey = null, BlockHash? at = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(count);
        object?[] parameters = at is null
            ? (startKey is null ? [prefix, count] : [prefix, count, startKey.Value])
            : [prefix, count, startKey, at.Value.ToString()];
        var result = await Rpc.InvokeIdempotentAsync("state_getKeysPaged", parameters, cancellationToken).ConfigureAwait(false);
        if (result.ValueKind != JsonValueKind.Array)
        {
            throw ChainJson.Invalid("state_getKeysPaged", $"expected an array of keys, got {result.ValueKind}");
        }

        var keys = new List<byte[]>(result.GetArrayLength());
        foreach (var key in result.EnumerateArray())
        {
            keys.Add(ChainJson.ReadBytes(key, "state_getKeysPaged"));
        }

        return keys;
    }

    /// <summary>Gets the next nonce for an account, counting transactions in the pool (<c>system_accountNextIndex</c>).</summary>
    /// <param name="account">The account.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The nonce to use for the account's next transaction.</returns>
    /// <exception cref="EntropyException">The request failed.</exception>
    public virtual async Task<ulong> GetAccountNextIndexAsync(AccountId account, CancellationToken cancellationToken = default)
    {
        var address = account.ToSs58(Properties.Ss58Format ?? Crypto.Ss58.SubstratePrefix);
        var result = await Rpc.InvokeIdempotentAsync("system_accountNextIndex", [address], cancellationToken).ConfigureAwait(false);
        return result.ValueKind == JsonValueKind.Number && result.TryGetUInt64(out var nonce)
            ? nonce
            : throw ChainJson.Invalid("system_accountNextIndex", $"expected a number, got {result.ValueKind}");
    }

    /// <summary>Reads an account's <c>System.Account</c> entry (nonce and balances).</summary>
    /// <param name="account">The account.</param>
    /// <param name="at">The block to read at, or <see langword="null"/> for the best block.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The account info (all zero for an account that does not exist).</returns>
    /// <exception cref="MetadataException">The runtime's <c>System.Account</c> does not have the usual shape.</exception>
    /// <exception cref="EntropyException">The request failed.</exception>
    public virtual async Task<AccountInfo> GetAccountInfoAsync(AccountId account, BlockHash? at = null, CancellationToken cancellationToken = default)
    {
        var value = await GetStorageAsync("System", "Account", [ScaleValue.Bytes(account.AsSpan())], at, cancellationToken).ConfigureAwait(false);
        return ChainJson.ToAccountInfo(value);
    }

    /// <summary>Reads and decodes the events of a block (<c>System.Events</c>).</summary>
    /// <param name="at">The block, or <see langword="null"/> for the best block.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The event records in order (empty when there are none).</returns>
    /// <exception cref="MetadataException">The events do not decode with the current metadata.</exception>
    /// <exception cref="EntropyException">The request failed.</exception>
    public virtual async Task<IReadOnlyList<EventRecord>> GetEventsAsync(BlockHash? at = null, CancellationToken cancellationToken = default)
    {
        var metadata = Metadata;
        var raw = await GetStorageAsync(metadata.StorageKey("System", "Events"), at, cancellationToken).ConfigureAwait(false);
        return raw is null ? [] : metadata.DecodeEvents(raw);
    }

    /// <summary>Gets a block's decoded events through the cache of the last few blocks (<see cref="BlockCache{T}"/>): the transactions
    /// this client watches share one request and one decoding per block.</summary>
    /// <param name="block">The block.</param>
    /// <param name="cancellationToken">Stops this caller's wait.</param>
    /// <returns>The event records in order (empty when there are none).</returns>
    /// <exception cref="MetadataException">The events do not decode with the current metadata.</exception>
    /// <exception cref="EntropyException">The request failed.</exception>
    public async Task<IReadOnlyList<EventRecord>> GetBlockEventsAsync(BlockHash block, CancellationToken cancellationToken = default) =>
        await LazyInitializer.EnsureInitialized(ref _blockEvents, () => new(async (hash, ct) => await GetEventsAsync(hash, ct).ConfigureAwait(false)))
            .GetAsync(block, cancellationToken).ConfigureAwait(false) ?? [];

    /// <summary>Gets a block by hash through the cache of the last few blocks (<see cref="BlockCache{T}"/>).</summary>
    /// <param name="block">The block hash.</param>
    /// <param name="cancellationToken">Stops this caller's wait.</param>
    /// <returns>The block, or <see langword="null"/> when the node does not know it (asked again next time).</returns>
    /// <exception cref="EntropyException">The request failed.</exception>
    public Task<Block?> GetBlockCachedAsync(BlockHash block, CancellationToken cancellationToken = default) =>
        LazyInitializer.EnsureInitialized(ref _blocks, () => new((hash, ct) => GetBlockAsync(hash, ct)))
            .GetAsync(block, cancellationToken);

    /// <summary>Subscribes to new best-block headers (<c>chain_subscribeNewHeads</c>); resumed after a reconnect.</summary>
    /// <param name="cancellationToken">Cancels the subscribe request.</param>
    /// <returns>The subscription; dispose it to unsubscribe.</returns>
    /// <exception cref="EntropyException">The request failed.</exception>
    public virtual async Task<ChainSubscription<Header>> SubscribeNewHeadsAsync(CancellationToken cancellationToken = default) =>
        new(await Rpc.SubscribeAsync("chain_subscribeNewHeads", "chain_unsubscribeNewHeads", null, resubscribeOnReconnect: true, cancellationToken).ConfigureAwait(false),
            static e => ChainJson.ReadHeader(e, "chain_newHead"));

    /// <summary>Subscribes to finalized headers (<c>chain_subscribeFinalizedHeads</c>); resumed after a reconnect.</summary>
    /// <param name="cancellationToken">Cancels the subscribe request.</param>
    /// <returns>The subscription; dispose it to unsubscribe.</returns>
    /// <exception cref="EntropyException">The request failed.</exception>
    public virtual async Task<ChainSubscription<Header>> SubscribeFinalizedHeadsAsync(CancellationToken cancellationToken = default) =>
        new(await Rpc.SubscribeAsync("chain_subscribeFinalizedHeads", "chain_unsubscribeFinalizedHeads", null, resubscribeOnReconnect: true, cancellationToken).ConfigureAwait(false),
            static e => ChainJson.ReadHeader(e, "chain_finalizedHead"));

    /// <summary>Re-reads the runtime version and, if the spec version changed, the metadata.</summary>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <returns>The current runtime.</returns>
    /// <exception cref="EntropyException">A request failed.</exception>
    /// <exception cref="MetadataException">The new metadata could not be decoded.</exception>
    public virtual async Task<RuntimeSnapshot> RefreshRuntimeAsync(CancellationToken cancellationToken = default)
    {
        var version = ChainJson.ReadRuntimeVersion(
            await Rpc.InvokeIdempotentAsync("state_getRuntimeVersion", [], cancellationToken).ConfigureAwait(false), "state_getRuntimeVersion");
        return await ApplyRuntimeVersionAsync(version, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops following runtime upgrades and, when this client opened the connection, closes it.</summary>
    /// <returns>A task that completes when everything is released.</returns>
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources; derived mocks may override it.</summary>
    /// <returns>A task that completes when everything is released.</returns>
    protected virtual async ValueTask DisposeAsyncCore()
    {
        if (Rpc is null || Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        if (_versionSubscription is not null)
        {
            // Not awaited: a stalled node must not hold up disposal for a request timeout.
            BackgroundDisposal.Start(_versionSubscription);
        }

        try
        {
            await _versionLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped by the lifetime token.
        }

        if (_ownsRpc)
        {
            await Rpc.DisposeAsync().ConfigureAwait(false);
        }

        _lifetime.Dispose();
    }

    private static async Task<SubstrateClient> CreateAsync(RpcClient rpc, bool ownsRpc, ILogger? logger, CancellationToken cancellationToken)
    {
        var client = new SubstrateClient(rpc, ownsRpc, logger);
        var genesis = await client.GetBlockHashAsync(0, cancellationToken).ConfigureAwait(false)
            ?? throw ChainJson.Invalid("chain_getBlockHash", "the node has no block 0");
        client.GenesisHash = genesis;
        client.Properties = ChainJson.ReadProperties(
            await rpc.InvokeIdempotentAsync("system_properties", [], cancellationToken).ConfigureAwait(false), "system_properties");
        await client.RefreshRuntimeAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            client._versionSubscription = await rpc.SubscribeAsync(
                "state_subscribeRuntimeVersion", "state_unsubscribeRuntimeVersion", null, resubscribeOnReconnect: true, cancellationToken).ConfigureAwait(false);
            client._versionLoop = client.FollowRuntimeUpgradesAsync(client._versionSubscription);
        }
        catch (EntropyRpcException ex)
        {
            // Some light endpoints do not offer the subscription; the runtime then only changes through RefreshRuntimeAsync.
            client._logger.LogWarning("state_subscribeRuntimeVersion is unavailable ({Reason}); runtime upgrades are not followed.", ex.Message);
        }

        return client;
    }

    private async Task FollowRuntimeUpgradesAsync(RpcSubscription subscription)
    {
        try
        {
            await foreach (var notification in subscription.ReadAllAsync(_lifetime.Token).ConfigureAwait(false))
            {
                try
                {
                    var version = ChainJson.ReadRuntimeVersion(notification, "state_runtimeVersion");
                    await ApplyRuntimeVersionAsync(version, _lifetime.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is EntropyException)
                {
                    _logger.LogError("Could not apply a runtime version notification: {Reason}", ex.Message);
                }
            }
        }
        catch (EntropyException ex)
        {
            _logger.LogWarning("Stopped following runtime upgrades: {Reason}", ex.Message);
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    private async Task<RuntimeSnapshot> ApplyRuntimeVersionAsync(RuntimeVersion version, CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _runtime);
        if (current is not null && current.Version.SpecVersion == version.SpecVersion && current.Version.TransactionVersion == version.TransactionVersion)
        {
            return current;
        }

        var bytes = await FetchMetadataAsync(version, cancellationToken).ConfigureAwait(false);
        var snapshot = new RuntimeSnapshot(version, bytes, RuntimeMetadata.Parse(bytes));
        Volatile.Write(ref _runtime, snapshot);
        if (current is not null)
        {
            _logger.LogInformation("Runtime upgraded from spec {Old} to {New}.", current.Version.SpecVersion, version.SpecVersion);
            RuntimeUpgraded?.Invoke(this, new RuntimeUpgradedEventArgs(current, snapshot));
        }

        return snapshot;
    }

    private async Task<byte[]> FetchMetadataAsync(RuntimeVersion version, CancellationToken cancellationToken)
    {
        if (version.GetApiVersion("Metadata") >= 2)
        {
            // Metadata_metadata_at_version(15) returns Option<OpaqueMetadata>, i.e. Option<Vec<u8>>.
            var result = await Rpc.InvokeIdempotentAsync("state_call", ["Metadata_metadata_at_version", "0x0f000000"], cancellationToken).ConfigureAwait(false);
            var option = ChainJson.ReadBytes(result, "state_call");
            if (option.Length > 0 && option[0] == 1)
            {
                if (!Scale.ScaleCodec.TryReadCompact(option.AsSpan(1), out var length, out var consumed) || (ulong)(option.Length - 1 - consumed) != length)
                {
                    throw ChainJson.Invalid("state_call", "Metadata_metadata_at_version returned a malformed Option<Vec<u8>>");
                }

                return option[(1 + consumed)..];
            }

            _logger.LogInformation("The runtime has no V15 metadata; falling back to state_getMetadata.");
        }

        return ChainJson.ReadBytes(await Rpc.InvokeIdempotentAsync("state_getMetadata", [], cancellationToken).ConfigureAwait(false), "state_getMetadata");
    }

    private static object?[] At(BlockHash? hash) => hash is null ? [] : [hash.Value.ToString()];

    private static object?[] WithAt(object?[] parameters, BlockHash? at) => at is null ? parameters : [.. parameters, at.Value.ToString()];
}

/// <summary>One runtime's version and metadata, replaced together when the runtime is upgraded.</summary>
/// <param name="Version">The runtime version.</param>
/// <param name="MetadataBytes">The metadata exactly as the node served it (bare <c>RuntimeMetadataPrefixed</c>, starting with <c>meta</c>).</param>
/// <param name="Metadata">The decoded metadata.</param>
internal sealed record RuntimeSnapshot(RuntimeVersion Version, ReadOnlyMemory<byte> MetadataBytes, RuntimeMetadata Metadata);

/// <summary>Describes a runtime upgrade: the runtime before and after.</summary>
internal sealed class RuntimeUpgradedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="previous">The runtime before the upgrade.</param>
    /// <param name="current">The runtime after the upgrade.</param>
    public RuntimeUpgradedEventArgs(RuntimeSnapshot previous, RuntimeSnapshot current)
    {
        Previous = previous;
        Current = current;
    }

    /// <summary>Gets the runtime before the upgrade.</summary>
    public RuntimeSnapshot Previous { get; }

    /// <summary>Gets the runtime after the upgrade.</summary>
    public RuntimeSnapshot Current { get; }
}
