using Entropy.Protocol.Dkg;
using Entropy.Simulator;
using Entropy.Tests.Registration;
using Microsoft.Extensions.Time.Testing;
using Sr25519Signer = Entropy.Crypto.Sr25519Signer;

namespace Entropy.Tests.Simulator.ThresholdServers;

/// <summary>
/// <see cref="EntropyDevnetOptions.ServerBehavior"/>: the real v0.0.10 servers' failure modes on request (one account at a time,
/// the rest of a block abandoned at the first failure, no DKG round timeout), and the default that is deliberately better.
/// Each test registers several accounts in one block N on a 2 × 1 devnet and acts on the first account of the off-chain worker's
/// message. The test authors the blocks (<see cref="BlockProductionMode.Manual"/>, <see cref="ManualDevnetBlocks"/>) and moves the
/// servers' clock (<see cref="EntropyDevnetOptions.TimeProvider"/>, a <see cref="FakeTimeProvider"/>): "the DKG timeout passed" is
/// an advance of that clock, and "it does not happen" is checked once the servers are done with the block (or the timeout has
/// fired) and two more blocks have been authored, not after a wall-clock window.
/// </summary>
[TestFixture(ThresholdServerBehavior.V0010)]
[TestFixture(ThresholdServerBehavior.Robust)]
public class ThresholdServerBehaviorTests(ThresholdServerBehavior behavior) : DevnetFixture
{
    private static readonly TimeSpan s_dkgTimeout = TimeSpan.FromMinutes(10);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly List<TaskCompletionSource> _releaseAtTearDown = [];
    private int _run;

    protected override void ConfigureDevnet(EntropyDevnetOptions options)
    {
        options.BlockProduction = BlockProductionMode.Manual;
        options.TimeProvider = _time;
        options.DkgTimeout = s_dkgTimeout;
        options.ServerBehavior = behavior;
    }

    protected override void ConfigureClient(EntropyClientOptions options)
    {
        options.RegistrationTimeout = TimeSpan.FromSeconds(30);
    }

    [TearDown]
    public async Task ClearHooksAsync()
    {
        foreach (var release in _releaseAtTearDown)
        {
            release.TrySetResult();
        }

        _releaseAtTearDown.Clear();
        Devnet.OffchainWorker.BeforePost = null;
        for (var i = 0; i < Devnet.Servers.Count; i++)
        {
            Devnet.Faults(i).FirstDkgMessageReceived = null;
        }

        // The next test starts from an empty pool (its waits count transactions).
        for (var i = 0; i < 5 && Devnet.Chain.Node.PoolCount > 0; i++)
        {
            await ProduceAsync();
        }
    }

    [Test]
    public async Task ThreeRegistrationsInOneBlock_V0010OneBlockEach_RobustAllAtNPlus2()
    {
        var runsBefore = DkgRuns();
        var (users, block) = await RegisterInOneBlockAsync(3);
        await ProduceAsync(); // N+1: the off-chain worker posts Dkg[N] to the committee.

        // Robust: all three DKGs at once, six confirmations (two servers × three accounts) before N+2. V0010: one account per block,
        // each confirmation in a block before the next DKG starts (so each server has started one more DKG per block, never more).
        var accountsPerBlock = behavior == ThresholdServerBehavior.Robust ? 3 : 1;
        for (var done = 0; done < 3; done += accountsPerBlock)
        {
            await ManualDevnetBlocks.WaitForPoolAsync(Devnet, 2 * accountsPerBlock, $"the confirmations of account(s) {done + 1}..{done + accountsPerBlock}");
            Assert.That(DkgRunsSince(runsBefore), Has.All.EqualTo(done + accountsPerBlock), "DKG runs started per server");
            await ProduceAsync();
        }

        var registered = await RegisteredBlocksAsync([.. users.Select(u => u.AccountId)], block);

        Assert.That(registered, Has.None.EqualTo(0u), "all three registered");
        if (behavior == ThresholdServerBehavior.V0010)
        {
            Assert.That(registered.Order(), Is.EqualTo(new[] { block + 2, block + 3, block + 4 }), $"registered at {string.Join(", ", registered)} for register block {block}");
        }
        else
        {
            Assert.That(registered, Has.All.EqualTo(block + 2), "all at N+2");
        }
    }

