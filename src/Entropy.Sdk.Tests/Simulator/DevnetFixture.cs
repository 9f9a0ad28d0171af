using Entropy.Simulator;

namespace Entropy.Tests.Simulator;

/// <summary>
/// The one base of the fixtures that share a devnet: it owns the options (<see cref="TestDevnet"/> defaults, changed per fixture in
/// <see cref="ConfigureDevnet"/> / <see cref="ConfigureClient"/>), starts the devnet and a connected client once per fixture,
/// deploys the test program (<see cref="TestPrograms"/>), and stops both. Tests whose faults damage shared state (killed nodes,
/// restarted servers, staged pools) start a fresh devnet per test from <see cref="TestDevnet.Options"/> instead.
/// </summary>
public abstract class DevnetFixture
{
    private EntropyDevnet? _devnet;
    private EntropyClient? _client;

    /// <summary>Gets the fixture's devnet.</summary>
    protected EntropyDevnet Devnet => _devnet ?? throw new InvalidOperationException("The devnet starts in the fixture's one-time set-up.");

    /// <summary>Gets a client connected to <see cref="Devnet"/>.</summary>
    protected EntropyClient Client => _client ?? throw new InvalidOperationException("The client connects in the fixture's one-time set-up.");

    /// <summary>Starts the devnet, connects the client and deploys the test program every registration uses.</summary>
    /// <returns>A task that completes when the devnet is ready for registrations.</returns>
    [OneTimeSetUp]
    public async Task StartDevnetAsync()
    {
        var options = TestDevnet.Options();
        ConfigureDevnet(options);
        _devnet = new EntropyDevnet(options);
        await _devnet.StartAsync();
        var clientOptions = TestDevnet.ClientOptions();
        ConfigureClient(clientOptions);
        _client = await EntropyClient.ConnectAsync(_devnet.Endpoint, clientOptions);
        await TestPrograms.DeployAsync(_client);
    }

    /// <summary>Disposes the client and stops the devnet.</summary>
    /// <returns>A task that completes when both are gone.</returns>
    [OneTimeTearDown]
    public async Task StopDevnetAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        if (_devnet is not null)
        {
            await _devnet.DisposeAsync();
        }
    }

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
}
