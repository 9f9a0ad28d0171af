using Entropy.Crypto;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace Entropy.Tests.Registration;

/// <summary>How a user tests their own code against the virtual EntropyClient surface with Moq and EntropyModelFactory.</summary>
public class EntropyClientMockingTests
{
    /// <summary>A consumer as a wallet would write it: register once, reuse the key afterwards.</summary>
    private sealed class Onboarding(EntropyClient client)
    {
        public async Task<VerifyingKey> EnsureRegisteredAsync(Sr25519Signer signer, CancellationToken cancellationToken = default)
        {
            if (await client.GetRegistrationAsync(signer.AccountId, cancellationToken) is { } existing)
            {
                return existing.VerifyingKey;
            }

            var operation = await client.RegisterAsync(WaitUntil.Completed, signer, TestPrograms.AllowAllPointer, cancellationToken);
            return operation.Value.VerifyingKey;
        }
    }

    private static readonly VerifyingKey s_key = VerifyingKey.Parse("0x0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");

    [Test]
    public async Task Consumer_AlreadyRegistered_DoesNotRegisterAgain()
    {
        using var signer = Sr25519Signer.FromSecretUri("//Alice");
        var client = new Mock<EntropyClient>();
        client.Setup(c => c.GetRegistrationAsync(signer.AccountId, It.IsAny<CancellationToken>()))
            .ReturnsAsync(EntropyModelFactory.Registration(signer.AccountId, s_key));

        var key = await new Onboarding(client.Object).EnsureRegisteredAsync(signer);

        Assert.That(key, Is.EqualTo(s_key));
        client.Verify(c => c.RegisterAsync(It.IsAny<WaitUntil>(), It.IsAny<Sr25519Signer>(), It.IsAny<ProgramPointer>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task Consumer_NotRegistered_RegistersAndReturnsTheNewKey()
    {
        using var signer = Sr25519Signer.FromSecretUri("//Bob");
        var client = new Mock<EntropyClient>();
        client.Setup(c => c.GetRegistrationAsync(signer.AccountId, It.IsAny<CancellationToken>())).ReturnsAsync((Entropy.Registration?)null);
        var operation = new Mock<RegisterOperation>();
        operation.SetupGet(o => o.Value).Returns(EntropyModelFactory.Registration(signer.AccountId, s_key, AccessMode.Permissioned));
        client.Setup(c => c.RegisterAsync(WaitUntil.Completed, signer, TestPrograms.AllowAllPointer, It.IsAny<CancellationToken>())).ReturnsAsync(operation.Object);

        var key = await new Onboarding(client.Object).EnsureRegisteredAsync(signer);

        Assert.That(key, Is.EqualTo(s_key));
        client.Verify(c => c.RegisterAsync(WaitUntil.Completed, signer, TestPrograms.AllowAllPointer, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public void ModelFactory_RegisteringStatus_CountsConfirmations()
    {
        var status = EntropyModelFactory.RegisteringStatus(new AccountId(new byte[32]), [0], requiredConfirmations: 2);
        Assert.That(status.ToString(), Does.Contain("1 of 2"));
    }

    [Test]
    public async Task AddEntropyClient_RegistersOneFactory()
    {
        var services = new ServiceCollection().AddEntropyClient(new Uri("ws://127.0.0.1:1"), o => o.RegistrationTimeout = TimeSpan.FromSeconds(5));
        await using var provider = services.BuildServiceProvider();

        var first = provider.GetRequiredService<EntropyClientFactory>();
        var second = provider.GetRequiredService<EntropyClientFactory>();

        Assert.That(first, Is.SameAs(second));
    }

    [Test]
    public void AddEntropyClient_InvalidOption_NamesTheProperty()
    {
        var e = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddEntropyClient(new Uri("ws://127.0.0.1:1"), o => o.PollingInterval = TimeSpan.Zero));
        Assert.That(e!.Message, Does.Contain(nameof(EntropyClientOptions.PollingInterval)));
    }
}
