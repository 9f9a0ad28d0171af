using System.Collections.Concurrent;
using System.Net;
using Entropy.Crypto;
using Entropy.Protocol;
using Entropy.Protocol.Dkg;
using Entropy.Rpc;
using Entropy.Simulator.KeyStore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;


namespace Entropy.Simulator.ThresholdServers;

/// <summary>
/// A simulated Entropy threshold signature server modelled on entropy-tss v0.0.10: <c>/user/new</c>, <c>/ws</c>, <c>/user/receive_key</c>,
/// <c>/healthz</c>. It is not entropy-tss: by default it runs a block's key generations concurrently and checks more than entropy-tss
/// does (docs/testing.md, "Where the devnet differs from a real network").
/// </summary>
internal sealed partial class ThresholdServerHost : IAsyncDisposable
{
    private const int MaxConfirmationAttempts = 20;
    private static readonly TimeSpan s_subscribeTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_channelLinger = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_registrationRecordWait = TimeSpan.FromSeconds(2);

    private readonly Sr25519KeyPair _pair;
    private readonly Sr25519Signer _signer;
    private readonly byte[] _x25519Secret;
    private readonly ConcurrentDictionary<string, DkgListener> _listeners = new();
    private TaskCompletionSource _listenerAdded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ILogger _logger;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly TimeSpan _dkgTimeout;
    private readonly SemaphoreSlim _newUserLock = new(1, 1);
    private readonly List<Task> _background = [];
    private CancellationTokenSource? _running;
    private readonly SemaphoreSlim[] _receiveKeyLocks = [.. Enumerable.Range(0, 16).Select(_ => new SemaphoreSlim(1, 1))];
    private RegistrationLedger? _ledger;
    private int _dkgRuns;
    private EncryptedKeyStore? _store;
    private WebApplication? _app;
    private ServerChain? _chain;

    public ThresholdServerHost(string name, string mnemonic, byte[] stash, byte subgroup, int port, TimeSpan dkgTimeout, ILoggerFactory? loggerFactory)
        : this(name, Sr25519KeyPair.FromMnemonic(mnemonic), stash, subgroup, port, dkgTimeout, loggerFactory)
    {
    }

    /// <summary>Creates a server with its sr25519 key pair (the server owns and disposes it).</summary>
    public ThresholdServerHost(string name, Sr25519KeyPair pair, byte[] stash, byte subgroup, int port, TimeSpan dkgTimeout, ILoggerFactory? loggerFactory)
    {
        Name = name;
        _pair = pair;
        _signer = Sr25519Signer.FromKeyPair(_pair);
        _x25519Secret = ThresholdServerKeys.DeriveX25519StaticSecret(_pair);
        X25519PublicKey = ThresholdServerKeys.DeriveX25519PublicKey(_pair);
        Stash = new AccountId(stash);
        Subgroup = subgroup;
        Port = port;
        _dkgTimeout = dkgTimeout;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory?.CreateLogger($"Entropy.Simulator.Tss.{name}") ?? NullLogger.Instance;
    }

    public string Name { get; }

    public AccountId Account => _signer.AccountId;

    public AccountId Stash { get; }

    public byte Subgroup { get; }

    public int Port { get; }

