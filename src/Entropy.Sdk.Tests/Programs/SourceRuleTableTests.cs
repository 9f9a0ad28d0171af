using Entropy.Crypto;
using Entropy.Extrinsics;
using Entropy.Simulator;
using Entropy.Tests.Simulator;

namespace Entropy.Tests.Programs;

/// <summary>
/// The program and registration rules of entropy-core v0.0.10 (<c>a9463b08</c>), one table row per rule, each citing the source
/// (file, function, check). Every row runs twice: through the SDK (its preflight, or — when the preflight passes — the transaction
/// the SDK sends), and, when the SDK refuses before signing, the same call signed and sent as-is to the devnet (its dispatch error or
/// pool refusal). Both outcomes are held to the row's rule, so the SDK's preflight is held to the source, not to the devnet's copy.
/// </summary>
/// <remarks>
/// Outcomes: <c>ok</c>; <c>preflight:&lt;failure&gt;</c> (refused before signing, nothing sent); <c>dispatch:&lt;Pallet.Error&gt;</c> or
/// <c>dispatch:&lt;DispatchError variant&gt;</c> (included, the call failed, the fee was paid); <c>pool:&lt;reason&gt;</c> and
/// <c>rpc:&lt;code&gt;</c> (the node refused the transaction). Each row uses its own accounts, so the rows do not depend on each other.
/// The same table runs on the <c>Registry</c> runtime (<c>d7a7f3c2</c>): its <c>pallets/programs/src/lib.rs</c> and
/// <c>pallets/registry/src/lib.rs</c> check the same conditions in the same order (only names change: <c>interface_description</c>,
/// pallet <c>Registry</c>), so the rows expect the same outcomes with the registration pallet's name.
/// </remarks>
[TestFixture(SimulatedRuntime.V0010, "Relayer")]
[TestFixture(SimulatedRuntime.Registry20240321, "Registry")]
public class SourceRuleTableTests(SimulatedRuntime runtime, string registrationPallet) : SimulatedChainClientFixture
{
    private const string ProgramsLib = "pallets/programs/src/lib.rs";
    private const string RelayerLib = "pallets/relayer/src/lib.rs";
    private const int MaxBytecodeLength = 1_000_000; // runtime/src/lib.rs: MaxBytecodeLength = 1_000_000
    private const int MaxOwnedPrograms = 250; // runtime/src/lib.rs: MaxOwnedPrograms = 250

    private static int s_accounts;

    /// <summary>A row: what the rule says, where, and the two outcomes it implies.</summary>
    public sealed record Rule(string Name, string Source, string Chain, string Sdk, Func<SourceRuleTableTests, Task<Attempt>> Arrange)
    {
        /// <inheritdoc/>
        public override string ToString() => Name;
    }

    /// <summary>An arranged case: the SDK call and the same call as raw bytes with its signer.</summary>
    public sealed record Attempt(Func<Task> Sdk, Sr25519Signer Signer, byte[] Call);

    /// <summary>No deploy at start: the genesis already holds the test program among //Alice's.</summary>
    protected override bool DeployTestProgram => false;

    /// <summary>Genesis: //Alice owns MaxOwnedPrograms programs (the allow-all one and 249 one-byte ones), stored as set_program would.</summary>
    /// <param name="options">The test defaults, changed to instant blocks (a block per transaction) on this fixture's runtime.</param>
    protected override void ConfigureChain(SimulatedChainOptions options)
    {
        options.BlockProduction = BlockProductionMode.Instant;
        options.Runtime = runtime;
        options.Programs.Add(new(TestPrograms.AllowAll, []));
        for (var i = 1; i < MaxOwnedPrograms; i++)
        {
            options.Programs.Add(new([(byte)i, (byte)(i >> 8)], []));
        }
    }

    public static IEnumerable<TestCaseData> Rules() => AllRules().Select(r => new TestCaseData(r).SetName($"SourceRule_DevnetAndPreflightAgree({r.Name})"));

