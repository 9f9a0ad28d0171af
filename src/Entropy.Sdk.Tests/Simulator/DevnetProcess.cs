using System.Diagnostics;
using System.Text;

namespace Entropy.Tests.Simulator;

/// <summary>
/// The devnet as a separate process, as users run it: <c>dotnet Entropy.Devnet.dll</c> (the <c>entropy-devnet</c> tool's entry point,
/// copied next to the tests by the project reference) with <c>--port 0</c> and the given arguments. The endpoint is read from the
/// banner's first line. Fault tests kill it by <see cref="Id"/>; <see cref="DisposeAsync"/> kills it and waits.
/// </summary>
public sealed class DevnetProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;

    private DevnetProcess(Process process, Uri endpoint, StringBuilder output)
    {
        _process = process;
        Endpoint = endpoint;
        _output = output;
    }

    /// <summary>Gets the chain's WebSocket JSON-RPC endpoint.</summary>
    public Uri Endpoint { get; }

    /// <summary>Gets the HTTP JSON-RPC endpoint (same port).</summary>
    public Uri HttpEndpoint => new($"http://{Endpoint.Authority}");

    /// <summary>Gets the process id (to kill it from a fault test).</summary>
    public int Id => _process.Id;

    /// <summary>Gets the process.</summary>
    public Process Process => _process;

    /// <summary>Gets what the process printed so far (stdout and stderr).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Gets the path of <c>Entropy.Devnet.dll</c> next to the test assembly.</summary>
    public static string EntryAssembly => Path.Combine(AppContext.BaseDirectory, "Entropy.Devnet.dll");

    /// <summary>Starts the devnet with <c>--port 0</c> (unless <paramref name="arguments"/> name a port) and waits for its banner.</summary>
    /// <param name="arguments">More command-line arguments (see <c>entropy-devnet --help</c>).</param>
    /// <returns>The running devnet.</returns>
    public static Task<DevnetProcess> StartAsync(params string[] arguments) => StartAsync(TimeSpan.FromSeconds(60), arguments);

    /// <summary>Starts the devnet and waits at most <paramref name="timeout"/> for its banner.</summary>
    /// <param name="timeout">How long to wait for the WebSocket endpoint line.</param>
    /// <param name="arguments">More command-line arguments.</param>
    /// <returns>The running devnet.</returns>
    public static Task<DevnetProcess> StartAsync(TimeSpan timeout, params string[] arguments) =>
        StartCoreAsync("dotnet", [EntryAssembly, .. arguments.Contains("--port") ? [] : new[] { "--port", "0" }, .. arguments], timeout);

    /// <summary>Starts any devnet command line (e.g. an installed <c>entropy-devnet</c>) and waits for its banner.</summary>
    /// <param name="fileName">The executable.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="timeout">How long to wait for the WebSocket endpoint line.</param>
    /// <returns>The running devnet.</returns>
    public static async Task<DevnetProcess> StartCoreAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        var endpoint = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            var at = e.Data.IndexOf("ws://", StringComparison.Ordinal);
            if (at >= 0)
            {
                endpoint.TrySetResult(new Uri(e.Data[at..].Split(' ')[0]));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        };
        process.Exited += (_, _) => endpoint.TrySetException(new InvalidOperationException($"The devnet exited ({process.ExitCode}) before it was ready."));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var devnet = new DevnetProcess(process, new Uri("ws://127.0.0.1:1"), output);
        try
        {
            var uri = await endpoint.Task.WaitAsync(timeout);
            return new DevnetProcess(process, uri, output);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            var log = devnet.Output;
            await devnet.DisposeAsync();
            throw new InvalidOperationException($"The devnet did not print its endpoint within {timeout}: {e.Message}\n{log}", e);
        }
    }

    /// <summary>Kills the process (and its children) and waits for it to exit.</summary>
    /// <returns>A task that completes when the process is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
        }
    }
}
