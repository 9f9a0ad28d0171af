using Entropy.Simulator;

namespace Entropy.Tests.Simulator;

/// <summary>
/// The one base of the fixtures that run on a devnet: it owns the options (<see cref="TestDevnet"/> defaults, changed per fixture in
/// <see cref="ConfigureDevnet"/> / <see cref="ConfigureClient"/>), starts the devnet and a connected client, deploys the test program
/// (<see cref="TestPrograms"/>), and stops both. The devnet is shared by the fixture's tests; a fixture whose faults damage shared state
/// (killed nodes, restarted servers, fault hooks, chain-wide counters) overrides <see cref="FreshDevnetPerTest"/> and says why.
/// A test that needs a devnet of its own inside one fixture calls <see cref="StartAsync"/>.
/// </summary>
public abstract class DevnetFixture
{
    private RunningDevnet? _running;

    /// <summary>Gets the devnet (the fixture's, or the current test's with <see cref="FreshDevnetPerTest"/>).</summary>
    protected EntropyDevnet Devnet => (_running ?? throw NotStarted()).Devnet;

    /// <summary>Gets a client connected to <see cref="Devnet"/>.</summary>
    protected EntropyClient Client => (_running ?? throw NotStarted()).Client;

    /// <summary>Gets a value indicating whether every test gets a devnet of its own (started in set-up, stopped in tear-down).</summary>
    protected virtual bool FreshDevnetPerTest => false;

    /// <summary>
    /// Starts a devnet with the test defaults changed by <paramref name="configureDevnet"/>, connects a client with the test defaults
    /// changed by <paramref name="configureClient"/> and (unless <paramref name="deployTestProgram"/> is false) deploys the test program
    /// (a devnet in <see cref="BlockProductionMode.Manual"/> gets its blocks from <see cref="ManualDevnetBlocks.WhilePendingAsync"/> meanwhile).
    /// </summary>
    /// <param name="configureDevnet">Changes the devnet options; null keeps the defaults.</param>
    /// <param name="configureClient">Changes the client options; null keeps the defaults.</param>
    /// <param name="deployTestProgram">Whether to deploy <see cref="TestPrograms.AllowAll"/> (a test that counts program operations does not).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running devnet and client; dispose it to stop both.</returns>
    public static async Task<RunningDevnet> StartAsync(
        Action<EntropyDevnetOptions>? configureDevnet = null,
        Action<EntropyClientOptions>? configureClient = null,
        bool deployTestProgram = true,
        CancellationToken cancellationToken = default)
    {
        var running = await TestDevnet.StartAsync(configureDevnet, configureClient, cancellationToken);
        try
        {
            if (deployTestProgram)
            {
                await ManualDevnetBlocks.WhilePendingAsync(running.Devnet, TestPrograms.DeployAsync(running.Client, cancellationToken));
            }

            return running;
        }
        catch
        {
            await running.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the fixture's shared devnet (unless every test gets its own).</summary>
    /// <returns>A task that completes when the devnet is ready for registrations.</returns>
    [OneTimeSetUp]
    public async Task StartSharedDevnetAsync()
    {
        if (!FreshDevnetPerTest)
        {
            _running = await StartAsync(ConfigureDevnet, ConfigureClient);
        }
    }

    /// <summary>Stops the fixture's shared devnet.</summary>
    /// <returns>A task that completes when it is gone.</returns>
    [OneTimeTearDown]
    public Task StopSharedDevnetAsync() => FreshDevnetPerTest ? Task.CompletedTask : StopAsync();

    /// <summary>Starts the test's own devnet (with <see cref="FreshDevnetPerTest"/>).</summary>
    /// <returns>A task that completes when the devnet is ready for registrations.</returns>
    [SetUp]
    public async Task StartFreshDevnetAsync()
    {
        if (FreshDevnetPerTest)
        {
            _running = await StartAsync(ConfigureDevnet, ConfigureClient);
        }
    }

    /// <summary>Stops the test's own devnet.</summary>
    /// <returns>A task that completes when it is gone.</returns>
    [TearDown]
    public Task StopFreshDevnetAsync() => FreshDevnetPerTest ? StopAsync() : Task.CompletedTask;

    /// <summary>Changes the devnet options of this fixture (subgroups, block interval, server behaviour, ...).</summary>
    /// <param name="options">The test defaults, to change in place.</param>
    protected virtual void ConfigureDevnet(EntropyDevnetOptions options)
    {
    }

    /// <summary>Changes the client options of this fixture.</summary>
    /// <param name="options">The test defaults, to change in place.</param>
    protected virtual void ConfigureClient(EntropyClientOptions options)
    {
    }

    private static InvalidOperationException NotStarted() =>
        new("The devnet starts in the fixture's set-up (one-time, or per test with FreshDevnetPerTest).");

    private async Task StopAsync()
    {
        if (_running is { } running)
        {
            _running = null;
            await running.DisposeAsync();
        }
    }
}
