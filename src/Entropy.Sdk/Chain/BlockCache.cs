namespace Entropy.Chain;

/// <summary>
/// Per-block reads (a block's body, its decoded <c>System.Events</c>) of the last few blocks, shared by the transactions one
/// <see cref="SubstrateClient"/> watches: what is stored under a block hash never changes, and without the cache every transaction
/// included in a block fetched and decoded the same body and events (large, in a busy block) again. Concurrent readers of one block
/// share a single request.
/// </summary>
/// <remarks>
/// <para>
/// The shared request runs without any caller's token (one caller giving up must not fail the others); each caller waits with its own
/// token, and the request itself ends within the connection's request timeout. A failed or cancelled request, and an answer that says
/// the node does not know the block, are forgotten before any waiter sees them, so the next reader asks again. At most
/// <see cref="Capacity"/> blocks are kept (the oldest entry goes first).
/// </para>
/// <para>
/// The waiters of one request are resumed independently, on the thread pool: a waiter that runs long (or blocks) after its answer
/// must not hold up the others, as it would if every waiter's continuation ran in turn on the thread that completed the request.
/// </para>
/// </remarks>
/// <typeparam name="T">What is read per block.</typeparam>
internal sealed class BlockCache<T>
    where T : class
{
    /// <summary>How many blocks are kept: watched transactions are looked up in the few newest blocks.</summary>
    public const int Capacity = 16;

    private readonly Func<BlockHash, CancellationToken, Task<T?>> _read;
    private readonly Dictionary<BlockHash, Task<T?>> _entries = [];
    private readonly Queue<BlockHash> _order = new();
    private readonly Lock _lock = new();

    /// <summary>Initializes a cache over a read of one block.</summary>
    /// <param name="read">Reads one block; <see langword="null"/> when the node does not know it (not kept).</param>
    public BlockCache(Func<BlockHash, CancellationToken, Task<T?>> read)
    {
        _read = read;
    }

    /// <summary>Gets how many blocks are cached.</summary>
    internal int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Gets a block's value: from the cache, from a request already in flight, or from a new request.</summary>
    /// <param name="blockHash">The block.</param>
    /// <param name="cancellationToken">Stops this caller's wait (not the shared request).</param>
    /// <returns>The value, or <see langword="null"/> when the node does not know the block.</returns>
    public Task<T?> GetAsync(BlockHash blockHash, CancellationToken cancellationToken)
    {
        Task<T?>? task;
        TaskCompletionSource<T?>? started = null;
        lock (_lock)
        {
            if (!_entries.TryGetValue(blockHash, out task))
            {
                // Waiters resume on the thread pool, each on its own (see the remarks).
                started = new TaskCompletionSource<T?>(TaskCreationOptions.RunContinuationsAsynchronously);
                task = started.Task;
                _entries[blockHash] = task;
                _order.Enqueue(blockHash);
                while (_order.Count > Capacity)
                {
                    // An evicted request still in flight keeps its waiters (they hold its task); later readers ask again.
                    _entries.Remove(_order.Dequeue());
                }
            }
        }

        if (started is not null)
        {
            // On the thread pool: the request must not start under the lock, nor on the caller's synchronization context.
            _ = Task.Run(() => ReadAsync(blockHash, started), CancellationToken.None);
        }

        return task.IsCompletedSuccessfully ? task : task.WaitAsync(cancellationToken);
    }

    private async Task ReadAsync(BlockHash blockHash, TaskCompletionSource<T?> entry)
    {
        T? value;
        try
        {
            value = await _read(blockHash, CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException e)
        {
            // Forgotten before anyone sees the outcome, so no reader can pick up a cancelled or failed entry.
            Forget(blockHash, entry.Task);
            entry.TrySetCanceled(e.CancellationToken);
            return;
        }
        catch (Exception e)
        {
            Forget(blockHash, entry.Task);
            entry.TrySetException(e);
            return;
        }

        if (value is null)
        {
            Forget(blockHash, entry.Task);
        }

        entry.TrySetResult(value);
    }

    private void Forget(BlockHash blockHash, Task<T?> entry)
    {
        lock (_lock)
        {
            // Only this request's own entry: a newer one for the same block (after this one rotated out) stays. The queue keeps the
            // key's slot until it rotates out; the entry goes now, so the next reader asks again.
            if (_entries.TryGetValue(blockHash, out var current) && current == entry)
            {
                _entries.Remove(blockHash);
            }
        }
    }
}
