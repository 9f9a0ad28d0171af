using Entropy.Crypto;
using Entropy.Simulator;
using Entropy.Tests.Simulator;

namespace Entropy.Tests.Registration;

/// <summary>
/// EntropyClient against the simulated chain over a real loopback WebSocket. The threshold servers' confirmations are driven
/// by the test with the dev TSS accounts of PROTOCOL.md §10, so each outcome (agreeing keys, disagreeing keys, prune) is chosen.
/// </summary>
[TestFixture(SimulatedRuntime.V0010)]
[TestFixture(SimulatedRuntime.Registry20240321)]
public class EntropyClientSimulatorTests(SimulatedRuntime runtime) : SimulatedChainClientFixture
{
    /// <inheritdoc/>
    protected override void ConfigureChain(SimulatedChainOptions options) => options.Runtime = runtime;

    [Test]
    public async Task RegisterAsync_BothSubgroupsConfirmTheSameKey_CompletesWithTheKeyAndReportsEveryStage()
    {
        using var user = Sr25519Signer.FromSecretUri("//Alice//client-happy");
        await RegistrationAudit.FundAsync(Client, user.AccountId);
        var stages = new List<RegistrationStage>();
        var progress = new InlineProgress(p => stages.Add(p.Stage));
        var request = new RegisterRequest(user);
        request.Programs.Add(ProgramInstance.FromJson(TestPrograms.AllowAllPointer, "{\"sr25519_public_keys\":[]}"));

        var operation = await Client.RegisterAsync(WaitUntil.Started, request);
        Assert.That(operation.RegisterBlockNumber, Is.Not.Null);
        var registering = await Client.GetRegisteringAsync(user.AccountId);
        Assert.That(registering, Is.Not.Null);
        Assert.That(registering!.Confirmations, Is.Zero);

        var key = RegistrationAudit.Key(0x02, 1);
        await ConfirmAsync(user.AccountId, 0, key);
        await ConfirmAsync(user.AccountId, 1, key);
        var registration = await operation.WaitForCompletionAsync(progress);

        Assert.Multiple(async () =>
        {
            Assert.That(registration.VerifyingKey, Is.EqualTo(key));
            Assert.That(registration.Account, Is.EqualTo(user.AccountId));
            Assert.That(registration.ProgramModificationAccount, Is.EqualTo(user.AccountId));
            Assert.That(registration.AccessMode, Is.EqualTo(AccessMode.Public));
            Assert.That(registration.Programs.Single().ConfigurationAsString(), Is.EqualTo("{\"sr25519_public_keys\":[]}"));
            Assert.That(operation.HasCompleted, Is.True);
            Assert.That(await Client.IsRegisteredAsync(user.AccountId), Is.True);
            Assert.That((await Client.GetRegistrationAsync(user.AccountId))!.VerifyingKey, Is.EqualTo(key));
            // Every stage, in order, each from what the chain recorded: the first confirmation is its AccountRegistering event.
            Assert.That(stages, Is.EqualTo(new[] { RegistrationStage.Submitted, RegistrationStage.InBlock, RegistrationStage.CommitteeSelected, RegistrationStage.Confirmed, RegistrationStage.Registered }));
        });
    }

    [Test]
    public async Task RegisterAsync_AlreadyRegistering_IsRefusedBeforeSigning()
    {
        using var user = Sr25519Signer.FromSecretUri("//Alice//client-twice");
        await RegistrationAudit.FundAsync(Client, user.AccountId);
        await Client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);

