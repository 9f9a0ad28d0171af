using Entropy.Crypto;
using Entropy.Extrinsics;
using Entropy.Simulator;
using Entropy.Simulator.Runtime;
using Entropy.Tests.Simulator;

namespace Entropy.Tests.Registration;

/// <summary>
/// Registration faults on the chain side: each fault is provoked through a simulator hook against a fresh chain; the confirmations are
/// driven by the test with the dev TSS accounts so that only the fault under test varies. Every test checks what the user sees and
/// that the node received exactly one <c>register</c> from the account (the SDK never resubmits).
/// </summary>
public class ChainFaultMatrixTests : SimulatedChainClientFixture
{
    /// <summary>Each test starts its own chain (<see cref="StartAsync"/>): the block production, finality lag and mortality vary per
    /// fault, and the faults change the chain's state and hooks.</summary>
    protected override ChainLifetime Lifetime => ChainLifetime.StartedByTest;

    /// <inheritdoc/>
    protected override bool FundedUserPerTest => true;

    [Test]
    public async Task RegisterAsync_NonceSpentBetweenSigningAndSubmission_PoolRejectsStaleAndARetrySucceeds()
    {
        await StartAsync(BlockProductionMode.Interval);
        var spent = false;
        Chain.Node.BeforeSubmit = encoded =>
        {
            if (!spent && IsRegisterFrom(encoded, User.AccountId))
            {
                // Another wallet of the same account used the nonce in the meantime.
                spent = true;
                Chain.Node.ProduceBlock(state =>
                {
                    var account = EntropyRuntime.GetAccount(state, User.AccountId.ToArray());
                    account.Nonce++;
                    EntropyRuntime.PutAccount(state, User.AccountId.ToArray(), account);
                });
            }
        };

        var e = Assert.ThrowsAsync<InvalidTransactionException>(() => Client.RegisterAsync(WaitUntil.Started, User, TestPrograms.AllowAllPointer));
        Assert.Multiple(async () =>
        {
            Assert.That(e!.Reason, Is.EqualTo(InvalidTransactionReason.Stale));
            Assert.That(RegistrationAudit.RegisterSubmissions(Chain, User.AccountId), Is.EqualTo(1));
            Assert.That(await Client.GetRegisteringAsync(User.AccountId), Is.Null);
        });

        // The refused nonce was released: the user's own retry takes the next free nonce and is included.
        var operation = await Client.RegisterAsync(WaitUntil.Started, User, TestPrograms.AllowAllPointer);
        Assert.Multiple(() =>
        {
            Assert.That(operation.RegisterBlockNumber, Is.Not.Null);
            Assert.That(RegistrationAudit.RegisterInclusions(Chain, User.AccountId), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task RegisterAsync_FundsSpentAfterPreflight_PoolRejectsPaymentAndNothingIsIncluded()
    {
        await StartAsync(BlockProductionMode.Interval);
        Chain.Node.BeforeSubmit = encoded =>
        {
            if (IsRegisterFrom(encoded, User.AccountId))
            {
                Chain.Node.ProduceBlock(state =>
                {
                    var account = EntropyRuntime.GetAccount(state, User.AccountId.ToArray());
                    account.Free = EntropyRuntime.ExistentialDeposit;
                    EntropyRuntime.PutAccount(state, User.AccountId.ToArray(), account);
                });
            }
        };

        var e = Assert.ThrowsAsync<InvalidTransactionException>(() => Client.RegisterAsync(WaitUntil.Started, User, TestPrograms.AllowAllPointer));
        Assert.Multiple(async () =>
        {
            Assert.That(e!.Reason, Is.EqualTo(InvalidTransactionReason.Payment));
            Assert.That(RegistrationAudit.RegisterSubmissions(Chain, User.AccountId), Is.EqualTo(1));
            Assert.That(RegistrationAudit.RegisterInclusions(Chain, User.AccountId), Is.Zero);
            Assert.That(await Client.GetRegisteringAsync(User.AccountId), Is.Null);
        });
    }

    [Test]
    public async Task RegisterAsync_ProgramRemovedBeforeInclusion_ThrowsDispatchErrorNamingThePalletError()
    {
        await StartAsync(BlockProductionMode.Interval);
        var programKey = Client.Session.Runtime.ProgramKey(TestPrograms.AllowAllPointer);
        Chain.Node.BeforeSubmit = encoded =>
        {
            if (IsRegisterFrom(encoded, User.AccountId))
            {
                Chain.Node.ProduceBlock(state => state.Remove(programKey));
            }
        };

        var e = Assert.ThrowsAsync<Entropy.Extrinsics.DispatchException>(() => Client.RegisterAsync(WaitUntil.Started, User, TestPrograms.AllowAllPointer));
        Assert.Multiple(async () =>
        {
            Assert.That(e!.Error, Is.EqualTo("NoProgramSet"));
            Assert.That(RegistrationAudit.RegisterSubmissions(Chain, User.AccountId), Is.EqualTo(1));
            Assert.That(RegistrationAudit.RegisterInclusions(Chain, User.AccountId), Is.EqualTo(1), "included, but its call failed");
            Assert.That(await Client.GetRegisteringAsync(User.AccountId), Is.Null);
        });
    }

    [Test]
    public async Task RegisterAsync_TransactionDroppedFromPool_ThrowsDroppedAndNeverResubmits()
    {
        await StartAsync(BlockProductionMode.Manual);
        var progress = new InlineProgress(p =>
            {
                if (p.Stage == RegistrationStage.Submitted)
                {
                    Chain.DropPendingTransactions();
                }
            });
        var request = new RegisterRequest(User);
        request.Programs.Add(new ProgramInstance(TestPrograms.AllowAllPointer, []));

        var e = Assert.ThrowsAsync<TransactionException>(() => Client.RegisterAsync(WaitUntil.Started, request, progress));
        await Chain.ProduceBlockAsync();
        await Chain.ProduceBlockAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(e!.Kind, Is.EqualTo(TransactionFailureKind.Dropped));
            Assert.That(e.Status!.Kind, Is.EqualTo(TransactionStatusKind.Dropped));
            Assert.That(e.Message, Does.Contain("not resubmitted"));
            Assert.That(RegistrationAudit.RegisterSubmissions(Chain, User.AccountId), Is.EqualTo(1));
            Assert.That(RegistrationAudit.RegisterInclusions(Chain, User.AccountId), Is.Zero);
            Assert.That(await Client.GetRegisteringAsync(User.AccountId), Is.Null);
        });
    }

    [Test]
    public async Task RegisterAsync_UsurpedBySameNonceWithHigherTip_ThrowsDroppedWithTheUsurper()
    {
        await StartAsync(BlockProductionMode.Manual);
        byte[]? usurper = null;
        var progress = new InlineProgress(p =>
            {
                if (p.Stage == RegistrationStage.Submitted)
                {
                    // Another wallet of the account sends a transfer with the same nonce and a tip: the pool replaces register with it.
                    var session = Client.Session;
                    var call = session.Metadata.EncodeCall("System", "remark", Entropy.Metadata.ScaleValue.Named(("remark", Entropy.Metadata.ScaleValue.Bytes([1, 2, 3]))));
                    var transfer = session.Builder.SignAsync(call, User, TransactionParameters.Immortal(0, 1_000_000)).GetAwaiter().GetResult();
                    usurper = Chain.Node.Submit(transfer.Encoded.ToArray(), null);
                }
            });
        var request = new RegisterRequest(User);
        request.Programs.Add(new ProgramInstance(TestPrograms.AllowAllPointer, []));

        var e = Assert.ThrowsAsync<TransactionException>(() => Client.RegisterAsync(WaitUntil.Started, request, progress));
        await Chain.ProduceBlockAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(e!.Status!.Kind, Is.EqualTo(TransactionStatusKind.Usurped));
            Assert.That(e.Status.BlockHash, Is.EqualTo("0x" + Convert.ToHexStringLower(usurper!)));
            Assert.That(RegistrationAudit.RegisterSubmissions(Chain, User.AccountId), Is.EqualTo(1));
            Assert.That(RegistrationAudit.RegisterInclusions(Chain, User.AccountId), Is.Zero);
            Assert.That(RegistrationAudit.CountIncluded(Chain, "System.remark", User.AccountId), Is.EqualTo(1));
            Assert.That(await Client.GetRegisteringAsync(User.AccountId), Is.Null);
        });
    }

