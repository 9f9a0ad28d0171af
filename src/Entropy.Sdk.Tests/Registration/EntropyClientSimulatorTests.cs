using Entropy.Crypto;
using Entropy.Simulator;

namespace Entropy.Tests.Registration;

/// <summary>
/// EntropyClient against the simulated chain over a real loopback WebSocket. The threshold servers' confirmations are driven
/// by the test with the dev TSS accounts of PROTOCOL.md §10, so each outcome (agreeing keys, disagreeing keys, prune) is chosen.
/// </summary>
[TestFixture(SimulatedRuntime.V0010)]
[TestFixture(SimulatedRuntime.Registry20240321)]
public class EntropyClientSimulatorTests(SimulatedRuntime runtime)
{
    // PROTOCOL.md §10: the v0.0.10 dev threshold-server mnemonics (subgroup 0 = Alice's TSS, subgroup 1 = Bob's TSS).
    private const string TssAliceMnemonic = "alarm mutual concert decrease hurry invest culture survey diagram crash snap click";
    private const string TssBobMnemonic = "where sight patient orphan general short empower hope party hurt month voice";

    private SimulatedChain _chain = null!;
    private EntropyClient _client = null!;
    private Sr25519Signer _tss0 = null!;
    private Sr25519Signer _tss1 = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _chain = new SimulatedChain(new SimulatedChainOptions { Runtime = runtime, BlockProduction = BlockProductionMode.Interval, BlockInterval = TimeSpan.FromMilliseconds(100) });
        await _chain.StartAsync();
        var options = new EntropyClientOptions { PollingInterval = TimeSpan.FromMilliseconds(50), RegistrationTimeout = TimeSpan.FromSeconds(20) };
        _client = await EntropyClient.ConnectAsync(_chain.WebSocketEndpoint, options);
        await TestPrograms.DeployAsync(_client);
        _tss0 = Sr25519Signer.FromMnemonic(TssAliceMnemonic);
        _tss1 = Sr25519Signer.FromMnemonic(TssBobMnemonic);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _client.DisposeAsync();
        await _chain.DisposeAsync();
        _tss0.Dispose();
        _tss1.Dispose();
    }

    [Test]
    public async Task RegisterAsync_BothSubgroupsConfirmTheSameKey_CompletesWithTheKeyAndReportsEveryStage()
    {
        using var user = Sr25519Signer.FromSecretUri("//Alice//client-happy");
        await FundAsync(user.AccountId);
        var stages = new List<RegistrationStage>();
        var progress = new SyncProgress(p => stages.Add(p.Stage));
        var request = new RegisterRequest(user);
        request.Programs.Add(ProgramInstance.FromJson(TestPrograms.AllowAllPointer, "{\"sr25519_public_keys\":[]}"));

        var operation = await _client.RegisterAsync(WaitUntil.Started, request);
        Assert.That(operation.RegisterBlockNumber, Is.Not.Null);
        var registering = await _client.GetRegisteringAsync(user.AccountId);
        Assert.That(registering, Is.Not.Null);
        Assert.That(registering!.Confirmations, Is.Zero);

        var key = CompressedKey(0x02, 1);
        await ConfirmAsync(_tss0, user.AccountId, 0, key);
        await ConfirmAsync(_tss1, user.AccountId, 1, key);
        var registration = await operation.WaitForCompletionAsync(progress);

        Assert.Multiple(async () =>
        {
            Assert.That(registration.VerifyingKey, Is.EqualTo(key));
            Assert.That(registration.Account, Is.EqualTo(user.AccountId));
            Assert.That(registration.ProgramModificationAccount, Is.EqualTo(user.AccountId));
            Assert.That(registration.AccessMode, Is.EqualTo(AccessMode.Public));
            Assert.That(registration.Programs.Single().ConfigurationAsString(), Is.EqualTo("{\"sr25519_public_keys\":[]}"));
            Assert.That(operation.HasCompleted, Is.True);
            Assert.That(await _client.IsRegisteredAsync(user.AccountId), Is.True);
            Assert.That((await _client.GetRegistrationAsync(user.AccountId))!.VerifyingKey, Is.EqualTo(key));
            // Every stage, in order, each from what the chain recorded: the first confirmation is its AccountRegistering event.
            Assert.That(stages, Is.EqualTo(new[] { RegistrationStage.Submitted, RegistrationStage.InBlock, RegistrationStage.CommitteeSelected, RegistrationStage.Confirmed, RegistrationStage.Registered }));
        });
    }

    [Test]
    public async Task RegisterAsync_AlreadyRegistering_IsRefusedBeforeSigning()
    {
        using var user = Sr25519Signer.FromSecretUri("//Alice//client-twice");
        await FundAsync(user.AccountId);
        await _client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);

        var e = Assert.ThrowsAsync<RegistrationPreflightException>(() => _client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer));
        Assert.That(e!.Failure, Is.EqualTo(RegistrationPreflightFailure.AlreadyRegistering));
    }

    [Test]
    public void RegisterAsync_UnknownProgram_IsRefusedBeforeSigning()
    {
        using var user = Sr25519Signer.FromSecretUri("//Alice");
        var request = new RegisterRequest(user);
        request.Programs.Add(new ProgramInstance(new ProgramPointer(Enumerable.Repeat((byte)0x5a, 32).ToArray()), []));

        var e = Assert.ThrowsAsync<RegistrationPreflightException>(() => _client.RegisterAsync(WaitUntil.Started, request));
        Assert.That(e!.Failure, Is.EqualTo(RegistrationPreflightFailure.ProgramNotFound));
        Assert.That(e.Message, Does.Contain("5a5a5a"));
    }

    [Test]
    public void RegisterAsync_TooManyPrograms_IsRefused()
    {
        using var user = Sr25519Signer.FromSecretUri("//Alice");
        var request = new RegisterRequest(user);
        for (var i = 0; i < 6; i++)
        {
            request.Programs.Add(new ProgramInstance(TestPrograms.AllowAllPointer, []));
        }

        var e = Assert.ThrowsAsync<RegistrationPreflightException>(() => _client.RegisterAsync(WaitUntil.Started, request));
        Assert.That(e!.Failure, Is.EqualTo(RegistrationPreflightFailure.TooManyPrograms));
    }

    [Test]
    public void RegisterAsync_PrivateWithoutX25519Key_IsRefused()
    {
        using var user = Sr25519Signer.FromSecretUri("//Alice");
        var request = new RegisterRequest(user) { AccessMode = AccessMode.Private };
        request.Programs.Add(new ProgramInstance(TestPrograms.AllowAllPointer, []));

        var e = Assert.ThrowsAsync<RegistrationPreflightException>(() => _client.RegisterAsync(WaitUntil.Started, request));
        Assert.That(e!.Failure, Is.EqualTo(RegistrationPreflightFailure.MissingX25519Key));
    }

    [Test]
    public void RegisterAsync_UnfundedAccount_IsRefusedForTheFee()
    {
        using var user = Sr25519Signer.FromSecretUri("//Nobody//has//funds");

        var e = Assert.ThrowsAsync<RegistrationPreflightException>(() => _client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer));
        Assert.That(e!.Failure, Is.EqualTo(RegistrationPreflightFailure.InsufficientBalance));
    }

    [Test]
    public async Task RegisterAsync_FeeCoveredButNotTheExistentialDeposit_IsRefusedBeforeSigning_FeePlusExistentialDepositIsEnough()
    {
        // ChargeTransactionPayment withdraws the fee with KeepAlive (pallet_transaction_payment's CurrencyAdapter): free - fee must stay
        // >= Balances.ExistentialDeposit (DOLLARS = 10^14 planck = 10,000 BITS at 10 decimals), else the pool says Payment after signing.
        // The fee moves with NextFeeMultiplier every block, so the chains here produce blocks by hand: both accounts and the program
        // are in the genesis (multiplier 1), the fee is asked at genesis, and the only block is the one that includes the register.
        using var shortOfEd = Sr25519Signer.FromSecretUri("//Alice//client-ed-short");
        using var exact = Sr25519Signer.FromSecretUri("//Alice//client-ed-exact");
        UInt128 fee;
        await using (var probe = await StartManualAsync([]))
        await using (var probeClient = await EntropyClient.ConnectAsync(probe.WebSocketEndpoint, ManualOptions))
        {
            fee = await RegisterFeeAsync(probeClient, shortOfEd.AccountId) ?? throw new AssertionException("the devnet answers payment_queryInfo");
            Assert.That(await RegisterFeeAsync(probeClient, exact.AccountId), Is.EqualTo(fee), "same call, same length");
        }

        UInt128 ed = 100_000_000_000_000;
        await using var chain = await StartManualAsync([new(shortOfEd.AccountId.AsSpan().ToArray(), fee + ed - 1), new(exact.AccountId.AsSpan().ToArray(), fee + ed)]);
        await using var client = await EntropyClient.ConnectAsync(chain.WebSocketEndpoint, ManualOptions);

        var e = Assert.ThrowsAsync<RegistrationPreflightException>(() => client.RegisterAsync(WaitUntil.Started, shortOfEd, TestPrograms.AllowAllPointer));
        var operation = await IncludeAsync(chain, client.RegisterAsync(WaitUntil.Started, exact, TestPrograms.AllowAllPointer));
        var left = (await client.Session.Chain.GetAccountInfoAsync(exact.AccountId)).Free;

        Assert.Multiple(() =>
        {
            Assert.That((UInt128)client.Session.Metadata.GetConstant("Balances", "ExistentialDeposit").AsNumber(), Is.EqualTo(ed));
            Assert.That(e!.Failure, Is.EqualTo(RegistrationPreflightFailure.InsufficientBalance));
            Assert.That(e.Message, Does.Contain($"has {Bits(fee + ed - 1)} free, but register needs {Bits(fee + ed)} (fee {Bits(fee)} + existential deposit 10000 BITS (100000000000000 planck)"));
            Assert.That(RegistrationAudit.RegisterSubmissions(chain, shortOfEd.AccountId), Is.Zero, "refused before signing");
            Assert.That(operation.RegisterBlockNumber, Is.EqualTo(1u), "fee + existential deposit exactly is accepted and included");
            // register reports register(1) as its actual weight: the part of the fee for the 4 unused program slots comes back.
            Assert.That(left, Is.EqualTo((System.Numerics.BigInteger)(ed + (4 * 2_600_000))), "the chain took the fee the preflight counted, less the refund");
        });

        static string Bits(UInt128 planck) => ProgramsRuntime.FormatAmount(planck, new TokenUnit("BITS", 10));
    }

    private static EntropyClientOptions ManualOptions => new() { PollingInterval = TimeSpan.FromMilliseconds(50), RegistrationTimeout = TimeSpan.FromSeconds(20) };

    /// <summary>A chain in manual block production whose genesis holds the test program and <paramref name="endowed"/>.</summary>
    private static async Task<SimulatedChain> StartManualAsync(KeyValuePair<byte[], UInt128>[] endowed)
    {
        var options = new SimulatedChainOptions { BlockProduction = BlockProductionMode.Manual };
        options.Programs.Add(new(TestPrograms.AllowAll, []));
        foreach (var account in endowed)
        {
            options.EndowedAccounts.Add(account);
        }

        var chain = new SimulatedChain(options);
        await chain.StartAsync();
        return chain;
    }

    /// <summary>Authors a block each time the pool holds a transaction, until <paramref name="task"/> ends (30 s at most).</summary>
    private static async Task<T> IncludeAsync<T>(SimulatedChain chain, Task<T> task)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!task.IsCompleted)
        {
            timeout.Token.ThrowIfCancellationRequested();
            if (chain.Node.PoolCount > 0)
            {
                await chain.ProduceBlockAsync();
            }

            await Task.WhenAny(task, Task.Delay(10, CancellationToken.None));
        }

        return await task;
    }

    [Test]
    public async Task WaitForCompletionAsync_SubgroupsDisagree_ThrowsRegistrationFailed()
    {
        using var user = Sr25519Signer.FromSecretUri("//Alice//client-disagree");
        await FundAsync(user.AccountId);
        var operation = await _client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);

        await ConfirmAsync(_tss0, user.AccountId, 0, CompressedKey(0x02, 2));
        await ConfirmAsync(_tss1, user.AccountId, 1, CompressedKey(0x03, 3));

        var e = Assert.ThrowsAsync<RegistrationEndedException>(() => operation.WaitForCompletionAsync());
        Assert.That(e!.Reason, Is.EqualTo(RegistrationEndReason.KeysDiffered));
        Assert.That(e!.Account, Is.EqualTo(user.AccountId));
        Assert.That(await _client.GetRegisteringAsync(user.AccountId), Is.Null);
    }

    [Test]
    public async Task PruneRegistrationAsync_StuckRegistration_CancelsAndTheOperationSaysSo()
    {
        using var user = Sr25519Signer.FromSecretUri("//Alice//client-prune");
        await FundAsync(user.AccountId);
        var operation = await _client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);
        await ConfirmAsync(_tss0, user.AccountId, 0, CompressedKey(0x02, 4));

        await _client.PruneRegistrationAsync(user);

        Assert.That(Assert.ThrowsAsync<RegistrationEndedException>(() => operation.WaitForCompletionAsync())!.Reason, Is.EqualTo(RegistrationEndReason.Pruned));
        Assert.That(await _client.GetRegisteringAsync(user.AccountId), Is.Null);
    }

    [Test]
    public async Task WaitForCompletionAsync_NobodyConfirms_TimesOutWithTheLastState()
    {
        using var user = Sr25519Signer.FromSecretUri("//Alice//client-timeout");
        await FundAsync(user.AccountId);
        var operation = await _client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);
        await ConfirmAsync(_tss0, user.AccountId, 0, CompressedKey(0x02, 5));

        var e = Assert.ThrowsAsync<RegistrationTimeoutException>(() => RegistrationAudit.WaitWithTimeoutAsync(_chain.WebSocketEndpoint, operation, TimeSpan.FromMilliseconds(600)));
        Assert.Multiple(() =>
        {
            Assert.That(e!.Stage, Is.EqualTo(RegistrationStage.Confirmed));
            Assert.That(e.Confirmations, Is.EqualTo(1));
            Assert.That(e.Committee, Has.Count.EqualTo(2));
            Assert.That(e.Message, Does.Contain("1 of 2"));
        });
    }

    [Test]
    public async Task RegisterOperation_RecreatedFromId_FollowsTheSameRegistration()
    {
        using var user = Sr25519Signer.FromSecretUri("//Alice//client-resume");
        await FundAsync(user.AccountId);
        var first = await _client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);

        var resumed = new RegisterOperation(first.Id, _client);
        var key = CompressedKey(0x03, 6);
        await ConfirmAsync(_tss0, user.AccountId, 0, key);
        await ConfirmAsync(_tss1, user.AccountId, 1, key);
        var registration = await resumed.WaitForCompletionAsync();

        Assert.Multiple(() =>
        {
            Assert.That(resumed.Account, Is.EqualTo(user.AccountId));
            Assert.That(resumed.TransactionHash.ToArray(), Is.EqualTo(first.TransactionHash.ToArray()));
            Assert.That(registration.VerifyingKey, Is.EqualTo(key));
        });
    }

    [Test]
    public async Task GetDkgCommitteeAsync_DevSetup_OneServerPerSubgroup()
    {
        var committee = await _client.GetDkgCommitteeAsync(7);
        Assert.Multiple(() =>
        {
            Assert.That(committee.Select(s => s.Subgroup), Is.EqualTo(new byte[] { 0, 1 }));
            Assert.That(committee[0].TssAccount, Is.EqualTo(_tss0.AccountId));
            Assert.That(committee[1].TssAccount, Is.EqualTo(_tss1.AccountId));
        });
    }

    [Test]
    public void RegisterOperation_BadId_IsAFormatError()
    {
        Assert.Throws<FormatException>(() => _ = new RegisterOperation("not-an-id", _client));
        Assert.Throws<FormatException>(() => _ = new RegisterOperation("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY:0x1234", _client));
    }

    private static VerifyingKey CompressedKey(byte prefix, byte fill)
    {
        var bytes = Enumerable.Repeat(fill, VerifyingKey.Length).ToArray();
        bytes[0] = prefix;
        return new VerifyingKey(bytes);
    }

    /// <summary>The node's fee for this account's <c>register</c> with the allow-all program (nonce 0, the client's 64-block era, no tip).</summary>
    private static Task<UInt128?> RegisterFeeAsync(EntropyClient client, AccountId account)
    {
        var session = client.Session;
        var call = session.Runtime.EncodeRegister(account, AccessMode.Public, default, [new ProgramInstance(TestPrograms.AllowAllPointer, [])]);
        return session.EstimateFeeAsync(call, account, 0, 0, 64, CancellationToken.None);
    }

    private async Task FundAsync(AccountId account)
    {
        using var alice = Sr25519Signer.FromSecretUri("//Alice");
        var session = _client.Session;
        var call = session.Metadata.EncodeCall("Balances", "transfer_keep_alive", Entropy.Metadata.ScaleValue.Named(
            ("dest", Entropy.Metadata.ScaleValue.Variant("Id", Entropy.Metadata.ScaleValue.Bytes(account.AsSpan()))),
            ("value", Entropy.Metadata.ScaleValue.Number(new System.Numerics.BigInteger(1_000_000_000_000_000)))));
        var extrinsic = await session.SignAsync(call, alice, 0, 64, CancellationToken.None);
        await session.SubmitAndWatchAsync(extrinsic, alice.AccountId, null, CancellationToken.None);
    }

    private async Task ConfirmAsync(Sr25519Signer tss, AccountId account, byte subgroup, VerifyingKey key)
    {
        var session = _client.Session;
        var extrinsic = await session.SignAsync(session.Runtime.EncodeConfirmRegister(account, subgroup, key), tss, 0, 64, CancellationToken.None);
        await session.SubmitAndWatchAsync(extrinsic, tss.AccountId, null, CancellationToken.None);
    }

    /// <summary>Reports synchronously (Progress&lt;T&gt; posts to the thread pool, which would race the assertions).</summary>
    private sealed class SyncProgress(Action<RegistrationProgress> report) : IProgress<RegistrationProgress>
    {
        public void Report(RegistrationProgress value) => report(value);
    }
}
