using Entropy.Crypto;
using Entropy.Extrinsics;
using Entropy.Simulator;
using Entropy.Tests.Simulator;

namespace Entropy.Tests.Programs;

/// <summary>
/// The balance rules of <c>set_program</c> and <c>register</c> at v0.0.10 (<c>a9463b08</c>), one row per boundary, each run through the
/// SDK's preflight and (when it refuses) as the same call sent as-is to the devnet, as <see cref="SourceRuleTableTests"/> does.
/// The fee moves with <c>NextFeeMultiplier</c> every block, so each row gets its own chain in manual block production whose genesis
/// endows the row's account with an amount worked out from the fee at genesis (multiplier 1), and the row's transaction goes into
/// block 1.
/// </summary>
/// <remarks>
/// The order of the charges: <c>ChargeTransactionPayment</c> withdraws fee + tip before dispatch with <c>KeepAlive</c>
/// (pallet-transaction-payment 25.0.0 <c>CurrencyAdapter::withdraw_fee</c>; else the pool says <c>Payment</c>); then
/// <c>set_program</c> reserves <c>ProgramDepositPerByte × len</c> (<c>pallets/programs/src/lib.rs</c> <c>reserve_program_deposit</c> →
/// pallet-balances 25.0.0 <c>ReservableCurrency::reserve</c>: <c>free.checked_sub(value)</c> else <c>InsufficientBalance</c>; a
/// free balance left under the existential deposit stops providing for the account while the reserve makes it a consumer, and
/// frame-system's <c>dec_providers</c> refuses that with <c>ConsumerRemaining</c>).
/// </remarks>
public class SourceRuleBalanceTableTests
{
    private const string ProgramsLib = "pallets/programs/src/lib.rs";
    private const string RelayerLib = "pallets/relayer/src/lib.rs";
    private static readonly UInt128 s_existentialDeposit = 100_000_000_000_000; // runtime/src/lib.rs EXISTENTIAL_DEPOSIT = DOLLARS
    private static readonly UInt128 s_depositPerByte = 1_000_000_000; // runtime/src/lib.rs ProgramDepositPerByte = MILLICENTS
    private static readonly byte[] s_small = [.. TestPrograms.AllowAll, 0x01]; // a new program, deposit far under the ED
    private static readonly byte[] s_large = new byte[200_000]; // deposit 2 × 10^14 = twice the ED

    /// <summary>A row: the call, the free balance at genesis as a function of (fee, deposit, ED), and the outcomes.</summary>
    public sealed record Row(string Name, string Source, string Call, Func<UInt128, UInt128, UInt128, UInt128> Free, string Chain, string Sdk)
    {
        /// <inheritdoc/>
        public override string ToString() => Name;
    }

    public static IEnumerable<TestCaseData> Rows() => AllRows().Select(r => new TestCaseData(r).SetName($"BalanceRule_DevnetAndPreflightAgree({r.Name})"));

    [TestCaseSource(nameof(Rows))]
    public async Task BalanceRule_DevnetAndPreflightAgree(Row row)
    {
        using var user = Sr25519Signer.FromSecretUri($"//Alice//balance-rule-{row.Name.GetHashCode(StringComparison.Ordinal):x8}");
        var (bytecode, deposit) = row.Call switch
        {
            "set_program small" => (s_small, s_depositPerByte * (UInt128)s_small.Length),
            "set_program large" => (s_large, s_depositPerByte * (UInt128)s_large.Length),
            _ => ([], (UInt128)0),
        };

        // The fee at genesis of the call as the SDK signs it (nonce 0, mortal era, no tip); every chain here has multiplier 1 at genesis.
        UInt128 fee;
        await using (var probe = await ChainCalls.StartAtGenesisFeeAsync())
        {
            fee = await probe.Client.Session.EstimateFeeAsync(Encode(probe.Client, row.Call, user.AccountId, bytecode), user.AccountId, 0, 0, 64, CancellationToken.None)
                ?? throw new AssertionException("the devnet answers payment_queryInfo");
        }

        await using var running = await ChainCalls.StartAtGenesisFeeAsync(KeyValuePair.Create(user.AccountId.AsSpan().ToArray(), row.Free(fee, deposit, s_existentialDeposit)));
        var (chain, client) = (running.Chain, running.Client);
        var sdk = await OutcomeAsync(chain, () => row.Call == "register"
            ? client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer)
            : client.DeployProgramAsync(WaitUntil.Completed, user, bytecode));
        var sentBySdk = chain.Node.Submissions.Count;
        var devnet = sdk.StartsWith("preflight:", StringComparison.Ordinal)
            ? await OutcomeAsync(chain, () => ChainCalls.SignAndSendAsync(client, user, Encode(client, row.Call, user.AccountId, bytecode)))
            : sdk;