        var e = Assert.ThrowsAsync<RegistrationPreflightException>(() => Client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer));
        Assert.That(e!.Failure, Is.EqualTo(RegistrationPreflightFailure.AlreadyRegistering));
    }

    [Test]
    public void RegisterAsync_UnknownProgram_IsRefusedBeforeSigning()
    {
        using var user = Sr25519Signer.FromSecretUri("//Alice");
        var request = new RegisterRequest(user);
        request.Programs.Add(new ProgramInstance(new ProgramPointer(Enumerable.Repeat((byte)0x5a, 32).ToArray()), []));

        var e = Assert.ThrowsAsync<RegistrationPreflightException>(() => Client.RegisterAsync(WaitUntil.Started, request));
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

        var e = Assert.ThrowsAsync<RegistrationPreflightException>(() => Client.RegisterAsync(WaitUntil.Started, request));
        Assert.That(e!.Failure, Is.EqualTo(RegistrationPreflightFailure.TooManyPrograms));
    }

    [Test]
    public void RegisterAsync_PrivateWithoutX25519Key_IsRefused()
    {
        using var user = Sr25519Signer.FromSecretUri("//Alice");
        var request = new RegisterRequest(user) { AccessMode = AccessMode.Private };
        request.Programs.Add(new ProgramInstance(TestPrograms.AllowAllPointer, []));

        var e = Assert.ThrowsAsync<RegistrationPreflightException>(() => Client.RegisterAsync(WaitUntil.Started, request));
        Assert.That(e!.Failure, Is.EqualTo(RegistrationPreflightFailure.MissingX25519Key));
    }

    [Test]
    public void RegisterAsync_UnfundedAccount_IsRefusedForTheFee()
    {
        using var user = Sr25519Signer.FromSecretUri("//Nobody//has//funds");

        var e = Assert.ThrowsAsync<RegistrationPreflightException>(() => Client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer));
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
        await using (var probe = await ChainCalls.StartAtGenesisFeeAsync())
        {
            fee = await RegisterFeeAsync(probe.Client, shortOfEd.AccountId) ?? throw new AssertionException("the devnet answers payment_queryInfo");
            Assert.That(await RegisterFeeAsync(probe.Client, exact.AccountId), Is.EqualTo(fee), "same call, same length");
        }

        UInt128 ed = 100_000_000_000_000;
        await using var running = await ChainCalls.StartAtGenesisFeeAsync(KeyValuePair.Create(shortOfEd.AccountId.AsSpan().ToArray(), fee + ed - 1), KeyValuePair.Create(exact.AccountId.AsSpan().ToArray(), fee + ed));
        var (chain, client) = (running.Chain, running.Client);

        var e = Assert.ThrowsAsync<RegistrationPreflightException>(() => client.RegisterAsync(WaitUntil.Started, shortOfEd, TestPrograms.AllowAllPointer));
        var operation = await ChainCalls.IncludeAsync(chain, client.RegisterAsync(WaitUntil.Started, exact, TestPrograms.AllowAllPointer));
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

    [Test]
    public async Task WaitForCompletionAsync_SubgroupsDisagree_ThrowsRegistrationFailed()
    {
        using var user = Sr25519Signer.FromSecretUri("//Alice//client-disagree");
        await RegistrationAudit.FundAsync(Client, user.AccountId);
        var operation = await Client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);

        await ConfirmAsync(user.AccountId, 0, RegistrationAudit.Key(0x02, 2));
        await ConfirmAsync(user.AccountId, 1, RegistrationAudit.Key(0x03, 3));

        var e = Assert.ThrowsAsync<RegistrationEndedException>(() => operation.WaitForCompletionAsync());
        Assert.That(e!.Reason, Is.EqualTo(RegistrationEndReason.KeysDiffered));
        Assert.That(e!.Account, Is.EqualTo(user.AccountId));
        Assert.That(await Client.GetRegisteringAsync(user.AccountId), Is.Null);
    }

    [Test]
    public async Task PruneRegistrationAsync_StuckRegistration_CancelsAndTheOperationSaysSo()
    {
        using var user = Sr25519Signer.FromSecretUri("//Alice//client-prune");
        await RegistrationAudit.FundAsync(Client, user.AccountId);
        var operation = await Client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);
        await ConfirmAsync(user.AccountId, 0, RegistrationAudit.Key(0x02, 4));

        await Client.PruneRegistrationAsync(user);

        Assert.That(Assert.ThrowsAsync<RegistrationEndedException>(() => operation.WaitForCompletionAsync())!.Reason, Is.EqualTo(RegistrationEndReason.Pruned));
        Assert.That(await Client.GetRegisteringAsync(user.AccountId), Is.Null);
    }

    [Test]
    public async Task WaitForCompletionAsync_NobodyConfirms_TimesOutWithTheLastState()
    {
        using var user = Sr25519Signer.FromSecretUri("//Alice//client-timeout");
        await RegistrationAudit.FundAsync(Client, user.AccountId);
        var operation = await Client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);
        await ConfirmAsync(user.AccountId, 0, RegistrationAudit.Key(0x02, 5));

        var e = Assert.ThrowsAsync<RegistrationTimeoutException>(() => RegistrationAudit.WaitWithTimeoutAsync(Chain.WebSocketEndpoint, operation, TimeSpan.FromMilliseconds(600)));
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
        await RegistrationAudit.FundAsync(Client, user.AccountId);
        var first = await Client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);

        var resumed = new RegisterOperation(first.Id, Client);
        var key = RegistrationAudit.Key(0x03, 6);
        await ConfirmAsync(user.AccountId, 0, key);
        await ConfirmAsync(user.AccountId, 1, key);
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
        var committee = await Client.GetDkgCommitteeAsync(7);
        using var tss0 = ChainCalls.DevTss(0);
        using var tss1 = ChainCalls.DevTss(1);
        Assert.Multiple(() =>
        {
            Assert.That(committee.Select(s => s.Subgroup), Is.EqualTo(new byte[] { 0, 1 }));
            Assert.That(committee[0].TssAccount, Is.EqualTo(tss0.AccountId));
            Assert.That(committee[1].TssAccount, Is.EqualTo(tss1.AccountId));
        });
    }

    [Test]
    public void RegisterOperation_BadId_IsAFormatError()
    {
        Assert.Throws<FormatException>(() => _ = new RegisterOperation("not-an-id", Client));
        Assert.Throws<FormatException>(() => _ = new RegisterOperation("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY:0x1234", Client));
    }

    /// <summary>The node's fee for this account's <c>register</c> with the allow-all program (nonce 0, the client's 64-block era, no tip).</summary>
    private static Task<UInt128?> RegisterFeeAsync(EntropyClient client, AccountId account)
    {
        var session = client.Session;
        var call = session.Runtime.EncodeRegister(account, AccessMode.Public, default, [new ProgramInstance(TestPrograms.AllowAllPointer, [])]);
        return session.EstimateFeeAsync(call, account, 0, 0, 64, CancellationToken.None);
    }
}
