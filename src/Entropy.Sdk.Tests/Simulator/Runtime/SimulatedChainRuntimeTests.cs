using System.Text.Json.Nodes;
using Entropy.Crypto;
using Entropy.Hashing;
using Entropy.Metadata;
using Entropy.Simulator;
using Entropy.Tests.Simulator.Rpc;

namespace Entropy.Tests.Simulator.Runtime;

/// <summary>Pallet rules of the simulated runtime, driven over JSON-RPC with signed extrinsics (manual block production).</summary>
public class SimulatedChainRuntimeTests : ManualChainFixture
{
    private static readonly UInt128 s_dollars = 100_000_000_000_000;
    // The genesis stores no program (v0.0.10 dev chain spec); the fixture deploys the allow-all program first.
    private static readonly byte[] s_program = TestPrograms.AllowAllPointer.AsSpan().ToArray();
    private Sr25519KeyPair _charlie = null!;
    private Sr25519KeyPair _aliceStash = null!;
    private Sr25519KeyPair _bobStash = null!;
    private Sr25519KeyPair _tss0 = null!;
    private Sr25519KeyPair _tss1 = null!;

    [OneTimeSetUp]
    public async Task PrepareAccountsAsync()
    {
        _charlie = Sr25519KeyPair.FromSecretUri("//Charlie");
        _aliceStash = Sr25519KeyPair.FromSecretUri("//Alice//stash");
        _bobStash = Sr25519KeyPair.FromSecretUri("//Bob//stash");

        // The dev TSS accounts come from mnemonics; the tests move each validator to a TSS key they hold.
        _tss0 = Sr25519KeyPair.FromSecretUri("//Alice//tss");
        _tss1 = Sr25519KeyPair.FromSecretUri("//Bob//tss");
        await SubmitAsync(_aliceStash, TestTransactions.ChangeThresholdAccounts(_tss0.PublicKey.ToArray(), new byte[32]));
        await SubmitAsync(_bobStash, TestTransactions.ChangeThresholdAccounts(_tss1.PublicKey.ToArray(), new byte[32]));
        await SubmitAsync(Alice, TestTransactions.SetProgram(TestPrograms.AllowAll, []));
        await ProduceAsync();
        await SubmitAsync(Alice, TestTransactions.TransferKeepAlive(_tss0.PublicKey.ToArray(), 10 * s_dollars));
        await SubmitAsync(Alice, TestTransactions.TransferKeepAlive(_tss1.PublicKey.ToArray(), 10 * s_dollars));
        await ProduceAsync();
    }

    [OneTimeTearDown]
    public void DisposeAccounts()
    {
        _charlie?.Dispose();
        _aliceStash?.Dispose();
        _bobStash?.Dispose();
        _tss0?.Dispose();
        _tss1?.Dispose();
    }

    [Test]
    public async Task Submit_StaleNonce_Invalid1010Outdated()
    {
        var nonce = await NonceAsync(Bob);
        if (nonce == 0)
        {
            // Self-contained: give Bob a used nonce instead of depending on test order.
            await SubmitAsync(Bob, TestTransactions.TransferKeepAlive(Alice.PublicKey.ToArray(), s_dollars));
            await ProduceAsync();
            nonce = await NonceAsync(Bob);
        }

        Assert.That(nonce, Is.GreaterThan(0u));
        var xt = TestTransactions.Sign(Bob, TestTransactions.TransferKeepAlive(Alice.PublicKey.ToArray(), s_dollars), nonce - 1, Genesis);
        var response = await Rpc.RequestAsync("author_submitExtrinsic", "0x" + Convert.ToHexStringLower(xt));
        AssertInvalid(response, "Transaction is outdated");
    }

    [Test]
    public async Task Submit_BadSignature_Invalid1010BadProof()
    {
        var xt = await SignAsync(_charlie, TestTransactions.TransferKeepAlive(Alice.PublicKey.ToArray(), s_dollars));
        xt[40] ^= 0x01; // inside the signature
        var response = await Rpc.RequestAsync("author_submitExtrinsic", "0x" + Convert.ToHexStringLower(xt));
        AssertInvalid(response, "Transaction has a bad signature");
    }