    [Test]
    public async Task RegisterAsync_ConnectionDropsBeforeSubmission_ReadsRetryAndOneRegisterIsSent()
    {
        await StartAsync(BlockProductionMode.Interval);
        Assert.That(Chain.DropConnections(), Is.GreaterThan(0));

        var operation = await Client.RegisterAsync(WaitUntil.Started, User, TestPrograms.AllowAllPointer);
        var registration = await ConfirmAndWaitAsync(operation, 1);

        Assert.Multiple(() =>
        {
            Assert.That(registration.VerifyingKey, Is.EqualTo(RegistrationAudit.Key(0x02, 1)));
            Assert.That(RegistrationAudit.RegisterSubmissions(Chain, User.AccountId), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task RegisterAsync_ConnectionDropsWhileSubmitting_NodeHasItSoTheOperationResumes()
    {
        await StartAsync(BlockProductionMode.Interval);
        var dropped = false;
        Chain.Node.BeforeSubmit = encoded =>
        {
            if (!dropped && IsRegisterFrom(encoded, User.AccountId))
            {
                // The node receives the submission but its answer never reaches the client.
                dropped = true;
                Chain.DropConnections();
            }
        };

        var operation = await Client.RegisterAsync(WaitUntil.Started, User, TestPrograms.AllowAllPointer);
        var registration = await ConfirmAndWaitAsync(operation, 2);

        Assert.Multiple(() =>
        {
            Assert.That(dropped, Is.True);
            Assert.That(registration.VerifyingKey, Is.EqualTo(RegistrationAudit.Key(0x02, 2)));
            Assert.That(RegistrationAudit.RegisterSubmissions(Chain, User.AccountId), Is.EqualTo(1));
            Assert.That(RegistrationAudit.RegisterInclusions(Chain, User.AccountId), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task RegisterAsync_ConnectionDropsAfterSubmissionBeforeInBlock_ResumesFromChainStateWithoutResubmitting()
    {
        await StartAsync(BlockProductionMode.Interval);
        var progress = new InlineProgress(p =>
            {
                if (p.Stage == RegistrationStage.Submitted)
                {
                    Chain.DropConnections();
                }
            });
        var request = new RegisterRequest(User);
        request.Programs.Add(new ProgramInstance(TestPrograms.AllowAllPointer, []));

        var operation = await Client.RegisterAsync(WaitUntil.Started, request, progress);
        var registration = await ConfirmAndWaitAsync(operation, 3);

        Assert.Multiple(() =>
        {
            Assert.That(operation.RegisterBlockNumber, Is.Not.Null);
            Assert.That(registration.VerifyingKey, Is.EqualTo(RegistrationAudit.Key(0x02, 3)));
            Assert.That(RegistrationAudit.RegisterSubmissions(Chain, User.AccountId), Is.EqualTo(1));
            Assert.That(RegistrationAudit.RegisterInclusions(Chain, User.AccountId), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task WaitForCompletionAsync_ConnectionDropsWhileWaitingForConfirmations_Completes()
    {
        await StartAsync(BlockProductionMode.Interval);
        var operation = await Client.RegisterAsync(WaitUntil.Started, User, TestPrograms.AllowAllPointer);
        var wait = operation.WaitForCompletionAsync();
        await ConfirmAsync(User.AccountId, 0, RegistrationAudit.Key(0x02, 4));

        Chain.DropConnections();
        await Client.IsRegisteredAsync(User.AccountId); // a retried read: the test's own confirmation is a submission, which is never retried
        await ConfirmAsync(User.AccountId, 1, RegistrationAudit.Key(0x02, 4));
        var registration = await wait;

        Assert.Multiple(() =>
        {
            Assert.That(registration.VerifyingKey, Is.EqualTo(RegistrationAudit.Key(0x02, 4)));
            Assert.That(RegistrationAudit.RegisterSubmissions(Chain, User.AccountId), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task WaitForCompletionAsync_NodeRestartsMidFlight_ClientReconnectsAndTheOperationResumes()
    {
        await StartAsync(BlockProductionMode.Interval);
        var operation = await Client.RegisterAsync(WaitUntil.Started, User, TestPrograms.AllowAllPointer);
        var wait = operation.WaitForCompletionAsync();

        await Chain.RestartAsync(TimeSpan.FromMilliseconds(300));
        await Client.IsRegisteredAsync(User.AccountId); // a retried read: the test's own confirmations are submissions, which are never retried
        var registration = await ConfirmAndWaitAsync(operation, 5);
        await wait;

        Assert.Multiple(() =>
        {
            Assert.That(registration.VerifyingKey, Is.EqualTo(RegistrationAudit.Key(0x02, 5)));
            Assert.That(wait.Result.VerifyingKey, Is.EqualTo(registration.VerifyingKey));
            Assert.That(RegistrationAudit.RegisterSubmissions(Chain, User.AccountId), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task WaitForCompletionAsync_ReorgRetractsTheRegisterBlock_FollowsTheTransactionToItsNewBlock()
    {
        await StartAsync(BlockProductionMode.Manual, finalityLag: 8);
        var stages = new List<(RegistrationStage Stage, uint? Block)>();
        var progress = new InlineProgress(p => stages.Add((p.Stage, p.BlockNumber)));
        var request = new RegisterRequest(User);
        request.Programs.Add(new ProgramInstance(TestPrograms.AllowAllPointer, []));
        var registering = Client.RegisterAsync(WaitUntil.Started, request);
        await ProduceBlocksUntilAsync(registering);
        var operation = await registering;
        var first = operation.RegisterBlockNumber!.Value;
        var firstHash = Chain.Node.GetBlock(first)!.HashHex;

        // Reorg: the register block is retracted; on the new fork an empty block comes first, then register again.
        Chain.RetractBlocks(first);
        Chain.Node.ProduceBlock(null, includePool: false);
        await Chain.ProduceBlockAsync();
        await Chain.ProduceBlockAsync();
        await operation.UpdateStatusAsync();
        var key = RegistrationAudit.Key(0x03, 6);
        var confirms = Task.WhenAll(
            ConfirmAsync(User.AccountId, 0, key),
            ConfirmAsync(User.AccountId, 1, key));
        await ProduceBlocksUntilAsync(confirms);
        var registration = await operation.WaitForCompletionAsync(progress); // replays every stage observed, then the rest

        Assert.Multiple(() =>
        {
            Assert.That(registration.VerifyingKey, Is.EqualTo(key));
            Assert.That(operation.RegisterBlockNumber, Is.EqualTo(first + 1), "the operation follows register to its block on the new fork");
            Assert.That(Chain.Node.GetBlock(first)!.HashHex, Is.Not.EqualTo(firstHash));
            Assert.That(stages.Count(s => s.Stage == RegistrationStage.InBlock), Is.EqualTo(2));
            Assert.That(RegistrationAudit.RegisterSubmissions(Chain, User.AccountId), Is.EqualTo(1));
            Assert.That(RegistrationAudit.RegisterInclusions(Chain, User.AccountId), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task WaitForCompletionAsync_ReorgDropsTheRegisterTransaction_ReportsItDroppedWhenItsEraEnds()
    {
        await StartAsync(BlockProductionMode.Manual, finalityLag: 8, mortality: 4);
        var registering = Client.RegisterAsync(WaitUntil.Started, User, TestPrograms.AllowAllPointer);
        await ProduceBlocksUntilAsync(registering);
        var operation = await registering;

        Chain.RetractBlocks(operation.RegisterBlockNumber!.Value, keepTransactions: false);
        var wait = operation.WaitForCompletionAsync();
        await ProduceBlocksUntilAsync(wait);

        var e = Assert.ThrowsAsync<RegistrationEndedException>(() => wait);
        Assert.Multiple(async () =>
        {
            Assert.That(e!.Reason, Is.EqualTo(RegistrationEndReason.NotIncluded));
            Assert.That(e.OperationId, Is.EqualTo(operation.Id));
            Assert.That(e.Message, Does.Contain("not resubmitted"));
            Assert.That(RegistrationAudit.RegisterSubmissions(Chain, User.AccountId), Is.EqualTo(1));
            Assert.That(RegistrationAudit.RegisterInclusions(Chain, User.AccountId), Is.Zero);
            Assert.That(await Client.GetRegisteringAsync(User.AccountId), Is.Null);
        });
    }

    [Test]
    public async Task RegisterOperation_RecreatedByIdAfterClientRestart_FindsItsBlockAndCompletes()
    {
        await StartAsync(BlockProductionMode.Interval);
        var first = await Client.RegisterAsync(WaitUntil.Started, User, TestPrograms.AllowAllPointer);
        var id = first.Id;
        var block = first.RegisterBlockNumber;
        await Running.ReconnectAsync();
        await TestPrograms.DeployAsync(Client);
        var resumed = new RegisterOperation(id, Client);
        Assert.That(await resumed.UpdateStatusAsync(), Is.False, "still registering");
        Assert.That(resumed.RegisterBlockNumber, Is.EqualTo(block), "found its register block from chain events");
        var registration = await ConfirmAndWaitAsync(resumed, 7);

        Assert.Multiple(() =>
        {
            Assert.That(registration.VerifyingKey, Is.EqualTo(RegistrationAudit.Key(0x02, 7)));
            Assert.That(resumed.RegisterBlockNumber, Is.EqualTo(block));
            Assert.That(RegistrationAudit.RegisterSubmissions(Chain, User.AccountId), Is.EqualTo(1));
        });
    }

    private Task StartAsync(BlockProductionMode mode, int finalityLag = 0, ulong mortality = 64) => StartChainAsync(
        options =>
        {
            options.BlockProduction = mode;
            options.FinalityLag = finalityLag;
        },
        options => options.MortalityPeriod = mortality);

    private async Task<Entropy.Registration> ConfirmAndWaitAsync(RegisterOperation operation, byte fill)
    {
        var key = RegistrationAudit.Key(0x02, fill);
        await ConfirmAsync(User.AccountId, 0, key);
        await ConfirmAsync(User.AccountId, 1, key);
        return await operation.WaitForCompletionAsync();
    }

    private bool IsRegisterFrom(byte[] encoded, AccountId account)
    {
        var extrinsic = Chain.Node.DecodeExtrinsic(encoded);
        return extrinsic.Call.Name == "register" && extrinsic.Signer is { } s && s.AsSpan().SequenceEqual(account.AsSpan());
    }
}
