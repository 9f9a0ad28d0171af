using System.Diagnostics;
using System.Text.Json;
using Entropy.Tests.RealNode;

namespace Entropy.Tests.Devnet;

/// <summary>
/// Everyday polkadot-js code against the devnet process with its defaults (interval blocks, finality two blocks behind, as a
/// GRANDPA chain): eng/chopsticks/polkadot-js-devnet.mjs funds accounts with <c>utility.batch([...transferKeepAlive])</c>, waits with the
/// <c>isInBlock</c>/<c>isFinalized</c> callbacks, deploys a program, registers in the Public and Permissioned modes, reads
/// Registering/Registered and events, uses sudo and remark_with_event, and sends a call the devnet does not implement.
/// </summary>
[Category("PolkadotJs")]
public class PolkadotJsDevnetTests
{
    private JsonElement _report;
    private string _stderr = "";

    [OneTimeSetUp]
    public async Task RunScriptAsync()
    {
        await ChopsticksNode.EnsurePackagesInstalledAsync(Path.Combine(ChopsticksNode.PackagesDirectory, "node_modules", "@polkadot", "api", "package.json"));
        await using var devnet = await DevnetProcess.StartAsync();
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = ChopsticksNode.PackagesDirectory,
        };
        start.ArgumentList.Add(Path.Combine(ChopsticksNode.PackagesDirectory, "polkadot-js-devnet.mjs"));
        start.ArgumentList.Add(devnet.Endpoint.ToString());
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180)))
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"polkadot-js-devnet.mjs did not finish within 180 s:\n{await stderr}\n{devnet.Output}");
            }
        }

        _stderr = await stderr;
        var output = await stdout;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"polkadot-js-devnet.mjs failed ({process.ExitCode}):\n{_stderr}\n{output}\n{devnet.Output}");
        }

        using var document = JsonDocument.Parse(output);
        _report = document.RootElement.Clone();
    }

    [Test]
    public void BatchFunding_InBlockThenFinalized_EveryAccountFundedWithUtilityEvents()
    {
        var batch = _report.GetProperty("batch");
        var events = Strings(batch.GetProperty("events"));
        Assert.Multiple(() =>
        {
            Assert.That(Strings(batch.GetProperty("statuses")), Is.EqualTo(new[] { "Ready", "InBlock", "Finalized" }), _stderr);
            Assert.That(batch.GetProperty("finalizedHash").GetString(), Is.EqualTo(batch.GetProperty("blockHash").GetString()));
            Assert.That(events.Count(e => e == "utility.ItemCompleted"), Is.EqualTo(3));
            Assert.That(events, Does.Contain("utility.BatchCompleted"));
            Assert.That(events[^1], Is.EqualTo("system.ExtrinsicSuccess"));
            Assert.That(Strings(_report.GetProperty("fundedFree")), Is.All.EqualTo(_report.GetProperty("amount").GetString()));
            Assert.That(_report.GetProperty("finalizedBehindBest").GetInt32(), Is.EqualTo(2), "finality trails the best block by two");
        });
    }

    [Test]
    public void ProgramsSetProgram_ProgramCreatedAndStoredAtItsPointer()
    {
        var deploy = _report.GetProperty("deploy");
        Assert.Multiple(() =>
        {
            Assert.That(Strings(deploy.GetProperty("statuses")), Does.Contain("InBlock").And.Contain("Finalized"));
            Assert.That(Strings(deploy.GetProperty("events")), Does.Contain("programs.ProgramCreated"));
            Assert.That(_report.GetProperty("programStored").GetBoolean(), Is.True);
            Assert.That(_report.GetProperty("programDeployer").GetString(), Is.EqualTo(_report.GetProperty("deployer").GetString()));
        });
    }

    [Test]
    public void Register_PublicAndPermissioned_RegisteringAtInclusionThenRegisteredWithTheirVisibility()
    {
        var users = Strings(_report.GetProperty("users"));
        var timeline = _report.GetProperty("timeline").EnumerateArray().ToList();
        var completedAt = timeline.FindIndex(t => t.GetProperty("registered").GetBoolean());
        Assert.Multiple(() =>
        {
            Assert.That(Strings(_report.GetProperty("registerPublic").GetProperty("events")), Does.Contain("relayer.SignalRegister"));
            Assert.That(Strings(_report.GetProperty("registerPermissioned").GetProperty("events")), Does.Contain("relayer.SignalRegister"));
            Assert.That(_report.GetProperty("registeringPublic").GetBoolean(), Is.True, "Registering is set in the including block");
            Assert.That(_report.GetProperty("registeringPermissioned").GetBoolean(), Is.True);
            // N+2 at the earliest (the committee's DKG starts at N+1); how much later depends on the machine's load at 500 ms blocks.
            Assert.That(completedAt, Is.GreaterThanOrEqualTo(2), $"Registered is set no earlier than N+2: {_report.GetProperty("timeline")}");
            Assert.That(timeline[completedAt].GetProperty("registering").GetBoolean(), Is.False, "Registering is removed when Registered is set");
            Assert.That(_report.GetProperty("registeringAfter").GetBoolean(), Is.False);
            var pub = _report.GetProperty("registeredPublic");
            var permissioned = _report.GetProperty("registeredPermissioned");
            Assert.That(pub.GetProperty("keyVisibility").TryGetProperty("public", out _), Is.True, pub.ToString());
            Assert.That(permissioned.GetProperty("keyVisibility").TryGetProperty("permissioned", out _), Is.True, permissioned.ToString());
            Assert.That(pub.GetProperty("verifyingKey").GetString(), Has.Length.EqualTo(2 + 66), "a 33-byte compressed secp256k1 key");
            Assert.That(pub.GetProperty("programModificationAccount").GetString(), Is.EqualTo(users[0]));
            Assert.That(pub.GetProperty("programsData")[0].GetProperty("programPointer").GetString(), Is.EqualTo(_report.GetProperty("pointer").GetString()));
        });
    }

    [Test]
    public void SystemEvents_OfTheRegisterBlock_IncludeSignalRegisterAndTheTimestampInherent()
    {
        var events = Strings(_report.GetProperty("blockEvents"));
        Assert.Multiple(() =>
        {
            Assert.That(events[0], Is.EqualTo("system.ExtrinsicSuccess"), "the timestamp inherent");
            Assert.That(events, Does.Contain("relayer.SignalRegister"));
        });
    }

    [Test]
    public void Sudo_ForceSetBalanceByTheDevKey_SudidAndTheBalanceIsSet()
    {
        var sudo = _report.GetProperty("sudo");
        var sudid = sudo.GetProperty("eventData").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "sudo.Sudid");
        Assert.Multiple(() =>
        {
            Assert.That(sudid.GetProperty("data")[0].TryGetProperty("ok", out _), Is.True, sudid.ToString());
            Assert.That(_report.GetProperty("sudoTargetFree").GetString(), Is.EqualTo(_report.GetProperty("amount").GetString()));
        });
    }

    [Test]
    public void RemarkWithEvent_RemarkedCarriesTheSenderAndTheBlake2Hash()
    {
        var remarked = _report.GetProperty("remark").GetProperty("eventData").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "system.Remarked");
        Assert.Multiple(() =>
        {
            Assert.That(remarked.GetProperty("data")[0].GetString(), Is.EqualTo(_report.GetProperty("alice").GetString()));
            Assert.That(remarked.GetProperty("data")[1].GetString(), Is.EqualTo(_report.GetProperty("remarkHash").GetString()));
        });
    }

    [Test]
    public void UnimplementedCall_StakingChill_RefusedByThePoolWith1010NamingTheCall()
    {
        Assert.That(_report.GetProperty("refused").GetString(),
            Is.EqualTo("1010: Invalid Transaction: Transaction call is not expected: Staking.chill is not implemented by the devnet"));
    }

    private static List<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
