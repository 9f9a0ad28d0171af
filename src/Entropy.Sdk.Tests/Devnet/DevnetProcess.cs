using System.Diagnostics;

namespace Entropy.Tests.Devnet;

/// <summary>
/// The devnet as a separate process, as users run it: <c>dotnet Entropy.Devnet.dll</c> (the <c>entropy-devnet</c> tool's entry point,
/// copied next to the tests by the project reference) with <c>--port 0</c> and the given arguments. The endpoint is read from the
/// banner's first line. Fault tests kill it by <see cref="Id"/>; <see cref="DisposeAsync"/> kills it and waits.
/// </summary>
public sealed class DevnetProcess : IAsyncDisposable
{
    private readonly ChildProcess _child;

    private DevnetProcess(ChildProcess child, Uri endpoint)
    {
        _child = child;
        Endpoint = endpoint;
    }

    /// <summary>Gets the chain's WebSocket JSON-RPC endpoint.</summary>
    public Uri Endpoint { get; }

    /// <summary>Gets the HTTP JSON-RPC endpoint (same port).</summary>
    public Uri HttpEndpoint => new($"http://{Endpoint.Authority}");

    /// <summary>Gets the process id (to kill it from a fault test).</summary>
    public int Id => _child.Id;

    /// <summary>Gets the process.</summary>
    public Process Process => _child.Process;

    /// <summary>Gets what the process printed so far (stdout and stderr).</summary>
    public string Output => _child.Output;

    /// <summary>Gets the path of <c>Entropy.Devnet.dll</c> next to the test assembly.</summary>
    public static string EntryAssembly => Path.Combine(AppContext.BaseDirectory, "Entropy.Devnet.dll");

    /// <summary>Starts the devnet with <c>--port 0</c> (unless <paramref name="arguments"/> name a port) and waits for its banner.</summary>
    /// <param name="arguments">More command-line arguments (see <c>entropy-devnet --help</c>).</param>
    /// <returns>The running devnet.</returns>
    public static Task<DevnetProcess> StartAsync(params string[] arguments) => StartAsync(TimeSpan.FromSeconds(60), arguments);

    /// <summary>Starts the devnet and waits at most <paramref name="timeout"/> for its banner. The suite's defaults come first (see
    /// <see cref="SuiteDefaults"/>): <c>--fast-public-dkg</c> and the fixture primes (<c>--test-safe-primes</c>).</summary>
    /// <param name="timeout">How long to wait for the WebSocket endpoint line.</param>
    /// <param name="arguments">More command-line arguments.</param>
    /// <returns>The running devnet.</returns>
    public static Task<DevnetProcess> StartAsync(TimeSpan timeout, params string[] arguments) =>
        StartCoreAsync("dotnet", [EntryAssembly, .. arguments.Contains("--port") ? [] : new[] { "--port", "0" }, "--fast-public-dkg", "--test-safe-primes", TestSafePrimes.FilePath, .. arguments], timeout);

    /// <summary>Starts any devnet command line (e.g. an installed <c>entropy-devnet</c>) and waits for its banner.</summary>
    /// <param name="fileName">The executable.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="timeout">How long to wait for the WebSocket endpoint line.</param>
    /// <returns>The running devnet.</returns>
    public static async Task<DevnetProcess> StartCoreAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var (child, endpoint) = await ChildProcess.StartAsync("The devnet", start, EndpointIn, timeout);
        return new DevnetProcess(child, endpoint);
    }

    /// <summary>Kills the process (and its children) and waits for it to exit.</summary>
    /// <returns>A task that completes when the process is gone.</returns>
    public ValueTask DisposeAsync() => _child.DisposeAsync();

    // The banner's first line names the WebSocket endpoint.
    private static Uri? EndpointIn(string line)
    {
        var at = line.IndexOf("ws://", StringComparison.Ordinal);
        return at >= 0 ? new Uri(line[at..].Split(' ')[0]) : null;
    }
}
