using Entropy.Crypto;
using Entropy.Simulator;
using Entropy.Simulator.ThresholdServers;
using Entropy.Synedrion;
using Entropy.Synedrion.KeyGen;
using Entropy.Tests.Protocol;

namespace Entropy.Tests.Simulator;

/// <summary>
/// The devnet's default key generation (<see cref="DevnetKeyGeneration.Synedrion"/>) in Public mode: the committee servers run synedrion
/// 0.1.0 and store its KeyShares; the production path keeps a background safe-prime pool. (The suite's other devnets use the fast
/// stand-in for Public mode, see <see cref="SuiteDefaults"/>; Private mode always runs synedrion.)
/// </summary>
public class DevnetSynedrionTests
{
    [Test]
    public async Task PublicRegister_DefaultKeyGeneration_ServersStoreSynedrionKeySharesOfTheChainsKey()
    {
        await using var running = await DevnetFixture.StartAsync(
            options =>
            {
                options.DkgTimeout = PrivateModeBudget.KeyGeneration;
                options.PublicModeKeyGeneration = DevnetKeyGeneration.Synedrion;
            },
            options => options.RegistrationTimeout = PrivateModeBudget.Registration);
        var (devnet, client) = (running.Devnet, running.Client);
        using var user = Sr25519Signer.FromSecretUri("//Alice");

        var registration = (await client.RegisterAsync(WaitUntil.Completed, user, TestPrograms.AllowAllPointer)).Value;

        var stored = await Registration.RegistrationAudit.ReadSharesAsync(devnet, user.AccountId);
        var shares = stored.Select(s => KeyShare.FromBytes(s ?? throw new AssertionException("a server holds no share"), SynedrionParams.Production)).ToList();
        try
        {
            var secrets = shares.Select(s => { var b = new byte[32]; s.SecretShare.WriteToSpan(b); return b; }).ToList();
            Assert.Multiple(() =>
            {
                Assert.That(devnet.Servers.Select(s => s.Dkg.Name), Has.All.StartWith("synedrion 0.1.0"));
                Assert.That(shares.Select(s => s.VerifyingKey.ToCompressed()), Has.All.EqualTo(registration.VerifyingKey.ToArray()), "every stored KeyShare gives the chain's key");
                Assert.That(shares.Select(s => s.Index), Is.EquivalentTo(new uint[] { 0, 1 }), "the committee's two party indices");
                Assert.That(shares.Select(s => s.PublicShares.Length), Has.All.EqualTo(2), "Public mode: the committee only");
                Assert.That(KeyShareMath.CombineShares(secrets), Is.EqualTo(registration.VerifyingKey.ToArray()), "the servers' shares add up to the key");
                Assert.That(devnet.ComputeThreads!.Executed, Is.GreaterThan(0), "the servers' synedrion steps ran on the devnet's compute threads, not the thread pool");
            });
        }
        finally
        {
            shares.ForEach(s => s.Dispose());
        }
    }

    [Test]
    public async Task Start_ProductionPath_KeepsABackgroundSafePrimePool_TheFastStandInAndTestPrimesDoNot()
    {
        // No test primes: what a user's devnet (and the entropy-devnet tool) does. The pool starts searching; the test only looks at it.
        using var recorder = new Diagnostics.TelemetryRecorder(DevnetDiagnostics.ActivitySourceName, DevnetDiagnostics.MeterName);
        int port;
        var production = TestDevnet.Options();
        production.PublicModeKeyGeneration = DevnetKeyGeneration.Synedrion;
        production.TestSafePrimes = null;
        await using (var devnet = new EntropyDevnet(production))
        {
            await devnet.StartAsync();
            port = devnet.Endpoint.Port;
            recorder.Observe();
            Assert.That(devnet.SafePrimePool, Is.Not.Null);
            Assert.That(devnet.SafePrimePool!.Capacity, Is.EqualTo(8), "two key generations ahead for each of the two servers");

            // The pool's state is on the devnet's meter under the node's port (LoadTest reports it): ready 0..capacity, none searched inline yet.
            var ready = recorder.Of("entropy.devnet.safe_primes.ready", port);
            var inline = recorder.Of("entropy.devnet.safe_primes.inline", port);
            Assert.That(ready, Has.Count.EqualTo(1));
            Assert.That(ready.Single().Value, Is.InRange(0, 8));
            Assert.That(inline.Select(m => m.Value), Is.EqualTo(new[] { 0.0 }));
            if (OperatingSystem.IsLinux())
            {
                // The filler runs at the lowest priority, so it takes only cores the registrations leave idle (.NET's BelowNormal is a no-op
                // on Linux): its thread's nice value, as the kernel reports it, is 19.
                Assert.That(await PoolFillerNiceValuesAsync(), Is.Not.Empty.And.All.EqualTo(19));
            }
        }

        recorder.Observe();
        Assert.That(recorder.Of("entropy.devnet.safe_primes.ready", port), Has.Count.EqualTo(1), "a disposed devnet's pool is no longer reported");

        var fastOptions = TestDevnet.Options();
        fastOptions.PublicModeKeyGeneration = DevnetKeyGeneration.FastStandIn;
        fastOptions.TestSafePrimes = null;
        await using (var fast = new EntropyDevnet(fastOptions))
        {
            await fast.StartAsync();
            Assert.That(fast.SafePrimePool, Is.Null, "the stand-in keeps no core busy; Private-mode runs search inline");
            Assert.That(fast.Servers.Select(s => s.PublicModeDkg?.Name), Has.All.StartWith("Pedersen/Feldman"));
        }
    }

    /// <summary>The nice values of this process's safe-prime pool threads (<c>/proc/self/task/*/stat</c>, field 19), once they have started.</summary>
    private static async Task<List<int>> PoolFillerNiceValuesAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var values = new List<int>();
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(task, "comm")).Trim() != "safe-prime pool")
                    {
                        continue;
                    }

                    var stat = File.ReadAllText(Path.Combine(task, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // fields from 3 (state) on
                    values.Add(int.Parse(fields[19 - 3], System.Globalization.CultureInfo.InvariantCulture));
                }
                catch (IOException)
                {
                    // The thread ended meanwhile (another test's devnet disposed its pool).
                }
            }

            if ((values.Count > 0 && values.All(v => v == 19)) || DateTime.UtcNow > deadline)
            {
                return values;
            }

            await Task.Delay(50);
        }
    }
}
