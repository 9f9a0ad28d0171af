using System.Collections.Concurrent;

namespace Entropy.Simulator.ThresholdServers;

/// <summary>
/// A few dedicated threads for the servers' CPU-bound key-generation steps (synedrion's round work: seconds each), at a lower OS priority
/// than everything else in the process. On the thread pool these steps queue ahead of request handling, the node's RPC and block
/// production and fill its threads: a server then missed the off-chain worker's 2 s deadline on <c>/user/new</c> while both cores ran
/// key generations (issue #17). Here they wait for one of <see cref="ThreadCount"/> threads instead, and the scheduler of the OS prefers
/// the process's other threads. The safe-prime pool's filler stays lower still (<see cref="BackgroundThreadPriority.LowestNice"/>).
/// </summary>
internal sealed class ComputeThreads : TaskScheduler, IDisposable
{
    /// <summary>The nice value of the threads on Linux: below request handling and block production (0), above the prime filler (19). Only
    /// just (a CPU weight of 820 against 1,024 at nice 0): where other processes keep every core busy, a lower priority starves the key
    /// generations (at load ~45, nice 4 made a Private-mode test's 4-minute key generation time out). Taking the steps off the thread pool
    /// is what keeps the servers responsive; the nice value only tips a shared core towards the short request work.</summary>
    public const int Nice = 1;

    private readonly BlockingCollection<Task> _queue = [];
    private readonly Thread[] _threads;
    private int _executed;

    /// <summary>Starts the threads.</summary>
    /// <param name="threadCount">How many steps run at once (the number of cores: more only share them).</param>
    /// <param name="name">The threads' name prefix.</param>
    public ComputeThreads(int threadCount, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        _threads = [.. Enumerable.Range(0, threadCount).Select(i => new Thread(Run) { IsBackground = true, Name = $"{name} {i}" })];
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    /// <summary>Gets how many threads run steps.</summary>
    public int ThreadCount => _threads.Length;

    /// <summary>Gets how many steps ran to the end here (tests).</summary>
    public int Executed => Volatile.Read(ref _executed);

    /// <inheritdoc/>
    public override int MaximumConcurrencyLevel => _threads.Length;

    /// <summary>Whether the calling thread is one of these threads.</summary>
    public bool IsComputeThread => _threads.Contains(Thread.CurrentThread);

    /// <summary>Stops taking steps; the threads finish what is queued (steps of cancelled runs are skipped) and end; waits briefly for them.</summary>
    public void Dispose()
    {
        if (!_queue.IsAddingCompleted)
        {
            _queue.CompleteAdding();
        }

        foreach (var thread in _threads)
        {
            thread.Join(TimeSpan.FromMilliseconds(500));
        }
    }

    /// <inheritdoc/>
    protected override void QueueTask(Task task)
    {
        try
        {
            _queue.Add(task);
        }
        catch (InvalidOperationException)
        {
            // Disposed: run it on the pool rather than lose it (a caller still waits for it; it ends with its run's cancellation).
            ThreadPool.UnsafeQueueUserWorkItem(t => TryExecuteTask(t), task, preferLocal: false);
        }
    }

    /// <inheritdoc/>
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    /// <inheritdoc/>
    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();

    private void Run()
    {
        BackgroundThreadPriority.LowerCurrentThread(Nice, ThreadPriority.BelowNormal);
        try
        {
            foreach (var task in _queue.GetConsumingEnumerable())
            {
                if (TryExecuteTask(task))
                {
                    Interlocked.Increment(ref _executed);
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // Disposed while waiting.
        }
    }
}
