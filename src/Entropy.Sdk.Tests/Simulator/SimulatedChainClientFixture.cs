using Entropy.Crypto;
using Entropy.Simulator;

namespace Entropy.Tests.Simulator;

/// <summary>
/// The base of the fixtures that run the SDK's <see cref="EntropyClient"/> on a simulated chain without threshold servers (the
/// tests drive <c>confirm_register</c> with the dev TSS accounts, <see cref="ChainCalls"/>). It owns the options
/// (<see cref="TestChain"/> defaults, changed per fixture in <see cref="ConfigureChain"/> / <see cref="ConfigureClient"/>), starts the
/// chain and a connected client, deploys the test program (<see cref="TestPrograms"/>) and funds the test's user
/// (<see cref="FundedUserPerTest"/>), authoring the blocks that set-up waits for in manual block production, and stops both.
/// The chain is shared by the fixture's tests unless <see cref="Lifetime"/> says otherwise, with the reason in the override's summary.
/// </summary>
public abstract class SimulatedChainClientFixture
{
    private RunningChain? _running;
    private Sr25519Signer? _user;

    /// <summary>When the fixture's chain starts and stops.</summary>
    protected enum ChainLifetime
    {
        /// <summary>One chain for all the fixture's tests (one-time set-up and tear-down).</summary>
        Fixture,

        /// <summary>A chain of its own for every test (set-up and tear-down).</summary>
        Test,

        /// <summary>Every test starts its chain with <see cref="StartChainAsync"/> (its options vary per test); tear-down stops it.</summary>
        StartedByTest,
    }

    /// <summary>Gets the chain (the fixture's, or the current test's).</summary>
    protected SimulatedChain Chain => Running.Chain;

    /// <summary>Gets a client connected to <see cref="Chain"/>.</summary>
    protected EntropyClient Client => Running.Client;

    /// <summary>Gets the running chain and client (for <see cref="RunningChain.ReconnectAsync"/>).</summary>
    protected RunningChain Running => _running ?? throw new InvalidOperationException(
        "The chain starts in the fixture's set-up (one-time, per test, or by the test's StartChainAsync, see Lifetime).");

    /// <summary>Gets the current test's user, <c>//Alice//&lt;fixture&gt;//&lt;test&gt;</c>, funded from //Alice (with <see cref="FundedUserPerTest"/>).</summary>
    protected Sr25519Signer User => _user ?? throw new InvalidOperationException("The fixture has no per-test user; override FundedUserPerTest.");

    /// <summary>Gets when the chain starts and stops.</summary>
    protected virtual ChainLifetime Lifetime => ChainLifetime.Fixture;

    /// <summary>Gets a value indicating whether start-up deploys <see cref="TestPrograms.AllowAll"/> (signed by //Alice).</summary>
    protected virtual bool DeployTestProgram => true;

    /// <summary>Gets a value indicating whether every test gets a user of its own (<see cref="User"/>), funded before the test runs.</summary>
    protected virtual bool FundedUserPerTest => false;

    /// <summary>Starts the fixture's shared chain (with <see cref="ChainLifetime.Fixture"/>).</summary>
    /// <returns>A task that completes when the chain and client are ready.</returns>
    [OneTimeSetUp]
    public async Task StartSharedChainAsync()
    {
        if (Lifetime == ChainLifetime.Fixture)
        {
            await StartChainAsync();
        }
    }

    /// <summary>Stops the fixture's shared chain.</summary>
    /// <returns>A task that completes when it is gone.</returns>
    [OneTimeTearDown]
    public Task StopSharedChainAsync() => StopAsync();

    /// <summary>Creates (and on a running chain funds) the test's user, then starts the test's own chain (with <see cref="ChainLifetime.Test"/>).</summary>
    /// <returns>A task that completes when the test can start.</returns>
    [SetUp]
    public async Task StartTestAsync()
    {
        if (FundedUserPerTest)
        {
            _user = Sr25519Signer.FromSecretUri($"//Alice//{GetType().Name}//{TestContext.CurrentContext.Test.MethodName}");
            if (_running is not null)
            {
                await SetUpAsync(_running, ChainCalls.FundAsync(_running.Client, _user.AccountId));
            }
        }

        if (Lifetime == ChainLifetime.Test)
        {
            await StartChainAsync();
        }
    }

