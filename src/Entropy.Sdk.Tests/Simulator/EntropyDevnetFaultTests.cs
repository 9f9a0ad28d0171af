using Entropy.Crypto;
using Entropy.Protocol.Dkg;
using Entropy.Simulator;
using Entropy.Tests.Registration;

namespace Entropy.Tests.Simulator;

/// <summary>Registration faults over real loopback: a server down, a cheating dealer, a wrong confirmation (a fresh 2 × 1 devnet each).</summary>
public class EntropyDevnetFaultTests
{
    private EntropyDevnet _devnet = null!;
    private EntropyClient _client = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _devnet = new EntropyDevnet(new EntropyDevnetOptions
        {
            BlockInterval = TimeSpan.FromMilliseconds(300),
            KeyStoreScryptCost = 1 << 10,
            DkgTimeout = TimeSpan.FromSeconds(3),
        });
        await _devnet.StartAsync();
        _client = await EntropyClient.ConnectAsync(_devnet.Endpoint, new EntropyClientOptions { PollingInterval = TimeSpan.FromMilliseconds(100), RegistrationTimeout = TimeSpan.FromSeconds(30) });
        await TestPrograms.DeployAsync(_client);
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _client.DisposeAsync();
        await _devnet.DisposeAsync();
    }

    [Test]
    public async Task RegisterAsync_CommitteeServerDown_StaysRegisteringUntilPruned()
    {
        using var user = Sr25519Signer.FromSecretUri("//Alice");
        await _devnet.StopServerAsync(1);

        var operation = await _client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);
        Assert.ThrowsAsync<RegistrationTimeoutException>(() => RegistrationAudit.WaitWithTimeoutAsync(_devnet.Endpoint, operation, TimeSpan.FromSeconds(3)));

        Assert.That(await _client.GetRegisteringAsync(user.AccountId), Is.Not.Null);
        Assert.That(await _client.IsRegisteredAsync(user.AccountId), Is.False);

        await _client.PruneRegistrationAsync(user);

        Assert.That(await _client.GetRegisteringAsync(user.AccountId), Is.Null);
        Assert.That(await _client.IsRegisteredAsync(user.AccountId), Is.False);
    }

    [Test]
    public async Task RegisterAsync_CheatingDealer_IsNamedByTheHonestServerAndNothingIsRegistered()
    {
        using var user = Sr25519Signer.FromSecretUri("//Bob");
        _devnet.Faults(1).SendInconsistentShare = true;
        var honest = _devnet.Servers[0];
        var cheater = _devnet.Servers[1];

        await _client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (honest.LastDkgFailure is null)
        {
            await Task.Delay(50, timeout.Token);
        }

        var failure = honest.LastDkgFailure as DkgException;
        Assert.That(failure, Is.Not.Null, honest.LastDkgFailure.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(failure!.Reason, Is.EqualTo(DkgFailureReason.InconsistentShare));
            Assert.That(failure.Culprit, Is.EqualTo(new PartyId(cheater.Account.AsSpan())));
        });
        Assert.That(await honest.Store.GetAsync(user.AccountId.ToSs58()), Is.Null);
        Assert.That(await _client.IsRegisteredAsync(user.AccountId), Is.False);
        var registering = await _client.GetRegisteringAsync(user.AccountId);
        Assert.That(registering, Is.Not.Null);
    }

    [Test]
    public async Task WaitForCompletionAsync_ServerConfirmsAWrongKey_ThrowsRegistrationFailed()
    {
        using var user = Sr25519Signer.FromSecretUri("//Charlie");
        _devnet.Faults(1).ConfirmWrongKey = true;

        var operation = await _client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);

        var e = Assert.ThrowsAsync<RegistrationEndedException>(() => operation.WaitForCompletionAsync());
        Assert.That(e!.Reason, Is.EqualTo(RegistrationEndReason.KeysDiffered));
        Assert.That(e!.Account, Is.EqualTo(user.AccountId));
        Assert.That(await _client.IsRegisteredAsync(user.AccountId), Is.False);
    }
}
