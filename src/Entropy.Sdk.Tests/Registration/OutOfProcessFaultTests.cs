using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Entropy.Crypto;
using Entropy.Tests.Devnet;

namespace Entropy.Tests.Registration;

/// <summary>
/// <c>RegisterAsync</c> never hangs, whatever the node does. The devnet runs as a separate process (the simulator's
/// own program) and is killed by PID at a stage of the registration, or a loopback proxy in front of it goes silent (it keeps the
/// socket open and never answers again). Each row expects a typed exception carrying the operation id, within
/// <see cref="EntropyClientOptions.RegistrationTimeout"/> plus a fixed slack.
/// </summary>
/// <remarks>Each row waits out most of the registration timeout on its own devnet process (the client keeps trying to reach the
/// node until the deadline), using little CPU: the rows run side by side, and beside other parallelizable fixtures.</remarks>
[Parallelizable(ParallelScope.All)]
public class OutOfProcessFaultTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_slack = TimeSpan.FromSeconds(5);

    [TestCase(RegistrationStage.Submitted)]
    [TestCase(RegistrationStage.InBlock)]
    public async Task RegisterAsync_NodeProcessKilledAtStage_EndsWithinTheTimeoutWithTheOperationId(RegistrationStage stage)
    {
        await using var node = await DevnetProcess.StartAsync("--block-time", "300");
        await using var client = await EntropyClient.ConnectAsync(node.Endpoint, Options());
        using var user = Sr25519Signer.FromSecretUri("//Alice");
        var progress = new InlineProgress(p =>
        {
            if (p.Stage == stage)
            {
                KillByPid(node);
            }
        });

        var (failure, elapsed) = await RegisterAndTimeAsync(client, new RegisterRequest(user), progress);

        AssertTypedWithId(failure, elapsed, node, user.AccountId);
        Assert.That(failure.Message, Does.Contain("unreachable").Or.Contain("connection").IgnoreCase, "the message says the node could not be reached");
    }

    [Test]
    public async Task RegisterAsync_PrivateMode_NodeProcessKilledDuringTheKeyGeneration_EndsWithinTheTimeoutWithTheOperationId()
    {
        await using var node = await DevnetProcess.StartAsync("--block-time", "300");
        await using var client = await EntropyClient.ConnectAsync(node.Endpoint, Options());
        using var user = Sr25519Signer.FromSecretUri("//Alice");
        using var x25519 = X25519KeyPair.Generate();
        var progress = new InlineProgress(p =>
        {
            if (p.Stage == RegistrationStage.CommitteeSelected)
            {
                // The client now dials the committee; the servers die with the devnet process while it runs the DKG.
                _ = Task.Delay(150).ContinueWith(_ => KillByPid(node), TaskScheduler.Default);
            }
        });

        var (failure, elapsed) = await RegisterAndTimeAsync(client, new RegisterRequest(user) { AccessMode = AccessMode.Private, UserX25519KeyPair = x25519 }, progress);

        AssertTypedWithId(failure, elapsed, node, user.AccountId);
    }

    [Test]
    public async Task RegisterAsync_NodeGoesSilentAfterSubmitted_EndsWithinTheTimeoutWithTheOperationId()
    {
        await using var node = await DevnetProcess.StartAsync("--block-time", "300");
        await using var proxy = SilenceableProxy.Start(node.Endpoint.Port);
        await using var client = await EntropyClient.ConnectAsync(new Uri($"ws://127.0.0.1:{proxy.Port}"), Options());
        using var user = Sr25519Signer.FromSecretUri("//Alice");
        var progress = new InlineProgress(p =>
        {
            if (p.Stage == RegistrationStage.Submitted)
            {
                proxy.GoSilent();
            }
        });

        var (failure, elapsed) = await RegisterAndTimeAsync(client, new RegisterRequest(user), progress);

        AssertTypedWithId(failure, elapsed, node, user.AccountId);
        Assert.That(failure, Is.InstanceOf<RegistrationTimeoutException>(), "a silent node is only noticed by the deadline");
        Assert.That(failure.Message, Does.Contain("not answering").And.Contain($"127.0.0.1:{proxy.Port}"), "the message says the node went silent, and which");
    }

    /// <summary>Kills the devnet process (and its threshold servers, which run in it) by its id, as an operator or the OOM killer would.</summary>
    private static void KillByPid(DevnetProcess node)
    {
        using var process = Process.GetProcessById(node.Id);
        process.Kill(entireProcessTree: true);
    }

    private static EntropyClientOptions Options() => new() { RegistrationTimeout = s_timeout, PollingInterval = TimeSpan.FromMilliseconds(200), SafePrimeSource = TestSafePrimes.Source() };

    private static async Task<(Exception Failure, TimeSpan Elapsed)> RegisterAndTimeAsync(EntropyClient client, RegisterRequest request, IProgress<RegistrationProgress> progress)
    {
        // A chain stores no program at genesis: deploy the test program before the timed call.
        await TestPrograms.DeployAsync(client);
        request.Programs.Add(new ProgramInstance(TestPrograms.AllowAllPointer, []));
        var started = Stopwatch.GetTimestamp();
        var call = client.RegisterAsync(WaitUntil.Completed, request, progress);

        // The test's own guard: a hang fails the row instead of the run.
        var finished = await Task.WhenAny(call, Task.Delay(s_timeout + s_slack + TimeSpan.FromSeconds(30)));
        Assert.That(finished, Is.SameAs(call), $"RegisterAsync still running {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s after the call");
        var elapsed = Stopwatch.GetElapsedTime(started);
        Assert.That(call.IsFaulted, Is.True, $"the registration cannot complete, yet RegisterAsync returned ({call.Status})");
        return (call.Exception!.InnerException!, elapsed);
    }

    private static void AssertTypedWithId(Exception failure, TimeSpan elapsed, DevnetProcess node, AccountId account)
    {
        TestContext.Out.WriteLine($"{failure.GetType().Name} after {elapsed.TotalSeconds:F1} s: {failure.Message}");
        Assert.Multiple(() =>
        {
            Assert.That(failure, Is.InstanceOf<EntropyException>());
            Assert.That((failure as EntropyException)?.OperationId, Does.StartWith(account.ToSs58() + ":0x"), "the id to resume with");
            Assert.That(elapsed, Is.LessThanOrEqualTo(s_timeout + s_slack));
        });
    }

    /// <summary>A loopback TCP proxy that can go silent: it keeps every socket open and forwards nothing more, in either direction.</summary>
    private sealed class SilenceableProxy : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly int _target;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<TcpClient> _sockets = [];
        private readonly Task _accepting;
        private volatile bool _silent;

        private SilenceableProxy(int target)
        {
            _target = target;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static SilenceableProxy Start(int target) => new(target);

        public void GoSilent() => _silent = true;

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            lock (_sockets)
            {
                foreach (var socket in _sockets)
                {
                    socket.Dispose();
                }
            }

            try
            {
                await _accepting;
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }

            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                var inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
                var outbound = new TcpClient();
                await outbound.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
                lock (_sockets)
                {
                    _sockets.Add(inbound);
                    _sockets.Add(outbound);
                }

                _ = PumpAsync(inbound.GetStream(), outbound.GetStream());
                _ = PumpAsync(outbound.GetStream(), inbound.GetStream());
            }
        }

        private async Task PumpAsync(NetworkStream from, NetworkStream to)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    var read = await from.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    if (!_silent)
                    {
                        await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                    }
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // The test is over or a side closed.
            }
        }
    }
}