    /// <summary>Stops the test's own chain and disposes its user.</summary>
    /// <returns>A task that completes when they are gone.</returns>
    [TearDown]
    public async Task StopTestAsync()
    {
        if (Lifetime != ChainLifetime.Fixture)
        {
            await StopAsync();
        }

        _user?.Dispose();
        _user = null;
    }

    /// <summary>
    /// Starts the chain with the fixture's options changed by <paramref name="configureChain"/> / <paramref name="configureClient"/>,
    /// connects the client, deploys the test program (<see cref="DeployTestProgram"/>) and funds the test's user.
    /// </summary>
    /// <param name="configureChain">Changes this start's chain options after <see cref="ConfigureChain"/>; null keeps them.</param>
    /// <param name="configureClient">Changes this start's client options after <see cref="ConfigureClient"/>; null keeps them.</param>
    /// <returns>A task that completes when the chain and client are ready.</returns>
    protected async Task StartChainAsync(Action<SimulatedChainOptions>? configureChain = null, Action<EntropyClientOptions>? configureClient = null)
    {
        if (_running is not null)
        {
            throw new InvalidOperationException("The chain is already running.");
        }

        var running = await TestChain.StartAsync(
            options =>
            {
                ConfigureChain(options);
                configureChain?.Invoke(options);
            },
            options =>
            {
                ConfigureClient(options);
                configureClient?.Invoke(options);
            });
        _running = running;

        // Both are signed by //Alice, one after the other.
        if (DeployTestProgram)
        {
            await SetUpAsync(running, TestPrograms.DeployAsync(running.Client));
        }

        if (_user is not null)
        {
            await SetUpAsync(running, ChainCalls.FundAsync(running.Client, _user.AccountId));
        }
    }

    /// <summary>Changes the chain options of this fixture (runtime, block production, genesis, ...).</summary>
    /// <param name="options">The test defaults, to change in place.</param>
    protected virtual void ConfigureChain(SimulatedChainOptions options)
    {
    }

    /// <summary>Changes the client options of this fixture.</summary>
    /// <param name="options">The test defaults, to change in place.</param>
    protected virtual void ConfigureClient(EntropyClientOptions options)
    {
    }

    /// <summary>Signs <paramref name="call"/> as the SDK would and sends it as-is (no preflight) through <see cref="Client"/>; waits for inclusion.</summary>
    protected Task SignAndSendAsync(Sr25519Signer signer, byte[] call) => ChainCalls.SignAndSendAsync(Client, signer, call);

    /// <summary>Submits <c>confirm_register</c> for <paramref name="account"/> from the dev threshold server of <paramref name="subgroup"/>.</summary>
    /// <param name="account">The registering account.</param>
    /// <param name="subgroup">0 or 1.</param>
    /// <param name="key">The verifying key the server reports.</param>
    /// <returns>A task that completes when the confirmation is included.</returns>
    protected Task ConfirmAsync(AccountId account, byte subgroup, VerifyingKey key) => ChainCalls.ConfirmAsync(Client, account, subgroup, key);

    /// <summary>In manual block production, authors a block every 20 ms until <paramref name="task"/> ends (<see cref="ChainCalls.ProduceBlocksUntilAsync"/>).</summary>
    /// <param name="task">What waits for blocks.</param>
    /// <returns>A task that completes when <paramref name="task"/> has ended (it does not rethrow its failure).</returns>
    protected Task ProduceBlocksUntilAsync(Task task) => ChainCalls.ProduceBlocksUntilAsync(Chain, task);

    /// <summary>Waits for a set-up transaction; in manual block production, authors the blocks it waits for.</summary>
    private static async Task SetUpAsync(RunningChain running, Task task)
    {
        if (running.BlockProduction == BlockProductionMode.Manual)
        {
            await ChainCalls.ProduceBlocksUntilAsync(running.Chain, task);
        }

        await task;
    }

    private async Task StopAsync()
    {
        if (_running is { } running)
        {
            _running = null;
            await running.DisposeAsync();
        }
    }
}
