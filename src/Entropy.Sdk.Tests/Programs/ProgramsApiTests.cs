using Entropy.Crypto;
using Entropy.Simulator;
using Entropy.Tests.Registration;
using Entropy.Tests.Simulator;

namespace Entropy.Tests.Programs;

/// <summary>
/// The programs API (deploy, read, remove, change a registration's programs) against the simulated chain over a real loopback
/// WebSocket. Rules cited per test: entropy-core <c>pallets/programs/src/lib.rs</c> and <c>pallets/relayer/src/lib.rs</c> at
/// <c>a9463b08</c> (v0.0.10); genesis: <c>node/cli/src/chain_spec/dev.rs</c> at <c>a9463b08</c>.
/// </summary>
[TestFixture(SimulatedRuntime.V0010)]
[TestFixture(SimulatedRuntime.Registry20240321)]
public class ProgramsApiTests(SimulatedRuntime runtime) : SimulatedChainClientFixture
{
    /// <summary>No test program at start: the genesis test asserts the dev chain stores no program.</summary>
    protected override bool DeployTestProgram => false;

    /// <inheritdoc/>
    protected override void ConfigureChain(SimulatedChainOptions options) => options.Runtime = runtime;

    [Test]
    public async Task Genesis_HasNoProgramAndPreRegistersDaveEveFerdieWithEmptyKeys()
    {
        // dev.rs @ a9463b08: no ProgramsConfig; RelayerConfig.registered_accounts = Dave (0 = Public), Eve (1 = Private), Ferdie (2 = Permissioned);
        // pallets/relayer genesis_build stores them with verifying_key: BoundedVec::default() and no programs.
        using var dave = Sr25519Signer.FromSecretUri("//Dave");
        using var eve = Sr25519Signer.FromSecretUri("//Eve");
        using var ferdie = Sr25519Signer.FromSecretUri("//Ferdie");
        using var alice = Sr25519Signer.FromSecretUri("//Alice");

        var zero = await Client.GetProgramAsync(new ProgramPointer(new byte[32]));
        var daveRegistration = await Client.GetRegistrationAsync(dave.AccountId);
        var eveRegistration = await Client.GetRegistrationAsync(eve.AccountId);
        var ferdieRegistration = await Client.GetRegistrationAsync(ferdie.AccountId);

        Assert.Multiple(() =>
        {
            Assert.That(zero, Is.Null, "no program at the zero pointer");
            Assert.That(daveRegistration!.AccessMode, Is.EqualTo(AccessMode.Public));
            Assert.That(eveRegistration!.AccessMode, Is.EqualTo(AccessMode.Private));
            Assert.That(ferdieRegistration!.AccessMode, Is.EqualTo(AccessMode.Permissioned));
            Assert.That(new[] { daveRegistration, eveRegistration, ferdieRegistration }.Select(r => r.VerifyingKey.IsEmpty), Is.All.True);
            Assert.That(new[] { daveRegistration, eveRegistration, ferdieRegistration }.Select(r => r.Programs.Count), Is.All.Zero);
            Assert.That(daveRegistration.ProgramModificationAccount, Is.EqualTo(dave.AccountId));
        });
    }