    [Test]
    public async Task Submit_WrongSpecVersion_Invalid1010BadProof()
    {
        var call = TestTransactions.TransferKeepAlive(Alice.PublicKey.ToArray(), s_dollars);
        var xt = TestTransactions.Sign(_charlie, call, await NonceAsync(_charlie), Genesis, spec: 11);
        var response = await Rpc.RequestAsync("author_submitExtrinsic", "0x" + Convert.ToHexStringLower(xt));
        AssertInvalid(response, "Transaction has a bad signature");
    }

    [Test]
    public async Task Submit_ExpiredMortalEra_Rejected()
    {
        var bestHash = (await Rpc.CallAsync("chain_getBlockHash"))!.GetValue<string>();
        var best = SimulatedChainRpcTests.ParseNumber((await Rpc.CallAsync("chain_getHeader", bestHash))!["number"]!);
        var era = TestTransactions.MortalEra(4, best);
        var xt = TestTransactions.Sign(_charlie, TestTransactions.TransferKeepAlive(Alice.PublicKey.ToArray(), s_dollars),
            await NonceAsync(_charlie), Genesis, era, Hex(bestHash));
        for (var i = 0; i < 5; i++)
        {
            await ProduceAsync();
        }

        // The era's birth, recomputed at the current block, is a later block: the payload no longer matches (Substrate: BadProof).
        var response = await Rpc.RequestAsync("author_submitExtrinsic", "0x" + Convert.ToHexStringLower(xt));
        AssertInvalid(response, "Transaction has a bad signature");
    }

    [Test]
    public async Task Submit_MortalEraWithinPeriod_Included()
    {
        var bestHash = (await Rpc.CallAsync("chain_getBlockHash"))!.GetValue<string>();
        var best = SimulatedChainRpcTests.ParseNumber((await Rpc.CallAsync("chain_getHeader", bestHash))!["number"]!);
        var xt = TestTransactions.Sign(_charlie, TestTransactions.TransferKeepAlive(Alice.PublicKey.ToArray(), s_dollars),
            await NonceAsync(_charlie), Genesis, TestTransactions.MortalEra(64, best), Hex(bestHash));
        await SubmitRawAsync(xt);
        var events = await EventsAsync(await ProduceAsync());
        Assert.That(events.Select(e => e.Name), Does.Contain("Transfer"));
    }

    [Test]
    public async Task Submit_NoFunds_Invalid1010Payment()
    {
        using var pauper = Sr25519KeyPair.FromSecretUri("//Pauper");
        var xt = TestTransactions.Sign(pauper, TestTransactions.TransferKeepAlive(Alice.PublicKey.ToArray(), s_dollars), 0, Genesis);
        var response = await Rpc.RequestAsync("author_submitExtrinsic", "0x" + Convert.ToHexStringLower(xt));
        AssertInvalid(response, "Inability to pay some fees (e.g. account balance too low)");
    }

    [Test]
    public async Task Transfer_MoreThanFree_ExtrinsicFailedWithTokenFundsUnavailable()
    {
        using var poor = Sr25519KeyPair.FromSecretUri("//Poor");
        await SubmitAsync(Alice, TestTransactions.TransferKeepAlive(poor.PublicKey.ToArray(), 3 * s_dollars));
        await ProduceAsync();
        await SubmitAsync(poor, TestTransactions.TransferKeepAlive(Alice.PublicKey.ToArray(), 100 * s_dollars));
        var events = await EventsAsync(await ProduceAsync());
        var failed = events.Single(e => e.Name == "ExtrinsicFailed");
        Assert.That(failed.Fields[0].ToString(), Does.Contain("Token").And.Contain("FundsUnavailable"));
    }

