using System.Diagnostics;
using System.Text;
using Entropy.Fuzz;
using Entropy.Tests.RealNode;

namespace Entropy.Tests.Fuzz;

/// <summary>
/// Real coverage-guided fuzzing in the suite (docs/reliability.md, "In CI"): <c>fuzz/run.sh all</c> runs AFL++ on every target, two at a
/// time and the longest first, for the time <see cref="SecondsPerTarget"/> gives it, against a SharpFuzz-instrumented copy of the already-built
/// <c>Entropy.Sdk.Fuzz</c> output, seeded from <c>fuzz/corpus/</c>. The targets that parse what a peer sends over the network get
/// the time in which AFL++, started from the checked-in corpus, stops finding new coverage (the plateau, measured and documented in
/// docs/reliability.md); the others a smoke run. The script installs what it needs (AFL++ extracted from its Debian package, no
/// root or clang; the SharpFuzz.CommandLine tool) and fails with a clear message if it cannot. <c>ENTROPY_SKIP_AFL=1</c> skips
/// these tests, visibly, on a developer machine without AFL++; CI never sets it (it fails there).
/// </summary>
[Category("Fuzz")]
[NonParallelizable] // Both cores go to afl-fuzz and its target for the whole run.
public class AflFuzzTests
{
    /// <summary>Seconds of AFL++ per target; a target not listed gets <see cref="SmokeSeconds"/>.</summary>
    internal static readonly IReadOnlyDictionary<string, int> SecondsPerTarget = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        // Network-facing parsers: about the second at which AFL++, started from the checked-in corpus, last found a new edge in a
        // 60 s run (docs/reliability.md, "In CI").
        ["rpc"] = 45,         // JSON-RPC messages from the node (RpcClient's dispatcher)
        ["noise"] = 40,       // the Noise XK handshake and frames from a threshold server or client
        ["receive-key"] = 25, // /user/receive_key bodies from another server
        ["ocw"] = 60,         // /user/new bodies from the off-chain worker
        ["metadata"] = 50,    // runtime metadata from the node
        ["codec"] = 3,        // storage values, events and calls from the node (dynamic codec; at its plateau from the start: a smoke run)
        ["extrinsic"] = 30,   // extrinsics submitted to the simulated node (later finds are unstable edges of the pool state)
        ["synedrion"] = 5,    // synedrion key-generation messages and key shares from the other parties (at its plateau within 2 s)
    };

    /// <summary>Seconds for the targets without a plateau figure (the SCALE primitives under <c>codec</c>): a smoke run (the corpus replays,
    /// thousands of mutations), as for <c>codec</c>, which finds no new edge after its first second (eng/notes/citime.md).</summary>
    private const int SmokeSeconds = 3;

    private static readonly TimeSpan s_scriptTimeout =
        TimeSpan.FromSeconds(FuzzTargets.All.Keys.Sum(target => SecondsPerTarget.GetValueOrDefault(target, SmokeSeconds)) + 240);

    private readonly Dictionary<string, Dictionary<string, string>> _stats = new(StringComparer.Ordinal);

    private string _output = "";

    private int _exitCode = -1;

    private static IEnumerable<string> Targets() => FuzzTargets.All.Keys;

    [OneTimeSetUp]
    public void RunAflOnEveryTarget()
    {
        if (Environment.GetEnvironmentVariable("ENTROPY_SKIP_AFL") == "1")
        {
            Assert.That(Environment.GetEnvironmentVariable("CI"), Is.Not.EqualTo("true"), "ENTROPY_SKIP_AFL=1 is for developers only; CI must run AFL++");
            Assert.Ignore("ENTROPY_SKIP_AFL=1: the AFL++ runs are skipped (docs/reliability.md, \"Fuzzing\")");
        }

        if (!OperatingSystem.IsLinux())
        {
            Assert.Fail("The AFL++ runs need Linux (fuzz/run.sh); set ENTROPY_SKIP_AFL=1 to skip them on this machine.");
        }

        // The fuzz project's output for the configuration these tests were built in (…/Entropy.Sdk.Tests/bin/Debug/net10.0 → …/Entropy.Sdk.Fuzz/bin/Debug/net10.0).
        var root = ChopsticksNode.RepositoryRoot;
        var outputPath = Path.GetRelativePath(Path.Combine(root, "src", "Entropy.Sdk.Tests"), AppContext.BaseDirectory);
        var prebuilt = Path.GetFullPath(Path.Combine(root, "src", "Entropy.Sdk.Fuzz", outputPath));
        Assert.That(File.Exists(Path.Combine(prebuilt, "Entropy.Sdk.Fuzz.dll")), Is.True, $"{prebuilt} holds no Entropy.Sdk.Fuzz.dll: build src/Entropy.Sdk.Fuzz");

        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        start.ArgumentList.Add(Path.Combine(root, "fuzz", "run.sh"));
        start.ArgumentList.Add("all");
        start.ArgumentList.Add(SmokeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (target, seconds) in SecondsPerTarget)
        {
            start.ArgumentList.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{target}={seconds}"));
        }

        start.Environment["FUZZ_PREBUILT"] = prebuilt;
        if (DotnetHost() is { } dotnet)
        {
            start.Environment["DOTNET_HOST_PATH"] = dotnet; // In case `dotnet` is not on PATH.
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(s_scriptTimeout))
        {
            process.Kill(entireProcessTree: true);
            Append(output, $"(fuzz/run.sh killed: still running after {s_scriptTimeout.TotalMinutes} minutes)");
        }

        process.WaitForExit(); // Drains the redirected output.
        _exitCode = process.HasExited ? process.ExitCode : -1;
        lock (output)
        {
            _output = output.ToString();
        }

        // The console shows this only at detailed verbosity, so it is also kept in fuzz/out/afl-all.log (a CI artifact).
        TestContext.Progress.WriteLine(_output);
        Directory.CreateDirectory(Path.Combine(root, "fuzz", "out"));
        File.WriteAllText(Path.Combine(root, "fuzz", "out", "afl-all.log"), _output);
        foreach (var line in _output.Split('\n').Where(l => l.StartsWith("target=", StringComparison.Ordinal)))
        {
            var fields = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(field => field.Split('=', 2))
                .Where(pair => pair.Length == 2)
                .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
            _stats[fields["target"]] = fields;
        }
    }

    [Test]
    public void AflFuzz_AllTargets_ScriptSucceeds()
    {
        Assert.That(_exitCode, Is.Zero, $"fuzz/run.sh all failed:\n{_output}");
    }

    [Test]
    public void SecondsPerTarget_NamesOnlyExistingTargets()
    {
        Assert.That(SecondsPerTarget.Keys, Is.SubsetOf(FuzzTargets.All.Keys));
    }

    [TestCaseSource(nameof(Targets))]
    public void AflFuzz_Target_ExecutesFindsEdgesAndNoCrashOrHang(string target)
    {
        Assert.That(_stats.TryGetValue(target, out var stats), Is.True, $"afl-fuzz did not report on {target}; fuzz/run.sh output:\n{_output}");
        Assert.Multiple(() =>
        {
            Assert.That(stats!["status"], Is.EqualTo("ok"), $"afl-fuzz failed on {target}:\n{_output}");
            Assert.That(Count(stats, "seconds"), Is.EqualTo(SecondsPerTarget.GetValueOrDefault(target, SmokeSeconds)), "seconds given to the target");
            Assert.That(Count(stats, "execs"), Is.GreaterThan(0), "execs");
            Assert.That(Count(stats, "edges"), Is.GreaterThan(0), "edges found in Entropy.Sdk.dll/Entropy.Sdk.Simulator.dll");
            Assert.That(Count(stats, "crashes"), Is.Zero, () => Findings(target, "crashes"));
            Assert.That(Count(stats, "hangs"), Is.Zero, () => Findings(target, "hangs"));
        });
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static long Count(Dictionary<string, string> stats, string key) =>
        stats.TryGetValue(key, out var value) && long.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var count) ? count : -1;

    /// <summary>The inputs AFL++ saved (kept by fuzz/run.sh in fuzz/out/findings/), in hex, each with what replaying it in process throws.</summary>
    private static string Findings(string target, string kind)
    {
        var directory = Path.Combine(ChopsticksNode.RepositoryRoot, "fuzz", "out", "findings", target, kind);
        var files = Directory.Exists(directory) ? Directory.GetFiles(directory, "id:*").Order(StringComparer.Ordinal).Take(5).ToArray() : [];
        var text = new StringBuilder($"{target}: AFL++ saved {kind} in fuzz/out/findings/{target}/{kind}/");
        foreach (var file in files)
        {
            var input = File.ReadAllBytes(file);
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\n{Path.GetFileName(file)}: {Convert.ToHexStringLower(input)}\n  replayed: ");
            if (kind == "hangs")
            {
                text.Append("not replayed (slower than AFL++'s timeout)");
                continue;
            }

            try
            {
                FuzzTargets.Run(target, input);
                text.Append("no exception in process (the crash depends on state built by earlier inputs)");
            }
            catch (Exception ex)
            {
                text.Append(ex);
            }
        }

        return text.ToString();
    }

    /// <summary>The dotnet executable running these tests (its root is three folders above System.Private.CoreLib.dll), if it exists.</summary>
    private static string? DotnetHost()
    {
        var coreLib = typeof(object).Assembly.Location;
        if (string.IsNullOrEmpty(coreLib))
        {
            return null;
        }

        var dotnetRoot = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(coreLib)!, "..", "..", ".."));
        var host = Path.Combine(dotnetRoot, "dotnet");
        return File.Exists(host) ? host : null;
    }
}
