using System.Reflection;
using System.Runtime.CompilerServices;
using Entropy.Simulator;

namespace Entropy.Tests.Conventions;

/// <summary>
/// The shipped packages reach each other's internals only through a reviewed list (issue 15 §4): the simulator may use the SDK's
/// internal wire protocol and Substrate toolkit, never the client's own internals or server halves that crept back into the SDK.
/// </summary>
public class SimulatorInternalsTests
{
    private static readonly Assembly s_sdk = typeof(EntropyClient).Assembly;
    private static readonly Assembly s_simulator = typeof(EntropyDevnet).Assembly;

    private static string ListPath => Path.Combine(TestData.RepositoryRoot, "src", "Entropy.Sdk.Tests", "Conventions", "SimulatorSdkInternals.txt");

    [Test]
    public void Sdk_GrantsInternalsOnlyToTheSimulatorAndNonShippedProjects()
    {
        var granted = s_sdk.GetCustomAttributes<InternalsVisibleToAttribute>().Select(a => a.AssemblyName).Order(StringComparer.Ordinal);
        Assert.That(granted, Is.EqualTo(new[] { "Entropy.Sdk.Benchmarks", "Entropy.Sdk.Fuzz", "Entropy.Sdk.Simulator", "Entropy.Sdk.TestSupport", "Entropy.Sdk.Tests" }));
    }

    [Test]
    public void Simulator_UsesExactlyTheReviewedSdkInternals()
    {
        var reviewed = File.ReadAllLines(ListPath)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();
        var used = AssemblyInternalsScanner.NonPublicUses(s_simulator, s_sdk);

        var unreviewed = used.Except(reviewed, StringComparer.Ordinal).ToList();
        var stale = reviewed.Except(used, StringComparer.Ordinal).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(unreviewed, Is.Empty, "The simulator uses SDK internals nobody reviewed. Move server-only code into the simulator, or review the use and add the lines to src/Entropy.Sdk.Tests/Conventions/SimulatorSdkInternals.txt:\n" + string.Join("\n", unreviewed));
            Assert.That(stale, Is.Empty, "These reviewed entries are no longer used by the simulator: remove them from SimulatorSdkInternals.txt:\n" + string.Join("\n", stale));
        });
    }

    [Test]
    public void Sdk_HoldsNoServerHalfOrFaultHook()
    {
        // Members of a listed internal type are not in the reviewed list: name the server halves that left, so they cannot come back.
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var types = s_sdk.GetTypes();
        var serverMembers = types
            .SelectMany(t => t.GetMethods(all).Select(m => (Type: t, m.Name)))
            .Where(m => m.Name is "AcceptAsync" or "ShouldDial" or "RejectAsync" || (m.Type.Name == "SubscribeResponse" && m.Name == "Encode"))
            .Select(m => $"{m.Type.FullName}.{m.Name}");
        var hookParameters = types
            .Where(t => t.Name == "ChannelDkgTransport")
            .SelectMany(t => t.GetConstructors(all))
            .SelectMany(c => c.GetParameters())
            .Where(p => typeof(Delegate).IsAssignableFrom(p.ParameterType))
            .Select(p => $"ChannelDkgTransport({p.Name})");
        Assert.Multiple(() =>
        {
            Assert.That(types.Select(t => t.Name), Does.Not.Contain("PendingSubscription").And.Not.Contain("SignedMessage").And.Not.Contain("ThresholdServerKeys"), "server halves: the simulator's ThresholdServers/");
            Assert.That(serverMembers.Concat(hookParameters), Is.Empty);
        });
    }

    [Test]
    public void Sdk_HoldsNoStandInDkg()
    {
        // Issue 17 §3: the Pedersen/Feldman stand-in lives only in the simulator (ThresholdServers/StandIn/), so Private mode cannot reach it.
        var standIn = new[] { "PedersenDkg", "PedersenDkgSession", "IDkgProtocol", "IDkgSession", "DkgRunner", "DkgSessionContext", "DkgKeyShare", "DkgSecretShare", "DkgMessageCodec", "CommitmentsMessage", "ShareMessage", "Secp256k1Group" };
        var sdkTypes = s_sdk.GetTypes().Select(t => t.Name).ToList();
        var simulatorTypes = s_simulator.GetTypes().Where(t => t.Namespace == "Entropy.Simulator.ThresholdServers.StandIn").Select(t => t.Name).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(sdkTypes.Intersect(standIn), Is.Empty, "the stand-in DKG is back in the SDK");
            Assert.That(simulatorTypes, Does.Contain("PedersenDkg").And.Contain("DkgRunner"), "the stand-in is found where it lives (the check above looks for the right names)");
            Assert.That(typeof(Entropy.Protocol.Dkg.DkgException).GetMember("IsRecoverable", BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Instance), Is.Empty);
        });
    }

    [Test]
    public void Scanner_FindsAKnownInternalUse()
    {
        // The scanner itself must see internals bound inside method bodies: the tests use the SDK's internal Noise state.
        var used = AssemblyInternalsScanner.NonPublicUses(typeof(SimulatorInternalsTests).Assembly, s_sdk);
        Assert.That(used, Does.Contain("T:Entropy.Protocol.Noise.NoiseHandshakeState"));
        Assert.That(used, Does.Not.Contain("T:Entropy.EntropyClient"), "a public type is not an internal use");
    }
}
