using System.Diagnostics;
using Entropy.Crypto;

namespace Entropy.Tests.Diagnostics;

/// <summary>Program operations emit a span each (deploy, remove), covering signing, submission and inclusion, with the
/// RPC calls as children, seen through <see cref="ActivityListener"/>.</summary>
public class ProgramTelemetryTests
{
    [Test]
    public async Task DeployAndRemoveProgram_EmitSpansWithTheirEventsAndRpcChildren()
    {
        using var recorder = new TelemetryRecorder();
        await using var run = await TelemetryDevnet.StartAsync(deployTestProgram: false); // it counts every program operation on the port
        var (client, port) = (run.Client, run.Port);
        using var deployer = Sr25519Signer.FromSecretUri("//Alice");
        byte[] configuration = [0x74, 0x65, 0x6c, 0x65]; // a configuration interface of its own: a pointer no other test deploys

        var deployed = await client.DeployProgramAsync(WaitUntil.Completed, deployer, TestPrograms.AllowAll, configuration);
        var removed = await client.RemoveProgramAsync(WaitUntil.Completed, deployer, deployed.Pointer!.Value);

        // Refused before signing: the span reports the preflight reason (the program is gone).
        Assert.ThrowsAsync<ProgramPreflightException>(() => client.RemoveProgramAsync(WaitUntil.Completed, deployer, deployed.Pointer!.Value));

        var spans = recorder.SpansOf(port);
        var deploy = spans.Single(a => a.OperationName == "EntropyClient.DeployProgram");
        var remove = spans.Where(a => a.OperationName == "EntropyClient.RemoveProgram").OrderBy(a => a.StartTimeUtc).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(deploy.Status, Is.EqualTo(ActivityStatusCode.Ok));
            Assert.That(deploy.GetTagItem("entropy.account"), Is.EqualTo(deployer.AccountId.ToSs58()));
            Assert.That(deploy.GetTagItem("entropy.program.pointer"), Is.EqualTo(deployed.Pointer.ToString()));
            Assert.That(deploy.GetTagItem("entropy.operation.id"), Is.EqualTo(deployed.Id));
            Assert.That(deploy.GetTagItem("entropy.block.number"), Is.EqualTo((long)deployed.BlockNumber!.Value));
            Assert.That(deploy.Events.Select(e => e.Name), Is.EqualTo(new[] { "submitted", "in_block" }));
            Assert.That(spans.Where(a => a.ParentSpanId == deploy.SpanId).Select(a => a.OperationName), Does.Contain("author_submitAndWatchExtrinsic"), "the RPC calls are children of the operation's span");
            Assert.That(remove, Has.Count.EqualTo(2));
            Assert.That(remove[0].Status, Is.EqualTo(ActivityStatusCode.Ok));
            Assert.That(remove[0].GetTagItem("entropy.operation.id"), Is.EqualTo(removed.Id));
            Assert.That(remove[1].Status, Is.EqualTo(ActivityStatusCode.Error));
            Assert.That(remove[1].GetTagItem("error.type"), Is.EqualTo("preflight.program_not_found").Or.StartWith("preflight."));
            Assert.That(deploy.ToString() + remove[0].ToString(), Does.Not.Contain(Convert.ToHexStringLower(TestPrograms.AllowAll)), "no payload bytes on spans");
        });
    }
}
