using Entropy.Crypto;
using Entropy.Protocol.Dkg;
using Entropy.Simulator;
using Entropy.Tests.Registration;

namespace Entropy.Tests.Simulator;

/// <summary>Registration faults over real loopback: a server down, a cheating dealer, a wrong confirmation (a fresh 2 × 1 devnet each).</summary>
public class EntropyDevnetFaultTests : DevnetFixture
{
    /// <summary>Fresh per test: the faults stop servers, set fault hooks and leave registrations half done.</summary>
    protected override bool FreshDevnetPerTest => true;

    /// <inheritdoc/>
    protected override void ConfigureDevnet(EntropyDevnetOptions options) => options.DkgTimeout = TimeSpan.FromSeconds(3);

    /// <inheritdoc/>
    protected override void ConfigureClient(EntropyClientOptions options) => options.RegistrationTimeout = TimeSpan.FromSeconds(30);

    [Test]
    public async Task RegisterAsync_CommitteeServerDown_StaysRegisteringUntilPruned()
    {
        using var user = Sr25519Signer.FromSecretUri("//Alice");
        await Devnet.StopServerAsync(1);

        var operation = await Client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);
        Assert.ThrowsAsync<RegistrationTimeoutException>(() => RegistrationAudit.WaitWithTimeoutAsync(Devnet.Endpoint, operation, TimeSpan.FromSeconds(3)));

        Assert.That(await Client.GetRegisteringAsync(user.AccountId), Is.Not.Null);
        Assert.That(await Client.IsRegisteredAsync(user.AccountId), Is.False);

        await Client.PruneRegistrationAsync(user);

        Assert.That(await Client.GetRegisteringAsync(user.AccountId), Is.Null);
        Assert.That(await Client.IsRegisteredAsync(user.AccountId), Is.False);
    }

    [Test]
    public async Task RegisterAsync_CheatingDealer_IsNamedByTheHonestServerAndNothingIsRegistered()
    {
        using var user = Sr25519Signer.FromSecretUri("//Bob");
        Devnet.Faults(1).SendInconsistentShare = true;
        var honest = Devnet.Servers[0];
        var cheater = Devnet.Servers[1];

        await Client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);
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
        Assert.That(await Client.IsRegisteredAsync(user.AccountId), Is.False);
        var registering = await Client.GetRegisteringAsync(user.AccountId);
        Assert.That(registering, Is.Not.Null);
    }

    [Test]
    public async Task WaitForCompletionAsync_ServerConfirmsAWrongKey_ThrowsRegistrationFailed()
    {
        using var user = Sr25519Signer.FromSecretUri("//Charlie");
        Devnet.Faults(1).ConfirmWrongKey = true;

        var operation = await Client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);

        var e = Assert.ThrowsAsync<RegistrationEndedException>(() => operation.WaitForCompletionAsync());
        Assert.That(e!.Reason, Is.EqualTo(RegistrationEndReason.KeysDiffered));
        Assert.That(e!.Account, Is.EqualTo(user.AccountId));
        Assert.That(await Client.IsRegisteredAsync(user.AccountId), Is.False);
    }
}
