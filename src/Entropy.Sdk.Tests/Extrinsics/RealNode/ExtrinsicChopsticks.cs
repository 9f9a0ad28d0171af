using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Entropy.Tests.Extrinsics.RealNode;

/// <summary>
/// A minimal chopsticks node for the extrinsic real-node tests: the 2023 Entropy devnet spec on 127.0.0.1 with Alice funded, blocks built
/// instantly (SUBSTRATE.md, "A real Substrate node on this machine"). Temporary: helper "rpc"'s shared RealNode fixture replaces it.
/// </summary>
internal sealed class ExtrinsicChopsticks : IAsyncDisposable
{
    private const string AliceAddress = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

    private readonly Process _process;
    private readonly string _storageFile;
    private readonly StringBuilder _log;

    private ExtrinsicChopsticks(Process process, Uri endpoint, string storageFile, StringBuilder log)
    {
        _process = process;
        Endpoint = endpoint;
        _storageFile = storageFile;
        _log = log;
    }

    public Uri Endpoint { get; }

    public static async Task<ExtrinsicChopsticks> StartAsync()
    {
        string root = RepositoryRoot();
        string chopsticksDir = Path.Combine(root, "eng", "chopsticks");
        string binary = Path.Combine(chopsticksDir, "node_modules", ".bin", "chopsticks");
        if (!File.Exists(binary))
        {
            using var install = Process.Start(new ProcessStartInfo("bash", [Path.Combine(chopsticksDir, "install.sh")]) { WorkingDirectory = chopsticksDir })!;
            await install.WaitForExitAsync();
            if (install.ExitCode != 0)
            {
                throw new InvalidOperationException($"eng/chopsticks/install.sh failed with exit code {install.ExitCode}.");
            }
        }

        string spec = Path.Combine(root, "..", "shared", "fixtures", "chain-specs", "entropy-devnet-2023.json");
        if (!File.Exists(spec))
        {
            spec = Path.Combine(root, "..", "..", "shared", "fixtures", "chain-specs", "entropy-devnet-2023.json");
        }

        string storageFile = Path.Combine(Path.GetTempPath(), $"entropy-extrinsics-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(storageFile, $"{{\"System\":{{\"Account\":[[[\"{AliceAddress}\"],{{\"providers\":1,\"data\":{{\"free\":\"1000000000000000000\"}}}}]]}}}}");
        int port = FreePort();
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = chopsticksDir,
        };
        foreach (string argument in (string[])["--genesis", Path.GetFullPath(spec), "--import-storage", storageFile, "--host", "127.0.0.1",
                     "--port", port.ToString(CultureInfo.InvariantCulture), "--build-block-mode", "Instant"])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NO_COLOR"] = "1";
        var log = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(e.Data);
            }

            if (e.Data.Contains("RPC listening on", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.OutputDataReceived += onLine;
        process.ErrorDataReceived += onLine;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("chopsticks exited before it was ready."));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var node = new ExtrinsicChopsticks(process, new Uri($"ws://127.0.0.1:{port}"), storageFile, log);
        try
        {
            // A readiness timeout, not a wait: the node normally listens after about 4 s.
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(90));
        }
        catch (Exception ex)
        {
            string text;
            lock (log)
            {
                text = log.ToString();
            }

            await node.DisposeAsync();
            throw new InvalidOperationException($"chopsticks did not become ready: {ex.Message}\n{text}", ex);
        }

        return node;
    }

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
            // Already exited.
        }
        finally
        {
            _process.Dispose();
            File.Delete(_storageFile);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Entropy.Sdk.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Entropy.Sdk.sln above {AppContext.BaseDirectory}.");
    }
}
