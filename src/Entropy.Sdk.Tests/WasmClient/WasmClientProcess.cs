using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Entropy.Tests.RealNode;

namespace Entropy.Tests.WasmClient;

/// <summary>A committee member as the wasm client's <c>ValidatorInfo</c> takes it.</summary>
/// <param name="X25519PublicKey">The server's 32-byte x25519 key (the Noise responder's static key).</param>
/// <param name="Endpoint">host:port; the client dials <c>ws://{Endpoint}/ws</c>.</param>
/// <param name="TssAccount">The server's 32-byte sr25519 account.</param>
internal sealed record WasmValidator(byte[] X25519PublicKey, string Endpoint, byte[] TssAccount);

/// <summary>What run-dkg.mjs answered.</summary>
/// <param name="Ok">Whether the wasm call succeeded.</param>
/// <param name="Error">The wasm's error text, or the harness's (timeout, bad input).</param>
/// <param name="TimedOut">Whether the harness's own timeout fired.</param>
/// <param name="VerifyingKey">The key share's 33-byte verifying key.</param>
/// <param name="PartyIndex">The key share's party index.</param>
/// <param name="NumParties">The key share's number of parties.</param>
/// <param name="KeyShare">The key share's <c>toBytes()</c>.</param>
/// <param name="ElapsedMilliseconds">How long <c>runDkgProtocol</c> took, in the harness.</param>
/// <param name="CpuMilliseconds">The node process's CPU time (user + system) during <c>runDkgProtocol</c>, or -1.</param>
internal sealed record WasmAnswer(bool Ok, string? Error, bool TimedOut, byte[]? VerifyingKey, int PartyIndex, int NumParties, byte[]? KeyShare, long ElapsedMilliseconds, long CpuMilliseconds = -1);

/// <summary>Runs eng/wasm-client/run-dkg.mjs: Entropy's published wasm client (npm <c>@entropyxyz/entropy-protocol-nodejs</c> 0.2.0) as a child process.</summary>
internal static class WasmClientProcess
{
    /// <summary>Gets eng/wasm-client.</summary>
    public static string PackageDirectory => Path.Combine(ChopsticksNode.RepositoryRoot, "eng", "wasm-client");

    private static string Marker => Path.Combine(PackageDirectory, "node_modules", "@entropyxyz", "entropy-protocol-nodejs", "entropy_protocol_bg.wasm");

    /// <summary>Runs eng/wasm-client/install.sh (as .ci/run does) when the package is missing, so a fresh clone's <c>dotnet test</c> works.</summary>
    public static async Task EnsureInstalledAsync()
    {
        if (File.Exists(Marker) && File.Exists(Path.Combine(PackageDirectory, "node_modules", "ws", "package.json")))
        {
            return;
        }

        var (code, stdout, stderr) = await RunAsync("bash", [Path.Combine(PackageDirectory, "install.sh")], null, TimeSpan.FromMinutes(8));
        if (code != 0 || !File.Exists(Marker))
        {
            throw new InvalidOperationException($"eng/wasm-client/install.sh failed ({code}):\n{stdout}\n{stderr}");
        }
    }

    /// <summary>Runs <c>runDkgProtocol</c> as the user; the harness gives up after <paramref name="timeout"/> (and the process is killed a little later).</summary>
    public static async Task<WasmAnswer> RunDkgAsync(
        IReadOnlyList<WasmValidator> validators, byte[] userSecretKey, byte[] userX25519Secret, uint blockNumber, TimeSpan timeout, string? captureDirectory = null, CancellationToken cancellationToken = default)
    {
        await EnsureInstalledAsync();
        var request = new JsonObject
        {
            ["validators"] = new JsonArray(validators.Select(v => (JsonNode)new JsonObject
            {
                ["x25519PublicKey"] = Convert.ToHexStringLower(v.X25519PublicKey),
                ["endpoint"] = v.Endpoint,
                ["tssAccount"] = Convert.ToHexStringLower(v.TssAccount),
            }).ToArray()),
            ["userSecretKey"] = Convert.ToHexStringLower(userSecretKey),
            ["userX25519SecretKey"] = Convert.ToHexStringLower(userX25519Secret),
            ["blockNumber"] = blockNumber,
            ["timeoutMs"] = (long)timeout.TotalMilliseconds,
        };
        List<string> arguments = [Path.Combine(PackageDirectory, "run-dkg.mjs"), "dkg"];
        if (captureDirectory is not null)
        {
            arguments.AddRange(["--capture", captureDirectory]);
        }

        return await AskAsync(arguments, request.ToJsonString(), timeout + TimeSpan.FromSeconds(30), cancellationToken);
    }

    /// <summary>Loads key share bytes with the wasm's <c>KeyShare.fromBytes</c>.</summary>
    public static async Task<WasmAnswer> LoadKeyShareAsync(byte[] keyShare)
    {
        await EnsureInstalledAsync();
        var request = new JsonObject { ["keyShare"] = Convert.ToBase64String(keyShare), ["timeoutMs"] = 60000 };
        return await AskAsync([Path.Combine(PackageDirectory, "run-dkg.mjs"), "keyshare"], request.ToJsonString(), TimeSpan.FromSeconds(90), default);
    }

    private static async Task<WasmAnswer> AskAsync(IReadOnlyList<string> arguments, string stdin, TimeSpan kill, CancellationToken cancellationToken)
    {
        var (code, stdout, stderr) = await RunAsync("node", arguments, stdin, kill, cancellationToken);
        string line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()
            ?? throw new InvalidOperationException($"run-dkg.mjs printed nothing (exit {code}); stderr:\n{stderr}");
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        bool ok = root.GetProperty("ok").GetBoolean();
        if (ok != (code == 0))
        {
            throw new InvalidOperationException($"run-dkg.mjs answered ok={ok} but exited {code}; stderr:\n{stderr}");
        }

        return new WasmAnswer(
            ok,
            root.TryGetProperty("error", out var error) ? error.GetString() : null,
            root.TryGetProperty("timeout", out var timedOut) && timedOut.GetBoolean(),
            root.TryGetProperty("verifyingKey", out var key) ? Convert.FromHexString(key.GetString()!) : null,
            root.TryGetProperty("partyIndex", out var index) ? index.GetInt32() : -1,
            root.TryGetProperty("numParties", out var parties) ? parties.GetInt32() : -1,
            root.TryGetProperty("keyShare", out var share) ? Convert.FromBase64String(share.GetString()!) : null,
            root.TryGetProperty("elapsedMs", out var elapsed) ? elapsed.GetInt64() : -1,
            root.TryGetProperty("cpuMs", out var cpu) ? cpu.GetInt64() : -1);
    }

    /// <summary>Runs a process to its end; past <paramref name="kill"/>, or when <paramref name="cancellationToken"/> fires, it is killed by its id (with its children).</summary>
    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string file, IReadOnlyList<string> arguments, string? stdin, TimeSpan kill, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = PackageDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(kill);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not exit within {kill}; killed (pid {process.Id}). stderr:\n{await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
