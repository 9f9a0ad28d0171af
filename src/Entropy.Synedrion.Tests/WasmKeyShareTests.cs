using System.Diagnostics;
using System.Text.Json;
using Entropy.Synedrion.KeyGen;

namespace Entropy.Synedrion.Tests;

/// <summary>Our KeyShare bytes loaded by Entropy's own client (npm @entropyxyz/entropy-protocol-nodejs@0.2.0, synedrion 0.1.0 in wasm).</summary>
[Category("WasmClient")]
public class WasmKeyShareTests
{
    [Test]
    [CancelAfter(600_000)]
    public async Task ProductionKeyShareLoadsInTheWasmClientWithTheSameVerifyingKey(CancellationToken cancellationToken)
    {
        var script = Path.Combine(RepositoryRoot(), "eng", "wasm-client", "keyshare-check.mjs");
        await EnsureWasmClientAsync(cancellationToken);

        // The prime search is not what this test checks: take the repository's fixture safe primes (re-checked here).
        var fixture = File.ReadAllLines(Path.Combine(RepositoryRoot(), "testdata", "synedrion", "safe-primes-1024.txt"))
            .Where(l => l.Length > 0).Select(l => System.Numerics.BigInteger.Parse("0" + l, System.Globalization.NumberStyles.HexNumber)).ToArray();
        Assert.That(fixture, Has.Length.EqualTo(12));
        Assert.That(fixture.All(p => SafePrimes.IsSafePrime(p, 1024)), Is.True);
        var primes = new Queue<System.Numerics.BigInteger>(fixture);
        var shares = KeyGenTests.Run(2, tamper: null, parameters: SynedrionParams.Production, primes: _ => primes.Dequeue());
        foreach (var share in shares)
        {
            var bytes = share.ToBytes();
            var result = await RunNodeAsync(script, Convert.ToHexStringLower(bytes), cancellationToken);
            Assert.That(result.TryGetProperty("error", out var error), Is.False, error.ToString());
            Assert.That(result.GetProperty("roundTrip").GetString(), Is.EqualTo(Convert.ToHexStringLower(bytes)), "the wasm re-encodes our share to the same bytes");
            Assert.That(result.GetProperty("partyIndex").GetInt32(), Is.EqualTo((int)share.Index));
            var vk = Convert.FromHexString(result.GetProperty("verifyingKey").GetString()!);
            Assert.That(vk[^32..], Is.EqualTo(share.VerifyingKey.ToCompressed()[1..]), "x coordinate of the verifying key");
        }
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Entropy.Sdk.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Entropy.Sdk.sln not found above the test assembly.");
    }

    internal static async Task EnsureWasmClientAsync(CancellationToken cancellationToken)
    {
        var dir = Path.Combine(RepositoryRoot(), "eng", "wasm-client");
        var package = Path.Combine(dir, "node_modules", "@entropyxyz", "entropy-protocol-nodejs", "package.json");
        var install = Path.Combine(dir, "install.sh");
        if (!File.Exists(package) && File.Exists(install))
        {
            var start = new ProcessStartInfo("bash") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(install);
            using var process = Process.Start(start)!;
            await process.WaitForExitAsync(cancellationToken);
        }

        if (!File.Exists(package))
        {
            Assert.Ignore("eng/wasm-client is not installed (npm @entropyxyz/entropy-protocol-nodejs@0.2.0; eng/wasm-client/install.sh)");
        }
    }

    internal static async Task<JsonElement> RunNodeAsync(string script, string stdin, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Path.GetDirectoryName(script)!,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        try
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            var text = await stdout;
            Assert.That(text, Is.Not.Empty, await stderr);
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
