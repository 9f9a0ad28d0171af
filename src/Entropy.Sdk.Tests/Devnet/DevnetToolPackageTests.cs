using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Entropy.Tests.RealNode;

namespace Entropy.Tests.Devnet;

/// <summary>
/// The <c>entropy-devnet</c> dotnet tool as a user gets it: <c>dotnet pack</c> of src/Entropy.Devnet into a local feed,
/// <c>dotnet tool install Entropy.Devnet</c> into a temporary tool path from that feed only, then the installed command runs:
/// its banner starts with the WebSocket endpoint, the HTTP endpoint is labelled JSON-RPC over HTTP only, and one JSON-RPC call works.
/// </summary>
[Category("Packaging")]
public class DevnetToolPackageTests
{
    private string _root = null!;

    [OneTimeSetUp]
    public void CreateFolder()
    {
        _root = Path.Combine(Path.GetTempPath(), "entropy-devnet-tool-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
    }

    [OneTimeTearDown]
    public void DeleteFolder()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Test]
    public async Task PackInstallRun_FromALocalFeed_BannerAndOneRpcCall()
    {
        var feed = Path.Combine(_root, "feed");
        var tools = Path.Combine(_root, "tools");
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release" : "Debug";
        var project = Path.Combine(ChopsticksNode.RepositoryRoot, "src", "Entropy.Devnet", "Entropy.Devnet.csproj");

        // The test project references Entropy.Devnet, so it is built in this configuration already.
        // A placeholder repository URL: a worktree or a clone without an origin cannot tell where the package links home (eng/Package.targets).
        await RunAsync("dotnet", _root, "pack", project, "--no-build", "-c", configuration, "-o", feed, "-p:RepositoryUrl=https://github.com/ci_placeholder/entropy-sdk");
        var package = Directory.GetFiles(feed, "Entropy.Devnet.*.nupkg").Where(p => !p.EndsWith(".symbols.nupkg", StringComparison.Ordinal)).Single();

        // Only the local feed: the tool package carries the simulator and the SDK inside it.
        var config = Path.Combine(_root, "nuget.config");
        await File.WriteAllTextAsync(config,
            $"<configuration><packageSources><clear /><add key=\"local\" value=\"{feed}\" /></packageSources></configuration>");
        await RunAsync("dotnet", _root, "tool", "install", "Entropy.Devnet", "--tool-path", tools, "--configfile", config, "--prerelease");

        var command = Path.Combine(tools, OperatingSystem.IsWindows() ? "entropy-devnet.exe" : "entropy-devnet");
        Assert.That(File.Exists(command), Is.True, $"{command} after installing {Path.GetFileName(package)}");
        await using var devnet = await DevnetProcess.StartCoreAsync(command, ["--port", "0", "--manual"], TimeSpan.FromSeconds(60));
        using var http = new HttpClient();
        using var response = await http.PostAsJsonAsync(devnet.HttpEndpoint,
            new { jsonrpc = "2.0", id = 1, method = "chain_getBlockHash", @params = new object[] { 0 } });
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var lines = devnet.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(lines[0], Does.StartWith($"Entropy devnet WebSocket: {devnet.Endpoint}"));
            Assert.That(lines[1], Does.Contain(devnet.HttpEndpoint.ToString()).And.Contain("JSON-RPC over HTTP POST only"));
            Assert.That(answer.RootElement.GetProperty("result").GetString(), Does.StartWith("0x").And.Length.EqualTo(66));
            Assert.That(devnet.Output, Does.Contain($"Genesis:    {answer.RootElement.GetProperty("result").GetString()}"));
        });
    }

    private static async Task RunAsync(string fileName, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        Assert.That(process.ExitCode, Is.Zero, $"{fileName} {string.Join(' ', arguments)}:\n{await stdout}\n{await stderr}");
    }
}
