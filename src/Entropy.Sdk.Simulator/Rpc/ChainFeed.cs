using System.Threading.Channels;
using Entropy.Simulator.Node;
using Microsoft.Extensions.Logging;

namespace Entropy.Simulator.Rpc;

/// <summary>
/// Hands the node's new best blocks, finalized blocks and runtime upgrades to the RPC subscribers on a task of its own: block
/// production only queues a reference, so however many subscribers there are, they never slow authoring down. Subscribing and
/// unsubscribing are O(1) (a dictionary by id), so a client that drops 100,000 subscriptions costs 100,000 removals, not a copy each.
/// </summary>
internal sealed class ChainFeed : IAsyncDisposable
{
    private readonly ChainNode _node;
    private readonly ILogger _logger;
    private readonly Channel<(int Kind, Block? Block, uint Spec)> _queue =
        Channel.CreateUnbounded<(int, Block?, uint)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _lock = new();
    private readonly Dictionary<long, Action<Block>> _best = [];
    private readonly Dictionary<long, Action<Block>> _finalized = [];
    private readonly Dictionary<long, Action<uint>> _upgrades = [];
    private readonly Task _loop;
    private long _nextId;

    public ChainFeed(ChainNode node, ILogger logger)
    {
        _node = node;
        _logger = logger;
        node.NewBest += OnBest;
        node.NewFinalized += OnFinalized;
        node.RuntimeUpgraded += OnUpgraded;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Gets how many subscribers are registered (all kinds).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _best.Count + _finalized.Count + _upgrades.Count;
            }
        }
    }

    /// <summary>Calls <paramref name="handler"/> for every new best block (on the feed's task, in block order) until disposed.</summary>
    public IDisposable OnNewBest(Action<Block> handler) => Add(_best, handler);

    /// <summary>Calls <paramref name="handler"/> for every newly finalized block until disposed.</summary>
    public IDisposable OnNewFinalized(Action<Block> handler) => Add(_finalized, handler);

    /// <summary>Calls <paramref name="handler"/> with the new spec version after every runtime upgrade until disposed.</summary>
    public IDisposable OnRuntimeUpgraded(Action<uint> handler) => Add(_upgrades, handler);

    public async ValueTask DisposeAsync()
    {
        _node.NewBest -= OnBest;
        _node.NewFinalized -= OnFinalized;
        _node.RuntimeUpgraded -= OnUpgraded;
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private IDisposable Add<T>(Dictionary<long, T> subscribers, T handler)
    {
        lock (_lock)
        {
            var id = ++_nextId;
            subscribers[id] = handler;
            return new Registration(this, subscribers, id);
        }
    }

    private void OnBest(Block block) => _queue.Writer.TryWrite((0, block, 0));

    private void OnFinalized(Block block) => _queue.Writer.TryWrite((1, block, 0));

    private void OnUpgraded(uint spec) => _queue.Writer.TryWrite((2, null, spec));

    private async Task LoopAsync()
    {
        await foreach (var (kind, block, spec) in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (kind == 2)
            {
                Deliver(Snapshot(_upgrades), handler => handler(spec));
            }
            else
            {
                Deliver(Snapshot(kind == 0 ? _best : _finalized), handler => handler(block!));
            }
        }
    }

    private T[] Snapshot<T>(Dictionary<long, T> subscribers)
    {
        lock (_lock)
        {
            return [.. subscribers.Values];
        }
    }

    private void Deliver<T>(T[] handlers, Action<T> invoke)
    {
        foreach (var handler in handlers)
        {
            try
            {
                invoke(handler);
            }
#pragma warning disable CA1031 // One failing subscriber must not starve the others.
            catch (Exception e)
#pragma warning restore CA1031
            {
                _logger.LogWarning(e, "A chain subscriber failed");
            }
        }
    }

    private sealed class Registration(ChainFeed feed, System.Collections.IDictionary subscribers, long id) : IDisposable
    {
        public void Dispose()
        {
            lock (feed._lock)
            {
                subscribers.Remove(id);
            }
        }
    }
}
