using Entropy.Crypto;
using Entropy.Simulator;
using Entropy.Tests.Registration;
using Entropy.Tests.Simulator;

namespace Entropy.Tests.Diagnostics;

/// <summary>
/// The devnet of one telemetry test (200 ms blocks), started after the test's <see cref="TelemetryRecorder"/> listens: the tests
/// count spans and measurements by the devnet's ports, so the devnet is the test's own and nothing else runs on it.
/// </summary>
internal sealed class TelemetryDevnet : IAsyncDisposable
{
    private readonly RunningDevnet _running;

    private TelemetryDevnet(RunningDevnet running, Sr25519Signer? user)
    {
        _running = running;
        User = user;
    }

    /// <summary>Gets the devnet.</summary>
    public EntropyDevnet Devnet => _running.Devnet;

    /// <summary>Gets the client connected to it.</summary>
    public EntropyClient Client => _running.Client;

    /// <summary>Gets the node's JSON-RPC port (the SDK's and the node's telemetry carry it as <c>server.port</c>).</summary>
    public int Port => _running.Devnet.Endpoint.Port;

    /// <summary>Gets the funded user, or null when none was asked for.</summary>
    public Sr25519Signer? User { get; }

    /// <summary>Starts the devnet and connects the client; deploys the test program and funds <paramref name="userUri"/> when given.</summary>
    /// <param name="userUri">The secret URI of a user to fund, or null.</param>
    /// <param name="deployTestProgram">Whether to deploy the test program (a test that counts program operations does not).</param>
    /// <returns>The started devnet.</returns>
    public static async Task<TelemetryDevnet> StartAsync(string? userUri = null, bool deployTestProgram = true)
    {
        var running = await DevnetFixture.StartAsync(options => options.BlockInterval = TimeSpan.FromMilliseconds(200), deployTestProgram: deployTestProgram);
        var user = userUri is null ? null : Sr25519Signer.FromSecretUri(userUri);
        if (user is not null)
        {
            await RegistrationAudit.FundAsync(running.Client, user.AccountId);
        }

        return new TelemetryDevnet(running, user);
    }

    /// <summary>Stops the devnet and disposes the user.</summary>
    /// <returns>A task that completes when the devnet is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        await _running.DisposeAsync();
        User?.Dispose();
    }
}
