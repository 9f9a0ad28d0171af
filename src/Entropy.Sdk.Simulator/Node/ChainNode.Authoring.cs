using System.Collections.Immutable;
using System.Threading.Channels;
using Entropy.Scale;
using Entropy.Simulator.Rpc;
using Entropy.Simulator.Runtime;
using GenesisBuilder = Entropy.Simulator.Runtime.Genesis;
using Microsoft.Extensions.Logging;

namespace Entropy.Simulator.Node;

/// <summary>Block authoring: building a block from the pool, finality, and the producer and observer loops.</summary>
internal sealed partial class ChainNode
{
    /// <summary>Authors one block from the ready transactions (nonce order per account), then notifies subscribers.</summary>
    public Block ProduceBlock() => ProduceBlock(null);

    /// <summary>
    /// Authors one block; <paramref name="mutate"/> first changes its state directly (like chopsticks' <c>dev_setStorage</c>), a fault
    /// hook for tests: spend an account's nonce or funds, remove a program. With <paramref name="includePool"/> false the block
    /// includes no pool transaction (an empty block on a new fork).
    /// </summary>
    public Block ProduceBlock(Action<StateOverlay>? mutate, bool includePool = true)
    {
        Block block;
        List<(TransactionWatcher Watcher, TransactionStatus Status)> notifications = [];
        List<(string Hash, TransactionWatcher Watcher)> included = [];
        List<Block> finalized = [];
        lock (_lock)
        {
            var parent = _blocks[^1];
            var number = parent.Number + 1;
            var context = Runtime.InitializeBlock(parent.State, number, parent.Hash);
            mutate?.Invoke(context.State);
            var now = (ulong)Math.Max(0, _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            _lastTimestamp = Math.Max(now, _lastTimestamp + 1);
            var extrinsics = new List<byte[]> { Runtime.ApplyTimestamp(context, _lastTimestamp) };
            var candidates = includePool ? _pool.Values.OrderBy(e => e.Sequence).ToList() : [];
            var progress = true;
            while (progress && candidates.Count > 0 && extrinsics.Count < MaxExtrinsicsPerBlock)
            {
                progress = false;
                var deferred = new List<PoolEntry>();
                foreach (var entry in candidates)
                {
                    if (extrinsics.Count >= MaxExtrinsicsPerBlock)
                    {
                        deferred.Add(entry);
                        continue;
                    }

                    var outcome = Runtime.ApplyExtrinsic(context, entry.Extrinsic);
                    if (outcome.Included)
                    {
                        extrinsics.Add(entry.Extrinsic.Encoded);
                        RemoveFromPool(entry);
                        if (entry.Watcher is not null)
                        {
                            notifications.Add((entry.Watcher, TransactionStatus.InBlock));
                            included.Add((Hex.Encode(entry.Extrinsic.Hash), entry.Watcher));
                        }

                        progress = true;
                    }
                    else if (outcome.Invalid!.Invalid == InvalidKind.Future)
                    {
                        deferred.Add(entry);
                    }
                    else
                    {
                        _logger.LogDebug("Dropping transaction {Hash} from the pool: {Reason}", Hex.Encode(entry.Extrinsic.Hash), outcome.Invalid);
                        RemoveFromPool(entry);
                        if (entry.Watcher is not null)
                        {
                            notifications.Add((entry.Watcher, TransactionStatus.Invalid));
                        }
                    }
                }

                candidates = deferred;
            }

            var state = Runtime.FinalizeBlock(context);
            var header = new Header(parent.Hash, number, Block.ComputeStateRoot(state), Block.ComputeExtrinsicsRoot(extrinsics));
            block = new Block(header, extrinsics, state);
            AddBlock(block);
            _validationContext = null;
            foreach (var entry in PromoteFutures())
            {
                if (entry.Watcher is not null)
                {
                    notifications.Add((entry.Watcher, TransactionStatus.Ready));
                }
            }

            foreach (var (hash, watcher) in included)
            {
                _awaitingFinality.Add((number, hash, watcher));
            }

            var target = number >= (uint)_options.FinalityLag ? number - (uint)_options.FinalityLag : 0;
            for (var n = Finalized.Number + 1; n <= target; n++)
            {
                finalized.Add(_blocks[(int)n]);
            }

            if (finalized.Count > 0)
            {
                Finalized = finalized[^1];
            }
        }

        RecordBlock(block);
        foreach (var (watcher, status) in notifications)
        {
            watcher(status, status == TransactionStatus.InBlock ? block : null);
        }

        NewBest?.Invoke(block);
        foreach (var final in finalized)
        {
            List<TransactionWatcher> done;
            lock (_lock)
            {
                done = _awaitingFinality.Where(w => w.Number == final.Number).Select(w => w.Watcher).ToList();
                _awaitingFinality.RemoveAll(w => w.Number <= final.Number);
            }

            foreach (var watcher in done)
            {
                watcher(TransactionStatus.Finalized, final);
            }

            NewFinalized?.Invoke(final);
        }

        _observerQueue.Writer.TryWrite(block);
        return block;
    }

    private void RecordBlock(Block block)
    {
        if (Diagnostics.DevnetTelemetry.Blocks.Enabled || Diagnostics.DevnetTelemetry.BlockExtrinsics.Enabled)
        {
            var port = new KeyValuePair<string, object?>("server.port", TelemetryPort);
            Diagnostics.DevnetTelemetry.Blocks.Add(1, port);
            Diagnostics.DevnetTelemetry.BlockExtrinsics.Record(block.Extrinsics.Count, port);
        }
    }

    private async Task ProducerLoopAsync()
    {
        var cancellationToken = _shutdown.Token;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (_options.BlockProduction == BlockProductionMode.Interval)
                {
                    await Task.Delay(_options.BlockInterval, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
                    await WaitForObserversAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await _produceSignal.WaitAsync(cancellationToken).ConfigureAwait(false);
                    while (_produceSignal.CurrentCount > 0)
                    {
                        await _produceSignal.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                try
                {
                    ProduceBlock();
                }
#pragma warning disable CA1031 // The authoring loop must survive a failing block; the failure is logged.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    _logger.LogError(e, "Authoring a block failed");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Waits (bounded) until the observers have seen the best block. On a real chain the off-chain worker of block N+1 has a whole
    /// 6 s block to reach its threshold server, which must see the head still at N+1 (PROTOCOL.md §5.2, <c>StaleData</c>); with
    /// 100 ms blocks on a busy machine the next block could otherwise overtake it and the registration would never start.
    /// </summary>
    private async Task WaitForObserversAsync(CancellationToken cancellationToken)
    {
        var best = Best.Number;
        var started = _options.TimeProvider.GetTimestamp();
        while (Interlocked.Read(ref _observedThrough) < best)
        {
            var signal = Volatile.Read(ref _observed).Task;
            if (Interlocked.Read(ref _observedThrough) >= best)
            {
                break;
            }

            var left = s_observerWaitLimit - _options.TimeProvider.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                _logger.LogWarning("The observers of block {Number} are still running after {Limit}; authoring the next block anyway", best, s_observerWaitLimit);
                return;
            }

            try
            {
                await signal.WaitAsync(left, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    /// <summary>
    /// Waits until the block observers (the devnet's off-chain worker) have handled block <paramref name="number"/> (what interval
    /// authoring waits for before the next block, bounded there), or the node stops.
    /// </summary>
    public async Task WhenObservedAsync(uint number, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
        try
        {
            while (Interlocked.Read(ref _observedThrough) < number)
            {
                var signal = Volatile.Read(ref _observed).Task;
                if (Interlocked.Read(ref _observedThrough) >= number)
                {
                    break;
                }

                await signal.WaitAsync(linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The node stopped: its observers will not run again.
        }
    }

    private async Task ObserverLoopAsync()
    {
        var cancellationToken = _shutdown.Token;
        try
        {
            await foreach (var block in _observerQueue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                Func<Block, CancellationToken, Task>[] observers;
                lock (_lock)
                {
                    observers = [.. _blockObservers];
                }

                foreach (var observer in observers)
                {
                    try
                    {
                        await observer(block, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        return;
                    }
#pragma warning disable CA1031 // An observer (e.g. the off-chain worker) failing must not stop the others.
                    catch (Exception e)
#pragma warning restore CA1031
                    {
                        _logger.LogWarning(e, "A block observer failed on block {Number}", block.Number);
                    }
                }

                Interlocked.Exchange(ref _observedThrough, block.Number);
                Interlocked.Exchange(ref _observed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
