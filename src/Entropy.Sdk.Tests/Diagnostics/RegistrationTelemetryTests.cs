using System.Diagnostics;

namespace Entropy.Tests.Diagnostics;

/// <summary>The spans (connect, register with its stage events, RPC children) and the registration metrics of a real
/// registration against the devnet, seen through <see cref="ActivityListener"/> and <see cref="System.Diagnostics.Metrics.MeterListener"/>.</summary>
public class RegistrationTelemetryTests
{
    [Test]
    public async Task RegisterAsync_Completed_EmitsSpansStageEventsAndMetrics()
    {
        using var recorder = new TelemetryRecorder();
        await using var run = await TelemetryDevnet.StartAsync("//Alice//telemetry");
        var (devnet, client, port, user) = (run.Devnet, run.Client, run.Port, run.User!);

        var operation = await client.RegisterAsync(WaitUntil.Completed, user, TestPrograms.AllowAllPointer);
        var registeredAt = devnet.Chain.BestBlockNumber;

        var spans = recorder.SpansOf(port);
        var connect = spans.Single(a => a.OperationName == "EntropyClient.Connect");
        var register = spans.Single(a => a.OperationName == "EntropyClient.Register");
        var events = register.Events.Select(e => e.Name).ToList();
        var children = spans.Where(a => a.ParentSpanId == register.SpanId).Select(a => a.OperationName).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(connect.Status, Is.Not.EqualTo(ActivityStatusCode.Error));
            Assert.That(spans.Where(a => a.ParentSpanId == connect.SpanId).Select(a => a.OperationName), Does.Contain("state_getRuntimeVersion"), "the connect's reads are its children");
            Assert.That(register.Status, Is.EqualTo(ActivityStatusCode.Ok));
            Assert.That(register.GetTagItem("entropy.account"), Is.EqualTo(user.AccountId.ToSs58()));
            Assert.That(register.GetTagItem("entropy.operation.id"), Is.EqualTo(operation.Id));
            Assert.That(register.GetTagItem("entropy.registration.access_mode"), Is.EqualTo("public"));
            Assert.That(register.GetTagItem("entropy.registration.block"), Is.EqualTo((long)operation.RegisterBlockNumber!.Value));
            Assert.That(events, Is.EqualTo(new[] { "submitted", "in_block", "committee_selected", "confirmed", "registered" }).Or.EqualTo(
                new[] { "submitted", "in_block", "committee_selected", "confirmed", "confirmed", "registered" }));
            Assert.That(register.Events.Single(e => e.Name == "committee_selected").Tags.ToDictionary()["entropy.registration.committee_size"], Is.EqualTo(2));
            Assert.That(children, Does.Contain("author_submitAndWatchExtrinsic"), "the RPC calls of the registration are children of its span");
        });

        var started = recorder.Of("entropy.registration.started", port);
        var completed = recorder.Of("entropy.registration.completed", port);
        var seconds = recorder.Of("entropy.registration.duration", port);
        var blocks = recorder.Of("entropy.registration.blocks", port);
        Assert.Multiple(() =>
        {
            Assert.That(started.Select(m => (m.Value, m.Tag("entropy.registration.access_mode"))), Is.EqualTo(new[] { (1.0, "public") }));
            Assert.That(completed.Sum(m => m.Value), Is.EqualTo(1));
            Assert.That(recorder.Of("entropy.registration.failed", port), Is.Empty);
            Assert.That(seconds.Single().Value, Is.GreaterThan(0.1).And.LessThan(60));
            Assert.That(seconds.Single().Unit, Is.EqualTo("s"));
            // Registered at N+2 or later, where N holds register and is past the head at submission.
            Assert.That(blocks.Single().Value, Is.GreaterThanOrEqualTo(2).And.LessThanOrEqualTo(registeredAt));
            Assert.That(recorder.Of("rpc.client.call.duration", port).Select(m => m.Tag("rpc.method")), Does.Contain("author_submitAndWatchExtrinsic"));
        });

        // The same account again: refused before signing, counted as a failure by its reason, and the span says so.
        Assert.ThrowsAsync<RegistrationPreflightException>(() => client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer));
        var failed = recorder.Of("entropy.registration.failed", port).Single();
        var refused = recorder.SpansOf(port).Where(a => a.OperationName == "EntropyClient.Register").OrderBy(a => a.StartTimeUtc).Last();
        Assert.Multiple(() =>
        {
            Assert.That(failed.Tag("error.type"), Is.EqualTo("preflight.already_registered"));
            Assert.That(recorder.Of("entropy.registration.started", port), Has.Count.EqualTo(2));
            Assert.That(refused.Status, Is.EqualTo(ActivityStatusCode.Error));
            Assert.That(refused.GetTagItem("error.type"), Is.EqualTo("preflight.already_registered"));
        });
    }

    [Test]
    public async Task WaitForCompletionAsync_AfterStarted_HasItsOwnSpanWithTheLaterStages()
    {
        using var recorder = new TelemetryRecorder();
        await using var run = await TelemetryDevnet.StartAsync("//Alice//telemetry-wait");
        var (devnet, client, port, user) = (run.Devnet, run.Client, run.Port, run.User!);

        var operation = await client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);
        await operation.WaitForCompletionAsync();

        var register = recorder.SpansOf(port).Single(a => a.OperationName == "EntropyClient.Register");
        var wait = recorder.Stopped.Single(a => a.OperationName == "RegisterOperation.WaitForCompletion" && (string?)a.GetTagItem("entropy.operation.id") == operation.Id);
        Assert.Multiple(() =>
        {
            Assert.That(register.Events.Select(e => e.Name), Is.EqualTo(new[] { "submitted", "in_block" }));
            Assert.That(wait.Events.Select(e => e.Name).Last(), Is.EqualTo("registered"));
            Assert.That(wait.Events.Select(e => e.Name), Does.Not.Contain("submitted"));
            Assert.That(wait.Status, Is.EqualTo(ActivityStatusCode.Ok));
            Assert.That(recorder.Of("entropy.registration.completed", port).Sum(m => m.Value), Is.EqualTo(1));
        });
    }
}