    [Test]
    public async Task DeployProgramAsync_StoresAtTheChainsPointerReservesTheDepositAndListsIt()
    {
        using var deployer = Sr25519Signer.FromSecretUri("//Alice//programs-deploy");
        await RegistrationAudit.FundAsync(Client, deployer.AccountId);
        var iface = "{\"type\":\"object\"}"u8.ToArray();
        var freeBefore = (UInt128)(await Client.Session.Chain.GetAccountInfoAsync(deployer.AccountId)).Free;

        var operation = await Client.DeployProgramAsync(WaitUntil.Completed, deployer, TestPrograms.AllowAll, iface);
        var program = await Client.GetProgramAsync(operation.Pointer!.Value);
        var account = await Client.Session.Chain.GetAccountInfoAsync(deployer.AccountId);

        Assert.Multiple(async () =>
        {
            // Python hashlib.blake2b(wasm + iface, digest_size=32): the external check of BlakeTwo256(bytecode ‖ configuration_interface).
            Assert.That(operation.Pointer.ToString(), Is.EqualTo("0xf97fdad3ad7f6cc5fdd98a157bf00a40618c362a9c18732242bb6ec6ad7c5442"));
            Assert.That(operation.Kind, Is.EqualTo(ProgramOperationKind.Deploy));
            Assert.That(operation.HasCompleted, Is.True);
            Assert.That(operation.BlockNumber, Is.Not.Null);
            Assert.That(program!.Bytecode.ToArray(), Is.EqualTo(TestPrograms.AllowAll));
            Assert.That(program.ConfigurationInterface.ToArray(), Is.EqualTo(iface));
            Assert.That(program.Deployer, Is.EqualTo(deployer.AccountId));
            Assert.That(program.ReferenceCount, Is.EqualTo(UInt128.Zero));
            Assert.That(await Client.GetOwnedProgramsAsync(deployer.AccountId), Is.EqualTo(new[] { operation.Pointer.Value }));

            // ProgramDepositPerByte = MILLICENTS (runtime/src/lib.rs @ a9463b08) × (59 + 17) bytes.
            Assert.That((UInt128)account.Reserved, Is.EqualTo((UInt128)1_000_000_000 * (UInt128)(TestPrograms.AllowAll.Length + iface.Length)));
            Assert.That(freeBefore - (UInt128)account.Free, Is.GreaterThan((UInt128)account.Reserved), "fee paid on top of the deposit");
        });
    }