    [TestCaseSource(nameof(Rules))]
    public async Task SourceRule_DevnetAndPreflightAgree(Rule rule)
    {
        var attempt = await rule.Arrange(this);
        var submissionsBefore = Chain.Node.Submissions.Count;
        var sdk = await OutcomeAsync(attempt.Sdk);
        var sentBySdk = Chain.Node.Submissions.Count - submissionsBefore;

        // Refused before signing: the devnet's answer comes from the same call sent without the preflight. Otherwise the SDK's
        // own transaction was the devnet run.
        var chain = sdk.StartsWith("preflight:", StringComparison.Ordinal) ? await OutcomeAsync(() => SignAndSendAsync(attempt.Signer, attempt.Call)) : sdk;

        // A call the node refused or that failed leaves its signer usable: the next transaction (a remark) is included.
        var after = await OutcomeAsync(() => SignAndSendAsync(attempt.Signer, Remark()));

        Assert.Multiple(() =>
        {
            Assert.That(chain, Is.EqualTo(rule.Chain.Replace("dispatch:Relayer.", $"dispatch:{registrationPallet}.", StringComparison.Ordinal)), $"devnet vs {rule.Source}");
            Assert.That(sdk, Is.EqualTo(rule.Sdk), $"SDK vs {rule.Source}");
            Assert.That(sentBySdk, Is.EqualTo(sdk.StartsWith("preflight:", StringComparison.Ordinal) ? 0 : 1), "a preflight refusal sends nothing");
            Assert.That(after, Is.EqualTo("ok"), "the signer's next transaction after this one");
        });
    }

    private byte[] Remark() => Client.Session.Metadata.EncodeCall("System", "remark", Entropy.Metadata.ScaleValue.Named(("remark", Entropy.Metadata.ScaleValue.Bytes([1, 2, 3]))));

