using Entropy.Simulator.ThresholdServers;

namespace Entropy.Tests.Simulator.ThresholdServers;

/// <summary>
/// The devnet servers' threads for synedrion's CPU-bound steps (issue #17: on the thread pool these seconds-long steps queued ahead of
/// request handling, and a server missed the off-chain worker's 2 s deadline): dedicated, at a lower priority, cancellable before start.
/// </summary>
public class ComputeThreadsTests
{
    [Test]
    [CancelAfter(30_000)]
    public async Task StartNew_RunsOnADedicatedLowerPriorityThread_NotThePool(CancellationToken cancellationToken)
    {
        using var threads = new ComputeThreads(2, "compute test");

        var (pooled, dedicated, name, nice) = await Task.Factory.StartNew(
            () => (Thread.CurrentThread.IsThreadPoolThread, threads.IsComputeThread, Thread.CurrentThread.Name, OwnNiceValue()),
            cancellationToken,
            TaskCreationOptions.DenyChildAttach,
            threads);

        Assert.Multiple(() =>
        {
            Assert.That(pooled, Is.False);
            Assert.That(dedicated, Is.True);
            Assert.That(name, Does.StartWith("compute test "));
            Assert.That(() => threads.Executed, Is.EqualTo(1).After(CountedWithin, 10), CountedAfterTheStep);
            if (OperatingSystem.IsLinux())
            {
                // .NET's thread priorities are no-ops on Linux: the kernel's nice value of the thread itself is what ranks it.
                Assert.That(nice, Is.EqualTo(ComputeThreads.Nice), "below request handling (0), above the prime filler (19)");
            }
        });
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task StartNew_MoreStepsThanThreads_AllRunAtMostThreadCountAtOnce(CancellationToken cancellationToken)
    {
        using var threads = new ComputeThreads(2, "compute test");
        var running = 0;
        var most = 0;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Factory.StartNew(
            () =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref most, now);
                Thread.Sleep(20);
                Interlocked.Decrement(ref running);
            },
            cancellationToken,
            TaskCreationOptions.DenyChildAttach,
            threads)));

        Assert.Multiple(() =>
        {
            Assert.That(() => threads.Executed, Is.EqualTo(8).After(CountedWithin, 10), CountedAfterTheStep);
            Assert.That(most, Is.InRange(1, 2));
        });
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task StartNew_CancelledWhileQueued_NeverRuns(CancellationToken cancellationToken)
    {
        using var threads = new ComputeThreads(1, "compute test");
        using var gate = new ManualResetEventSlim();
        using var cancel = new CancellationTokenSource();
        var blocker = Task.Factory.StartNew(() => gate.Wait(cancellationToken), cancellationToken, TaskCreationOptions.DenyChildAttach, threads);
        var ran = false;
        var queued = Task.Factory.StartNew(() => ran = true, cancel.Token, TaskCreationOptions.DenyChildAttach, threads);

        await cancel.CancelAsync();
        gate.Set();
        await blocker;

        Assert.That(async () => await queued, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(ran, Is.False);
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Dispose_WithAStepInProgress_ReturnsWithoutWaitingForIt(CancellationToken cancellationToken)
    {
        var threads = new ComputeThreads(1, "compute test");
        using var gate = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        var step = Task.Factory.StartNew(() => { started.Set(); gate.Wait(cancellationToken); }, cancellationToken, TaskCreationOptions.DenyChildAttach, threads);
        started.Wait(cancellationToken);

        threads.Dispose();

        Assert.That(step.IsCompleted, Is.False, "the step still runs: a key-generation step cannot be interrupted, and the devnet does not wait for it");
        gate.Set();
        await step;
        Assert.That(() => threads.Executed, Is.EqualTo(1).After(CountedWithin, 10), CountedAfterTheStep);
    }

    // A step is counted on its thread after it returns, and an awaiter may resume before that: poll briefly (no pass by waiting).
    private const int CountedWithin = 5_000;
    private const string CountedAfterTheStep = "counted once the step returned";

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    /// <summary>The calling thread's nice value (<c>/proc/thread-self/stat</c>, field 19); 0 where there is no such file.</summary>
    private static int OwnNiceValue()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // fields from 3 (state) on
        return int.Parse(fields[19 - 3], System.Globalization.CultureInfo.InvariantCulture);
    }
}
