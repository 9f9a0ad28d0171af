using System.Diagnostics;
using System.Text;

namespace Entropy.TestSupport;

/// <summary>
/// A process a test runs beside itself (the devnet tool, chopsticks, a hostile node): output captured, started once a line says it
/// is ready, killed with its whole tree on dispose. Fault tests kill it by <see cref="Id"/>.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ChildProcess(Process process) => _process = process;

    /// <summary>Gets the process id (to kill it from a fault test).</summary>
    public int Id => _process.Id;

    /// <summary>Gets the process.</summary>
    public Process Process => _process;

    /// <summary>Gets what the process printed so far (stdout and stderr, in arrival order).</summary>
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

    /// <summary>
    /// Starts <paramref name="start"/> (its output redirected here) and waits until a line of stdout or stderr makes
    /// <paramref name="ready"/> return a value.
    /// </summary>
    /// <typeparam name="T">What the ready line gives, e.g. the endpoint it prints.</typeparam>
    /// <param name="name">The process's name in failure messages.</param>
    /// <param name="start">The command line; redirection and shell execution are set here.</param>
    /// <param name="ready">Reads each line; returns the ready value or <see langword="default"/> while not ready.</param>
    /// <param name="timeout">How long to wait for the ready line.</param>
    /// <returns>The running process and the ready value.</returns>
    /// <exception cref="InvalidOperationException">The process exited or printed no ready line in time; the message has its output.</exception>
    public static async Task<(ChildProcess Process, T Ready)> StartAsync<T>(string name, ProcessStartInfo start, Func<string, T?> ready, TimeSpan timeout)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        var readyValue = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (child._output)
            {
                child._output.AppendLine(e.Data);
            }

            if (!readyValue.Task.IsCompleted && ready(e.Data) is { } value)
            {
                readyValue.TrySetResult(value);
            }
        };
        process.OutputDataReceived += onLine;
        process.ErrorDataReceived += onLine;
        process.Exited += (_, _) => readyValue.TrySetException(new InvalidOperationException($"{name} exited ({process.ExitCode}) before it was ready."));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return (child, await readyValue.Task.WaitAsync(timeout).ConfigureAwait(false));
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            var log = child.Output;
            await child.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"{name} did not become ready within {timeout}: {e.Message}\n{log}", e);
        }
    }

    /// <summary>Kills the process and its children and waits (at most 10 s) for it to exit.</summary>
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
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
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