    public byte[] X25519PublicKey { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Gets or sets how the server handles a block's registrations (see <see cref="ThresholdServerBehavior"/>).</summary>
    public ThresholdServerBehavior Behavior { get; set; } = ThresholdServerBehavior.Robust;

    /// <summary>Gets or sets how many accounts of one <c>/user/new</c> message run their DKG at once (<see cref="ThresholdServerBehavior.Robust"/>).</summary>
    public int MaxConcurrentDkgs { get; set; } = 8;

    public ThresholdServerFaults Faults { get; } = new();

    /// <summary>
    /// Gets the clock of the server's protocol timeouts: the DKG (waiting for the parties to connect, and the rounds), the wait of a
    /// <c>/ws</c> subscription for its session, and <see cref="ThresholdServerFaults.DelayMessages"/>. I/O deadlines (HTTP clients, the
    /// channels' handshake and send timeouts), the channels' linger after a DKG and the stop waits stay on real time.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets or sets the DKG this server runs for each account (set before <see cref="StartAsync"/>); synedrion 0.1.0 by default, the library entropy-tss v0.0.10 runs.</summary>
    public IServerDkg Dkg { get; set; } = SynedrionServerDkg.Instance;

    /// <summary>Gets or sets the DKG for Public-mode registrations (no user party) when it differs from <see cref="Dkg"/>: the fast stand-in of test suites.</summary>
    public IServerDkg? PublicModeDkg { get; set; }

    /// <summary>Gets or sets the entropy-protocol envelope this server speaks (session id layout, shared randomness; set before <see cref="StartAsync"/>): subscriptions in another version are refused.</summary>
    public ProtocolEnvelope Envelope { get; set; } = ProtocolEnvelope.V0010;

    public EncryptedKeyStore Store => _store ?? throw new InvalidOperationException($"{Name} is not running.");

    /// <summary>Gets the registrations this server saw and the shares it received (kept in <see cref="Store"/>).</summary>
    private RegistrationLedger Ledger => _ledger ?? throw new InvalidOperationException($"{Name} is not running.");

    public bool IsRunning => _app is not null;

    /// <summary>Gets how many DKG runs this server has started (one per account of each accepted <c>/user/new</c>).</summary>
    public int DkgRuns => Volatile.Read(ref _dkgRuns);

    /// <summary>Gets the last DKG failure of this server (a <see cref="DkgException"/> names the culprits), or <see langword="null"/>.</summary>
    public Exception? LastDkgFailure { get; private set; }

    public async Task StartAsync(Uri chain, string keyStoreDirectory, string password, KeyStoreOptions? keyStoreOptions, CancellationToken cancellationToken)
    {
        _store = await EncryptedKeyStore.OpenAsync(keyStoreDirectory, password, keyStoreOptions, cancellationToken).ConfigureAwait(false);
        _ledger = await RegistrationLedger.LoadAsync(_store, cancellationToken).ConfigureAwait(false);

        // entropy-tss opens a connection to its node for each request, so it is back as soon as the node is: reconnect quickly and
        // never give up (the SDK's client default backs off to 30 s and stops after ten attempts, which would leave the server deaf).
        var rpcOptions = new RpcClientOptions { Logger = _loggerFactory?.CreateLogger<RpcClient>() };
        rpcOptions.Reconnect.Delay = TimeSpan.FromMilliseconds(50);
        rpcOptions.Reconnect.MaxDelay = TimeSpan.FromMilliseconds(250);
        rpcOptions.Reconnect.MaxAttempts = int.MaxValue;
        var rpc = await RpcClient.ConnectAsync(chain, rpcOptions, cancellationToken).ConfigureAwait(false);
        try
        {
            _chain = await ServerChain.OpenAsync(rpc, ownsRpc: true, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await rpc.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(ThresholdServerHost).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, Port));
        builder.Services.AddRouting();
        builder.Services.AddSingleton(_loggerFactory ?? NullLoggerFactory.Instance);
        var app = builder.Build();
        app.UseWebSockets();
        app.Run(HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _running = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        _app = app;
        _logger.LogInformation("{Name} listening on {Endpoint} as {Account} (subgroup {Subgroup})", Name, Endpoint, Account, Subgroup);
    }

    /// <summary>Stops the server as a crash would: its DKGs and confirmations in flight end with it; the key store stays on disk.</summary>
    public async Task StopAsync()
    {
        if (_running is { } running)
        {
            await running.CancelAsync().ConfigureAwait(false);
        }

        if (_app is { } app)
        {
            _app = null;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await app.StopAsync(timeout.Token).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }

        Task[] pending;
        lock (_background)
        {
            pending = [.. _background];
        }

        try
        {
            await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Background DKG runs end with the shutdown; their outcome was logged.
        }

        if (_chain is not null)
        {
            await _chain.DisposeAsync().ConfigureAwait(false);
            _chain = null;
        }

        if (_store is not null)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
            _store = null;
            _ledger = null;
        }

        _running?.Dispose();
        _running = null;
    }

    /// <summary>
    /// Waits until the work this server started in the background has ended (tests): each <c>/user/new</c>'s DKGs and confirmations
    /// (a confirmation in the pool waits for its block) and the channels' clean-up (a successful DKG's channels linger 2 s).
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when nothing is left in the background.</returns>
    internal async Task WhenBackgroundIdleAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task[] pending;
            lock (_background)
            {
                pending = [.. _background.Where(t => !t.IsCompleted)];
            }

            if (pending.Length == 0)
            {
                return;
            }

            // WhenAny of the WhenAll: wait for every task without throwing their failures (each was reported where it happened).
            await Task.WhenAny(Task.WhenAll(pending)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync().ConfigureAwait(false);
        await StopAsync().ConfigureAwait(false);
        _signer.Dispose();
        _pair.Dispose();
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(_x25519Secret);
        _shutdown.Dispose();
        _newUserLock.Dispose();
        foreach (var gate in _receiveKeyLocks)
        {
            gate.Dispose();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var started = Diagnostics.DevnetTelemetry.HttpServerDuration.Enabled ? System.Diagnostics.Stopwatch.GetTimestamp() : 0;
        try
        {
            await HandleRouteAsync(context).ConfigureAwait(false);
        }
        finally
        {
            if (started != 0)
            {
                RecordRequest(context, started);
            }
        }
    }

    private void RecordRequest(HttpContext context, long started)
    {
        var route = context.Request.Path.Value is "/healthz" or "/ws" or "/user/new" or "/user/receive_key" ? context.Request.Path.Value : "other";
        var tags = new System.Diagnostics.TagList
        {
            { "http.request.method", context.Request.Method },
            { "http.route", route },
            { "http.response.status_code", context.Response.StatusCode },
            { "server.port", Port },
        };
        Diagnostics.DevnetTelemetry.HttpServerDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }

    private async Task HandleRouteAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        try
        {
            switch (path)
            {
                case "/healthz":
                    context.Response.StatusCode = 200;
                    return;
                case "/ws" when context.WebSockets.IsWebSocketRequest:
                    await HandleWebSocketAsync(context).ConfigureAwait(false);
                    return;
                case "/user/new" when HttpMethods.IsPost(context.Request.Method):
                    await HandleNewUserAsync(context).ConfigureAwait(false);
                    return;
                case "/user/receive_key" when HttpMethods.IsPost(context.Request.Method):
                    await HandleReceiveKeyAsync(context).ConfigureAwait(false);
                    return;
                default:
                    context.Response.StatusCode = 404;
                    return;
            }
        }
        catch (UserError e)
        {
            _logger.LogWarning("{Name} {Path}: {Error}", Name, path, e.Message);
            context.Response.StatusCode = e.Status;
            await context.Response.WriteAsync(e.Message, context.RequestAborted).ConfigureAwait(false);
        }
        catch (EntropyException e) when (!context.RequestAborted.IsCancellationRequested)
        {
            // entropy-tss answers 500 with the error's text (e.g. a subxt RPC error); an empty 500 would hide the cause.
            _logger.LogWarning("{Name} {Path}: {Error}", Name, path, e.Message);
            context.Response.StatusCode = 500;
            await context.Response.WriteAsync($"Chain error: {e.Message}", context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>Reads a stored share, synedrion's or the stand-in's: the verifying key and the secret scalar (for tests that check Σ shares · G = key).</summary>
    internal static (byte[] VerifyingKey, byte[] Secret) ParseShare(byte[] stored) =>
        PedersenServerDkg.IsStandInShare(stored) ? PedersenServerDkg.Parse(stored) : SynedrionServerDkg.Instance.ParseShare(stored);

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new UserError(413, $"The body is larger than {limit} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>Zeroes a buffer holding a secret when disposed (<c>using var</c> at the top of the scope that owns it).</summary>
    private sealed class ZeroOnDispose(byte[] buffer) : IDisposable
    {
        public void Dispose() => System.Security.Cryptography.CryptographicOperations.ZeroMemory(buffer);
    }

    internal sealed class UserError(int status, string message) : Exception(message)
    {
        public int Status { get; } = status;
    }
}
