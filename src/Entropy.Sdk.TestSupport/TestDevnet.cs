using Entropy.Simulator;

namespace Entropy.TestSupport;

/// <summary>
/// The devnet and client settings every test, fuzzer and benchmark starts from: 300 ms blocks, a cheap key-store scrypt (2^10),
/// a 10 s DKG timeout, and a client that polls every 100 ms and gives a registration 60 s. Callers change only what their
/// subject needs on the returned copies (or in the callbacks of <see cref="StartAsync"/>).
/// </summary>
public static class TestDevnet
{
    /// <summary>Gets the block interval of the test devnet.</summary>
    public static TimeSpan BlockInterval { get; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Returns new devnet options with the test defaults.</summary>
    /// <returns>Options the caller may change.</returns>
    public static EntropyDevnetOptions Options() => new()
    {
        BlockInterval = BlockInterval,
        KeyStoreScryptCost = 1 << 10,
        DkgTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>Returns new client options with the test defaults.</summary>
    /// <returns>Options the caller may change.</returns>
    public static EntropyClientOptions ClientOptions() => new()
    {
        PollingInterval = TimeSpan.FromMilliseconds(100),
        RegistrationTimeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>
    /// Starts a devnet from <see cref="Options"/> changed by <paramref name="configureDevnet"/> and connects a client from
    /// <see cref="ClientOptions"/> changed by <paramref name="configureClient"/>. The one start-up of the tests and benchmarks.
    /// </summary>
    /// <param name="configureDevnet">Changes the devnet options (subgroups, block interval, DKG timeout, ...); null keeps the defaults.</param>
    /// <param name="configureClient">Changes the client options (timeouts, transport, ...); null keeps the defaults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running devnet and its client; dispose it to stop both.</returns>
    public static async Task<RunningDevnet> StartAsync(
        Action<EntropyDevnetOptions>? configureDevnet = null,
        Action<EntropyClientOptions>? configureClient = null,
        CancellationToken cancellationToken = default)
    {
        var options = Options();
        configureDevnet?.Invoke(options);
        var devnet = new EntropyDevnet(options);
        var client = await TestChain.StartAndConnectAsync(devnet, devnet.StartAsync, () => devnet.Endpoint, ClientOptions(), configureClient, cancellationToken).ConfigureAwait(false);
        return new RunningDevnet(devnet, client);
    }
}