    private static IEnumerable<Rule> AllRules()
    {
        // ---- Programs.set_program (pallets/programs/src/lib.rs, fn set_program), checks in source order.
        yield return new("set_program, bytecode + interface one byte over MaxBytecodeLength",
            $"{ProgramsLib} set_program: ensure!(new_program.len() + configuration_interface.len() <= MaxBytecodeLength, ProgramLengthExceeded)",
            "dispatch:Programs.ProgramLengthExceeded", "preflight:LengthExceeded",
            t => t.DeployAsync(new byte[MaxBytecodeLength - 10], new byte[11]));
        yield return new("set_program, bytecode + interface exactly MaxBytecodeLength",
            $"{ProgramsLib} set_program: the limit is inclusive (<=)",
            "ok", "ok",
            t => t.DeployAsync(new byte[MaxBytecodeLength - 10], new byte[10]));
        yield return new("set_program, same bytecode and interface again",
            $"{ProgramsLib} set_program: ensure!(!Programs::contains_key(program_hash), ProgramAlreadySet), hash = BlakeTwo256(bytecode ‖ interface)",
            "dispatch:Programs.ProgramAlreadySet", "preflight:AlreadySet",
            t => t.DeployAsync(TestPrograms.AllowAll, []));
        yield return new("set_program, deployer already owns MaxOwnedPrograms",
            $"{ProgramsLib} set_program: OwnedPrograms::try_mutate(.. try_push(program_hash).map_err(|_| TooManyProgramsOwned)), after the deposit",
            "dispatch:Programs.TooManyProgramsOwned", "preflight:TooManyProgramsOwned",
            t => t.DeployAsAliceAsync([0xfe, 0xfe, 0xfe]));

        // ---- Programs.remove_program (pallets/programs/src/lib.rs, fn remove_program).
        yield return new("remove_program, nothing stored at the pointer",
            $"{ProgramsLib} remove_program: Self::programs(program_hash).ok_or(NoProgramDefined)",
            "dispatch:Programs.NoProgramDefined", "preflight:ProgramNotFound",
            t => t.RemoveAsync(deploy: false, remover: null, inUse: false));
        yield return new("remove_program, signer is not the deployer",
            $"{ProgramsLib} remove_program: ensure!(old_program_info.deployer == deployer, NotAuthorized)",
            "dispatch:Programs.NotAuthorized", "preflight:NotDeployer",
            t => t.RemoveAsync(deploy: true, remover: "stranger", inUse: false));
        yield return new("remove_program, a registration in progress references it",
            $"{ProgramsLib} remove_program: ensure!(old_program_info.ref_counter == 0, ProgramInUse); {RelayerLib} register increments ref_counter",
            "dispatch:Programs.ProgramInUse", "preflight:ProgramInUse",
            t => t.RemoveAsync(deploy: true, remover: null, inUse: true));
        yield return new("remove_program, by its deployer, unused",
            $"{ProgramsLib} remove_program: unreserve the deposit, remove from OwnedPrograms and Programs",
            "ok", "ok",
            t => t.RemoveAsync(deploy: true, remover: null, inUse: false));

        // ---- Relayer.change_program_instance (pallets/relayer/src/lib.rs, fn change_program_instance), in source order:
        // empty → NoProgramSet; each new program's ref_counter += 1 (missing → NoProgramSet); Registered::try_mutate: absent →
        // NotRegistered, who != program_modification_account → NotAuthorized. //Dave is pre-registered with himself as that account.
        yield return new("change_program_instance, empty list (and not registered)",
            $"{RelayerLib} change_program_instance: ensure!(!new_program_instance.is_empty(), NoProgramSet) comes first",
            "dispatch:Relayer.NoProgramSet", "preflight:NoPrograms",
            t => t.ChangeAsync(signer: "fresh", target: "fresh", programs: 0, missing: false));
        yield return new("change_program_instance, a program missing (and not registered)",
            $"{RelayerLib} change_program_instance: Programs::try_mutate(..) else Err(NoProgramSet), before Registered is read",
            "dispatch:Relayer.NoProgramSet", "preflight:ProgramNotFound",
            t => t.ChangeAsync(signer: "fresh", target: "fresh", programs: 1, missing: true));
        yield return new("change_program_instance, account not registered (and signer not authorized)",
            $"{RelayerLib} change_program_instance: Registered::try_mutate: None → NotRegistered, before the signer is compared",
            "dispatch:Relayer.NotRegistered", "preflight:NotRegistered",
            t => t.ChangeAsync(signer: "fresh", target: "other", programs: 1, missing: false));
        yield return new("change_program_instance, signer is not the program-modification account",
            $"{RelayerLib} change_program_instance: ensure!(who == program_modification_account, NotAuthorized)",
            "dispatch:Relayer.NotAuthorized", "preflight:NotProgramModificationAccount",
            t => t.ChangeAsync(signer: "fresh", target: "//Dave", programs: 1, missing: false));
        yield return new("change_program_instance, more than MaxProgramHashes",
            $"{RelayerLib} change_program_instance: new_program_instance: BoundedVec<_, MaxProgramHashes = 5> (runtime/src/lib.rs) does not decode",
            "rpc:1002", "preflight:TooManyPrograms",
            t => t.ChangeAsync(signer: "//Dave", target: "//Dave", programs: 6, missing: false));
        yield return new("change_program_instance, by the program-modification account",
            $"{RelayerLib} change_program_instance: programs replaced, ProgramInfoChanged(who, programs)",
            "ok", "ok",
            t => t.ChangeAsync(signer: "//Dave", target: "//Dave", programs: 1, missing: false));

        // ---- Relayer.register (pallets/relayer/src/lib.rs, fn register), in source order.
        yield return new("register, account already registered",
            $"{RelayerLib} register: ensure!(!Registered::contains_key(&sig_req_account), AlreadySubmitted)",
            "dispatch:Relayer.AlreadySubmitted", "preflight:AlreadyRegistered",
            t => t.RegisterAsync("//Ferdie", programs: 1, missing: false, registering: false));
        yield return new("register, account already registering",
            $"{RelayerLib} register: ensure!(!Registering::contains_key(&sig_req_account), AlreadySubmitted)",
            "dispatch:Relayer.AlreadySubmitted", "preflight:AlreadyRegistering",
            t => t.RegisterAsync("fresh", programs: 1, missing: false, registering: true));
        yield return new("register, no program",
            $"{RelayerLib} register: ensure!(!programs_data.is_empty(), NoProgramSet)",
            "dispatch:Relayer.NoProgramSet", "preflight:NoPrograms",
            t => t.RegisterAsync("fresh", programs: 0, missing: false, registering: false));
        yield return new("register, a program missing",
            $"{RelayerLib} register: Programs::try_mutate(..) else Err(NoProgramSet)",
            "dispatch:Relayer.NoProgramSet", "preflight:ProgramNotFound",
            t => t.RegisterAsync("fresh", programs: 1, missing: true, registering: false));
        yield return new("register, more than MaxProgramHashes",
            $"{RelayerLib} register: programs_data: BoundedVec<_, MaxProgramHashes = 5> does not decode",
            "rpc:1002", "preflight:TooManyPrograms",
            t => t.RegisterAsync("fresh", programs: 6, missing: false, registering: false));
        yield return new("register, funded account with one stored program",
            $"{RelayerLib} register: ref counters incremented, Registering inserted, SignalRegister",
            "ok", "ok",
            t => t.RegisterAsync("fresh", programs: 1, missing: false, registering: false));
    }

    // ------------------------------------------------------------------ arrangements

    private async Task<Attempt> DeployAsync(byte[] bytecode, byte[] configurationInterface)
    {
        var deployer = await FreshAsync();
        var call = ProgramsRuntime(Client).EncodeSetProgram(bytecode, configurationInterface);
        return new(() => Client.DeployProgramAsync(WaitUntil.Completed, deployer, bytecode, configurationInterface), deployer, call);
    }

    private Task<Attempt> DeployAsAliceAsync(byte[] bytecode)
    {
        var alice = Track(Sr25519Signer.FromSecretUri("//Alice"));
        var call = ProgramsRuntime(Client).EncodeSetProgram(bytecode, []);
        return Task.FromResult(new Attempt(() => Client.DeployProgramAsync(WaitUntil.Completed, alice, bytecode), alice, call));
    }