    [Test]
    public async Task Submit_FutureNonce_HeldUntilTheGapIsFilled()
    {
        using var sender = Sr25519KeyPair.FromSecretUri("//FutureSender");
        await SubmitAsync(Alice, TestTransactions.TransferKeepAlive(sender.PublicKey.ToArray(), 50 * s_dollars));
        await ProduceAsync();
        var call = TestTransactions.TransferKeepAlive(Alice.PublicKey.ToArray(), s_dollars);
        var watch = await Rpc.SubscribeAsync("author_submitAndWatchExtrinsic", Hex0x(TestTransactions.Sign(sender, call, 1, Genesis)));
        var first = await Rpc.NextAsync(watch);
        await ProduceAsync();
        var stillPending = await Rpc.CallAsync("author_pendingExtrinsics");
        await SubmitRawAsync(TestTransactions.Sign(sender, call, 0, Genesis));
        var block = await ProduceAsync();
        var ready = await Rpc.NextAsync(watch);
        var inBlock = await Rpc.NextAsync(watch);
        var finalized = await Rpc.NextAsync(watch);
        Assert.Multiple(() =>
        {
            Assert.That(first!.GetValue<string>(), Is.EqualTo("future"));
            Assert.That(stillPending!.AsArray(), Has.Count.EqualTo(1));
            Assert.That(ready!.ToJsonString(), Does.Contain("inBlock").Or.EqualTo("\"ready\""));
            Assert.That((inBlock ?? ready)!.ToJsonString(), Does.Contain(block));
            Assert.That(finalized!.ToJsonString(), Does.Contain("finalized").Or.Contain("inBlock"));
        });
    }

    [Test]
    public async Task SubmitAndWatch_ReportsReadyInBlockFinalized()
    {
        var watch = await Rpc.SubscribeAsync("author_submitAndWatchExtrinsic",
            Hex0x(await SignAsync(Bob, TestTransactions.TransferKeepAlive(_charlie.PublicKey.ToArray(), s_dollars))));
        var ready = await Rpc.NextAsync(watch);
        var block = await ProduceAsync();
        var inBlock = await Rpc.NextAsync(watch);
        var finalized = await Rpc.NextAsync(watch);
        Assert.Multiple(() =>
        {
            Assert.That(ready!.GetValue<string>(), Is.EqualTo("ready"));
            Assert.That(inBlock!["inBlock"]!.GetValue<string>(), Is.EqualTo(block));
            Assert.That(finalized!["finalized"]!.GetValue<string>(), Is.EqualTo(block));
        });
    }

    [Test]
    public async Task Register_EmptyPrograms_ExtrinsicFailedNoProgramSet()
    {
        using var user = await FundedAsync("//NoProgramUser");
        await SubmitAsync(user, TestTransactions.Register(user.PublicKey.ToArray()));
        var events = await EventsAsync(await ProduceAsync());
        Assert.That(ModuleErrorOf(events), Is.EqualTo("Relayer.NoProgramSet"));
    }

    [Test]
    public async Task Register_UnknownProgram_ExtrinsicFailedNoProgramSet()
    {
        using var user = await FundedAsync("//UnknownProgramUser");
        await SubmitAsync(user, TestTransactions.Register(user.PublicKey.ToArray(), Enumerable.Repeat((byte)7, 32).ToArray()));
        var events = await EventsAsync(await ProduceAsync());
        Assert.That(ModuleErrorOf(events), Is.EqualTo("Relayer.NoProgramSet"));
    }

    [Test]
    public async Task Register_Twice_AlreadySubmitted_AndPreRegisteredDaveToo()
    {
        using var user = await FundedAsync("//TwiceUser");
        await SubmitAsync(user, TestTransactions.Register(user.PublicKey.ToArray(), s_program));
        await ProduceAsync();
        await SubmitAsync(user, TestTransactions.Register(user.PublicKey.ToArray(), s_program));
        using var dave = Sr25519KeyPair.FromSecretUri("//Dave");
        await SubmitAsync(dave, TestTransactions.Register(dave.PublicKey.ToArray(), s_program));
        var events = await EventsAsync(await ProduceAsync());
        var errors = events.Where(e => e.Name == "ExtrinsicFailed").Select(e => Metadata.FindModuleError(e.Fields[0])!.ToString()).ToList();
        Assert.That(errors, Is.EqualTo(new[] { "Relayer.AlreadySubmitted", "Relayer.AlreadySubmitted" }));
    }

