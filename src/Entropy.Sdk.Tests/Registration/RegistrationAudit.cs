using Entropy.Crypto;
using Entropy.Simulator;
using Entropy.Simulator.Runtime;
using Entropy.Tests.Simulator;
using Microsoft.Extensions.Time.Testing;

namespace Entropy.Tests.Registration;

/// <summary>What the fault-matrix tests check after every fault: what the node received and included, and what the servers hold.</summary>
internal static class RegistrationAudit
{
    /// <summary>How many <c>register</c> submissions signed by <paramref name="account"/> reached the node (accepted or refused).</summary>
    public static int RegisterSubmissions(SimulatedChain chain, AccountId account) =>
        chain.Node.Submissions.Count(s => s.CallName == "register" && s.Signer is { } signer && signer.AsSpan().SequenceEqual(account.AsSpan()));

    /// <summary>How many <c>register</c> extrinsics signed by <paramref name="account"/> are in the canonical chain.</summary>
    public static int RegisterInclusions(SimulatedChain chain, AccountId account) => CountIncluded(chain, "register", account);

    /// <summary>How many extrinsics of <paramref name="callName"/> are in the canonical chain, from any signer.</summary>
    public static int CountIncluded(SimulatedChain chain, string callName, AccountId? signer = null)
    {
        var node = chain.Node;
        var count = 0;
        for (var n = 1u; n <= node.Best.Number; n++)
        {
            var block = node.GetBlock(n);
            if (block is null)
            {
                break;
            }

            foreach (var encoded in block.Extrinsics)
            {
                var extrinsic = Extrinsic.Decode(encoded, node.Flavor);
                if (extrinsic.Call.Name == callName
                    && (signer is null || (extrinsic.Signer is { } s && s.AsSpan().SequenceEqual(signer.Value.AsSpan()))))
                {
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>
    /// Reads every server's share of <paramref name="account"/>, restarts each server (it reopens its key store with the password) and
    /// checks the share is still there, byte for byte. Returns the shares read before the restarts (null where a server has none).
    /// </summary>
    public static async Task<IReadOnlyList<byte[]?>> SharesSurviveRestartAsync(EntropyDevnet devnet, AccountId account)
    {
        var key = account.ToSs58();
        var before = await ReadSharesAsync(devnet, account);

        for (var i = 0; i < devnet.Servers.Count; i++)
        {
            await devnet.StopServerAsync(i);
            await devnet.RestartServerAsync(i);
            var after = await devnet.Servers[i].Store.GetAsync(key);
            Assert.That(after, Is.EqualTo(before[i]), $"server {i}'s share of {account} changed across a restart");
        }

        return before;
    }

    /// <summary>Reads every server's stored share of <paramref name="account"/> (null where a server has none), in server order.</summary>
    public static async Task<IReadOnlyList<byte[]?>> ReadSharesAsync(EntropyDevnet devnet, AccountId account)
    {
        var key = account.ToSs58();
        var shares = new List<byte[]?>();
        foreach (var server in devnet.Servers)
        {
            shares.Add(await server.Store.GetAsync(key));
        }

        return shares;
    }

    /// <summary>Funds accounts from //Alice with 10^15 planck each (<see cref="ChainCalls.FundAsync"/>).</summary>
    public static Task FundAsync(EntropyClient client, params AccountId[] accounts) => ChainCalls.FundAsync(client, accounts);

    /// <summary>Submits <c>confirm_register</c> as a committee server would (for tests that drive confirmations by hand).</summary>
    public static Task ConfirmAsync(EntropyClient client, Sr25519Signer tss, AccountId account, byte subgroup, VerifyingKey key) =>
        ChainCalls.SignAndSendAsync(client, tss, client.Session.Runtime.EncodeConfirmRegister(account, subgroup, key));

    /// <summary>
    /// Follows an operation through a second client whose <see cref="EntropyClientOptions.RegistrationTimeout"/> is
    /// <paramref name="timeout"/> (the timeout is a client setting), re-creating it from its id. The client's clock is a
    /// <see cref="FakeTimeProvider"/>: the operation reads the chain's state first, then the clock is moved past the timeout, so the
    /// timeout fires without waiting it out (its length is not what the callers test; what the timeout reports is).
    /// </summary>
    public static async Task<Entropy.Registration> WaitWithTimeoutAsync(Uri endpoint, RegisterOperation operation, TimeSpan timeout)
    {
        var time = new FakeTimeProvider();
        await using var client = await EntropyClient.ConnectAsync(endpoint, new EntropyClientOptions { RegistrationTimeout = timeout, PollingInterval = TimeSpan.FromMilliseconds(50), TimeProvider = time });
        var resumed = new RegisterOperation(operation.Id, client);
        await resumed.UpdateStatusAsync();
        return await AdvanceUntilDoneAsync(time, resumed.WaitForCompletionAsync(), () => timeout);
    }

    /// <summary>
    /// Moves <paramref name="time"/> on by <paramref name="step"/> every 50 ms of real time until <paramref name="task"/> ends (at
    /// most 30 s of real time), so that the timers of code running on the fake clock fire when the test says, not when the wall
    /// clock gets there.
    /// </summary>
    public static async Task<T> AdvanceUntilDoneAsync<T>(FakeTimeProvider time, Task<T> task, Func<TimeSpan> step)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!task.IsCompleted)
        {
            time.Advance(step());
            await Task.WhenAny(task, Task.Delay(50, guard.Token));
        }

        return await task;
    }

    /// <summary>A syntactically valid compressed key filled with one byte.</summary>
    public static VerifyingKey Key(byte prefix, byte fill)
    {
        var bytes = Enumerable.Repeat(fill, VerifyingKey.Length).ToArray();
        bytes[0] = prefix;
        return new VerifyingKey(bytes);
    }
}

/// <summary>Reports synchronously (Progress&lt;T&gt; posts to the thread pool, which would race the assertions).</summary>
internal sealed class InlineProgress(Action<RegistrationProgress> report) : IProgress<RegistrationProgress>
{
    public void Report(RegistrationProgress value) => report(value);
}

/// <summary>Writes warnings and errors of the devnet (servers, OCW) to the test's progress output, for diagnosing a failed run.</summary>
internal sealed class WarningLoggerFactory : Microsoft.Extensions.Logging.ILoggerFactory, Microsoft.Extensions.Logging.ILogger
{
    public void AddProvider(Microsoft.Extensions.Logging.ILoggerProvider provider)
    {
    }

    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    // ENTROPY_TEST_LOG_LEVEL=Information (or Debug) shows more when diagnosing a run.
    private static readonly Microsoft.Extensions.Logging.LogLevel s_minimum =
        Enum.TryParse<Microsoft.Extensions.Logging.LogLevel>(Environment.GetEnvironmentVariable("ENTROPY_TEST_LOG_LEVEL"), out var level) ? level : Microsoft.Extensions.Logging.LogLevel.Warning;

    // ENTROPY_TEST_LOG_FILE=/path appends every line to that file instead (ms clock % 100 s in front).
    private static readonly string? s_file = Environment.GetEnvironmentVariable("ENTROPY_TEST_LOG_FILE");
    private static readonly Lock s_fileLock = new();

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= s_minimum;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var line = $"{Environment.TickCount64 % 100_000:D5} [{logLevel}] {formatter(state, exception)} {exception}";
        if (s_file is null)
        {
            // Lines logged on threads that carry no NUnit test context (Kestrel request threads: the servers' /user/new and
            // /ws handlers) do not reach the progress output; set ENTROPY_TEST_LOG_FILE to see them.
            TestContext.Progress.WriteLine(line);
            return;
        }

        lock (s_fileLock)
        {
            File.AppendAllText(s_file, line + Environment.NewLine);
        }
    }

    public void Dispose()
    {
    }
}
