using Entropy.Crypto;
using Entropy.Extrinsics;
using Entropy.Simulator;
using Entropy.Simulator.Runtime;

namespace Entropy.Tests.Registration;

/// <summary>
/// Issue 8 fault matrix, chain side: each fault is provoked through a simulator hook against a fresh chain; the confirmations are
/// driven by the test with the dev TSS accounts so that only the fault under test varies. Every test checks what the user sees and
/// that the node received exactly one <c>register</c> from the account (the SDK never resubmits).
/// </summary>
public class ChainFaultMatrixTests
{
    // PROTOCOL.md §10: the v0.0.10 dev threshold-server mnemonics (subgroup 0 = Alice's TSS, subgroup 1 = Bob's TSS).
    private const string TssAliceMnemonic = "alarm mutual concert decrease hurry invest culture survey diagram crash snap click";
    private const string TssBobMnemonic = "where sight patient orphan general short empower hope party hurt month voice";

    private SimulatedChain _chain = null!;
    private EntropyClient _client = null!;
    private Sr25519Signer _tss0 = null!;
    private Sr25519Signer _tss1 = null!;
    private Sr25519Signer _user = null!;

    [SetUp]
    public void CreateSigners()
    {
        _tss0 = Sr25519Signer.FromMnemonic(TssAliceMnemonic);
        _tss1 = Sr25519Signer.FromMnemonic(TssBobMnemonic);
        _user = Sr25519Signer.FromSecretUri("//Alice//fault-matrix//" + TestContext.CurrentContext.Test.MethodName);
    }

    [TearDown]
    public async Task StopAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        if (_chain is not null)
        {
            await _chain.DisposeAsync();
        }