    [Test]
    public async Task PruneRegistration_NotRegistering_ExtrinsicFailed()
    {
        using var user = await FundedAsync("//PruneUser");
        await SubmitAsync(user, TestTransactions.PruneRegistration());
        var events = await EventsAsync(await ProduceAsync());
        Assert.That(ModuleErrorOf(events), Is.EqualTo("Relayer.NotRegistering"));
    }

    [Test]
    public async Task PruneRegistration_WhileRegistering_CancelsAndReleasesProgramRefCount()
    {
        using var user = await FundedAsync("//PruneRegisteringUser");
        await SubmitAsync(user, TestTransactions.Register(user.PublicKey.ToArray(), s_program));
        await ProduceAsync();
        await SubmitAsync(user, TestTransactions.PruneRegistration());
        var events = await EventsAsync(await ProduceAsync());
        var registering = await StorageAsync("Relayer", "Registering", user.PublicKey.ToArray());
        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => e.Name), Does.Contain("RegistrationCancelled"));
            Assert.That(registering, Is.Null);
        });
    }

    [Test]
    public async Task ConfirmRegister_PoolFilters_AsValidateConfirmRegistered()
    {
        using var user = await FundedAsync("//FilterUser");
        await SubmitAsync(user, TestTransactions.Register(user.PublicKey.ToArray(), s_program));
        await ProduceAsync();
        var account = user.PublicKey.ToArray();
        var vk = CompressedG();
        using var stranger = await FundedAsync("//NotATss");
        AssertInvalid(await SubmitResponseAsync(stranger, TestTransactions.ConfirmRegister(account, 0, vk)), "Custom error: 1");
        AssertInvalid(await SubmitResponseAsync(_tss0, TestTransactions.ConfirmRegister(Bob.PublicKey.ToArray(), 0, vk)), "Custom error: 2");
        AssertInvalid(await SubmitResponseAsync(_tss0, TestTransactions.ConfirmRegister(account, 9, vk)), "Custom error: 4");
        AssertInvalid(await SubmitResponseAsync(_tss0, TestTransactions.ConfirmRegister(account, 1, vk)), "Custom error: 5");
        await SubmitAsync(_tss0, TestTransactions.ConfirmRegister(account, 0, vk));
        await ProduceAsync();
        AssertInvalid(await SubmitResponseAsync(_tss0, TestTransactions.ConfirmRegister(account, 0, vk)), "Custom error: 3");
    }

    [Test]
    public async Task Registration_ConfirmedByBothSubgroups_ReachesRegistered()
    {
        using var user = await FundedAsync("//RegisteredUser");
        var account = user.PublicKey.ToArray();
        await SubmitAsync(user, TestTransactions.Register(Alice.PublicKey.ToArray(), s_program));
        var registerBlock = await ProduceAsync();
        var registerEvents = await EventsAsync(registerBlock);
        var registerNumber = await NumberAsync(registerBlock);
        var dkg = await StorageAsync("Relayer", "Dkg", registerNumber);
        var registering = await StorageAsync("Relayer", "Registering", account);
        var program = await StorageAsync("Programs", "Programs", s_program);
        var tssBalance = await FreeAsync(_tss0.PublicKey.ToArray());

        var vk = CompressedG();
        await SubmitAsync(_tss0, TestTransactions.ConfirmRegister(account, 0, vk));
        var firstEvents = await EventsAsync(await ProduceAsync());
        await SubmitAsync(_tss1, TestTransactions.ConfirmRegister(account, 1, vk));
        var secondBlock = await ProduceAsync();
        var secondEvents = await EventsAsync(secondBlock);
        var registered = await StorageAsync("Relayer", "Registered", account);
        var stillRegistering = await StorageAsync("Relayer", "Registering", account);
        var dkgLater = await StorageAsync("Relayer", "Dkg", registerNumber);

        Assert.Multiple(async () =>
        {
            Assert.That(registerEvents.Select(e => e.Name), Does.Contain("SignalRegister"));
            Assert.That(dkg!.ToString(), Does.Contain(Convert.ToHexStringLower(account)).IgnoreCase);
            Assert.That(((CompositeValue)registering!)["program_modification_account"].AsBytes(), Is.EqualTo(Alice.PublicKey.ToArray()));
            Assert.That(((CompositeValue)program!)["ref_counter"].AsNumber(), Is.GreaterThanOrEqualTo(System.Numerics.BigInteger.One));
            Assert.That(firstEvents.Select(e => e.Name), Does.Contain("AccountRegistering"));
            Assert.That(secondEvents.Select(e => e.Name), Does.Contain("AccountRegistered"));
            Assert.That(((CompositeValue)registered!)["verifying_key"].AsBytes(), Is.EqualTo(vk));
            Assert.That(stillRegistering, Is.Null);
            Assert.That(dkgLater is null || dkgLater.ToString() == "[]" || !dkgLater.ToString().Contains(Convert.ToHexStringLower(account), StringComparison.OrdinalIgnoreCase),
                "Dkg[N] is pruned at N+2");
            Assert.That(await FreeAsync(_tss0.PublicKey.ToArray()), Is.EqualTo(tssBalance), "confirm_register is Pays::No");
        });
    }

    [Test]
    public async Task ConfirmRegister_MismatchedKeys_FailedRegistration()
    {
        using var user = await FundedAsync("//MismatchUser");
        var account = user.PublicKey.ToArray();
        await SubmitAsync(user, TestTransactions.Register(account, s_program));
        await ProduceAsync();
        await SubmitAsync(_tss0, TestTransactions.ConfirmRegister(account, 0, CompressedG()));
        await ProduceAsync();
        var other = CompressedG();
        other[^1] ^= 1;
        await SubmitAsync(_tss1, TestTransactions.ConfirmRegister(account, 1, other));
        var events = await EventsAsync(await ProduceAsync());
        Assert.Multiple(async () =>
        {
            Assert.That(events.Select(e => e.Name), Does.Contain("FailedRegistration"));
            Assert.That(events.Select(e => e.Name), Does.Contain("ExtrinsicSuccess"));
            Assert.That(await StorageAsync("Relayer", "Registering", account), Is.Null);
            Assert.That(await StorageAsync("Relayer", "Registered", account), Is.Null);
        });
    }

    [Test]
    public async Task SetProgram_ReservesDepositAndStoresAtBlakeTwo256Pointer()
    {
        using var deployer = await FundedAsync("//Deployer");
        var bytecode = "program bytes"u8.ToArray();
        var iface = "{}"u8.ToArray();
        await SubmitAsync(deployer, TestTransactions.SetProgram(bytecode, iface));
        var events = await EventsAsync(await ProduceAsync());
        var pointer = Blake2b.Hash256([.. bytecode, .. iface]);
        var stored = await StorageAsync("Programs", "Programs", pointer);
        var account = (CompositeValue)(await StorageAsync("System", "Account", deployer.PublicKey.ToArray()))!;
        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => e.Name), Does.Contain("ProgramCreated"));
            Assert.That(((CompositeValue)stored!)["bytecode"].AsBytes(), Is.EqualTo(bytecode));
            Assert.That(((CompositeValue)account["data"])["reserved"].AsNumber(), Is.EqualTo(new System.Numerics.BigInteger(1_000_000_000L * (bytecode.Length + iface.Length))));
        });
    }

    [Test]
    public async Task AccountNextIndex_CountsPooledTransactions()
    {
        using var sender = await FundedAsync("//IndexUser");
        var address = new AccountId(sender.PublicKey.ToArray()).ToSs58();
        var before = (await Rpc.CallAsync("system_accountNextIndex", address))!.GetValue<uint>();
        await SubmitAsync(sender, TestTransactions.TransferKeepAlive(Alice.PublicKey.ToArray(), s_dollars));
        var after = (await Rpc.CallAsync("system_accountNextIndex", address))!.GetValue<uint>();
        var viaStateCall = (await Rpc.CallAsync("state_call", "AccountNonceApi_account_nonce", Hex0x(sender.PublicKey.ToArray())))!.GetValue<string>();
        await ProduceAsync();
        Assert.Multiple(() =>
        {
            Assert.That(after, Is.EqualTo(before + 1));
            Assert.That(viaStateCall, Is.EqualTo("0x00000000"));
        });
    }

    private static byte[] CompressedG() =>
        Convert.FromHexString("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");

    private static void AssertInvalid(JsonObject response, string data)
    {
        Assert.That(response["error"], Is.Not.Null, response.ToJsonString());
        Assert.Multiple(() =>
        {
            Assert.That(response["error"]!["code"]!.GetValue<int>(), Is.EqualTo(1010));
            Assert.That(response["error"]!["message"]!.GetValue<string>(), Is.EqualTo("Invalid Transaction"));
            Assert.That(response["error"]!["data"]!.GetValue<string>(), Is.EqualTo(data));
        });
    }

    private string? ModuleErrorOf(IReadOnlyList<EventRecord> events) =>
        events.Where(e => e.Name == "ExtrinsicFailed").Select(e => Metadata.FindModuleError(e.Fields[0])?.ToString()).SingleOrDefault();

    private async Task<Sr25519KeyPair> FundedAsync(string suri)
    {
        var key = Sr25519KeyPair.FromSecretUri(suri);
        await SubmitAsync(Alice, TestTransactions.TransferKeepAlive(key.PublicKey.ToArray(), 100 * s_dollars));
        await ProduceAsync();
        return key;
    }

    private async Task<JsonObject> SubmitResponseAsync(Sr25519KeyPair key, byte[] call) =>
        await Rpc.RequestAsync("author_submitExtrinsic", Hex0x(await SignAsync(key, call)));

    private async Task SubmitAsync(Sr25519KeyPair key, byte[] call) => await SubmitRawAsync(await SignAsync(key, call));

    private async Task SubmitRawAsync(byte[] xt)
    {
        var hash = (await Rpc.CallAsync("author_submitExtrinsic", Hex0x(xt)))!.GetValue<string>();
        Assert.That(hash, Is.EqualTo(Hex0x(Blake2b.Hash256(xt))), "author_submitExtrinsic returns blake2_256 of the extrinsic");
    }

    private async Task<uint> NumberAsync(string hash) => SimulatedChainRpcTests.ParseNumber((await Rpc.CallAsync("chain_getHeader", hash))!["number"]!);

    private async Task<ScaleValue?> StorageAsync(string pallet, string entry, object key)
    {
        var keyValue = key switch
        {
            byte[] bytes => ScaleValue.Bytes(bytes),
            uint number => (ScaleValue)ScaleValue.Number(number),
            _ => throw new ArgumentException("unsupported key", nameof(key)),
        };
        var storageKey = Metadata.StorageKey(pallet, entry, keyValue);
        var value = await Rpc.CallAsync("state_getStorage", Hex0x(storageKey));
        return value is null ? null : Metadata.DecodeStorageValue(pallet, entry, Hex(value));
    }

    private async Task<UInt128> FreeAsync(byte[] account)
    {
        var info = await StorageAsync("System", "Account", account);
        return info is null ? 0 : (UInt128)((CompositeValue)((CompositeValue)info)["data"])["free"].AsNumber();
    }
}
