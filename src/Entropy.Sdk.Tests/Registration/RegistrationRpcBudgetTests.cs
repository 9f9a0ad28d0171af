using Entropy.Crypto;
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
        // A devnet of its own: the count is of this client's requests while nothing else runs on the chain.
        var transport = new CountingRpcTransport();
        await using var running = await DevnetFixture.StartAsync(
            options => options.BlockInterval = TimeSpan.FromMilliseconds(200),
            options =>
            {
                options.PollingInterval = TimeSpan.FromSeconds(5);
                options.RegistrationTimeout = TimeSpan.FromSeconds(30);
                options.Rpc.Transport = transport;
            });
        var (devnet, client) = (running.Devnet, running.Client);
        using var user = Sr25519Signer.FromSecretUri("//Alice//rpc-budget");
        await RegistrationAudit.FundAsync(client, user.AccountId);
        await Task.Delay(500); // let the funding settle so the registration starts from a quiet connection

        var before = transport.Count;
        var operation = await client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);
        var toInBlock = transport.Since(before);

        var waitStart = transport.Count;
        var headBefore = operation.RegisterBlockNumber!.Value;
        var registration = await operation.WaitForCompletionAsync();
        var following = transport.Since(waitStart);
        var headAfter = devnet.Chain.BestBlockNumber;
        var heads = Math.Max(1, (int)(headAfter - headBefore));

        TestContext.Out.WriteLine($"to in-block: {toInBlock.Count} requests: {string.Join(", ", toInBlock)}");
        TestContext.Out.WriteLine($"following: {following.Count} requests over {heads} heads: {string.Join(", ", following)}");
        Assert.Multiple(() =>
        {
            Assert.That(registration.Account, Is.EqualTo(user.AccountId));
            Assert.That(toInBlock, Has.Count.LessThanOrEqualTo(10), string.Join(", ", toInBlock));
            Assert.That(following.Count, Is.LessThanOrEqualTo(heads + 4), $"{heads} heads: {string.Join(", ", following)}");
        });
    }
}