        _client = null!;
        _chain = null!;
        _tss0.Dispose();
        _tss1.Dispose();
        _user.Dispose();
    }

    [Test]
    public async Task RegisterAsync_NonceSpentBetweenSigningAndSubmission_PoolRejectsStaleAndARetrySucceeds()
    {
        await StartAsync(BlockProductionMode.Interval);
        var spent = false;
        _chain.Node.BeforeSubmit = encoded =>
        {
            if (!spent && IsRegisterFrom(encoded, _user.AccountId))
            {
                // Another wallet of the same account used the nonce in the meantime.
                spent = true;
                _chain.Node.ProduceBlock(state =>
                {
                    var account = EntropyRuntime.GetAccount(state, _user.AccountId.ToArray());
                    account.Nonce++;
                    EntropyRuntime.PutAccount(state, _user.AccountId.ToArray(), account);
                });
            }
        };

        var e = Assert.ThrowsAsync<InvalidTransactionException>(() => _client.RegisterAsync(WaitUntil.Started, _user, TestPrograms.AllowAllPointer));
        Assert.Multiple(async () =>
        {
            Assert.That(e!.Reason, Is.EqualTo(InvalidTransactionReason.Stale));
            Assert.That(RegistrationAudit.RegisterSubmissions(_chain, _user.AccountId), Is.EqualTo(1));
            Assert.That(await _client.GetRegisteringAsync(_user.AccountId), Is.Null);
        });

        // The refused nonce was released: the user's own retry takes the next free nonce and is included.
        var operation = await _client.RegisterAsync(WaitUntil.Started, _user, TestPrograms.AllowAllPointer);
        Assert.Multiple(() =>
        {
            Assert.That(operation.RegisterBlockNumber, Is.Not.Null);
            Assert.That(RegistrationAudit.RegisterInclusions(_chain, _user.AccountId), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task RegisterAsync_FundsSpentAfterPreflight_PoolRejectsPaymentAndNothingIsIncluded()
    {
        await StartAsync(BlockProductionMode.Interval);
        _chain.Node.BeforeSubmit = encoded =>
        {
            if (IsRegisterFrom(encoded, _user.AccountId))
            {
                _chain.Node.ProduceBlock(state =>
                {
                    var account = EntropyRuntime.GetAccount(state, _user.AccountId.ToArray());
                    account.Free = EntropyRuntime.ExistentialDeposit;
                    EntropyRuntime.PutAccount(state, _user.AccountId.ToArray(), account);
                });
            }
        };

        var e = Assert.ThrowsAsync<InvalidTransactionException>(() => _client.RegisterAsync(WaitUntil.Started, _user, TestPrograms.AllowAllPointer));
        Assert.Multiple(async () =>
        {
            Assert.That(e!.Reason, Is.EqualTo(InvalidTransactionReason.Payment));
            Assert.That(RegistrationAudit.RegisterSubmissions(_chain, _user.AccountId), Is.EqualTo(1));
            Assert.That(RegistrationAudit.RegisterInclusions(_chain, _user.AccountId), Is.Zero);
            Assert.That(await _client.GetRegisteringAsync(_user.AccountId), Is.Null);
        });
    }

    [Test]
    public async Task RegisterAsync_ProgramRemovedBeforeInclusion_ThrowsDispatchErrorNamingThePalletError()
    {
        await StartAsync(BlockProductionMode.Interval);
        var programKey = _client.Session.Runtime.ProgramKey(TestPrograms.AllowAllPointer);
        _chain.Node.BeforeSubmit = encoded =>
        {
            if (IsRegisterFrom(encoded, _user.AccountId))
            {
                _chain.Node.ProduceBlock(state => state.Remove(programKey));
            }
        };

        var e = Assert.ThrowsAsync<Entropy.Extrinsics.DispatchException>(() => _client.RegisterAsync(WaitUntil.Started, _user, TestPrograms.AllowAllPointer));
        Assert.Multiple(async () =>
        {
            Assert.That(e!.Error, Is.EqualTo("NoProgramSet"));
            Assert.That(RegistrationAudit.RegisterSubmissions(_chain, _user.AccountId), Is.EqualTo(1));
            Assert.That(RegistrationAudit.RegisterInclusions(_chain, _user.AccountId), Is.EqualTo(1), "included, but its call failed");
            Assert.That(await _client.GetRegisteringAsync(_user.AccountId), Is.Null);
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
                    _chain.DropPendingTransactions();
                }
            });
        var request = new RegisterRequest(_user);
        request.Programs.Add(new ProgramInstance(TestPrograms.AllowAllPointer, []));

        var e = Assert.ThrowsAsync<TransactionException>(() => _client.RegisterAsync(WaitUntil.Started, request, progress));
        await _chain.ProduceBlockAsync();
        await _chain.ProduceBlockAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(e!.Kind, Is.EqualTo(TransactionFailureKind.Dropped));
            Assert.That(e.Status!.Kind, Is.EqualTo(TransactionStatusKind.Dropped));
            Assert.That(e.Message, Does.Contain("not resubmitted"));
            Assert.That(RegistrationAudit.RegisterSubmissions(_chain, _user.AccountId), Is.EqualTo(1));
            Assert.That(RegistrationAudit.RegisterInclusions(_chain, _user.AccountId), Is.Zero);
            Assert.That(await _client.GetRegisteringAsync(_user.AccountId), Is.Null);
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
                    var session = _client.Session;
                    var call = session.Metadata.EncodeCall("System", "remark", Entropy.Metadata.ScaleValue.Named(("remark", Entropy.Metadata.ScaleValue.Bytes([1, 2, 3]))));
                    var transfer = session.Builder.SignAsync(call, _user, TransactionParameters.Immortal(0, 1_000_000)).GetAwaiter().GetResult();
                    usurper = _chain.Node.Submit(transfer.Encoded.ToArray(), null);
                }
            });
        var request = new RegisterRequest(_user);
        request.Programs.Add(new ProgramInstance(TestPrograms.AllowAllPointer, []));

        var e = Assert.ThrowsAsync<TransactionException>(() => _client.RegisterAsync(WaitUntil.Started, request, progress));
        await _chain.ProduceBlockAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(e!.Status!.Kind, Is.EqualTo(TransactionStatusKind.Usurped));
            Assert.That(e.Status.BlockHash, Is.EqualTo("0x" + Convert.ToHexStringLower(usurper!)));
            Assert.That(RegistrationAudit.RegisterSubmissions(_chain, _user.AccountId), Is.EqualTo(1));
            Assert.That(RegistrationAudit.RegisterInclusions(_chain, _user.AccountId), Is.Zero);
            Assert.That(RegistrationAudit.CountIncluded(_chain, "System.remark", _user.AccountId), Is.EqualTo(1));
            Assert.That(await _client.GetRegisteringAsync(_user.AccountId), Is.Null);
        });
    }

    [Test]
    public async Task RegisterAsync_ConnectionDropsBeforeSubmission_ReadsRetryAndOneRegisterIsSent()
    {
        await StartAsync(BlockProductionMode.Interval);
        Assert.That(_chain.DropConnections(), Is.GreaterThan(0));

        var operation = await _client.RegisterAsync(WaitUntil.Started, _user, TestPrograms.AllowAllPointer);
        var registration = await ConfirmAndWaitAsync(operation, 1);

        Assert.Multiple(() =>
        {
            Assert.That(registration.VerifyingKey, Is.EqualTo(RegistrationAudit.Key(0x02, 1)));
            Assert.That(RegistrationAudit.RegisterSubmissions(_chain, _user.AccountId), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task RegisterAsync_ConnectionDropsWhileSubmitting_NodeHasItSoTheOperationResumes()
    {
        await StartAsync(BlockProductionMode.Interval);
        var dropped = false;
        _chain.Node.BeforeSubmit = encoded =>
        {
            if (!dropped && IsRegisterFrom(encoded, _user.AccountId))
            {
                // The node receives the submission but its answer never reaches the client.
                dropped = true;
                _chain.DropConnections();
            }
        };

        var operation = await _client.RegisterAsync(WaitUntil.Started, _user, TestPrograms.AllowAllPointer);
        var registration = await ConfirmAndWaitAsync(operation, 2);

        Assert.Multiple(() =>
        {
            Assert.That(dropped, Is.True);
            Assert.That(registration.VerifyingKey, Is.EqualTo(RegistrationAudit.Key(0x02, 2)));
            Assert.That(RegistrationAudit.RegisterSubmissions(_chain, _user.AccountId), Is.EqualTo(1));
            Assert.That(RegistrationAudit.RegisterInclusions(_chain, _user.AccountId), Is.EqualTo(1));
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
                    _chain.DropConnections();
                }
            });
        var request = new RegisterRequest(_user);
        request.Programs.Add(new ProgramInstance(TestPrograms.AllowAllPointer, []));

        var operation = await _client.RegisterAsync(WaitUntil.Started, request, progress);
        var registration = await ConfirmAndWaitAsync(operation, 3);

        Assert.Multiple(() =>
        {
            Assert.That(operation.RegisterBlockNumber, Is.Not.Null);
            Assert.That(registration.VerifyingKey, Is.EqualTo(RegistrationAudit.Key(0x02, 3)));
            Assert.That(RegistrationAudit.RegisterSubmissions(_chain, _user.AccountId), Is.EqualTo(1));
            Assert.That(RegistrationAudit.RegisterInclusions(_chain, _user.AccountId), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task WaitForCompletionAsync_ConnectionDropsWhileWaitingForConfirmations_Completes()
    {
        await StartAsync(BlockProductionMode.Interval);
        var operation = await _client.RegisterAsync(WaitUntil.Started, _user, TestPrograms.AllowAllPointer);
        var wait = operation.WaitForCompletionAsync();
        await RegistrationAudit.ConfirmAsync(_client, _tss0, _user.AccountId, 0, RegistrationAudit.Key(0x02, 4));

        _chain.DropConnections();
        await _client.IsRegisteredAsync(_user.AccountId); // a retried read: the test's own confirmation is a submission, which is never retried
        await RegistrationAudit.ConfirmAsync(_client, _tss1, _user.AccountId, 1, RegistrationAudit.Key(0x02, 4));
        var registration = await wait;

        Assert.Multiple(() =>
        {
            Assert.That(registration.VerifyingKey, Is.EqualTo(RegistrationAudit.Key(0x02, 4)));
            Assert.That(RegistrationAudit.RegisterSubmissions(_chain, _user.AccountId), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task WaitForCompletionAsync_NodeRestartsMidFlight_ClientReconnectsAndTheOperationResumes()
    {
        await StartAsync(BlockProductionMode.Interval);
        var operation = await _client.RegisterAsync(WaitUntil.Started, _user, TestPrograms.AllowAllPointer);
        var wait = operation.WaitForCompletionAsync();

        await _chain.RestartAsync(TimeSpan.FromMilliseconds(300));
        await _client.IsRegisteredAsync(_user.AccountId); // a retried read: the test's own confirmations are submissions, which are never retried
        var registration = await ConfirmAndWaitAsync(operation, 5);
        await wait;

        Assert.Multiple(() =>
        {
            Assert.That(registration.VerifyingKey, Is.EqualTo(RegistrationAudit.Key(0x02, 5)));
            Assert.That(wait.Result.VerifyingKey, Is.EqualTo(registration.VerifyingKey));
            Assert.That(RegistrationAudit.RegisterSubmissions(_chain, _user.AccountId), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task WaitForCompletionAsync_ReorgRetractsTheRegisterBlock_FollowsTheTransactionToItsNewBlock()
    {
        await StartAsync(BlockProductionMode.Manual, finalityLag: 8);
        var stages = new List<(RegistrationStage Stage, uint? Block)>();
        var progress = new InlineProgress(p => stages.Add((p.Stage, p.BlockNumber)));
        var request = new RegisterRequest(_user);
        request.Programs.Add(new ProgramInstance(TestPrograms.AllowAllPointer, []));
        var registering = _client.RegisterAsync(WaitUntil.Started, request);
        await PumpUntilAsync(registering);
        var operation = await registering;
        var first = operation.RegisterBlockNumber!.Value;
        var firstHash = _chain.Node.GetBlock(first)!.HashHex;

        // Reorg: the register block is retracted; on the new fork an empty block comes first, then register again.
        _chain.RetractBlocks(first);
        _chain.Node.ProduceBlock(null, includePool: false);
        await _chain.ProduceBlockAsync();
        await _chain.ProduceBlockAsync();
        await operation.UpdateStatusAsync();
        var key = RegistrationAudit.Key(0x03, 6);
        var confirms = Task.WhenAll(
            RegistrationAudit.ConfirmAsync(_client, _tss0, _user.AccountId, 0, key),
            RegistrationAudit.ConfirmAsync(_client, _tss1, _user.AccountId, 1, key));
        await PumpUntilAsync(confirms);
        var registration = await operation.WaitForCompletionAsync(progress); // replays every stage observed, then the rest

        Assert.Multiple(() =>
        {
            Assert.That(registration.VerifyingKey, Is.EqualTo(key));
            Assert.That(operation.RegisterBlockNumber, Is.EqualTo(first + 1), "the operation follows register to its block on the new fork");
            Assert.That(_chain.Node.GetBlock(first)!.HashHex, Is.Not.EqualTo(firstHash));
            Assert.That(stages.Count(s => s.Stage == RegistrationStage.InBlock), Is.EqualTo(2));
            Assert.That(RegistrationAudit.RegisterSubmissions(_chain, _user.AccountId), Is.EqualTo(1));
            Assert.That(RegistrationAudit.RegisterInclusions(_chain, _user.AccountId), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task WaitForCompletionAsync_ReorgDropsTheRegisterTransaction_ReportsItDroppedWhenItsEraEnds()
    {
        await StartAsync(BlockProductionMode.Manual, finalityLag: 8, mortality: 4);
        var registering = _client.RegisterAsync(WaitUntil.Started, _user, TestPrograms.AllowAllPointer);
        await PumpUntilAsync(registering);
        var operation = await registering;

        _chain.RetractBlocks(operation.RegisterBlockNumber!.Value, keepTransactions: false);
        var wait = operation.WaitForCompletionAsync();
        await PumpUntilAsync(wait);

        var e = Assert.ThrowsAsync<RegistrationEndedException>(() => wait);
        Assert.Multiple(async () =>
        {
            Assert.That(e!.Reason, Is.EqualTo(RegistrationEndReason.NotIncluded));
            Assert.That(e.OperationId, Is.EqualTo(operation.Id));
            Assert.That(e.Message, Does.Contain("not resubmitted"));
            Assert.That(RegistrationAudit.RegisterSubmissions(_chain, _user.AccountId), Is.EqualTo(1));
            Assert.That(RegistrationAudit.RegisterInclusions(_chain, _user.AccountId), Is.Zero);
            Assert.That(await _client.GetRegisteringAsync(_user.AccountId), Is.Null);
        });
    }

    [Test]
    public async Task RegisterOperation_RecreatedByIdAfterClientRestart_FindsItsBlockAndCompletes()
    {
        await StartAsync(BlockProductionMode.Interval);
        var first = await _client.RegisterAsync(WaitUntil.Started, _user, TestPrograms.AllowAllPointer);
        var id = first.Id;
        var block = first.RegisterBlockNumber;
        await _client.DisposeAsync();

        _client = await EntropyClient.ConnectAsync(_chain.WebSocketEndpoint, Options());
        await TestPrograms.DeployAsync(_client);
        var resumed = new RegisterOperation(id, _client);
        Assert.That(await resumed.UpdateStatusAsync(), Is.False, "still registering");
        Assert.That(resumed.RegisterBlockNumber, Is.EqualTo(block), "found its register block from chain events");
        var registration = await ConfirmAndWaitAsync(resumed, 7);

        Assert.Multiple(() =>
        {
            Assert.That(registration.VerifyingKey, Is.EqualTo(RegistrationAudit.Key(0x02, 7)));
            Assert.That(resumed.RegisterBlockNumber, Is.EqualTo(block));
            Assert.That(RegistrationAudit.RegisterSubmissions(_chain, _user.AccountId), Is.EqualTo(1));
        });
    }

    private static EntropyClientOptions Options(ulong mortality = 64) => new()
    {
        PollingInterval = TimeSpan.FromMilliseconds(50),
        RegistrationTimeout = TimeSpan.FromSeconds(20),
        MortalityPeriod = mortality,
    };

    private async Task StartAsync(BlockProductionMode mode, int finalityLag = 0, ulong mortality = 64)
    {
        _chain = new SimulatedChain(new SimulatedChainOptions { BlockProduction = mode, BlockInterval = TimeSpan.FromMilliseconds(100), FinalityLag = finalityLag });
        await _chain.StartAsync();
        _client = await EntropyClient.ConnectAsync(_chain.WebSocketEndpoint, Options(mortality));

        // Both are signed by //Alice, one after the other; in manual block production the test authors the blocks they wait for.
        await UntilDoneAsync(TestPrograms.DeployAsync(_client));
        await UntilDoneAsync(RegistrationAudit.FundAsync(_client, _user.AccountId));

        async Task UntilDoneAsync(Task task)
        {
            if (mode == BlockProductionMode.Manual)
            {
                await PumpUntilAsync(task);
            }

            await task;
        }
    }

    private async Task<Entropy.Registration> ConfirmAndWaitAsync(RegisterOperation operation, byte fill)
    {
        var key = RegistrationAudit.Key(0x02, fill);
        await RegistrationAudit.ConfirmAsync(_client, _tss0, _user.AccountId, 0, key);
        await RegistrationAudit.ConfirmAsync(_client, _tss1, _user.AccountId, 1, key);
        return await operation.WaitForCompletionAsync();
    }

    /// <summary>In manual block production, authors a block every 20 ms until <paramref name="task"/> ends.</summary>
    private async Task PumpUntilAsync(Task task)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!task.IsCompleted)
        {
            await _chain.ProduceBlockAsync();
            await Task.WhenAny(task, Task.Delay(20, timeout.Token));
        }
    }

    private bool IsRegisterFrom(byte[] encoded, AccountId account)
    {
        var extrinsic = _chain.Node.DecodeExtrinsic(encoded);
        return extrinsic.Call.Name == "register" && extrinsic.Signer is { } s && s.AsSpan().SequenceEqual(account.AsSpan());
    }
}
