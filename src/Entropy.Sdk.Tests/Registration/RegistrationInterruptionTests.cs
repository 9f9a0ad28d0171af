using Entropy.Crypto;
using Entropy.Simulator;
using Microsoft.Extensions.Time.Testing;

namespace Entropy.Tests.Registration;

/// <summary>
/// Issue 13 §3: every failure after submission leaves a way back (the operation id), and one client never pays twice for one account.
/// Against the simulated chain in process; nobody confirms, so the registrations stay at <c>Registering</c>.
/// </summary>
public class RegistrationInterruptionTests
{
    private SimulatedChain _chain = null!;
    private EntropyClient _client = null!;
    private Sr25519Signer _user = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _chain = new SimulatedChain(new SimulatedChainOptions { BlockProduction = BlockProductionMode.Interval, BlockInterval = TimeSpan.FromMilliseconds(100) });
        await _chain.StartAsync();
        _client = await EntropyClient.ConnectAsync(_chain.WebSocketEndpoint, new EntropyClientOptions { PollingInterval = TimeSpan.FromMilliseconds(50), RegistrationTimeout = TimeSpan.FromSeconds(20) });
        await TestPrograms.DeployAsync(_client);
        _user = Sr25519Signer.FromSecretUri("//Alice//interruption//" + TestContext.CurrentContext.Test.MethodName);
        await RegistrationAudit.FundAsync(_client, _user.AccountId);
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _client.DisposeAsync();
        await _chain.DisposeAsync();
        _user.Dispose();
    }

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

        var e = Assert.ThrowsAsync<EntropyOperationCanceledException>(() => _client.RegisterAsync(WaitUntil.Completed, WithProgram(new RegisterRequest(_user)), progress, cancel.Token));

        var resumed = new RegisterOperation(e!.OperationId, _client);
        Assert.Multiple(async () =>
        {
            Assert.That(e.OperationId, Does.StartWith(_user.AccountId.ToSs58() + ":0x"));
            Assert.That(e.CancellationToken, Is.EqualTo(cancel.Token));
            Assert.That(await resumed.UpdateStatusAsync(), Is.False, "still registering");
            Assert.That(resumed.RegisterBlockNumber, Is.Not.Null, "the id finds the register block");
            Assert.That(RegistrationAudit.RegisterSubmissions(_chain, _user.AccountId), Is.EqualTo(1));
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
                disposing = Task.Run(async () => await _client.DisposeAsync());
            }
        });

        var e = Assert.ThrowsAsync<EntropyConnectionException>(() => _client.RegisterAsync(WaitUntil.Completed, WithProgram(new RegisterRequest(_user)), progress));
        await disposing!;

        Assert.Multiple(() =>
        {
            Assert.That(e!.FailureType, Is.EqualTo(ConnectionFailureType.ConnectionClosed));
            Assert.That(e.OperationId, Does.StartWith(_user.AccountId.ToSs58() + ":0x"));
            Assert.That(e.Message, Does.Contain("disposed").And.Contain(e.OperationId!));
            Assert.That(RegistrationAudit.RegisterSubmissions(_chain, _user.AccountId), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task RegisterAsync_TwoCallsForOneAccount_OnlyOnePaysAndTheOtherFailsBeforeSigning()
    {
        var calls = new[]
        {
            _client.RegisterAsync(WaitUntil.Started, _user, TestPrograms.AllowAllPointer),
            _client.RegisterAsync(WaitUntil.Started, _user, TestPrograms.AllowAllPointer),
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
            Assert.That(RegistrationAudit.RegisterSubmissions(_chain, _user.AccountId), Is.EqualTo(1), "only one register reached the node");
        });
    }

    [Test]
    public async Task RegisterAsync_TimesOutWhileRegistering_TheTimeoutCarriesTheIdAndATrueMessage()
    {
        // The client's clock is fake: it runs at a fifth of real time until the committee is selected, then jumps past the 2 s
        // timeout (how long the timeout is, is not the subject; what it reports is).
        var time = new FakeTimeProvider();
        await using var client = await EntropyClient.ConnectAsync(_chain.WebSocketEndpoint, new EntropyClientOptions { PollingInterval = TimeSpan.FromMilliseconds(50), RegistrationTimeout = TimeSpan.FromSeconds(2), TimeProvider = time });
        var committeeSelected = false;
        var progress = new InlineProgress(p => committeeSelected |= p.Stage == RegistrationStage.CommitteeSelected);

        var e = Assert.ThrowsAsync<RegistrationTimeoutException>(() => RegistrationAudit.AdvanceUntilDoneAsync(
            time,
            client.RegisterAsync(WaitUntil.Completed, WithProgram(new RegisterRequest(_user)), progress),
            () => Volatile.Read(ref committeeSelected) ? TimeSpan.FromSeconds(2) : TimeSpan.FromMilliseconds(10)));

        Assert.Multiple(() =>
        {
            Assert.That(e!.OperationId, Does.StartWith(_user.AccountId.ToSs58() + ":0x"));
            Assert.That(e.Stage, Is.EqualTo(RegistrationStage.CommitteeSelected));
            Assert.That(e.Message, Does.Contain("'registration of " + _user.AccountId + "' timed out"), "no empty endpoint in the message");
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
