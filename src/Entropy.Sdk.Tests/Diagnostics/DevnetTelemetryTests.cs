using System.Diagnostics;
using Entropy.Simulator;

namespace Entropy.Tests.Diagnostics;

/// <summary>What the devnet reports while a registration runs (blocks, pool, key generations, server requests).</summary>
public class DevnetTelemetryTests
{
    [Test]
    public async Task Registration_DevnetReportsBlocksPoolDkgAndServerRequests()
    {
        using var recorder = new TelemetryRecorder(DevnetDiagnostics.ActivitySourceName, DevnetDiagnostics.MeterName);
        await using var run = await TelemetryDevnet.StartAsync("//Alice//devnet-telemetry");
        var (devnet, client, chainPort, user) = (run.Devnet, run.Client, run.Port, run.User!);
        var serverPorts = devnet.ThresholdServerEndpoints.Select(e => new Uri("http://" + e).Port).ToList();

        await client.RegisterAsync(WaitUntil.Completed, user, TestPrograms.AllowAllPointer);
        recorder.Observe();
        var best = devnet.Chain.BestBlockNumber;

        var blocks = recorder.Of("entropy.devnet.blocks", chainPort);
        var extrinsics = recorder.Of("entropy.devnet.block.extrinsics", chainPort);
        var pool = recorder.Of("entropy.devnet.pool.size", chainPort);
        var rpc = recorder.Of("rpc.server.call.duration", chainPort);
        Assert.Multiple(() =>
        {
            Assert.That(blocks.Sum(m => m.Value), Is.GreaterThanOrEqualTo(3).And.LessThanOrEqualTo(best));
            Assert.That(extrinsics.Max(m => m.Value), Is.GreaterThanOrEqualTo(2), "the block with register holds the timestamp and register");
            Assert.That(pool, Has.Count.EqualTo(1));
            Assert.That(pool.Single().Value, Is.GreaterThanOrEqualTo(0));
            Assert.That(rpc.Where(m => m.Tag("rpc.method") == "author_submitAndWatchExtrinsic"), Is.Not.Empty);
            Assert.That(rpc.All(m => m.Tag("rpc.system.name") == "jsonrpc" && m.Unit == "s"), Is.True);
        });

        foreach (var port in serverPorts)
        {
            var dkg = recorder.Of("entropy.devnet.dkg.duration", port);
            var requests = recorder.Of("http.server.request.duration", port);
            var span = recorder.SpansOf(port).Single(a => a.OperationName == "ThresholdServer.Dkg");
            Assert.Multiple(() =>
            {
                Assert.That(dkg, Has.Count.EqualTo(1), $"server on port {port}");
                Assert.That(dkg.Single().Value, Is.GreaterThan(0).And.LessThan(60));
                Assert.That(dkg.Single().Tags.ContainsKey("error.type"), Is.False);
                Assert.That(requests.Select(m => (m.Tag("http.route"), m.Tag("http.request.method"), m.Tag("http.response.status_code"))), Does.Contain(("/user/new", "POST", "200")));
                Assert.That(span.GetTagItem("entropy.account"), Is.EqualTo(user.AccountId.ToSs58()));
                Assert.That(span.Status, Is.Not.EqualTo(ActivityStatusCode.Error));
            });
        }
    }
}
