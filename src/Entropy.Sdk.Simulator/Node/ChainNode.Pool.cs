using System.Collections.Immutable;
using System.Threading.Channels;
using Entropy.Scale;
using Entropy.Simulator.Rpc;
using Entropy.Simulator.Runtime;
using GenesisBuilder = Entropy.Simulator.Runtime.Genesis;
using Microsoft.Extensions.Logging;

namespace Entropy.Simulator.Node;

/// <summary>The transaction pool's indexes: by hash, by signer and nonce, and the held (future) transactions.</summary>
internal sealed partial class ChainNode
{
    /// <summary>Marks held (future) transactions whose nonce gap is now filled as ready; returns them for notification.</summary>
    private List<PoolEntry> PromoteFutures()
    {
        if (_futures.Count == 0)
        {
            return [];
        }

        // One pass is enough: promotion does not change which nonces are pooled, which is all ChainsToPool looks at.
        var promoted = new List<PoolEntry>();
        foreach (var entry in _futures.OrderBy(e => e.Extrinsic.Nonce))
        {
            if (ChainsToPool(entry.Extrinsic))
            {
                entry.IsFuture = false;
                promoted.Add(entry);
            }
        }

        _futures.ExceptWith(promoted);
        return promoted;
    }

    private bool ChainsToPool(Extrinsic extrinsic)
    {
        // A future transaction whose predecessors are all already pooled will be ready for the next block.
        var signer = extrinsic.Signer!;
        var nonce = EntropyRuntime.GetAccount(_blocks[^1].State, signer).Nonce;
        var pending = _poolBySigner.GetValueOrDefault(signer);
        for (var n = nonce; n < extrinsic.Nonce; n++)
        {
            if (pending is null || !pending.ContainsKey(n))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Adds <paramref name="entry"/> to the pool and its indexes (replacing a pooled transaction with the same hash).</summary>
    private void AddToPool(PoolEntry entry)
    {
        var hashHex = Hex.Encode(entry.Extrinsic.Hash);
        if (_pool.TryGetValue(hashHex, out var previous))
        {
            RemoveFromPool(previous);
        }

        _pool[hashHex] = entry;
        if (entry.Extrinsic.Signer is { } signer)
        {
            if (!_poolBySigner.TryGetValue(signer, out var byNonce))
            {
                _poolBySigner[signer] = byNonce = [];
            }

            // Free: Submit removes a same-nonce rival first, and a retracted transaction's nonce is below every pooled nonce of its
            // signer (they were validated on top of it). Should that ever not hold, the first entry keeps the slot.
            byNonce.TryAdd(entry.Extrinsic.Nonce, entry);
        }

        if (entry.IsFuture)
        {
            _futures.Add(entry);
        }
    }

    /// <summary>Removes <paramref name="entry"/> from the pool and its indexes.</summary>
    private void RemoveFromPool(PoolEntry entry)
    {
        _pool.Remove(Hex.Encode(entry.Extrinsic.Hash));
        _futures.Remove(entry);
        if (entry.Extrinsic.Signer is { } signer
            && _poolBySigner.TryGetValue(signer, out var byNonce)
            && byNonce.TryGetValue(entry.Extrinsic.Nonce, out var indexed)
            && ReferenceEquals(indexed, entry))
        {
            byNonce.Remove(entry.Extrinsic.Nonce);
            if (byNonce.Count == 0)
            {
                _poolBySigner.Remove(signer);
            }
        }
    }

    /// <summary>Empties the pool and its indexes; returns what it held.</summary>
    private List<PoolEntry> ClearPool()
    {
        List<PoolEntry> entries = [.. _pool.Values];
        _pool.Clear();
        _poolBySigner.Clear();
        _futures.Clear();
        return entries;
    }

    private sealed record PoolEntry(Extrinsic Extrinsic, long Sequence, TransactionWatcher? Watcher)
    {
        public bool IsFuture { get; set; }
    }
}
