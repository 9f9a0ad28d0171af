using System.Globalization;
using System.Text.Json;
using Entropy.Extrinsics;
using Entropy.Metadata;
using Entropy.Rpc;

namespace Entropy.Chain;

/// <content>Batched storage reads, fees, the transaction pool, submission and inclusion: what the upper layers read through the chain client.</content>
internal partial class SubstrateClient
{
    /// <summary>Reads several storage values at one block in one request (<c>state_queryStorageAt</c>).</summary>
    /// <param name="keys">The full storage keys.</param>
    /// <param name="at">The block to read at, or <see langword="null"/> for the best block.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>One SCALE-encoded value per key, in the order of <paramref name="keys"/>; <see langword="null"/> where the key is absent.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> is <see langword="null"/>.</exception>
    /// <exception cref="EntropyException">The request failed.</exception>
    public virtual async Task<IReadOnlyList<byte[]?>> QueryStorageAtAsync(IReadOnlyList<ReadOnlyMemory<byte>> keys, BlockHash? at = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return [];
        }

        var hexKeys = keys.Select(k => Hex.Encode(k.Span)).ToArray();
        var result = await Rpc.InvokeIdempotentAsync("state_queryStorageAt", WithAt([hexKeys], at), cancellationToken).ConfigureAwait(false);
        if (result.ValueKind != JsonValueKind.Array)
        {
            throw ChainJson.Invalid("state_queryStorageAt", $"expected an array of change sets, got {result.ValueKind}");
        }

        var values = new Dictionary<string, byte[]?>(StringComparer.OrdinalIgnoreCase);
        foreach (var set in result.EnumerateArray())
        {
            if (set.ValueKind != JsonValueKind.Object || !set.TryGetProperty("changes", out var changes) || changes.ValueKind != JsonValueKind.Array)
            {
                throw ChainJson.Invalid("state_queryStorageAt", "a change set has no 'changes' array");
            }

            foreach (var change in changes.EnumerateArray())
            {
                if (change.ValueKind != JsonValueKind.Array || change.GetArrayLength() != 2 || change[0].GetString() is not { } key)
                {
                    throw ChainJson.Invalid("state_queryStorageAt", "a change is not a [key, value] pair");
                }

                values[key] = change[1].ValueKind == JsonValueKind.Null ? null : ChainJson.ReadBytes(change[1], "state_queryStorageAt");
            }
        }