        Assert.Multiple(() =>
        {
            Assert.That(devnet, Is.EqualTo(row.Chain), $"devnet vs {row.Source}");
            Assert.That(sdk, Is.EqualTo(row.Sdk), $"SDK vs {row.Source}");
            Assert.That(sentBySdk, Is.EqualTo(sdk.StartsWith("preflight:", StringComparison.Ordinal) ? 0 : 1), "a preflight refusal sends nothing");
        });
    }

    private static IEnumerable<Row> AllRows()
    {
        const string keepAlive = "pallet-transaction-payment CurrencyAdapter::withdraw_fee (KeepAlive): free − fee ≥ ED, else Payment";
        yield return new("set_program, fee + deposit + ED - 1",
            $"{ProgramsLib} set_program → reserve_program_deposit: free − fee − deposit < ED with a reserve → ConsumerRemaining",
            "set_program small", (fee, deposit, ed) => fee + deposit + ed - 1, "dispatch:ConsumerRemaining", "preflight:InsufficientBalance");
        yield return new("set_program, fee + deposit + ED",
            $"{ProgramsLib} set_program: the deposit is reserved and exactly the ED stays free",
            "set_program small", (fee, deposit, ed) => fee + deposit + ed, "ok", "ok");
        yield return new("set_program, fee + ED + deposit / 4, deposit over the ED",
            $"{ProgramsLib} set_program → reserve_program_deposit: free.checked_sub(deposit) fails → Balances.InsufficientBalance",
            "set_program large", (fee, deposit, ed) => fee + ed + (deposit / 4), "dispatch:Balances.InsufficientBalance", "preflight:InsufficientBalance");
        yield return new("set_program, fee + ED - 1",
            $"{keepAlive}",
            "set_program small", (fee, deposit, ed) => fee + ed - 1, "pool:Payment", "preflight:InsufficientBalance");
        yield return new("register, fee + ED - 1",
            $"{RelayerLib} register is Pays::Yes; {keepAlive}",
            "register", (fee, deposit, ed) => fee + ed - 1, "pool:Payment", "preflight:InsufficientBalance");
        yield return new("register, fee + ED",
            $"{RelayerLib} register: {keepAlive} holds with exactly the ED left",
            "register", (fee, deposit, ed) => fee + ed, "ok", "ok");
    }

    private static byte[] Encode(EntropyClient client, string call, AccountId account, byte[] bytecode) => call == "register"
        ? client.Session.Runtime.EncodeRegister(account, AccessMode.Public, default, [new ProgramInstance(TestPrograms.AllowAllPointer, [])])
        : new ProgramsRuntime(client.Session.Metadata).EncodeSetProgram(bytecode, []);

    /// <summary>Runs <paramref name="action"/>, authoring a block whenever the pool holds a transaction, and names its outcome.</summary>
    private static Task<string> OutcomeAsync(SimulatedChain chain, Func<Task> action) =>
        SourceRuleTableTests.OutcomeAsync(() => ChainCalls.IncludeAsync(chain, action()));
}
