using Entropy.Simulator;

namespace Entropy.TestSupport;

/// <summary>
/// The devnet and client settings every test, fuzzer and benchmark starts from: 300 ms blocks, a cheap key-store scrypt (2^10),
/// a 10 s DKG timeout, and a client that polls every 100 ms and gives a registration 60 s. Callers change only what their
/// subject needs on the returned copies.
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
}