        return [.. hexKeys.Select(k => values.GetValueOrDefault(k))];
    }

    /// <summary>Asks the node what an extrinsic would pay (<c>payment_queryInfo</c>, the <c>partialFee</c>: base, length and weight fees, without tip).</summary>
    /// <param name="extrinsic">The encoded extrinsic (a zero signature is enough).</param>
    /// <param name="at">The block to price at, or <see langword="null"/> for the best block.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The fee, or <see langword="null"/> when the node does not offer <c>payment_queryInfo</c>.</returns>
    /// <exception cref="EntropyException">The request failed.</exception>
    public virtual async Task<UInt128?> QueryFeeAsync(ReadOnlyMemory<byte> extrinsic, BlockHash? at = null, CancellationToken cancellationToken = default)
    {
        JsonElement info;
        try
        {
            info = await Rpc.InvokeIdempotentAsync("payment_queryInfo", WithAt([extrinsic], at), cancellationToken).ConfigureAwait(false);
        }
        catch (EntropyRpcException e) when (e.Code == -32601)
        {
            return null;
        }

        if (info.ValueKind != JsonValueKind.Object || !info.TryGetProperty("partialFee", out var fee))
        {
            throw ChainJson.Invalid("payment_queryInfo", "expected an object with 'partialFee'");
        }

        if (fee.ValueKind == JsonValueKind.String && UInt128.TryParse(fee.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }

        return fee.ValueKind == JsonValueKind.Number && fee.TryGetUInt64(out var small)
            ? small
            : throw ChainJson.Invalid("payment_queryInfo", "'partialFee' is not a number");
    }

    /// <summary>Lists the extrinsics in the node's transaction pool (<c>author_pendingExtrinsics</c>, an unsafe RPC some nodes do not offer).</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The encoded extrinsics.</returns>
    /// <exception cref="EntropyRpcException">The node does not offer the method.</exception>
    /// <exception cref="EntropyException">The request failed.</exception>
    public virtual async Task<IReadOnlyList<byte[]>> GetPendingExtrinsicsAsync(CancellationToken cancellationToken = default)
    {
        var result = await Rpc.InvokeIdempotentAsync("author_pendingExtrinsics", [], cancellationToken).ConfigureAwait(false);
        if (result.ValueKind != JsonValueKind.Array)
        {
            throw ChainJson.Invalid("author_pendingExtrinsics", $"expected an array, got {result.ValueKind}");
        }

        return [.. result.EnumerateArray().Select(x => ChainJson.ReadBytes(x, "author_pendingExtrinsics"))];
    }

    /// <summary>Submits an extrinsic to the pool without watching it (<c>author_submitExtrinsic</c>); never retried.</summary>
    /// <param name="extrinsic">The encoded, signed extrinsic.</param>
    /// <param name="cancellationToken">Cancels the wait for the answer (the node may still have received it).</param>
    /// <returns>The transaction hash the node returned.</returns>
    /// <exception cref="EntropyRpcException">The node refused it (pool errors 1010–1016 among others).</exception>
    /// <exception cref="EntropyException">The request failed.</exception>
    public virtual async Task<byte[]> SubmitExtrinsicAsync(ReadOnlyMemory<byte> extrinsic, CancellationToken cancellationToken = default) =>
        ChainJson.ReadBytes(await Rpc.InvokeAsync("author_submitExtrinsic", [extrinsic], cancellationToken).ConfigureAwait(false), "author_submitExtrinsic");

    /// <summary>Submits an extrinsic and watches its status in the pool (<c>author_submitAndWatchExtrinsic</c>); never resubmitted, not even after a reconnect.</summary>
    /// <param name="extrinsic">The encoded, signed extrinsic.</param>
    /// <param name="cancellationToken">Cancels the submission request.</param>
    /// <returns>The status stream; dispose it to stop watching (<c>author_unwatchExtrinsic</c>).</returns>
    /// <exception cref="EntropyRpcException">The node refused it (pool errors 1010–1016 among others).</exception>
    /// <exception cref="EntropyException">The request failed.</exception>
    public virtual async Task<ChainSubscription<TransactionStatus>> WatchExtrinsicAsync(ReadOnlyMemory<byte> extrinsic, CancellationToken cancellationToken = default) =>
        new(await Rpc.SubscribeAsync("author_submitAndWatchExtrinsic", "author_unwatchExtrinsic", [extrinsic], resubscribeOnReconnect: false, cancellationToken).ConfigureAwait(false),
            TransactionStatus.Parse);

    /// <summary>Reads a block and its events (concurrently) and returns where an extrinsic sits in it and the events it emitted.</summary>
    /// <param name="block">The block.</param>
    /// <param name="extrinsic">The encoded extrinsic.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <returns>The extrinsic's index, the block number and its events; <see langword="null"/> when the block does not contain it (or is unknown).</returns>
    /// <exception cref="EntropyException">A request failed.</exception>
    public virtual async Task<ExtrinsicResult?> GetExtrinsicResultAsync(BlockHash block, ReadOnlyMemory<byte> extrinsic, CancellationToken cancellationToken = default)
    {
        // Every transaction watched in the same block reads the same body and events: shared through the block caches.
        var bodyTask = GetBlockCachedAsync(block, cancellationToken);
        var eventsTask = GetBlockEventsAsync(block, cancellationToken);
        await Task.WhenAll(bodyTask, eventsTask).ConfigureAwait(false);
        var body = await bodyTask.ConfigureAwait(false);
        if (body is null)
        {
            return null;
        }

        var index = -1;
        for (var i = 0; i < body.Extrinsics.Count; i++)
        {
            if (body.Extrinsics[i].Span.SequenceEqual(extrinsic.Span))
            {
                index = i;
                break;
            }
        }

        if (index < 0)
        {
            return null;
        }

        var own = (await eventsTask.ConfigureAwait(false)).Where(e => e.ExtrinsicIndex == (uint)index).ToArray();
        var hash = Hashing.Blake2b.Hash256(extrinsic.Span);
        return new ExtrinsicResult(Hex.Encode(hash), block, body.Header.Number, index, isFinalized: false, own);
    }
}
