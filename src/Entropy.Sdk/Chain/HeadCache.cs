using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Entropy.Chain;

/// <summary>
/// The latest best and finalized headers, fed by <c>chain_subscribeNewHeads</c> and <c>chain_subscribeFinalizedHeads</c>, with the
/// hashes of recent best blocks by number: readers get the head and a block's hash without a request, and wait for the next head.
/// </summary>
/// <remarks>
/// A notification is never re-read. When the subscription ends (the node drops it, or the client gives up reconnecting), the cache
/// resubscribes with backoff; meanwhile <see cref="IsLive"/> is <see langword="false"/> and readers poll the node instead.
/// </remarks>
internal sealed class HeadCache : IAsyncDisposable
{
    private const int RecentBlocks = 512;
    private static readonly TimeSpan MinimumPatience = TimeSpan.FromSeconds(2);
    private readonly SubstrateClient _chain;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Dictionary<uint, BlockHash> _recent = [];
    private readonly Lock _lock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Header? _best;
    private Header? _finalized;
    private Task _bestLoop = Task.CompletedTask;
    private Task _finalizedLoop = Task.CompletedTask;
    private int _live;
    private long _bestAt;
    private TimeSpan _interval;

    private HeadCache(SubstrateClient chain, TimeProvider time, ILogger logger)
    {
        _chain = chain;
        _time = time;
        _logger = logger;
    }

    /// <summary>Gets the latest best header seen, if any.</summary>
    public Header? Best
    {
        get
        {
            lock (_lock)
            {
                return _best;
            }
        }
    }

    /// <summary>Gets the latest finalized header seen, if any.</summary>
    public Header? Finalized
    {
        get
        {
            lock (_lock)
            {
                return _finalized;
            }
        }
    }

    /// <summary>
    /// Gets a value indicating whether the last best head is overdue: no new one for three block intervals as observed (at least
    /// two seconds). A live subscription can go quiet because the node stalled or dropped it without saying so; readers then
    /// ask the node, which also shows whether it still answers.
    /// </summary>
    public bool IsOverdue
    {
        get
        {
            lock (_lock)
            {
                if (_best is null)
                {
                    return false;
                }

                var patience = _interval * 3 < MinimumPatience ? MinimumPatience : _interval * 3;
                return _time.GetElapsedTime(_bestAt) > patience;
            }
        }
    }

    /// <summary>Gets a value indicating whether the new-heads subscription is running (so <see cref="Best"/> follows the node).</summary>
    public bool IsLive => Volatile.Read(ref _live) != 0 && Best is not null;

    /// <summary>Starts following heads; never fails (without subscriptions the cache stays empty and readers poll).</summary>
    public static HeadCache Start(SubstrateClient chain, TimeProvider time, ILogger logger)
    {
        var cache = new HeadCache(chain, time, logger);
        cache._bestLoop = cache.FollowAsync(finalized: false);
        cache._finalizedLoop = cache.FollowAsync(finalized: true);
        return cache;
    }

    /// <summary>Creates a cache that follows nothing (never live): readers then always ask the node.</summary>
    public static HeadCache Disabled(SubstrateClient chain, TimeProvider time) => new(chain, time, NullLogger.Instance);

    /// <summary>Gets the hash of a recent best block by number, when a notification announced it.</summary>
    public bool TryGetHash(uint number, out BlockHash hash)
    {
        lock (_lock)
        {
            return _recent.TryGetValue(number, out hash);
        }
    }

    /// <summary>Completes when a best head above <paramref name="number"/> is known, when the subscription stops, or when the token fires.</summary>
    public async Task WaitForHeadAboveAsync(uint number, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_best is { } best && best.Number > number)
                {
                    return;
                }

                changed = _changed.Task;
            }

            if (!IsLive)
            {
                return;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_lifetime.IsCancellationRequested)
        {
            return;
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        Signal();
        try
        {
            await Task.WhenAll(_bestLoop, _finalizedLoop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _lifetime.Dispose();
    }

    private async Task FollowAsync(bool finalized)
    {
        // This loop lives as long as the client: its subscribe calls are root spans, not children of the connect span.
        System.Diagnostics.Activity.Current = null;
        await Task.Yield();
        var token = _lifetime.Token;
        var delay = TimeSpan.FromMilliseconds(200);
        while (!token.IsCancellationRequested)
        {
            try
            {
                var subscription = finalized
                    ? await _chain.SubscribeFinalizedHeadsAsync(token).ConfigureAwait(false)
                    : await _chain.SubscribeNewHeadsAsync(token).ConfigureAwait(false);
                using var unsubscribe = new Unsubscriber(subscription);
                delay = TimeSpan.FromMilliseconds(200);
                if (!finalized)
                {
                    Volatile.Write(ref _live, 1);
                }

                await foreach (var header in subscription.WithCancellation(token).ConfigureAwait(false))
                {
                    lock (_lock)
                    {
                        if (finalized)
                        {
                            _finalized = header;
                        }
                        else
                        {
                            var now = _time.GetTimestamp();
                            if (_best is { } previous && header.Number > previous.Number)
                            {
                                var interval = _time.GetElapsedTime(_bestAt, now) / (header.Number - previous.Number);
                                _interval = _interval == TimeSpan.Zero ? interval : (_interval * 3 + interval) / 4;
                            }

                            _best = header;
                            _bestAt = now;
                            Remember(header);
                        }
                    }

                    Signal();
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is EntropyException or InvalidOperationException or ObjectDisposedException)
            {
                _logger.LogDebug("The {Kind} heads subscription ended ({Reason}); resubscribing in {Delay}", finalized ? "finalized" : "new", e.Message, delay);
            }

            if (!finalized)
            {
                Volatile.Write(ref _live, 0);
                Signal();
            }

            try
            {
                await Task.Delay(delay, _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }

    private void Remember(Header header)
    {
        // A best head that does not extend what is known (a reorg, or blocks above it retracted) invalidates the other entries.
        if (header.Number > 0 && _recent.TryGetValue(header.Number - 1, out var parent) && parent != header.ParentHash)
        {
            _recent.Clear();
        }

        foreach (var retracted in _recent.Keys.Where(n => n > header.Number).ToList())
        {
            _recent.Remove(retracted);
        }

        if (header.Number > 0)
        {
            _recent[header.Number - 1] = header.ParentHash;
        }

        _recent[header.Number] = header.Hash;
        if (_recent.Count > RecentBlocks)
        {
            var oldest = header.Number > RecentBlocks ? header.Number - RecentBlocks : 0;
            foreach (var stale in _recent.Keys.Where(n => n < oldest).ToList())
            {
                _recent.Remove(stale);
            }
        }
    }

    private void Signal()
    {
        TaskCompletionSource previous;
        lock (_lock)
        {
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }

    private sealed class Unsubscriber(IAsyncDisposable subscription) : IDisposable
    {
        public void Dispose() => BackgroundDisposal.Start(subscription);
    }
}