    [Test]
    public async Task FirstAccountsDkgFailsOnBothServers_V0010AbandonsTheRest_RobustRegistersTheRest()
    {
        var first = new TaskCompletionSource<AccountId>(TaskCreationOptions.RunContinuationsAsynchronously);
        SetHooks(first, async (account, ct) =>
        {
            if (account == await first.Task.WaitAsync(ct))
            {
                throw new InvalidOperationException("injected failure of the first account's DKG");
            }
        });
        var failuresBefore = Devnet.Servers.Select(s => s.LastDkgFailure).ToList();
        var runsBefore = DkgRuns();

        var (users, _) = await RegisterInOneBlockAsync(2);
        await ProduceAsync(); // N+1
        var failed = await first.Task.WaitAsync(ManualDevnetBlocks.Guard);
        var other = users.Single(u => u.AccountId != failed);

        // Both servers have reported the first account's failure: its DKG is over everywhere, it can no longer be confirmed.
        await ManualDevnetBlocks.UntilAsync(
            () => Devnet.Servers.Select((s, i) => !ReferenceEquals(s.LastDkgFailure, failuresBefore[i])).All(x => x),
            () => "both servers to report the injected failure");
        if (behavior == ThresholdServerBehavior.Robust)
        {
            await ManualDevnetBlocks.WaitForPoolAsync(Devnet, 2, "the confirmations of the block's second account");
        }
        else
        {
            // The servers are done with the block: nothing is left running that could still register the second account (a server
            // that went on to it would put its confirmation in the pool, which ends this wait too and fails the checks below).
            using var guard = new CancellationTokenSource(ManualDevnetBlocks.Guard);
            var idle = Task.WhenAll(Devnet.Servers.Select(s => s.WhenBackgroundIdleAsync(guard.Token)));
            await ManualDevnetBlocks.UntilAsync(() => idle.IsCompleted || Devnet.Chain.Node.PoolCount > 0, () => "the servers to finish the block's message");
        }

        await ProduceAsync(); // N+2: where the second account registers in Robust mode.
        await ProduceAsync(); // N+3: one more, for a server that would take the accounts one after another.

        Assert.Multiple(async () =>
        {
            Assert.That(await Client.IsRegisteredAsync(failed), Is.False);
            Assert.That(await Client.IsRegisteredAsync(other.AccountId), Is.EqualTo(behavior == ThresholdServerBehavior.Robust), "the second account of the block");
            Assert.That(DkgRunsSince(runsBefore), Has.All.EqualTo(behavior == ThresholdServerBehavior.Robust ? 2 : 1), "DKG runs started per server");
            Assert.That(Devnet.Chain.Node.PoolCount, Is.Zero, "nothing left to include");
            if (behavior == ThresholdServerBehavior.V0010)
            {
                Assert.That(await Client.GetRegisteringAsync(other.AccountId), Is.Not.Null, "abandoned: registering until pruned");
            }
        });
    }

    [Test]
    public async Task OneServerStallsInTheFirstAccountsDkg_V0010BlocksTheWholeBlock_RobustTimesOutAndRegistersTheRest()
    {
        var first = new TaskCompletionSource<AccountId>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stalling = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _releaseAtTearDown.Add(release);
        Devnet.OffchainWorker.BeforePost = (_, accounts, _) =>
        {
            first.TrySetResult(new AccountId(accounts[0]));
            return Task.CompletedTask;
        };
        Devnet.Faults(1).FirstDkgMessageReceived = async (account, ct) =>
        {
            if (account == await first.Task.WaitAsync(ct))
            {
                stalling.TrySetResult();
                await release.Task.WaitAsync(ct); // a stalled party: it never answers in this DKG
            }
        };

        var honest = Devnet.Servers[0];
        var failuresBefore = Devnet.Servers.Select(s => s.LastDkgFailure).ToList();
        var runsBefore = DkgRuns();
        var (users, block) = await RegisterInOneBlockAsync(2);
        await ProduceAsync(); // N+1
        var stalled = await first.Task.WaitAsync(ManualDevnetBlocks.Guard);
        var other = users.Single(u => u.AccountId != stalled);

        // The stalled server has the honest one's first message: the honest server is in the rounds, its round timeout is running.
        await stalling.Task.WaitAsync(ManualDevnetBlocks.Guard);
        if (behavior == ThresholdServerBehavior.Robust)
        {
            await ManualDevnetBlocks.WaitForPoolAsync(Devnet, 2, "the confirmations of the block's second account");
            Assert.That(await ProduceAsync(), Is.EqualTo(block + 2));
            Assert.That(await Client.IsRegisteredAsync(other.AccountId), Is.True, "the second account registers at N+2 while the first stalls");
        }

        // The DKG timeout passes (twice over), then two blocks.
        _time.Advance(2 * s_dkgTimeout);
        if (behavior == ThresholdServerBehavior.Robust)
        {
            // Both ends of the stalled DKG time out (the stalled party's wait is cancelled by its own round timeout).
            await ManualDevnetBlocks.UntilAsync(
                () => Devnet.Servers.Select((s, i) => !ReferenceEquals(s.LastDkgFailure, failuresBefore[i]) && s.LastDkgFailure is DkgException { Reason: DkgFailureReason.Timeout }).All(x => x),
                () => $"both servers to report the DKG timeout (honest: {honest.LastDkgFailure?.Message})");
        }

        await ProduceAsync();
        await ProduceAsync();

        if (behavior == ThresholdServerBehavior.Robust)
        {
            Assert.Multiple(async () =>
            {
                Assert.That(await Client.IsRegisteredAsync(stalled), Is.False, "the stalled account");
                Assert.That(((DkgException)honest.LastDkgFailure!).Culprits, Has.Count.EqualTo(1), honest.LastDkgFailure!.Message);
                Assert.That(DkgRunsSince(runsBefore), Has.All.EqualTo(2), "DKG runs started per server");
                Assert.That(Devnet.Chain.Node.PoolCount, Is.Zero, "nothing left to include");
            });
            return;
        }

        // V0010: no round timeout. Past it the honest server still waits in the first DKG, has reported nothing, and has not started
        // the second account's DKG: nothing of the block registers.
        Assert.Multiple(async () =>
        {
            Assert.That(honest.LastDkgFailure, Is.SameAs(failuresBefore[0]), honest.LastDkgFailure?.Message);
            Assert.That(await Client.IsRegisteredAsync(stalled), Is.False, "the stalled account");
            Assert.That(await Client.IsRegisteredAsync(other.AccountId), Is.False, "the second account of the block");
            Assert.That(DkgRunsSince(runsBefore), Has.All.EqualTo(1), "DKG runs started per server");
            Assert.That(Devnet.Chain.Node.PoolCount, Is.Zero, "nothing to include");
        });

        // Proof that the first DKG was still alive after the timeout: once the stalled party answers it completes, and only then does
        // the second account's DKG run (one account per block).
        release.TrySetResult();
        await ManualDevnetBlocks.WaitForPoolAsync(Devnet, 2, "the confirmations of the stalled account, once released");
        var stalledAt = await ProduceAsync();
        await ManualDevnetBlocks.WaitForPoolAsync(Devnet, 2, "the confirmations of the second account");
        var otherAt = await ProduceAsync();
        Assert.That(await RegisteredBlocksAsync([stalled, other.AccountId], block), Is.EqualTo(new[] { stalledAt, otherAt }));
        Assert.That(Devnet.Servers.Select(s => s.LastDkgFailure).ToList(), Is.EqualTo(failuresBefore), "no server reported a failure");
    }

