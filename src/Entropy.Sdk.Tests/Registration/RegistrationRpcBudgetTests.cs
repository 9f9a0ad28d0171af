using Entropy.Crypto;
using Entropy.Simulator;
using Entropy.Tests.Simulator;

namespace Entropy.Tests.Registration;

/// <summary>
/// How many JSON-RPC requests one registration costs, counted at the transport. Budget: at most 10 requests from the
/// call to <c>register</c> in a block, and at most one per new head while following the registration to <c>Registered</c> (plus, once,
/// the committee (three batched reads) and the <c>Registered</c> entry).
/// </summary>
public class RegistrationRpcBudgetTests
{
    [Test]
    public async Task RegisterAsync_Public_StaysWithinTheRequestBudget()
    {
        // A devnet of its own: the count is of this client's requests while nothing else runs on the chain. The test authors the
        // blocks, so the connection is quiet until it does and the heads the registration is followed over are exactly counted.
        var transport = new CountingRpcTransport();
        await using var running = await DevnetFixture.StartAsync(
            options => options.BlockProduction = BlockProductionMode.Manual,
            options =>
            {
                options.PollingInterval = TimeSpan.FromSeconds(5);
                options.RegistrationTimeout = TimeSpan.FromSeconds(30);
                options.Rpc.Transport = transport;
            });
        var (devnet, client) = (running.Devnet, running.Client);
        using var user = Sr25519Signer.FromSecretUri("//Alice//rpc-budget");
        await ManualDevnetBlocks.WhilePendingAsync(devnet, RegistrationAudit.FundAsync(client, user.AccountId));

        var before = transport.Count;
        var started = client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);
        await ManualDevnetBlocks.UntilAsync(() => devnet.Chain.Node.PoolCount > 0 || started.IsCompleted, () => "the register transaction in the pool");
        var headBefore = await ManualDevnetBlocks.ProduceAsync(devnet); // N
        var operation = await started.WaitAsync(ManualDevnetBlocks.Guard);
        var toInBlock = transport.Since(before);

        var waitStart = transport.Count;
        var completion = operation.WaitForCompletionAsync();
        await ManualDevnetBlocks.ProduceAsync(devnet); // N+1: the off-chain worker posts Dkg[N] to the committee
        await ManualDevnetBlocks.WaitForPoolAsync(devnet, 2, "the servers' confirmations");
        await ManualDevnetBlocks.ProduceAsync(devnet); // N+2: registered
        for (var extra = 0; extra < 5 && await Task.WhenAny(completion, Task.Delay(500)) != completion; extra++)
        {
            await ManualDevnetBlocks.ProduceAsync(devnet); // a client that needs another head to see it gets one (and it is counted)
        }

        var registration = await completion.WaitAsync(ManualDevnetBlocks.Guard);
        var following = transport.Since(waitStart);
        var heads = (int)(devnet.Chain.BestBlockNumber - headBefore);

        TestContext.Out.WriteLine($"to in-block: {toInBlock.Count} requests: {string.Join(", ", toInBlock)}");
        TestContext.Out.WriteLine($"following: {following.Count} requests over {heads} heads: {string.Join(", ", following)}");
        Assert.Multiple(() =>
        {
            Assert.That(operation.RegisterBlockNumber, Is.EqualTo(headBefore));
            Assert.That(registration.Account, Is.EqualTo(user.AccountId));
            Assert.That(toInBlock, Has.Count.LessThanOrEqualTo(10), string.Join(", ", toInBlock));
            Assert.That(following.Count, Is.LessThanOrEqualTo(heads + 4), $"{heads} heads: {string.Join(", ", following)}");
        });
    }
}
