using Entropy.Simulator;

namespace Entropy.TestSupport;

/// <summary>A simulated chain started by <see cref="TestChain.StartAsync"/> and a client connected to it; disposing stops both.</summary>
/// <param name="chain">The chain.</param>
/// <param name="blockProduction">How it authors blocks.</param>
/// <param name="client">The client connected to it.</param>
/// <param name="clientOptions">The client's options (for <see cref="ReconnectAsync"/>).</param>
public sealed class RunningChain(SimulatedChain chain, BlockProductionMode blockProduction, EntropyClient client, EntropyClientOptions clientOptions) : IAsyncDisposable
{
    /// <summary>Gets the chain.</summary>
    public SimulatedChain Chain { get; } = chain;

    /// <summary>Gets how the chain authors blocks (in <see cref="BlockProductionMode.Manual"/> the test authors them).</summary>
    public BlockProductionMode BlockProduction { get; } = blockProduction;

    /// <summary>Gets the client connected to <see cref="Chain"/> (a new one after <see cref="ReconnectAsync"/>).</summary>
    public EntropyClient Client { get; private set; } = client;

    /// <summary>Disposes the client and connects a new one with the same options, as an application restart would.</summary>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The new client (also <see cref="Client"/>).</returns>
    public async Task<EntropyClient> ReconnectAsync(CancellationToken cancellationToken = default)
    {
        await Client.DisposeAsync().ConfigureAwait(false);
        Client = await EntropyClient.ConnectAsync(Chain.WebSocketEndpoint, clientOptions, cancellationToken).ConfigureAwait(false);
        return Client;
    }

    /// <summary>Disposes the client, then stops the chain.</summary>
    /// <returns>A task that completes when both are gone.</returns>
    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync().ConfigureAwait(false);
        await Chain.DisposeAsync().ConfigureAwait(false);
    }
}
