using Entropy.Crypto;
using Entropy.Simulator;
using Entropy.Simulator.KeyStore;
using Entropy.Simulator.ThresholdServers;
using Entropy.Tests.Simulator;

namespace Entropy.Tests.Registration;

/// <summary>
/// Registration faults on the threshold-server side: a fresh devnet (chain + 2 servers, real DKG over loopback) per test, one fault
/// each. Every test checks what the user sees, that exactly one <c>register</c> reached the node, and that the servers' key shares
/// are where they should be and survive a restart (the store reopens with its password).
/// </summary>
public class DevnetFaultMatrixTests : DevnetFixture
{
    private Sr25519Signer _user = null!;

    /// <summary>Fresh per test: each fault stops or restarts servers and the node, sets fault hooks, and the tests count DKG runs,
    /// failures and confirmations chain-wide.</summary>
    protected override bool FreshDevnetPerTest => true;

    /// <inheritdoc/>
    protected override void ConfigureDevnet(EntropyDevnetOptions options)
    {
        options.DkgTimeout = TimeSpan.FromSeconds(3);
        options.LoggerFactory = new WarningLoggerFactory();
    }

    /// <inheritdoc/>
    protected override void ConfigureClient(EntropyClientOptions options) => options.RegistrationTimeout = TimeSpan.FromSeconds(30);

    [SetUp]
    public async Task FundUserAsync()
    {
        _user = Sr25519Signer.FromSecretUri("//Alice//devnet-fault//" + TestContext.CurrentContext.Test.MethodName);
        await RegistrationAudit.FundAsync(Client, _user.AccountId);
    }

    [TearDown]
    public void DisposeUser() => _user.Dispose();

    [Test]
    public async Task WaitForCompletionAsync_ServerConfirmsAWrongKey_FailedRegistrationAndBothSharesKept()
    {
        Devnet.Faults(1).ConfirmWrongKey = true;

        var operation = await Client.RegisterAsync(WaitUntil.Started, _user, TestPrograms.AllowAllPointer);
        var e = Assert.ThrowsAsync<RegistrationEndedException>(() => operation.WaitForCompletionAsync());
        Assert.That(e!.Reason, Is.EqualTo(RegistrationEndReason.KeysDiffered));

        Assert.Multiple(async () =>
        {
            Assert.That(e!.Account, Is.EqualTo(_user.AccountId));
            Assert.That(await Client.IsRegisteredAsync(_user.AccountId), Is.False);
            Assert.That(RegistrationAudit.RegisterSubmissions(Devnet.Chain, _user.AccountId), Is.EqualTo(1));
        });
        var shares = await RegistrationAudit.SharesSurviveRestartAsync(Devnet, _user.AccountId);
        Assert.That(shares, Has.All.Not.Null, "the DKG itself succeeded; the lie is only in the confirmation");
    }

