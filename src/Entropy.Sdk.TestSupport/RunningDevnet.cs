using Entropy.Simulator;

namespace Entropy.TestSupport;

/// <summary>A devnet started by <see cref="TestDevnet.StartAsync"/> and a client connected to it; disposing stops both.</summary>
/// <param name="devnet">The devnet.</param>
/// <param name="client">The client connected to it.</param>
public sealed class RunningDevnet(EntropyDevnet devnet, EntropyClient client) : IAsyncDisposable
{
    /// <summary>Gets the devnet.</summary>
    public EntropyDevnet Devnet { get; } = devnet;

    /// <summary>Gets the client connected to <see cref="Devnet"/>.</summary>
    public EntropyClient Client { get; } = client;

    /// <summary>Disposes the client, then stops the devnet.</summary>
    /// <returns>A task that completes when both are gone.</returns>
    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync().ConfigureAwait(false);
        await Devnet.DisposeAsync().ConfigureAwait(false);
    }
}
