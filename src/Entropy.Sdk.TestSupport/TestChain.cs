using Entropy.Simulator;

namespace Entropy.TestSupport;

/// <summary>
/// The simulated-chain and client settings the tests of the SDK client on a chain without threshold servers start from: a block
/// every 100 ms, and a client that polls every 50 ms and gives a registration 20 s. Callers change only what their subject needs
/// on the returned copies (or in the callbacks of <see cref="StartAsync"/>). The devnet's settings are <see cref="TestDevnet"/>'s.
/// </summary>
public static class TestChain
{
    /// <summary>Gets the block interval of the test chain in interval block production.</summary>
    public static TimeSpan BlockInterval { get; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Returns new chain options with the test defaults (interval block production).</summary>
    /// <returns>Options the caller may change.</returns>
    public static SimulatedChainOptions Options() => new()
    {
        BlockProduction = BlockProductionMode.Interval,
        BlockInterval = BlockInterval,
    };

    /// <summary>Returns new client options with the test defaults.</summary>
    /// <returns>Options the caller may change.</returns>
    public static EntropyClientOptions ClientOptions() => new()
    {
        PollingInterval = TimeSpan.FromMilliseconds(50),
        RegistrationTimeout = TimeSpan.FromSeconds(20),
    };

    /// <summary>
    /// Starts a simulated chain from <see cref="Options"/> changed by <paramref name="configureChain"/> and connects a client from
    /// <see cref="ClientOptions"/> changed by <paramref name="configureClient"/>.
    /// </summary>
    /// <param name="configureChain">Changes the chain options (runtime, block production, genesis, ...); null keeps the defaults.</param>
    /// <param name="configureClient">Changes the client options (timeouts, mortality, ...); null keeps the defaults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running chain and its client; dispose it to stop both.</returns>
    public static async Task<RunningChain> StartAsync(
        Action<SimulatedChainOptions>? configureChain = null,
        Action<EntropyClientOptions>? configureClient = null,
        CancellationToken cancellationToken = default)
    {
        var options = Options();
        configureChain?.Invoke(options);
        var clientOptions = ClientOptions();
        var chain = new SimulatedChain(options);
        var client = await StartAndConnectAsync(chain, chain.StartAsync, () => chain.WebSocketEndpoint, clientOptions, configureClient, cancellationToken).ConfigureAwait(false);
        return new RunningChain(chain, options.BlockProduction, client, clientOptions);
    }

    /// <summary>Starts <paramref name="server"/> and connects a client to it; stops the server when either fails.</summary>
    /// <param name="server">The chain or devnet, not started yet.</param>
    /// <param name="start">Starts it.</param>
    /// <param name="endpoint">Its WebSocket endpoint once started.</param>
    /// <param name="clientOptions">The client's default options.</param>
    /// <param name="configureClient">Changes <paramref name="clientOptions"/> once the server runs; null keeps them.</param>
    /// <param name="cancellationToken">Cancels the start and the connect.</param>
    /// <returns>The connected client.</returns>
    internal static async Task<EntropyClient> StartAndConnectAsync(
        IAsyncDisposable server, Func<CancellationToken, Task> start, Func<Uri> endpoint, EntropyClientOptions clientOptions, Action<EntropyClientOptions>? configureClient, CancellationToken cancellationToken)
    {
        try
        {
            await start(cancellationToken).ConfigureAwait(false);
            configureClient?.Invoke(clientOptions);
            return await EntropyClient.ConnectAsync(endpoint(), clientOptions, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