    [Test]
    public async Task WaitForCompletionAsync_StuckRegistrationPruned_RegistrationCancelledAndNoShareAnywhere()
    {
        await Devnet.StopServerAsync(1);
        var operation = await Client.RegisterAsync(WaitUntil.Started, _user, TestPrograms.AllowAllPointer);
        var wait = operation.WaitForCompletionAsync();

        await Client.PruneRegistrationAsync(_user);

        Assert.That(Assert.ThrowsAsync<RegistrationEndedException>(() => wait)!.Reason, Is.EqualTo(RegistrationEndReason.Pruned));
        await Devnet.RestartServerAsync(1);
        var shares = await RegistrationAudit.SharesSurviveRestartAsync(Devnet, _user.AccountId);
        Assert.Multiple(async () =>
        {
            Assert.That(shares, Has.All.Null);
            Assert.That(await Client.GetRegisteringAsync(_user.AccountId), Is.Null);
            Assert.That(RegistrationAudit.RegisterSubmissions(Devnet.Chain, _user.AccountId), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task WaitForCompletionAsync_OneServerNeverConfirms_TimesOutWithOneOfTwoAndTheCommittee()
    {
        Devnet.Faults(1).SkipConfirmation = true;
        var operation = await Client.RegisterAsync(WaitUntil.Started, _user, TestPrograms.AllowAllPointer);
        await WaitForAsync(async () => (await Client.GetRegisteringAsync(_user.AccountId))?.Confirmations == 1);

        var e = Assert.ThrowsAsync<RegistrationTimeoutException>(() => RegistrationAudit.WaitWithTimeoutAsync(Devnet.Endpoint, operation, TimeSpan.FromSeconds(1)));

        Assert.Multiple(() =>
        {
            Assert.That(e!.Confirmations, Is.EqualTo(1));
            Assert.That(e.RequiredConfirmations, Is.EqualTo(2));
            Assert.That(e.Committee.Select(s => s.Endpoint), Is.EquivalentTo(Devnet.ThresholdServerEndpoints));
            Assert.That(e.Message, Does.Contain("1 of 2"));
            Assert.That(RegistrationAudit.RegisterSubmissions(Devnet.Chain, _user.AccountId), Is.EqualTo(1));
        });
        var shares = await RegistrationAudit.SharesSurviveRestartAsync(Devnet, _user.AccountId);
        Assert.That(shares, Has.All.Not.Null);
    }

    [Test]
    public async Task RegisterAsync_ServerCrashesMidDkgAndRestarts_NoShareStoredThenPruneAndRetrySucceeds()
    {
        Devnet.Faults(1).DelayMessages = TimeSpan.FromSeconds(2);
        var operation = await Client.RegisterAsync(WaitUntil.Started, _user, TestPrograms.AllowAllPointer);
        var registerBlock = operation.RegisterBlockNumber!.Value;
        await WaitForAsync(() => Task.FromResult(Devnet.Chain.BestBlockNumber >= registerBlock + 2));

        await Devnet.StopServerAsync(1);
        await WaitForAsync(() => Task.FromResult(Devnet.Servers[0].LastDkgFailure is not null));
        await Devnet.RestartServerAsync(1);
        Devnet.Faults(1).DelayMessages = TimeSpan.Zero;

        var e = Assert.ThrowsAsync<RegistrationTimeoutException>(() => RegistrationAudit.WaitWithTimeoutAsync(Devnet.Endpoint, operation, TimeSpan.FromSeconds(1)));
        Assert.That(e!.Confirmations, Is.Zero);
        var shares = await RegistrationAudit.SharesSurviveRestartAsync(Devnet, _user.AccountId);
        Assert.That(shares, Has.All.Null, "a failed DKG stores nothing");

        await Client.PruneRegistrationAsync(_user);
        var retry = await Client.RegisterAsync(WaitUntil.Completed, _user, TestPrograms.AllowAllPointer);

        Assert.Multiple(async () =>
        {
            Assert.That(retry.Value.VerifyingKey, Is.EqualTo((await Client.GetRegistrationAsync(_user.AccountId))!.VerifyingKey));
            Assert.That(RegistrationAudit.RegisterSubmissions(Devnet.Chain, _user.AccountId), Is.EqualTo(2), "one per RegisterAsync call: the SDK itself never resent");
        });
        Assert.That(await RegistrationAudit.SharesSurviveRestartAsync(Devnet, _user.AccountId), Has.All.Not.Null);
    }

    [Test]
    public async Task RegisterAsync_SlowServer_CompletesAndBothSharesSurviveARestart()
    {
        Devnet.Faults(1).DelayMessages = TimeSpan.FromMilliseconds(400);

        var operation = await Client.RegisterAsync(WaitUntil.Completed, _user, TestPrograms.AllowAllPointer);

        Assert.Multiple(() =>
        {
            Assert.That(operation.HasCompleted, Is.True);
            Assert.That(RegistrationAudit.RegisterSubmissions(Devnet.Chain, _user.AccountId), Is.EqualTo(1));
        });
        Assert.That(await RegistrationAudit.SharesSurviveRestartAsync(Devnet, _user.AccountId), Has.All.Not.Null);
    }

    [Test]
    public async Task UserNew_ReplayedAfterRegistration_IsRefusedAndNoShareChanges()
    {
        var operation = await Client.RegisterAsync(WaitUntil.Completed, _user, TestPrograms.AllowAllPointer);
        var replay = await UserNewReplayAsync(operation.RegisterBlockNumber!.Value);
        var before = await RegistrationAudit.SharesSurviveRestartAsync(Devnet, _user.AccountId);

        var answers = await PostUserNewToEveryServerAsync(replay);
        Assert.That(answers.Select(a => a.Status), Has.All.EqualTo(500), string.Join(" | ", answers.Select(a => a.Body)));

        Assert.Multiple(async () =>
        {
            for (var i = 0; i < Devnet.Servers.Count; i++)
            {
                Assert.That(await Devnet.Servers[i].Store.GetAsync(_user.AccountId.ToSs58()), Is.EqualTo(before[i]), $"server {i}'s share");
            }

            Assert.That(RegistrationAudit.RegisterSubmissions(Devnet.Chain, _user.AccountId), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task UserNew_ReplayedWhileTheDkgIsHeldAndBeforeConfirmations_IsRefusedNoSecondDkgAndTheRegistrationCompletes()
    {
        var holdDkg = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holdConfirmation = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var i = 0; i < Devnet.Servers.Count; i++)
        {
            Devnet.Faults(i).HoldDkg = holdDkg.Task;
            Devnet.Faults(i).HoldConfirmation = holdConfirmation.Task;
        }

        try
        {
            var operation = await Client.RegisterAsync(WaitUntil.Started, _user, TestPrograms.AllowAllPointer);
            var block = operation.RegisterBlockNumber!.Value;
            var replay = await UserNewReplayAsync(block);

            // 1. Both servers accepted the genuine /user/new (their replay guard holds its block), and the DKG has not started.
            await WaitForAsync(async () => (await Task.WhenAll(Devnet.Servers.Select(s => s.Store.GetAsync(EncryptedKeyStore.LatestBlockNumberNewUser)))).All(b => b is { Length: 4 } && System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(b) == block));
            var duringDkg = await PostUserNewToEveryServerAsync(replay);
            Assert.Multiple(async () =>
            {
                Assert.That(duringDkg, Has.All.EqualTo((500, "Data is repeated")));
                Assert.That(Devnet.Servers.Select(s => s.DkgRuns), Has.All.Zero, "the replay started no DKG");
                Assert.That(await RegisteringConfirmationsAsync(), Is.Zero);
            });

            // 2. The DKG ran and both shares are stored; the confirmations are held.
            holdDkg.SetResult();
            await WaitForAsync(async () => (await Task.WhenAll(Devnet.Servers.Select(s => s.Store.GetAsync(_user.AccountId.ToSs58())))).All(b => b is not null));
            var before = await Task.WhenAll(Devnet.Servers.Select(s => s.Store.GetAsync(_user.AccountId.ToSs58())));
            var beforeConfirmations = await PostUserNewToEveryServerAsync(replay);
            Assert.Multiple(async () =>
            {
                Assert.That(beforeConfirmations, Has.All.EqualTo((500, "Data is repeated")));
                Assert.That(await RegisteringConfirmationsAsync(), Is.Zero, "still registering, nothing confirmed");
                for (var i = 0; i < Devnet.Servers.Count; i++)
                {
                    Assert.That(await Devnet.Servers[i].Store.GetAsync(_user.AccountId.ToSs58()), Is.EqualTo(before[i]), $"server {i}'s share");
                }
            });

            // 3. Released: the registration completes with the shares of the one DKG.
            holdConfirmation.SetResult();
            var registration = await operation.WaitForCompletionAsync();
            Assert.Multiple(() =>
            {
                Assert.That(Devnet.Servers.Select(s => s.DkgRuns), Has.All.EqualTo(1), "exactly one DKG per server");
                Assert.That(registration.VerifyingKey.ToArray(), Is.EqualTo(ThresholdServerHost.ParseShare(before[0]!).VerifyingKey));
                Assert.That(RegistrationAudit.RegisterSubmissions(Devnet.Chain, _user.AccountId), Is.EqualTo(1));
            });
            Assert.That(await RegistrationAudit.SharesSurviveRestartAsync(Devnet, _user.AccountId), Is.EqualTo(before));
        }
        finally
        {
            holdDkg.TrySetResult();
            holdConfirmation.TrySetResult();
        }
    }

    [Test]
    public async Task RegisterAsync_LyingServerSendsABadShare_HonestServerNamesItStoresNothingAndTheStoresReopen()
    {
        Devnet.Faults(1).SendInconsistentShare = true;
        var honest = Devnet.Servers[0];
        var cheater = Devnet.Servers[1];

        var operation = await Client.RegisterAsync(WaitUntil.Started, _user, TestPrograms.AllowAllPointer);
        await WaitForAsync(() => Task.FromResult(honest.LastDkgFailure is not null));

        // The cheater's own run ends one way or the other (it may have received the honest share before the honest server stopped).
        await WaitForAsync(async () => cheater.LastDkgFailure is not null || await cheater.Store.GetAsync(_user.AccountId.ToSs58()) is not null);
        var e = Assert.ThrowsAsync<RegistrationTimeoutException>(() => RegistrationAudit.WaitWithTimeoutAsync(Devnet.Endpoint, operation, TimeSpan.FromSeconds(1)));
        var failure = honest.LastDkgFailure as Entropy.Protocol.Dkg.DkgException;
        Assert.Multiple(async () =>
        {
            Assert.That(failure, Is.Not.Null, honest.LastDkgFailure!.ToString());
            Assert.That(failure!.Reason, Is.EqualTo(Entropy.Protocol.Dkg.DkgFailureReason.InconsistentShare));
            Assert.That(failure.Culprit, Is.EqualTo(new Entropy.Protocol.Dkg.PartyId(cheater.Account.AsSpan())), "the honest server names the cheater");
            Assert.That(e!.Confirmations, Is.LessThan(2));
            Assert.That(await Client.IsRegisteredAsync(_user.AccountId), Is.False);
            Assert.That(RegistrationAudit.RegisterSubmissions(Devnet.Chain, _user.AccountId), Is.EqualTo(1), "the SDK did not resubmit");
        });
        var shares = await RegistrationAudit.SharesSurviveRestartAsync(Devnet, _user.AccountId);
        Assert.That(shares[0], Is.Null, "the honest server stored nothing");
        Assert.That(await Client.GetRegisteringAsync(_user.AccountId), Is.Not.Null, "registering until pruned");
    }

    private async Task<int?> RegisteringConfirmationsAsync() => (await Client.GetRegisteringAsync(_user.AccountId))?.Confirmations;

    /// <summary>The off-chain worker's <c>/user/new</c> body for the test's user registered in <paramref name="block"/> (to replay it).</summary>
    private async Task<byte[]> UserNewReplayAsync(uint block)
    {
        var committee = await Client.GetDkgCommitteeAsync(block + 1);
        return new OcwMessageDkg(
            block,
            [_user.AccountId.ToArray()],
            [.. committee.Select(s => new ValidatorInfo(s.X25519PublicKey.ToArray(), System.Text.Encoding.UTF8.GetBytes(s.Endpoint), s.TssAccount.ToArray()))]).Encode();
    }

    private async Task<IReadOnlyList<(int Status, string Body)>> PostUserNewToEveryServerAsync(byte[] body)
    {
        using var http = new HttpClient();
        var answers = new List<(int, string)>();
        foreach (var endpoint in Devnet.ThresholdServerEndpoints)
        {
            using var content = new ByteArrayContent(body);
            using var response = await http.PostAsync(new Uri($"http://{endpoint}/user/new"), content);
            answers.Add(((int)response.StatusCode, await response.Content.ReadAsStringAsync()));
        }

        return answers;
    }

    [Test]
    public async Task WaitForCompletionAsync_RuntimeUpgradedMidFlight_ClientAndServersSignForTheNewSpec()
    {
        var operation = await Client.RegisterAsync(WaitUntil.Started, _user, TestPrograms.AllowAllPointer);
        Devnet.Chain.UpgradeRuntime(11);

        var registration = await operation.WaitForCompletionAsync();
        using var next = Sr25519Signer.FromSecretUri("//Alice//devnet-fault//after-upgrade");
        await RegistrationAudit.FundAsync(Client, next.AccountId);
        var after = await Client.RegisterAsync(WaitUntil.Completed, next, TestPrograms.AllowAllPointer);

        Assert.Multiple(() =>
        {
            Assert.That(Devnet.Chain.SpecVersion, Is.EqualTo(11u));
            Assert.That(Client.Session.SpecVersion, Is.EqualTo(11u), "the client refreshed its runtime");
            Assert.That(after.Value.VerifyingKey, Is.Not.EqualTo(registration.VerifyingKey));
            Assert.That(RegistrationAudit.RegisterSubmissions(Devnet.Chain, _user.AccountId), Is.EqualTo(1));
            Assert.That(RegistrationAudit.RegisterSubmissions(Devnet.Chain, next.AccountId), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task RegisterAsync_NodeRestartsRightAfterRegisterIsInABlock_ServersAndClientReconnectAndItCompletes()
    {
        // The node's RPC goes down as soon as register is in block N, so the off-chain worker's /user/new of block N+1 reaches
        // servers whose connection to the node is down (they must reconnect to check the message), and the client is waiting.
        var (request, progress, restart) = RequestRestartingTheNodeOnceInBlock(TimeSpan.FromMilliseconds(300));

        var operation = await Client.RegisterAsync(WaitUntil.Completed, request, progress);

        Assert.That(restart(), Is.Not.Null, "the node restarted");
        await restart()!;
        await AssertRegisteredOnceWithIntactSharesAsync(operation.Value);
    }

    [Test]
    public async Task WaitForCompletionAsync_NodeRestartsMidDkg_ServersConfirmAfterTheReconnectAndItCompletes()
    {
        // Deterministic point: server 0 has its /user/new and receives its first DKG message when the node goes down; the servers
        // finish the DKG among themselves, then need the node again (replication, nonce, confirm_register) while the client waits.
        Task? restart = null;
        Devnet.Faults(0).FirstDkgMessageReceived = (_, _) =>
        {
            restart ??= Devnet.Chain.RestartAsync(TimeSpan.FromMilliseconds(300), CancellationToken.None);
            return Task.CompletedTask;
        };
        var operation = await Client.RegisterAsync(WaitUntil.Started, _user, TestPrograms.AllowAllPointer);

        var registration = await operation.WaitForCompletionAsync();

        Assert.That(restart, Is.Not.Null, "the node restarted during the DKG");
        await restart!;
        await AssertRegisteredOnceWithIntactSharesAsync(registration);
    }

    [Test]
    public async Task WaitForCompletionAsync_NodeDownLongerThanTheOcwDeadline_DkgNeverStartsTimeoutThenPruneCancels()
    {
        // The node's RPC is down for longer than the off-chain worker's 2 s deadline on /user/new: the servers cannot check the
        // message in time (they need the node for it), so neither starts the DKG, and the message is never sent again. Completion is
        // impossible; the user sees the documented timeout (0 of 2, with the committee), prunes, and registers again.
        var (request, progress, restart) = RequestRestartingTheNodeOnceInBlock(TimeSpan.FromMilliseconds(2300));
        var operation = await Client.RegisterAsync(WaitUntil.Started, request, progress);
        await restart()!;
        var registerBlock = operation.RegisterBlockNumber!.Value;
        await WaitForAsync(() => Task.FromResult(Devnet.Chain.BestBlockNumber >= registerBlock + 4));
        Assert.That((await Client.GetRegisteringAsync(_user.AccountId))?.Confirmations, Is.Zero, "still registering (a retried read: the client has reconnected)");

        var e = Assert.ThrowsAsync<RegistrationTimeoutException>(() => RegistrationAudit.WaitWithTimeoutAsync(Devnet.Endpoint, operation, TimeSpan.FromSeconds(1)));
        Assert.Multiple(() =>
        {
            Assert.That(e!.Confirmations, Is.Zero);
            Assert.That(e.Committee.Select(s => s.Endpoint), Is.EquivalentTo(Devnet.ThresholdServerEndpoints));
            Assert.That(Devnet.Servers.Select(s => s.LastDkgFailure), Is.All.Null, "no DKG was started, so none failed");
        });

        var wait = operation.WaitForCompletionAsync();
        await Client.PruneRegistrationAsync(_user);
        Assert.That(Assert.ThrowsAsync<RegistrationEndedException>(() => wait)!.Reason, Is.EqualTo(RegistrationEndReason.Pruned));
        Assert.That(await RegistrationAudit.SharesSurviveRestartAsync(Devnet, _user.AccountId), Has.All.Null, "no server stored anything");

        var retry = await Client.RegisterAsync(WaitUntil.Completed, _user, TestPrograms.AllowAllPointer);
        Assert.That(RegistrationAudit.RegisterSubmissions(Devnet.Chain, _user.AccountId), Is.EqualTo(2), "one per RegisterAsync call: the SDK itself never resent");
        Assert.That(await RegistrationAudit.SharesSurviveRestartAsync(Devnet, _user.AccountId), Has.All.Not.Null);
        Assert.That(retry.Value.VerifyingKey, Is.EqualTo((await Client.GetRegistrationAsync(_user.AccountId))!.VerifyingKey));
    }

    [Test]
    public async Task WaitForCompletionAsync_OneCommitteeMemberMissesTheBlock_TheOtherFailsNamingItAndTheUserTimesOut([Values(0, 1)] int missing)
    {
        // A committee member still verifying /user/new when the off-chain worker hangs up (its 2 s deadline: a busy machine) misses the
        // block, as a real server would (the hook waits for the hang-up, not for a guessed time). Whichever side of the channel it is,
        // the other member must not wait silently: its DKG fails naming the missing member, and the user sees the documented timeout.
        var absent = Devnet.Servers[missing];
        var present = Devnet.Servers[1 - missing];
        var runsBefore = absent.DkgRuns;
        var hungUp = 0;
        absent.Faults.VerifyingNewUser = async (_, requestAborted) =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), requestAborted);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref hungUp);
                throw;
            }
        };

        var operation = await Client.RegisterAsync(WaitUntil.Started, _user, TestPrograms.AllowAllPointer);
        await WaitForAsync(() => Task.FromResult(present.LastDkgFailure is not null));

        var failure = present.LastDkgFailure as Entropy.Protocol.Dkg.DkgException;
        Assert.That(failure, Is.Not.Null, present.LastDkgFailure?.ToString());
        var e = Assert.ThrowsAsync<RegistrationTimeoutException>(() => RegistrationAudit.WaitWithTimeoutAsync(Devnet.Endpoint, operation, TimeSpan.FromSeconds(1)));
        Assert.Multiple(() =>
        {
            Assert.That(failure!.Culprits, Is.EqualTo(new[] { new Entropy.Protocol.Dkg.PartyId(absent.Account.AsSpan()) }), failure.Message);
            Assert.That(failure.Reason, Is.EqualTo(Entropy.Protocol.Dkg.DkgFailureReason.Timeout));
            Assert.That(Volatile.Read(ref hungUp), Is.EqualTo(1), "the missing member's handler was cancelled by the worker's hang-up");
            Assert.That(absent.DkgRuns, Is.EqualTo(runsBefore), "the missing member never started the DKG");
            Assert.That(e!.Confirmations, Is.Zero);
        });
    }

    [Test]
    public async Task WaitForCompletionAsync_ConfirmationAnswerLostToAConnectionDrop_ServerResendsTheSameBytesAndKeepsItsNonce()
    {
        // The node receives server 0's confirm_register, but every connection drops before it answers: the server cannot tell
        // whether it arrived, sends the same signed bytes again (the pool answers "already imported"), and its next confirmation
        // takes the next nonce (the reservation was kept, so there is no gap and no clash).
        var tss0 = Devnet.Servers[0].Account;
        var dropped = 0;
        Devnet.Chain.Node.BeforeSubmit = encoded =>
        {
            var extrinsic = Devnet.Chain.Node.DecodeExtrinsic(encoded);
            if (extrinsic.Call.Name == "confirm_register" && extrinsic.Signer is { } signer && signer.AsSpan().SequenceEqual(tss0.AsSpan())
                && Interlocked.Exchange(ref dropped, 1) == 0)
            {
                Devnet.Chain.DropConnections();
            }
        };

        var operation = await Client.RegisterAsync(WaitUntil.Started, _user, TestPrograms.AllowAllPointer);
        var registration = await operation.WaitForCompletionAsync();
        using var next = Sr25519Signer.FromSecretUri("//Alice//devnet-fault//after-lost-confirmation");
        await RegistrationAudit.FundAsync(Client, next.AccountId);
        var after = await Client.RegisterAsync(WaitUntil.Completed, next, TestPrograms.AllowAllPointer);

        var confirmations = Devnet.Chain.Node.Submissions
            .Where(x => x.CallName == "confirm_register" && x.Signer is { } signer && signer.AsSpan().SequenceEqual(tss0.AsSpan()))
            .ToList();
        Assert.Multiple(() =>
        {
            Assert.That(dropped, Is.EqualTo(1), "the connections dropped on the confirmation");
            Assert.That(confirmations.Count(c => c.Hash.AsSpan().SequenceEqual(confirmations[0].Hash)), Is.EqualTo(2), "the first confirmation and its resend, the same bytes");
            Assert.That(confirmations.Where(c => c.Nonce == confirmations[0].Nonce).Select(c => Convert.ToHexString(c.Hash)).Distinct().Count(), Is.EqualTo(1), "never two different transactions with one nonce");
            Assert.That(confirmations[^1].Nonce, Is.EqualTo(confirmations[0].Nonce + 1), "the next confirmation takes the next nonce");
            Assert.That(RegistrationAudit.CountIncluded(Devnet.Chain, "confirm_register", tss0), Is.EqualTo(2));
            Assert.That(after.Value.VerifyingKey, Is.Not.EqualTo(registration.VerifyingKey));
        });
        await AssertRegisteredOnceWithIntactSharesAsync(registration);
    }

    [Test]
    public async Task WaitForCompletionAsync_ServerCrashesOnItsFirstDkgMessage_TimesOutWithTheCommitteeAndPruneCancels()
    {
        // Another account registered before: its shares must come through the crash untouched.
        using var earlier = Sr25519Signer.FromSecretUri("//Alice//devnet-fault//before-the-crash");
        await RegistrationAudit.FundAsync(Client, earlier.AccountId);
        await Client.RegisterAsync(WaitUntil.Completed, earlier, TestPrograms.AllowAllPointer);
        var earlierShares = await Task.WhenAll(Devnet.Servers.Select(server => server.Store.GetAsync(earlier.AccountId.ToSs58())));

        // Deterministic point: server 1 has accepted /user/new and its DKG has received a first message; it crashes there, before
        // it could store or confirm anything. Its DKG is not resumed after the restart (the OCW sends the message once).
        var reached = new TaskCompletionSource<AccountId>(TaskCreationOptions.RunContinuationsAsynchronously);
        Devnet.Faults(1).FirstDkgMessageReceived = (account, cancellationToken) =>
        {
            reached.TrySetResult(account);
            return Task.Delay(Timeout.Infinite, cancellationToken);
        };
        var operation = await Client.RegisterAsync(WaitUntil.Started, _user, TestPrograms.AllowAllPointer);
        Assert.That(await reached.Task.WaitAsync(TimeSpan.FromSeconds(20)), Is.EqualTo(_user.AccountId));
        await Devnet.StopServerAsync(1);
        Devnet.Faults(1).FirstDkgMessageReceived = null;
        await WaitForAsync(() => Task.FromResult(Devnet.Servers[0].LastDkgFailure is not null));
        await Devnet.RestartServerAsync(1);

        var e = Assert.ThrowsAsync<RegistrationTimeoutException>(() => RegistrationAudit.WaitWithTimeoutAsync(Devnet.Endpoint, operation, TimeSpan.FromSeconds(1)));
        // Server 0's DKG fails either by its timeout (naming the silent server 1) or at once, when its share for server 1 meets the
        // closed channel: which one depends on whether it had sent before the crash.
        var failure = Devnet.Servers[0].LastDkgFailure;
        var culprits = (failure as Entropy.Protocol.Dkg.DkgException)?.Culprits ?? [];
        Assert.Multiple(() =>
        {
            Assert.That(e!.Confirmations, Is.Zero);
            Assert.That(e.Message, Does.Contain("0 of 2"));
            Assert.That(e.Committee.Select(s => s.Endpoint), Is.EquivalentTo(Devnet.ThresholdServerEndpoints));
            Assert.That(failure, Is.Not.Null, "the surviving server's DKG failed");
            Assert.That(culprits, Is.SubsetOf(new[] { new Entropy.Protocol.Dkg.PartyId(Devnet.Servers[1].Account.AsSpan()) }), "only the crashed server can be named");
        });

        var wait = operation.WaitForCompletionAsync();
        await Client.PruneRegistrationAsync(_user);
        Assert.That(Assert.ThrowsAsync<RegistrationEndedException>(() => wait)!.Reason, Is.EqualTo(RegistrationEndReason.Pruned));

        var shares = await RegistrationAudit.SharesSurviveRestartAsync(Devnet, _user.AccountId);
        Assert.Multiple(async () =>
        {
            Assert.That(shares, Has.All.Null, "the crashed DKG stored nothing on either server");
            Assert.That(await Client.GetRegisteringAsync(_user.AccountId), Is.Null);
            Assert.That(RegistrationAudit.RegisterSubmissions(Devnet.Chain, _user.AccountId), Is.EqualTo(1));
            for (var i = 0; i < Devnet.Servers.Count; i++)
            {
                Assert.That(earlierShares[i], Is.Not.Null);
                Assert.That(await Devnet.Servers[i].Store.GetAsync(earlier.AccountId.ToSs58()), Is.EqualTo(earlierShares[i]), $"server {i}'s share of the earlier account");
            }
        });
    }

    /// <summary>A request for the test's user whose progress handler restarts the node (once) when <c>register</c> is in a block; <c>Restart</c> gives that restart's task (null until then).</summary>
    private (RegisterRequest Request, IProgress<RegistrationProgress> Progress, Func<Task?> Restart) RequestRestartingTheNodeOnceInBlock(TimeSpan downtime)
    {
        Task? restart = null;
        var progress = new InlineProgress(p =>
        {
            if (p.Stage == RegistrationStage.InBlock)
            {
                restart ??= Devnet.Chain.RestartAsync(downtime);
            }
        });
        var request = new RegisterRequest(_user);
        request.Programs.Add(new ProgramInstance(TestPrograms.AllowAllPointer, []));
        return (request, progress, () => restart);
    }

    /// <summary>
    /// Registered with the key the client saw, one register submission, each server's share intact across a server restart (the store
    /// reopens with its password), and the shares are the key's: Σ shares · G equals it.
    /// </summary>
    private async Task AssertRegisteredOnceWithIntactSharesAsync(global::Entropy.Registration registration)
    {
        var shares = await RegistrationAudit.SharesSurviveRestartAsync(Devnet, _user.AccountId);
        Assert.That(shares, Has.All.Not.Null, "every committee server stored its share");
        Assert.Multiple(async () =>
        {
            Assert.That((await Client.GetRegistrationAsync(_user.AccountId))!.VerifyingKey, Is.EqualTo(registration.VerifyingKey));
            Assert.That(RegistrationAudit.RegisterSubmissions(Devnet.Chain, _user.AccountId), Is.EqualTo(1));
            Assert.That(RegistrationAudit.RegisterInclusions(Devnet.Chain, _user.AccountId), Is.EqualTo(1));
            Assert.That(
                Entropy.Tests.Protocol.KeyShareMath.CombineShares(shares.Select(s => ThresholdServerHost.ParseShare(s!).Secret)),
                Is.EqualTo(registration.VerifyingKey.ToArray()),
                "Σ shares · G is the registered key");
        });
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
