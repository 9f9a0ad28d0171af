using Entropy.Crypto;
using Entropy.Tests.Simulator;
using Microsoft.Extensions.Time.Testing;

namespace Entropy.Tests.Registration;

/// <summary>
/// Every failure after submission leaves a way back (the operation id), and one client never pays twice for one account.
/// Against the simulated chain in process; nobody confirms, so the registrations stay at <c>Registering</c>.
/// </summary>
public class RegistrationInterruptionTests : SimulatedChainClientFixture
{
    /// <summary>A chain per test: the interruptions dispose the fixture's client and leave registrations in flight.</summary>
    protected override ChainLifetime Lifetime => ChainLifetime.Test;

    /// <inheritdoc/>
    protected override bool FundedUserPerTest => true;

    [Test]
    public async Task RegisterAsync_CancelledAfterInBlock_ThrowsACancellationCarryingTheIdThatResumes()
    {
        using var cancel = new CancellationTokenSource();
        var progress = new InlineProgress(p =>
        {
            if (p.Stage == RegistrationStage.InBlock)
            {
                cancel.Cancel();
            }
        });

        var e = Assert.ThrowsAsync<EntropyOperationCanceledException>(() => Client.RegisterAsync(WaitUntil.Completed, WithProgram(new RegisterRequest(User)), progress, cancel.Token));

        var resumed = new RegisterOperation(e!.OperationId, Client);
        Assert.Multiple(async () =>
        {
            Assert.That(e.OperationId, Does.StartWith(User.AccountId.ToSs58() + ":0x"));
            Assert.That(e.CancellationToken, Is.EqualTo(cancel.Token));
            Assert.That(await resumed.UpdateStatusAsync(), Is.False, "still registering");
            Assert.That(resumed.RegisterBlockNumber, Is.Not.Null, "the id finds the register block");
            Assert.That(RegistrationAudit.RegisterSubmissions(Chain, User.AccountId), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task RegisterAsync_ClientDisposedWhileWaiting_ThrowsATypedConnectionExceptionCarryingTheId()
    {
        Task? disposing = null;
        var progress = new InlineProgress(p =>
        {
            if (p.Stage == RegistrationStage.InBlock)
            {
                disposing = Task.Run(async () => await Client.DisposeAsync());
            }
        });

        var e = Assert.ThrowsAsync<EntropyConnectionException>(() => Client.RegisterAsync(WaitUntil.Completed, WithProgram(new RegisterRequest(User)), progress));
        await disposing!;

        Assert.Multiple(() =>
        {
            Assert.That(e!.FailureType, Is.EqualTo(ConnectionFailureType.ConnectionClosed));
            Assert.That(e.OperationId, Does.StartWith(User.AccountId.ToSs58() + ":0x"));
            Assert.That(e.Message, Does.Contain("disposed").And.Contain(e.OperationId!));
            Assert.That(RegistrationAudit.RegisterSubmissions(Chain, User.AccountId), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task RegisterAsync_TwoCallsForOneAccount_OnlyOnePaysAndTheOtherFailsBeforeSigning()
    {
        var calls = new[]
        {
            Client.RegisterAsync(WaitUntil.Started, User, TestPrograms.AllowAllPointer),
            Client.RegisterAsync(WaitUntil.Started, User, TestPrograms.AllowAllPointer),
        };
        try
        {
            await Task.WhenAll(calls);
        }
        catch (RegistrationPreflightException)
        {
            // One of them; checked below.
        }

        var refused = calls.Single(c => c.IsFaulted).Exception!.InnerException as RegistrationPreflightException;
        Assert.Multiple(() =>
        {
            Assert.That(calls.Count(c => c.IsCompletedSuccessfully), Is.EqualTo(1));
            Assert.That(refused?.Failure, Is.EqualTo(RegistrationPreflightFailure.AlreadyRegistering));
            Assert.That(RegistrationAudit.RegisterSubmissions(Chain, User.AccountId), Is.EqualTo(1), "only one register reached the node");
        });
    }

    [Test]
    public async Task RegisterAsync_TimesOutWhileRegistering_TheTimeoutCarriesTheIdAndATrueMessage()
    {
        // The client's clock is fake: it runs at a fifth of real time until the committee is selected, then jumps past the 2 s
        // timeout (how long the timeout is, is not the subject; what it reports is).
        var time = new FakeTimeProvider();
        await using var client = await EntropyClient.ConnectAsync(Chain.WebSocketEndpoint, new EntropyClientOptions { PollingInterval = TimeSpan.FromMilliseconds(50), RegistrationTimeout = TimeSpan.FromSeconds(2), TimeProvider = time });
        var committeeSelected = false;
        var progress = new InlineProgress(p => committeeSelected |= p.Stage == RegistrationStage.CommitteeSelected);

        var e = Assert.ThrowsAsync<RegistrationTimeoutException>(() => RegistrationAudit.AdvanceUntilDoneAsync(
            time,
            client.RegisterAsync(WaitUntil.Completed, WithProgram(new RegisterRequest(User)), progress),
            () => Volatile.Read(ref committeeSelected) ? TimeSpan.FromSeconds(2) : TimeSpan.FromMilliseconds(10)));

        Assert.Multiple(() =>
        {
            Assert.That(e!.OperationId, Does.StartWith(User.AccountId.ToSs58() + ":0x"));
            Assert.That(e.Stage, Is.EqualTo(RegistrationStage.CommitteeSelected));
            Assert.That(e.Message, Does.Contain("'registration of " + User.AccountId + "' timed out"), "no empty endpoint in the message");
            Assert.That(e.Message, Does.Contain("0 of 2 confirmations").And.Not.Contain("may not have been included"));
            Assert.That(e.Message, Does.Contain(e.OperationId!));
        });
    }

    private static RegisterRequest WithProgram(RegisterRequest request)
    {
        request.Programs.Add(new ProgramInstance(TestPrograms.AllowAllPointer, []));
        return request;
    }
}
