using Entropy.Crypto;
using Entropy.Tests.Simulator;

namespace Entropy.Tests.Registration;

/// <summary>50 accounts registering at once from one client against the devnet (chain + 2 threshold servers).</summary>
public class ConcurrentRegistrationTests
{
    [Test]
    [CancelAfter(120_000)]
    public async Task RegisterAsync_FiftyAccountsAtOnceFromOneClient_AllRegisteredWithDistinctKeysAndOneRegisterEach(CancellationToken cancellationToken)
    {
        const int Accounts = 50;
        // A devnet of its own: the test counts register and confirm_register chain-wide.
        await using var running = await DevnetFixture.StartAsync(
            options =>
            {
                options.BlockInterval = TimeSpan.FromMilliseconds(400);
                options.LoggerFactory = new WarningLoggerFactory();
            },
            options => options.RegistrationTimeout = TimeSpan.FromSeconds(90),
            cancellationToken: cancellationToken);
        var (devnet, client) = (running.Devnet, running.Client);
        var signers = Enumerable.Range(0, Accounts).Select(i => Sr25519Signer.FromSecretUri($"//Alice//many//{i}")).ToArray();
        try
        {
            await RegistrationAudit.FundAsync(client, [.. signers.Select(s => s.AccountId)]);

            var operations = await Task.WhenAll(signers.Select(s => client.RegisterAsync(WaitUntil.Completed, s, TestPrograms.AllowAllPointer, cancellationToken)));

            var keys = operations.Select(o => o.Value.VerifyingKey).ToArray();
            Assert.Multiple(() =>
            {
                Assert.That(operations.All(o => o.HasCompleted), Is.True);
                Assert.That(keys.Distinct().Count(), Is.EqualTo(Accounts), "every account gets its own verifying key");
                Assert.That(operations.Select(o => o.Id).Distinct().Count(), Is.EqualTo(Accounts));
                Assert.That(RegistrationAudit.CountIncluded(devnet.Chain, "register"), Is.EqualTo(Accounts), "exactly one register per account was included");
                Assert.That(signers.Select(s => RegistrationAudit.RegisterSubmissions(devnet.Chain, s.AccountId)), Is.All.EqualTo(1), "no account sent register twice");
                Assert.That(RegistrationAudit.CountIncluded(devnet.Chain, "confirm_register"), Is.EqualTo(Accounts * 2), "both subgroups confirmed every account once");
            });
            foreach (var (signer, operation) in signers.Zip(operations))
            {
                var onChain = await client.GetRegistrationAsync(signer.AccountId, cancellationToken);
                Assert.That(onChain?.VerifyingKey, Is.EqualTo(operation.Value.VerifyingKey), $"{signer.AccountId} on chain");
            }
        }
        finally
        {
            foreach (var s in signers)
            {
                s.Dispose();
            }
        }
    }
}