    private async Task<Attempt> RemoveAsync(bool deploy, string? remover, bool inUse)
    {
        var deployer = await FreshAsync();
        var bytecode = Guid.NewGuid().ToByteArray();
        var pointer = ProgramPointer.Compute(bytecode, []);
        if (deploy)
        {
            await Client.DeployProgramAsync(WaitUntil.Completed, deployer, bytecode);
        }

        if (inUse)
        {
            var user = await FreshAsync();
            var operation = await Client.RegisterAsync(WaitUntil.Started, user, pointer);
            Assert.That(operation.RegisterBlockNumber, Is.Not.Null);
        }

        var signer = remover is null ? deployer : await FreshAsync();
        var call = ProgramsRuntime(Client).EncodeRemoveProgram(pointer);
        return new(() => Client.RemoveProgramAsync(WaitUntil.Completed, signer, pointer), signer, call);
    }

    private async Task<Attempt> ChangeAsync(string signer, string target, int programs, bool missing)
    {
        var signerKey = signer.StartsWith("//", StringComparison.Ordinal) ? Track(Sr25519Signer.FromSecretUri(signer)) : await FreshAsync();
        var targetAccount = target switch
        {
            "fresh" => signerKey.AccountId,
            "other" => (await FreshAsync()).AccountId,
            _ => Track(Sr25519Signer.FromSecretUri(target)).AccountId,
        };
        var list = Instances(programs, missing);
        var call = Client.Session.Runtime.EncodeChangeProgramInstance(targetAccount, list);
        return new(() => Client.ChangeProgramsAsync(WaitUntil.Completed, signerKey, targetAccount, list), signerKey, call);
    }

    private async Task<Attempt> RegisterAsync(string who, int programs, bool missing, bool registering)
    {
        var user = who.StartsWith("//", StringComparison.Ordinal) ? Track(Sr25519Signer.FromSecretUri(who)) : await FreshAsync();
        if (registering)
        {
            await Client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);
        }

        var list = Instances(programs, missing);
        var request = new RegisterRequest(user);
        foreach (var instance in list)
        {
            request.Programs.Add(instance);
        }

        var call = Client.Session.Runtime.EncodeRegister(user.AccountId, AccessMode.Public, default, list);
        return new(() => Client.RegisterAsync(WaitUntil.Started, request), user, call);
    }

    private static ProgramInstance[] Instances(int count, bool missing) =>
        [.. Enumerable.Range(0, count).Select(i => new ProgramInstance(missing ? new ProgramPointer(Enumerable.Repeat((byte)0xab, 32).ToArray()) : TestPrograms.AllowAllPointer, [(byte)i]))];

    // ------------------------------------------------------------------ plumbing

    private readonly List<Sr25519Signer> _signers = [];

    [TearDown]
    public void DisposeSigners()
    {
        foreach (var signer in _signers)
        {
            signer.Dispose();
        }

        _signers.Clear();
    }

    private Sr25519Signer Track(Sr25519Signer signer)
    {
        _signers.Add(signer);
        return signer;
    }

    /// <summary>A new account funded by //Alice with 100 DOLLARS (10^16 planck): fees, the existential deposit and a 1 MB program's
    /// deposit (ProgramDepositPerByte = MILLICENTS = 10^9 planck × 10^6 bytes = 10 DOLLARS).</summary>
    private async Task<Sr25519Signer> FreshAsync()
    {
        var signer = Track(Sr25519Signer.FromSecretUri($"//Alice//source-rule-{Interlocked.Increment(ref s_accounts)}"));
        await ChainCalls.TransferFromAliceAsync(Client, signer.AccountId, 10_000_000_000_000_000);
        return signer;
    }

    private static ProgramsRuntime ProgramsRuntime(EntropyClient client) => new(client.Session.Metadata);

    /// <summary>The outcome of <paramref name="action"/> in the table's notation (see the class remarks).</summary>
    internal static async Task<string> OutcomeAsync(Func<Task> action)
    {
        try
        {
            await action();
            return "ok";
        }
        catch (ProgramPreflightException e)
        {
            return $"preflight:{e.Failure}";
        }
        catch (RegistrationPreflightException e)
        {
            return $"preflight:{e.Failure}";
        }
        catch (DispatchException e)
        {
            return e.Pallet is null ? $"dispatch:{e.DispatchErrorKind}" : $"dispatch:{e.Pallet}.{e.Error}";
        }
        catch (InvalidTransactionException e)
        {
            return e.RpcCode is { } code && e.Reason == InvalidTransactionReason.Other ? $"rpc:{code}" : $"pool:{e.Reason}";
        }
        catch (EntropyRpcException e)
        {
            return $"rpc:{e.Code}";
        }
    }
}
