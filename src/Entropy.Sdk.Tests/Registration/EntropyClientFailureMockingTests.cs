using Entropy.Crypto;
using Entropy.Extrinsics;
using Moq;

namespace Entropy.Tests.Registration;

/// <summary>A consumer that turns the SDK's typed outcomes into its own states, tested with Moq against the virtual API.</summary>
public class EntropyClientFailureMockingTests
{
    private enum OnboardingState
    {
        Registered,
        StillRegistering,
        Dropped,
        Rejected,
    }

    /// <summary>What an app would write: start, remember the operation id, wait a bounded time, map every typed outcome.</summary>
    private sealed class Onboarding(EntropyClient client)
    {
        public string? SavedOperationId { get; private set; }

        public string? Detail { get; private set; }

        public async Task<OnboardingState> RunAsync(Sr25519Signer signer, CancellationToken cancellationToken = default)
        {
            try
            {
                var operation = await client.RegisterAsync(WaitUntil.Started, signer, TestPrograms.AllowAllPointer, cancellationToken);
                SavedOperationId = operation.Id;
                var registration = await operation.WaitForCompletionAsync(cancellationToken);
                Detail = registration.VerifyingKey.ToString();
                return OnboardingState.Registered;
            }
            catch (RegistrationTimeoutException e)
            {
                Detail = $"{e.Confirmations} of {e.RequiredConfirmations}; id {e.OperationId}; committee {string.Join(",", e.Committee.Select(s => s.Endpoint))}";
                return OnboardingState.StillRegistering;
            }
            catch (TransactionException e) when (e.Kind == TransactionFailureKind.Dropped)
            {
                Detail = e.Status?.Kind.ToString();
                return OnboardingState.Dropped;
            }
            catch (InvalidTransactionException e)
            {
                Detail = e.Reason.ToString();
                return OnboardingState.Rejected;
            }
        }
    }

    private static readonly VerifyingKey s_key = VerifyingKey.Parse("0x0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");

    [Test]
    public async Task Consumer_WaitTimesOut_KeepsTheOperationIdAndReportsConfirmationsAndCommittee()
    {
        using var signer = Sr25519Signer.FromSecretUri("//Alice");
        var committee = new[]
        {
            EntropyModelFactory.ThresholdServer(signer.AccountId, signer.AccountId, new X25519PublicKey(new byte[32]), "127.0.0.1:3001", 0),
            EntropyModelFactory.ThresholdServer(signer.AccountId, signer.AccountId, new X25519PublicKey(new byte[32]), "127.0.0.1:3002", 1),
        };
        var operation = new Mock<RegisterOperation>();
        operation.SetupGet(o => o.Id).Returns("saved-id");
        operation.Setup(o => o.WaitForCompletionAsync(It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RegistrationTimeoutException(
                signer.AccountId, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), RegistrationStage.Confirmed, 1, 2, committee, "saved-id"));
        var client = new Mock<EntropyClient>();
        client.Setup(c => c.RegisterAsync(WaitUntil.Started, signer, TestPrograms.AllowAllPointer, It.IsAny<CancellationToken>())).ReturnsAsync(operation.Object);
        var onboarding = new Onboarding(client.Object);

        var state = await onboarding.RunAsync(signer);

        Assert.Multiple(() =>
        {
            Assert.That(state, Is.EqualTo(OnboardingState.StillRegistering));
            Assert.That(onboarding.SavedOperationId, Is.EqualTo("saved-id"));
            Assert.That(onboarding.Detail, Is.EqualTo("1 of 2; id saved-id; committee 127.0.0.1:3001,127.0.0.1:3002"));
        });
        client.Verify(c => c.RegisterAsync(It.IsAny<WaitUntil>(), It.IsAny<Sr25519Signer>(), It.IsAny<ProgramPointer>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task Consumer_TransactionUsurped_ReportsDroppedWithoutRegisteringAgain()
    {
        using var signer = Sr25519Signer.FromSecretUri("//Bob");
        var client = new Mock<EntropyClient>();
        client.Setup(c => c.RegisterAsync(WaitUntil.Started, signer, TestPrograms.AllowAllPointer, It.IsAny<CancellationToken>()))
            .ThrowsAsync(new TransactionException(TransactionFailureKind.Dropped, EntropyModelFactory.TransactionStatus(TransactionStatusKind.Usurped, "0x" + new string('a', 64)), "usurped"));

        var state = await new Onboarding(client.Object).RunAsync(signer);

        Assert.That(state, Is.EqualTo(OnboardingState.Dropped));
        client.Verify(c => c.RegisterAsync(It.IsAny<WaitUntil>(), It.IsAny<Sr25519Signer>(), It.IsAny<ProgramPointer>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task Consumer_PoolRejectsForFunds_ReportsRejectedWithTheReason()
    {
        using var signer = Sr25519Signer.FromSecretUri("//Charlie");
        var client = new Mock<EntropyClient>();
        client.Setup(c => c.RegisterAsync(WaitUntil.Started, signer, TestPrograms.AllowAllPointer, It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidTransactionException(InvalidTransactionReason.Payment, null, InvalidTransactionException.InvalidCode, "Inability to pay some fees"));
        var onboarding = new Onboarding(client.Object);

        var state = await onboarding.RunAsync(signer);

        Assert.Multiple(() =>
        {
            Assert.That(state, Is.EqualTo(OnboardingState.Rejected));
            Assert.That(onboarding.Detail, Is.EqualTo("Payment"));
        });
    }

    [Test]
    public async Task Consumer_Completes_ReturnsTheVerifyingKey()
    {
        using var signer = Sr25519Signer.FromSecretUri("//Dave");
        var operation = new Mock<RegisterOperation>();
        operation.Setup(o => o.WaitForCompletionAsync(It.IsAny<CancellationToken>()))
            .ReturnsAsync(EntropyModelFactory.Registration(signer.AccountId, s_key));
        var client = new Mock<EntropyClient>();
        client.Setup(c => c.RegisterAsync(WaitUntil.Started, signer, TestPrograms.AllowAllPointer, It.IsAny<CancellationToken>())).ReturnsAsync(operation.Object);
        var onboarding = new Onboarding(client.Object);

        var state = await onboarding.RunAsync(signer);

        Assert.Multiple(() =>
        {
            Assert.That(state, Is.EqualTo(OnboardingState.Registered));
            Assert.That(onboarding.Detail, Is.EqualTo(s_key.ToString()));
        });
    }
}