    private Task<uint> ProduceAsync() => ManualDevnetBlocks.ProduceAsync(Devnet);

    private List<int> DkgRuns() => [.. Devnet.Servers.Select(s => s.DkgRuns)];

    private List<int> DkgRunsSince(List<int> before) => [.. Devnet.Servers.Select((s, i) => s.DkgRuns - before[i])];

    private void SetHooks(TaskCompletionSource<AccountId> first, Func<AccountId, CancellationToken, Task> hook)
    {
        Devnet.OffchainWorker.BeforePost = (_, accounts, _) =>
        {
            first.TrySetResult(new AccountId(accounts[0]));
            return Task.CompletedTask;
        };
        for (var i = 0; i < Devnet.Servers.Count; i++)
        {
            Devnet.Faults(i).FirstDkgMessageReceived = hook;
        }
    }

    /// <summary>Funds fresh accounts, submits their registrations and authors the one block N that includes them all.</summary>
    private async Task<(IReadOnlyList<Sr25519Signer> Users, uint Block)> RegisterInOneBlockAsync(int count)
    {
        var run = Interlocked.Increment(ref _run);
        var users = Enumerable.Range(0, count).Select(i => Sr25519Signer.FromSecretUri($"//Alice//behavior//{behavior}//{run}//{i}")).ToList();
        await ManualDevnetBlocks.WhilePendingAsync(Devnet, RegistrationAudit.FundAsync(Client, [.. users.Select(u => u.AccountId)]));
        Assert.That(Devnet.Chain.Node.PoolCount, Is.Zero, "the pool is empty before the registrations");
        var registering = users.Select(u => Client.RegisterAsync(WaitUntil.Started, u, TestPrograms.AllowAllPointer)).ToList();
        await ManualDevnetBlocks.UntilAsync(
            () => Devnet.Chain.Node.PoolCount >= count || registering.Any(t => t.IsFaulted),
            () => $"{count} registrations in the pool");
        var block = await ProduceAsync();
        var operations = await Task.WhenAll(registering).WaitAsync(ManualDevnetBlocks.Guard);
        Assert.That(operations.Select(o => o.RegisterBlockNumber), Has.All.EqualTo(block), "the registrations are in block N");
        return (users, block);
    }

    /// <summary>Reads the block of each account's <c>AccountRegistered</c> event (exact, unlike the head at which a client saw it).</summary>
    private async Task<List<uint>> RegisteredBlocksAsync(IReadOnlyList<AccountId> accounts, uint from)
    {
        await using var observer = await Entropy.Chain.SubstrateClient.ConnectAsync(Devnet.Endpoint);
        var result = accounts.Select(_ => 0u).ToList();
        var head = (await observer.GetHeaderAsync())!.Number;
        for (var n = from; n <= head; n++)
        {
            foreach (var e in await observer.GetEventsAsync(await observer.GetBlockHashAsync(n)))
            {
                if (e.Name == "AccountRegistered" && e.Fields.Count > 0 && e.Fields[0].TryGetBytes(out var who))
                {
                    var i = accounts.ToList().FindIndex(a => a.AsSpan().SequenceEqual(who));
                    if (i >= 0)
                    {
                        result[i] = n;
                    }
                }
            }
        }

        return result;
    }
}
