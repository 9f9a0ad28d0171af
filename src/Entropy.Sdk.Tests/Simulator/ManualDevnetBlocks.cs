using Entropy.Simulator;

namespace Entropy.Tests.Simulator;

/// <summary>
/// Blocks of a devnet in <see cref="BlockProductionMode.Manual"/>, authored by the test: one at a time, each returned only after the
/// off-chain worker has handled it (so the threshold servers see the head it posted for), and conditions waited for with a real-time
/// guard that fails the test (never a window that passes by waiting it out).
/// </summary>
internal static class ManualDevnetBlocks
{
    /// <summary>The real-time guard of every wait: it only ends a test that would otherwise hang.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    /// <summary>Authors one block and waits until the off-chain worker has handled it.</summary>
    /// <param name="devnet">A devnet in manual block production.</param>
    /// <returns>The block's number.</returns>
    public static async Task<uint> ProduceAsync(EntropyDevnet devnet)
    {
        using var guard = new CancellationTokenSource(Guard);
        return await devnet.Chain.ProduceBlockAsync(guard.Token);
    }

    /// <summary>Awaits <paramref name="task"/>; when the devnet authors blocks by hand, authors blocks meanwhile (set-up steps whose block numbers do not matter: funding, deploying).</summary>
    /// <param name="devnet">The devnet.</param>
    /// <param name="task">The step.</param>
    /// <returns>A task that completes with <paramref name="task"/>.</returns>
    public static async Task WhilePendingAsync(EntropyDevnet devnet, Task task)
    {
        if (devnet.Chain.Node.BlockProduction == BlockProductionMode.Manual)
        {
            await ChainCalls.ProduceBlocksUntilAsync(devnet.Chain, task);
        }

        await task.WaitAsync(Guard);
    }

    /// <summary>Waits until the transaction pool holds at least <paramref name="count"/> transactions (e.g. the servers' confirmations).</summary>
    /// <param name="devnet">The devnet.</param>
    /// <param name="count">How many.</param>
    /// <param name="what">What they are, for the failure message.</param>
    /// <returns>A task that completes when they are there; it fails the test after <see cref="Guard"/>.</returns>
    public static Task WaitForPoolAsync(EntropyDevnet devnet, int count, string what) =>
        UntilAsync(() => devnet.Chain.Node.PoolCount >= count, () => $"{what}: {count} transaction(s) in the pool (it holds {devnet.Chain.Node.PoolCount})");

    /// <summary>Polls <paramref name="condition"/> every 10 ms until it holds; fails the test after <see cref="Guard"/>.</summary>
    /// <param name="condition">The condition.</param>
    /// <param name="what">What was waited for, for the failure message.</param>
    /// <returns>A task that completes when the condition holds.</returns>
    public static async Task UntilAsync(Func<bool> condition, Func<string> what)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            if (TimeProvider.System.GetElapsedTime(started) > Guard)
            {
                Assert.Fail($"Waited {Guard.TotalSeconds} s for {what()}");
            }

            await Task.Delay(10);
        }
    }
}
