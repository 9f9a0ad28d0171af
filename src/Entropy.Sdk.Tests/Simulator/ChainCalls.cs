using Entropy.Crypto;
using Entropy.Extrinsics;
using Entropy.Metadata;
using Entropy.Simulator;

namespace Entropy.Tests.Simulator;

/// <summary>
/// What the tests of the SDK client on a simulated chain do on the chain beside the SDK's own operations: transfers from //Alice,
/// a call signed and sent as-is (no preflight), <c>confirm_register</c> as the dev threshold servers would send it, and block
/// authoring in manual block production while the client waits.
/// </summary>
internal static class ChainCalls
{
    /// <summary>PROTOCOL.md §10: the v0.0.10 dev threshold-server mnemonic of subgroup 0 (Alice's TSS).</summary>
    public const string TssAliceMnemonic = "alarm mutual concert decrease hurry invest culture survey diagram crash snap click";

    /// <summary>PROTOCOL.md §10: the v0.0.10 dev threshold-server mnemonic of subgroup 1 (Bob's TSS).</summary>
    public const string TssBobMnemonic = "where sight patient orphan general short empower hope party hurt month voice";

    /// <summary>The dev chain's committee member of <paramref name="subgroup"/> (0 or 1); the caller disposes it.</summary>
    public static Sr25519Signer DevTss(byte subgroup) => Sr25519Signer.FromMnemonic(subgroup switch
    {
        0 => TssAliceMnemonic,
        1 => TssBobMnemonic,
        _ => throw new ArgumentOutOfRangeException(nameof(subgroup), subgroup, "the dev chain has subgroups 0 and 1"),
    });

    /// <summary>Signs <paramref name="call"/> as the SDK would (no tip, 64-block era) and sends it without any preflight; waits for inclusion.</summary>
    public static async Task<ExtrinsicResult> SignAndSendAsync(EntropyClient client, Sr25519Signer signer, byte[] call)
    {
        var session = client.Session;
        var extrinsic = await session.SignAsync(call, signer, 0, 64, CancellationToken.None);
        return await session.SubmitAndWatchAsync(extrinsic, signer.AccountId, null, CancellationToken.None);
    }

    /// <summary>Transfers <paramref name="amount"/> planck from //Alice to <paramref name="to"/> (<c>transfer_keep_alive</c>).</summary>
    public static async Task TransferFromAliceAsync(EntropyClient client, AccountId to, UInt128 amount)
    {
        using var alice = Sr25519Signer.FromSecretUri("//Alice");
        var call = client.Session.Metadata.EncodeCall("Balances", "transfer_keep_alive", ScaleValue.Named(
            ("dest", ScaleValue.Variant("Id", ScaleValue.Bytes(to.AsSpan()))),
            ("value", ScaleValue.Number((System.Numerics.BigInteger)amount))));
        await SignAndSendAsync(client, alice, call);
    }

    /// <summary>Funds accounts from //Alice with 10^15 planck each (concurrent transfers share Alice's nonce reservation).</summary>
    public static Task FundAsync(EntropyClient client, params AccountId[] accounts) =>
        Task.WhenAll(accounts.Select(account => TransferFromAliceAsync(client, account, 1_000_000_000_000_000)));

    /// <summary>Submits <c>confirm_register</c> for <paramref name="account"/> from the dev threshold server of <paramref name="subgroup"/>.</summary>
    public static async Task ConfirmAsync(EntropyClient client, AccountId account, byte subgroup, VerifyingKey key)
    {
        using var tss = DevTss(subgroup);
        await SignAndSendAsync(client, tss, client.Session.Runtime.EncodeConfirmRegister(account, subgroup, key));
    }

    /// <summary>
    /// Starts a chain in manual block production whose genesis holds the test program and <paramref name="endowed"/>, with a
    /// connected client. Fees move with <c>NextFeeMultiplier</c> every block: until the test authors a block, the fee is the
    /// genesis one (multiplier 1).
    /// </summary>
    public static Task<RunningChain> StartAtGenesisFeeAsync(params KeyValuePair<byte[], UInt128>[] endowed) => TestChain.StartAsync(options =>
    {
        options.BlockProduction = BlockProductionMode.Manual;
        options.Programs.Add(new(TestPrograms.AllowAll, []));
        foreach (var account in endowed)
        {
            options.EndowedAccounts.Add(account);
        }
    });

    /// <summary>In manual block production, authors a block each time the pool holds a transaction, until <paramref name="task"/> ends (30 s at most).</summary>
    public static async Task<T> IncludeAsync<T>(SimulatedChain chain, Task<T> task)
    {
        await IncludeAsync(chain, (Task)task);
        return await task;
    }

    /// <inheritdoc cref="IncludeAsync{T}(SimulatedChain, Task{T})"/>
    public static async Task IncludeAsync(SimulatedChain chain, Task task)
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

        await task;
    }

    /// <summary>In manual block production, authors a block every 20 ms (empty or not: finality moves) until <paramref name="task"/> ends.</summary>
    public static async Task ProduceBlocksUntilAsync(SimulatedChain chain, Task task)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!task.IsCompleted)
        {
            timeout.Token.ThrowIfCancellationRequested();
            await chain.ProduceBlockAsync();
            await Task.WhenAny(task, Task.Delay(20, timeout.Token));
        }
    }
}