    [Test]
    public async Task DeployProgramAsync_Started_ReturnsOnceAcceptedAndCompletesLater()
    {
        using var deployer = Sr25519Signer.FromSecretUri("//Alice//programs-started");
        await RegistrationAudit.FundAsync(Client, deployer.AccountId);

        var operation = await Client.DeployProgramAsync(WaitUntil.Started, deployer, TestPrograms.AllowAll, "started"u8.ToArray());
        await operation.WaitForCompletionAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(operation.HasCompleted, Is.True);
            Assert.That(await Client.GetProgramAsync(operation.Pointer!.Value), Is.Not.Null);
        });
    }

    [Test]
    public async Task DeployProgramAsync_SameProgramTwice_IsRefusedBeforeSigning()
    {
        // set_program: ensure!(!Programs::<T>::contains_key(program_hash), ProgramAlreadySet).
        using var deployer = Sr25519Signer.FromSecretUri("//Alice//programs-twice");
        await RegistrationAudit.FundAsync(Client, deployer.AccountId);
        await Client.DeployProgramAsync(WaitUntil.Completed, deployer, TestPrograms.AllowAll, "twice"u8.ToArray());
        var nonce = await Client.Session.Chain.GetAccountNextIndexAsync(deployer.AccountId);

        var e = Assert.ThrowsAsync<ProgramPreflightException>(() => Client.DeployProgramAsync(WaitUntil.Completed, deployer, TestPrograms.AllowAll, "twice"u8.ToArray()));

        Assert.Multiple(async () =>
        {
            Assert.That(e!.Failure, Is.EqualTo(ProgramPreflightFailure.AlreadySet));
            Assert.That(e.Pointer, Is.EqualTo(ProgramPointer.Compute(TestPrograms.AllowAll, "twice"u8)));
            Assert.That(await Client.Session.Chain.GetAccountNextIndexAsync(deployer.AccountId), Is.EqualTo(nonce));
        });
    }

    [Test]
    public void DeployProgramAsync_BytecodePlusInterfaceOverTheLimit_IsRefused()
    {
        // set_program: new_program.len() + configuration_interface.len() <= MaxBytecodeLength (1_000_000), else ProgramLengthExceeded.
        using var alice = Sr25519Signer.FromSecretUri("//Alice");
        var e = Assert.ThrowsAsync<ProgramPreflightException>(() => Client.DeployProgramAsync(WaitUntil.Completed, alice, new byte[999_999], new byte[2]));
        Assert.That(e!.Failure, Is.EqualTo(ProgramPreflightFailure.LengthExceeded));
    }

    [Test]
    public async Task DeployProgramAsync_CannotPayFeeDepositAndExistentialDeposit_IsRefusedWithAmountsInBits()
    {
        // ChargeTransactionPayment withdraws the fee with KeepAlive (free - fee >= ExistentialDeposit = DOLLARS = 10^14 planck), then
        // set_program reserves ProgramDepositPerByte (10^9) per byte. BITS has 10 decimals (system_properties), so 10^14 planck = 10,000 BITS.
        using var poor = Sr25519Signer.FromSecretUri("//Alice//programs-poor");
        await ChainCalls.TransferFromAliceAsync(Client, poor.AccountId, 105_000_000_000_000);
        var e = Assert.ThrowsAsync<ProgramPreflightException>(() => Client.DeployProgramAsync(WaitUntil.Completed, poor, new byte[100_000]));
        Assert.Multiple(() =>
        {
            Assert.That(e!.Failure, Is.EqualTo(ProgramPreflightFailure.InsufficientBalance));
            Assert.That(e.Message, Does.Contain("has 10500 BITS (105000000000000 planck) free"));
            Assert.That(e.Message, Does.Contain("deposit 10000 BITS (100000000000000 planck)"));
            Assert.That(e.Message, Does.Contain("existential deposit 10000 BITS (100000000000000 planck)"));
        });
    }

    [Test]
    public async Task RemoveProgramAsync_WhileReferenced_IsRefusedWithTheCount_AndAfterChangeSucceeds()
    {
        using var user = Sr25519Signer.FromSecretUri("//Alice//programs-remove-user");
        using var deployer = Sr25519Signer.FromSecretUri("//Alice//programs-remove");
        await RegistrationAudit.FundAsync(Client, user.AccountId, deployer.AccountId);
        var first = (await Client.DeployProgramAsync(WaitUntil.Completed, deployer, TestPrograms.AllowAll, "remove-1"u8.ToArray())).Pointer!.Value;
        var second = (await Client.DeployProgramAsync(WaitUntil.Completed, deployer, TestPrograms.AllowAll, "remove-2"u8.ToArray())).Pointer!.Value;
        await RegisterAndConfirmAsync(user, first);

        // remove_program: ensure!(old_program_info.ref_counter == 0, ProgramInUse).
        var inUse = Assert.ThrowsAsync<ProgramPreflightException>(() => Client.RemoveProgramAsync(WaitUntil.Completed, deployer, first));
        // remove_program: ensure!(old_program_info.deployer == deployer, NotAuthorized).
        var notDeployer = Assert.ThrowsAsync<ProgramPreflightException>(() => Client.RemoveProgramAsync(WaitUntil.Completed, user, second));
        // remove_program: Self::programs(program_hash).ok_or(NoProgramDefined).
        var missing = Assert.ThrowsAsync<ProgramPreflightException>(() => Client.RemoveProgramAsync(WaitUntil.Completed, deployer, new ProgramPointer(new byte[32])));

        var change = await Client.ChangeProgramsAsync(WaitUntil.Completed, user, user.AccountId, [new ProgramInstance(second, "{}"u8)]);
        var firstAfterChange = await Client.GetProgramAsync(first);
        var secondAfterChange = await Client.GetProgramAsync(second);
        var removed = await Client.RemoveProgramAsync(WaitUntil.Completed, deployer, first);

        Assert.Multiple(async () =>
        {
            Assert.That(inUse!.Failure, Is.EqualTo(ProgramPreflightFailure.ProgramInUse));
            Assert.That(inUse.Message, Does.Contain("used by 1 registration"));
            Assert.That(notDeployer!.Failure, Is.EqualTo(ProgramPreflightFailure.NotDeployer));
            Assert.That(missing!.Failure, Is.EqualTo(ProgramPreflightFailure.ProgramNotFound));
            Assert.That(change.Kind, Is.EqualTo(ProgramOperationKind.ChangePrograms));
            Assert.That((await Client.GetRegistrationAsync(user.AccountId))!.Programs, Is.EqualTo(new[] { new ProgramInstance(second, "{}"u8) }));
            Assert.That(firstAfterChange!.ReferenceCount, Is.EqualTo(UInt128.Zero));
            Assert.That(secondAfterChange!.ReferenceCount, Is.EqualTo(UInt128.One));
            Assert.That(removed.HasCompleted, Is.True);
            Assert.That(await Client.GetProgramAsync(first), Is.Null);
            Assert.That(await Client.GetOwnedProgramsAsync(deployer.AccountId), Is.EqualTo(new[] { second }));
        });
    }

    [Test]
    public async Task ChangeProgramsAsync_PreflightRefusals_NameTheChainRule()
    {
        using var user = Sr25519Signer.FromSecretUri("//Alice//programs-change-user");
        using var stranger = Sr25519Signer.FromSecretUri("//Alice//programs-change-stranger");
        await RegistrationAudit.FundAsync(Client, user.AccountId, stranger.AccountId);
        var program = await TestPrograms.DeployAsync(Client);
        await RegisterAndConfirmAsync(user, program);
        var instance = new ProgramInstance(program, []);

        async Task<ProgramPreflightFailure> RefusedAsync(Sr25519Signer signer, AccountId account, ProgramInstance[] programs) =>
            (await Task.Run(() => Assert.ThrowsAsync<ProgramPreflightException>(() => Client.ChangeProgramsAsync(WaitUntil.Completed, signer, account, programs))))!.Failure;

        Assert.Multiple(async () =>
        {
            Assert.That(await RefusedAsync(user, user.AccountId, []), Is.EqualTo(ProgramPreflightFailure.NoPrograms));
            Assert.That(await RefusedAsync(user, user.AccountId, Enumerable.Repeat(instance, 6).ToArray()), Is.EqualTo(ProgramPreflightFailure.TooManyPrograms));
            Assert.That(await RefusedAsync(user, user.AccountId, [new ProgramInstance(new ProgramPointer(new byte[32]), [])]), Is.EqualTo(ProgramPreflightFailure.ProgramNotFound));
            Assert.That(await RefusedAsync(user, stranger.AccountId, [instance]), Is.EqualTo(ProgramPreflightFailure.NotRegistered));
            Assert.That(await RefusedAsync(stranger, user.AccountId, [instance]), Is.EqualTo(ProgramPreflightFailure.NotProgramModificationAccount));
        });
    }

    [Test]
    public async Task ChangeProgramsAsync_ByAnotherProgramModificationAccount_ProgramInfoChangedNamesTheSigner()
    {
        // change_program_instance: let who = ensure_signed(origin)?; ... deposit_event(ProgramInfoChanged(who, programs_data))
        // (pallets/relayer @ a9463b08, pallets/registry @ d7a7f3c2): the first field is the signer, not the signature-request account.
        using var user = Sr25519Signer.FromSecretUri("//Alice//programs-event-user");
        using var modifier = Sr25519Signer.FromSecretUri("//Alice//programs-event-modifier");
        await RegistrationAudit.FundAsync(Client, user.AccountId, modifier.AccountId);
        var program = await TestPrograms.DeployAsync(Client);
        await RegisterAndConfirmAsync(user, program, modifier.AccountId);

        var change = await Client.ChangeProgramsAsync(WaitUntil.Completed, modifier, user.AccountId, [new ProgramInstance(program, "{\"v\":2}"u8)]);
        var hash = await Client.Session.Chain.GetBlockHashAsync(change.BlockNumber!.Value);
        var changed = (await Client.Session.GetEventsAsync(hash!.Value, CancellationToken.None)).Single(e => e.Name == "ProgramInfoChanged");

        Assert.Multiple(async () =>
        {
            Assert.That(changed.Pallet, Is.EqualTo(runtime == SimulatedRuntime.V0010 ? "Relayer" : "Registry"));
            Assert.That(new AccountId(changed.Fields[0].AsBytes()), Is.EqualTo(modifier.AccountId));
            Assert.That(changed.Fields[1].ToString(), Does.Contain(Convert.ToHexStringLower(program.AsSpan())));
            Assert.That((await Client.GetRegistrationAsync(user.AccountId))!.Programs.Single().ConfigurationAsString(), Is.EqualTo("{\"v\":2}"));
        });
    }

    private async Task RegisterAndConfirmAsync(Sr25519Signer user, ProgramPointer program, AccountId? programModificationAccount = null)
    {
        var request = new RegisterRequest(user) { ProgramModificationAccount = programModificationAccount ?? user.AccountId };
        request.Programs.Add(new ProgramInstance(program, []));
        var operation = await Client.RegisterAsync(WaitUntil.Started, request);
        var key = RegistrationAudit.Key(0x03, 9);
        await ConfirmAsync(user.AccountId, 0, key);
        await ConfirmAsync(user.AccountId, 1, key);
        await operation.WaitForCompletionAsync();
    }
}
