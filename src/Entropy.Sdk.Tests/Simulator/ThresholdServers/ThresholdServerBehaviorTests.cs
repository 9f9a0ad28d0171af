using Entropy.Simulator;
using Entropy.Tests.Registration;
using Sr25519Signer = Entropy.Crypto.Sr25519Signer;

namespace Entropy.Tests.Simulator.ThresholdServers;

/// <summary>
/// <see cref="EntropyDevnetOptions.ServerBehavior"/>: the real v0.0.10 servers' failure modes on request (one account at a time,
/// the rest of a block abandoned at the first failure, no DKG round timeout), and the default that is deliberately better.
/// Each test registers several accounts in one block on a 2 × 1 devnet (1 s blocks) and acts on the first account of the
/// off-chain worker's message.
/// </summary>
[TestFixture(ThresholdServerBehavior.V0010)]
[TestFixture(ThresholdServerBehavior.Robust)]
public class ThresholdServerBehaviorTests(ThresholdServerBehavior behavior) : DevnetFixture
{
    private static readonly TimeSpan s_dkgTimeout = TimeSpan.FromSeconds(3);
    private int _run;

    protected override void ConfigureDevnet(EntropyDevnetOptions options)
    {
        options.BlockInterval = TimeSpan.FromSeconds(1);
        options.DkgTimeout = s_dkgTimeout;
        options.ServerBehavior = behavior;
    }

    protected override void ConfigureClient(EntropyClientOptions options)
    {
        options.RegistrationTimeout = TimeSpan.FromSeconds(30);
    }

    [TearDown]
    public void ClearHooks()
    {
        Devnet.OffchainWorker.BeforePost = null;
        for (var i = 0; i < Devnet.Servers.Count; i++)
        {
            Devnet.Faults(i).FirstDkgMessageReceived = null;
        }
    }

    [Test]
    public async Task ThreeRegistrationsInOneBlock_V0010OneBlockEach_RobustAllAtNPlus2()
    {
        var (users, block, operations) = await RegisterInOneBlockAsync(3);
        foreach (var operation in operations)
        {
            await operation.WaitForCompletionAsync(TimeSpan.FromSeconds(20));
        }

        var registered = await RegisteredBlocksAsync(users.Select(u => u.AccountId).ToList(), block);

        Assert.That(registered, Has.None.EqualTo(0u), "all three registered");
        if (behavior == ThresholdServerBehavior.V0010)
        {
            // Each confirm_register must be in a block before the next DKG starts: three different blocks.
            Assert.That(registered.Distinct().Count(), Is.EqualTo(3), $"registered at {string.Join(", ", registered)} for register block {block}");
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

        var (users, _, _) = await RegisterInOneBlockAsync(2);
        var failed = await first.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var other = users.Single(u => u.AccountId != failed);
        var otherRegistered = await WaitRegisteredAsync(other.AccountId, TimeSpan.FromSeconds(8));

        Assert.Multiple(async () =>
        {
            Assert.That(await Client.IsRegisteredAsync(failed), Is.False);
            Assert.That(otherRegistered, Is.EqualTo(behavior == ThresholdServerBehavior.Robust), "the second account of the block");
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
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Devnet.OffchainWorker.BeforePost = (_, accounts, _) =>
        {
            first.TrySetResult(new AccountId(accounts[0]));
            return Task.CompletedTask;
        };
        Devnet.Faults(1).FirstDkgMessageReceived = async (account, ct) =>
        {
            if (account == await first.Task.WaitAsync(ct))
            {
                await release.Task.WaitAsync(ct); // a stalled party: it never answers in this DKG
            }
        };

        var honest = Devnet.Servers[0];
        var failureBefore = honest.LastDkgFailure;
        try
        {
            var (users, _, _) = await RegisterInOneBlockAsync(2);
            var stalled = await first.Task.WaitAsync(TimeSpan.FromSeconds(10));
            var other = users.Single(u => u.AccountId != stalled);
            var otherRegistered = await WaitRegisteredAsync(other.AccountId, s_dkgTimeout + TimeSpan.FromSeconds(6));

            Assert.Multiple(async () =>
            {
                Assert.That(await Client.IsRegisteredAsync(stalled), Is.False);
                Assert.That(otherRegistered, Is.EqualTo(behavior == ThresholdServerBehavior.Robust), "the second account of the block");
                if (behavior == ThresholdServerBehavior.V0010)
                {
                    // No round timeout: past DkgTimeout the honest server still waits in the first DKG and has reported nothing.
                    Assert.That(honest.LastDkgFailure, Is.SameAs(failureBefore), honest.LastDkgFailure?.Message);
                }
                else
                {
                    for (var i = 0; i < 100 && ReferenceEquals(honest.LastDkgFailure, failureBefore); i++)
                    {
                        await Task.Delay(100);
                    }

                    Assert.That(honest.LastDkgFailure, Is.InstanceOf<Entropy.Protocol.Dkg.DkgException>());
                    Assert.That(((Entropy.Protocol.Dkg.DkgException)honest.LastDkgFailure!).Reason, Is.EqualTo(Entropy.Protocol.Dkg.DkgFailureReason.Timeout));
                }
            });
        }
        finally
        {
            release.TrySetResult();
        }
    }

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

    /// <summary>Funds fresh accounts and submits their registrations so that they land in one block (retried with new accounts if not).</summary>
    private async Task<(IReadOnlyList<Sr25519Signer> Users, uint Block, IReadOnlyList<RegisterOperation> Operations)> RegisterInOneBlockAsync(int count)
    {
        for (var attempt = 0; ; attempt++)
        {
            var run = Interlocked.Increment(ref _run);
            var users = Enumerable.Range(0, count).Select(i => Sr25519Signer.FromSecretUri($"//Alice//behavior//{behavior}//{run}//{i}")).ToList();
            await RegistrationAudit.FundAsync(Client, [.. users.Select(u => u.AccountId)]);
            var operations = await Task.WhenAll(users.Select(u => Client.RegisterAsync(WaitUntil.Started, u, TestPrograms.AllowAllPointer)));
            var blocks = operations.Select(o => o.RegisterBlockNumber!.Value).Distinct().ToList();
            if (blocks.Count == 1 || attempt == 3)
            {
                Assert.That(blocks, Has.Count.EqualTo(1), "the registrations landed in one block");
                return (users, blocks[0], operations);
            }
        }
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

    private async Task<bool> WaitRegisteredAsync(AccountId account, TimeSpan within)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(started) < within)
        {
            if (await Client.IsRegisteredAsync(account))
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }
}
