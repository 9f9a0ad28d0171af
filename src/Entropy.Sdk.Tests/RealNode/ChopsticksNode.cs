using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Entropy.Tests.RealNode;

/// <summary>A real Substrate node for tests: chopsticks (eng/chopsticks) running the 2023 Entropy devnet chain spec on 127.0.0.1, with Alice funded.</summary>
/// <remarks>
/// The server binary is started directly (not through npx) so that the process we hold is the server and can be killed with its tree.
/// Blocks are built instantly when an extrinsic arrives, or on <c>dev_newBlock</c>. See SUBSTRATE.md, "A real Substrate node on this machine".
/// </remarks>
public sealed class ChopsticksNode : IAsyncDisposable
{
    /// <summary>Alice's free balance imported at start (10^18 planck).</summary>
    public const string AliceFreeBalance = "1000000000000000000";

    /// <summary>//Alice's SS58 address (prefix 42).</summary>
    public const string AliceAddress = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

    private readonly ChildProcess _child;
    private readonly string _storageFile;

    private ChopsticksNode(ChildProcess child, Uri endpoint, string storageFile)
    {
        _child = child;
        Endpoint = endpoint;
        _storageFile = storageFile;
    }

    /// <summary>Gets the node's WebSocket endpoint.</summary>
    public Uri Endpoint { get; }

    /// <summary>Gets what the node printed so far (for failure messages).</summary>
    public string Output => _child.Output;

    /// <summary>Gets the repository root (the folder holding Entropy.Sdk.sln).</summary>
    public static string RepositoryRoot => TestData.RepositoryRoot;

    /// <summary>Gets the path of a file under the repository's <c>testdata/</c>.</summary>
    /// <param name="relative">The path below <c>testdata/</c>.</param>
    /// <returns>The full path.</returns>
    public static string Fixture(string relative) => TestData.Path(relative.Split('/'));

    /// <summary>Installs chopsticks if needed, starts it and waits until its RPC server listens.</summary>
    /// <returns>The running node.</returns>
    public static async Task<ChopsticksNode> StartAsync()
    {
        var chopsticksDir = PackagesDirectory;
        var binary = Path.Combine(chopsticksDir, "node_modules", ".bin", "chopsticks");
        await EnsurePackagesInstalledAsync(binary);

        var storageFile = Path.Combine(Path.GetTempPath(), $"entropy-chopsticks-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(
            storageFile,
            $"{{\"System\":{{\"Account\":[[[\"{AliceAddress}\"],{{\"providers\":1,\"data\":{{\"free\":\"{AliceFreeBalance}\"}}}}]]}}}}");
        var port = FreePort();
        var start = new ProcessStartInfo(binary) { WorkingDirectory = chopsticksDir };
        foreach (var argument in new[]
                 {
                     "--genesis", Fixture("chain-specs/entropy-devnet-2023.json"),
                     "--import-storage", storageFile,
                     "--host", "127.0.0.1",
                     "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--build-block-mode", "Instant",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NO_COLOR"] = "1";
        try
        {
            var (child, _) = await ChildProcess.StartAsync(
                "chopsticks", start, line => line.Contains("RPC listening on", StringComparison.Ordinal) ? line : null, TimeSpan.FromSeconds(90));
            return new ChopsticksNode(child, new Uri($"ws://127.0.0.1:{port}"), storageFile);
        }
        catch
        {
            File.Delete(storageFile);
            throw;
        }
    }

    /// <summary>Kills the node and its process tree and deletes the temporary storage file.</summary>
    /// <returns>A task that completes when the process has exited.</returns>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _child.DisposeAsync();
        }
        finally
        {
            File.Delete(_storageFile);
        }
    }

    /// <summary>Gets eng/chopsticks, the Node.js package that pins chopsticks and polkadot-js for the tests.</summary>
    public static string PackagesDirectory => Path.Combine(RepositoryRoot, "eng", "chopsticks");

    /// <summary>Runs eng/chopsticks/install.sh (as .ci/run does) when <paramref name="requiredFile"/> is missing.</summary>
    /// <param name="requiredFile">A file the caller needs from node_modules.</param>
    /// <returns>A task that completes when the file exists.</returns>
    public static async Task EnsurePackagesInstalledAsync(string requiredFile)
    {
        if (!File.Exists(requiredFile))
        {
            await RunInstallAsync(PackagesDirectory);
        }
    }

    private static async Task RunInstallAsync(string chopsticksDir)
    {
        var install = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = chopsticksDir };
        install.ArgumentList.Add(Path.Combine(chopsticksDir, "install.sh"));
        using var process = Process.Start(install)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await process.WaitForExitAsync(cts.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"eng/chopsticks/install.sh failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
