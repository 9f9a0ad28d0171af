using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using Entropy.Crypto;
using Entropy.Extrinsics;
using Entropy.Hashing;
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

/// <summary>Fault switches of one threshold server, for tests (PROTOCOL.md has no such thing; real servers fail on their own).</summary>
public sealed class ThresholdServerFaults
{
    /// <summary>Gets or sets a value indicating whether the server drops every DKG message it should send.</summary>
    public bool DropMessages { get; set; }

    /// <summary>Gets or sets a delay before every DKG message the server sends.</summary>
    public TimeSpan DelayMessages { get; set; }

    /// <summary>Gets or sets a value indicating whether the server confirms a different verifying key than the DKG produced.</summary>
    public bool ConfirmWrongKey { get; set; }

    /// <summary>Gets or sets a value indicating whether the server, as a DKG dealer, sends every peer a secret share that does not match its commitments.</summary>
    public bool SendInconsistentShare { get; set; }

    /// <summary>Gets or sets a value indicating whether the server completes the DKG and stores its share but never submits <c>confirm_register</c>.</summary>
    public bool SkipConfirmation { get; set; }

    /// <summary>
    /// Gets or sets a hook run when a DKG of this server receives its first message from a peer (the account is the one registering),
    /// before the message is processed; the DKG waits for the returned task, which is cancelled when the server stops. Tests use it
    /// to crash the server, or to restart the chain node, at a known point of the DKG.
    /// </summary>
    internal Func<AccountId, CancellationToken, Task>? FirstDkgMessageReceived { get; set; }

    /// <summary>Gets or sets a gate (test hook) each account's DKG waits for after <c>/user/new</c> was accepted, before it starts.</summary>
    internal Task? HoldDkg { get; set; }

    /// <summary>Gets or sets a gate (test hook) each account waits for after its share is stored and replicated, before <c>confirm_register</c>: the account stays registering.</summary>
    internal Task? HoldConfirmation { get; set; }

    /// <summary>Gets or sets an observer (test hook) of every <c>/user/receive_key</c> body the server sent, called once the recipient answered: recipient endpoint, body, status.</summary>
    internal Action<string, byte[], int>? KeySent { get; set; }
}

/// <summary>A simulated Entropy threshold signature server (entropy-tss v0.0.10): <c>/user/new</c>, <c>/ws</c>, <c>/user/receive_key</c>, <c>/healthz</c>.</summary>
internal sealed class ThresholdServerHost : IAsyncDisposable
{
    private const string ShareFormatVersion = "entropy-simulator-share-v1";
    private const int MaxConfirmationAttempts = 20;
    private static readonly TimeSpan s_subscribeTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_channelLinger = TimeSpan.FromSeconds(2);

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
    private readonly ConcurrentDictionary<string, byte> _acceptedKeyMessages = new(StringComparer.Ordinal);
    private int _dkgRuns;
    private EncryptedKeyStore? _store;
    private WebApplication? _app;
    private RpcClient? _rpc;
    private ChainSession? _chain;

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

    /// <summary>Gets or sets how many accounts of one <c>/user/new</c> message run their DKG at once.</summary>
    public int MaxConcurrentDkgs { get; set; } = 8;

    public ThresholdServerFaults Faults { get; } = new();

    public EncryptedKeyStore Store => _store ?? throw new InvalidOperationException($"{Name} is not running.");

    public bool IsRunning => _app is not null;

    /// <summary>Gets how many DKG runs this server has started (one per account of each accepted <c>/user/new</c>).</summary>
    public int DkgRuns => Volatile.Read(ref _dkgRuns);

    /// <summary>Gets the last DKG failure of this server (a <see cref="DkgException"/> names the culprits), or <see langword="null"/>.</summary>
    public Exception? LastDkgFailure { get; private set; }

    public async Task StartAsync(Uri chain, string keyStoreDirectory, string password, KeyStoreOptions? keyStoreOptions, CancellationToken cancellationToken)
    {
        _store = await EncryptedKeyStore.OpenAsync(keyStoreDirectory, password, keyStoreOptions, cancellationToken).ConfigureAwait(false);

        // entropy-tss opens a connection to its node for each request, so it is back as soon as the node is: reconnect quickly and
        // never give up (the SDK's client default backs off to 30 s and stops after ten attempts, which would leave the server deaf).
        var rpcOptions = new RpcClientOptions { Logger = _loggerFactory?.CreateLogger<RpcClient>() };
        rpcOptions.Reconnect.Delay = TimeSpan.FromMilliseconds(50);
        rpcOptions.Reconnect.MaxDelay = TimeSpan.FromMilliseconds(250);
        rpcOptions.Reconnect.MaxAttempts = int.MaxValue;
        _rpc = await RpcClient.ConnectAsync(chain, rpcOptions, cancellationToken).ConfigureAwait(false);
        _chain = await ChainSession.OpenAsync(_rpc, cancellationToken).ConfigureAwait(false);

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

        if (_rpc is not null)
        {
            await _rpc.DisposeAsync().ConfigureAwait(false);
            _rpc = null;
        }

        if (_store is not null)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
            _store = null;
        }

        _running?.Dispose();
        _running = null;
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
    }

    private async Task HandleAsync(HttpContext context)
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

    /// <summary>PROTOCOL.md §5.2.</summary>
    private async Task HandleNewUserAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context.Request, 1 << 20, context.RequestAborted).ConfigureAwait(false);
        OcwMessageDkg message;
        try
        {
            message = OcwMessageDkg.Decode(body);
        }
        catch (Scale.ScaleFormatException e)
        {
            throw new UserError(500, $"Codec decoding error: {e.Message}");
        }

        if (message.SigRequestAccounts.Count == 0)
        {
            context.Response.StatusCode = 204;
            return;
        }

        if (!message.ValidatorsInfo.Any(v => v.TssAccount.AsSpan().SequenceEqual(Account.AsSpan())))
        {
            throw new UserError(500, "Invalid Signer: Invalid Signer in Signing group");
        }

        var chain = _chain!;
        await _newUserLock.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            var latestBytes = await Store.GetAsync(EncryptedKeyStore.LatestBlockNumberNewUser, context.RequestAborted).ConfigureAwait(false);
            var latest = latestBytes is { Length: 4 } ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(latestBytes) : 0u;
            if (latestBytes is not null && latest >= message.BlockNumber)
            {
                throw new UserError(500, "Data is repeated");
            }

            var (head, _) = await chain.GetBestHeadAsync(context.RequestAborted).ConfigureAwait(false);
            if (head - 1 != message.BlockNumber)
            {
                throw new UserError(500, $"Data is stale: chain head is #{head}, message is for #{message.BlockNumber}");
            }

            var onChain = await chain.GetStorageAsync(chain.Runtime.DkgKey(message.BlockNumber), null, context.RequestAborted).ConfigureAwait(false) ?? [0];
            if (!Blake2s.Hash256([1, .. OcwMessageDkg.EncodeAccounts(message.SigRequestAccounts)]).AsSpan().SequenceEqual(Blake2s.Hash256([1, .. onChain])))
            {
                throw new UserError(500, "Data is not verifiable");
            }

            if (latestBytes is not null)
            {
                await Store.DeleteAsync(EncryptedKeyStore.LatestBlockNumberNewUser, context.RequestAborted).ConfigureAwait(false);
            }

            var reservation = await Store.ReserveKeyAsync(EncryptedKeyStore.LatestBlockNumberNewUser, context.RequestAborted).ConfigureAwait(false);
            var be = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(be, message.BlockNumber);
            await Store.PutAsync(reservation, be, context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            _newUserLock.Release();
        }

        var running = _running?.Token ?? new CancellationToken(canceled: true);
        var task = Task.Run(() => SetupDkgAsync(message, running));
        lock (_background)
        {
            _background.RemoveAll(t => t.IsCompleted);
            _background.Add(task);
        }

        context.Response.StatusCode = 200;
    }

    /// <summary>
    /// Runs the DKG of every account in the message (PROTOCOL.md §5.2 <c>setup_dkg</c>). entropy-tss handles the accounts one after
    /// another and waits for each <c>confirm_register</c> to be in a block before the next DKG; that makes N registrations in one block
    /// take N blocks. Here up to <see cref="MaxConcurrentDkgs"/> accounts run at once, taken in message order (every committee member
    /// takes them in the same order, so the oldest unfinished account always runs on all members and nobody waits for a slot a peer
    /// holds), and a slot is freed as soon as the confirmation is in the pool: its inclusion is followed outside the slot. The messages
    /// on the wire and the extrinsics (consecutive nonces of the server's account) are the same as entropy-tss sends.
    /// </summary>
    private async Task SetupDkgAsync(OcwMessageDkg message, CancellationToken cancellationToken)
    {
        var accounts = message.SigRequestAccounts;
        var next = -1;
        var workers = Enumerable.Range(0, Math.Min(MaxConcurrentDkgs, accounts.Count)).Select(async _ =>
        {
            var inclusions = new List<Task>();
            int i;
            while ((i = Interlocked.Increment(ref next)) < accounts.Count)
            {
                var account = new AccountId(accounts[i]);
                try
                {
                    inclusions.Add(FollowConfirmationAsync(account, await RegisterOneAsync(message, account, cancellationToken).ConfigureAwait(false)));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    ReportFailure(account, e);
                }
            }

            await Task.WhenAll(inclusions).ConfigureAwait(false);
        });
        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    private async Task FollowConfirmationAsync(AccountId account, Task inclusion)
    {
        try
        {
            await inclusion.ConfigureAwait(false);
        }
        catch (EntropyConnectionException e)
        {
            // The node had accepted the confirmation (the watch was open): it is in its pool and will be included; only the watch is gone.
            _logger.LogWarning("{Name}: lost the watch of the confirmation of {Account} (it is in the pool): {Error}", Name, account, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ReportFailure(account, e);
        }
    }

    private void ReportFailure(AccountId account, Exception e)
    {
        LastDkgFailure = e;
        var culprits = e is DkgException dkg && dkg.Culprits.Count > 0 ? string.Join(", ", dkg.Culprits) : "none named";
        _logger.LogError("{Name}: the DKG for {Account} failed ({Culprits}): {Error}", Name, account, culprits, e.Message);
    }

    /// <summary>DKG, store, replicate, then submit <c>confirm_register</c>; returns once the pool accepted it, with a task that follows it into a block.</summary>
    private async Task<Task> RegisterOneAsync(OcwMessageDkg message, AccountId account, CancellationToken cancellationToken)
    {
        var chain = _chain!;
        if (Faults.HoldDkg is { } holdDkg)
        {
            await holdDkg.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var registering = await chain.GetStorageAsync(chain.Runtime.RegisteringKey(account), null, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("Register Onchain first");

        // KeyVisibility::Private(x25519): the user is a DKG party too, and must connect with that x25519 key (PROTOCOL.md §5.2 do_dkg).
        var userX25519 = chain.Runtime.DecodePrivateX25519Key(registering);
        var started = TimeProvider.System.GetTimestamp();
        using var share = await RunDkgAsync(message, account, userX25519, cancellationToken).ConfigureAwait(false);
        var dkgDone = TimeProvider.System.GetTimestamp();
        var verifyingKey = share.VerifyingKey.ToArray();
        var stored = SerializeShare(share);
        using var wipeStored = new ZeroOnDispose(stored);
        var key = account.ToSs58();
        await Store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        var reservation = await Store.ReserveKeyAsync(key, cancellationToken).ConfigureAwait(false);
        await Store.PutAsync(reservation, stored, cancellationToken).ConfigureAwait(false);
        var storedAt = TimeProvider.System.GetTimestamp();
        _logger.LogInformation("{Name}: stored the share of {Account}, verifying key 0x{Key}", Name, account, Convert.ToHexStringLower(verifyingKey));

        await SendKeyToSubgroupAsync(key, stored, cancellationToken).ConfigureAwait(false);
        if (Faults.HoldConfirmation is { } holdConfirmation)
        {
            await holdConfirmation.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var sentAt = TimeProvider.System.GetTimestamp();

        if (Faults.SkipConfirmation)
        {
            _logger.LogWarning("{Name}: fault SkipConfirmation: not confirming {Account}", Name, account);
            return Task.CompletedTask;
        }

        if (Faults.ConfirmWrongKey)
        {
            verifyingKey[^1] ^= 0xff;
        }

        // Immortal, as entropy-tss's create_signed_with_nonce(.., Default::default()) builds it; the nonce comes from the session's
        // per-account reservation, so confirmations of several accounts in one block take consecutive nonces.
        var call = chain.Runtime.EncodeConfirmRegister(account, Subgroup, new VerifyingKey(verifyingKey));
        var extrinsic = await chain.SignAsync(call, _signer, 0, 0, cancellationToken).ConfigureAwait(false);
        var signedAt = TimeProvider.System.GetTimestamp();
        var inclusion = await SubmitConfirmationAsync(chain, extrinsic, account, cancellationToken).ConfigureAwait(false);
        return LogInclusionAsync(inclusion, account, message.BlockNumber, started, dkgDone, storedAt, sentAt, signedAt);
    }

    /// <summary>
    /// Submits <c>confirm_register</c> and returns, once the node has it, a task that follows it into a block. When the connection to
    /// the node breaks before the node answered, the same signed bytes are sent again after the reconnect: that is harmless (a pool
    /// that already has them answers 1013 "already imported", and once included their nonce is stale), whereas giving up would leave
    /// the registration unconfirmed, with the server's nonce reservation pointing past a transaction the node never saw.
    /// </summary>
    private async Task<Task> SubmitConfirmationAsync(ChainSession chain, SignedExtrinsic extrinsic, AccountId account, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var submitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var inclusion = chain.SubmitAndWatchAsync(extrinsic, Account, () => submitted.TrySetResult(), keepNonceOnConnectionFailure: true, cancellationToken);
            await Task.WhenAny(submitted.Task, inclusion).ConfigureAwait(false);
            if (submitted.Task.IsCompleted)
            {
                return inclusion;
            }

            try
            {
                await inclusion.ConfigureAwait(false);
                return inclusion;
            }
            catch (EntropyConnectionException e) when (attempt < MaxConfirmationAttempts && !cancellationToken.IsCancellationRequested)
            {
                _logger.LogWarning("{Name}: the connection broke while submitting the confirmation of {Account} (attempt {Attempt}); sending the same bytes again: {Error}", Name, account, attempt, e.Message);
            }
            catch (InvalidTransactionException e) when (attempt > 1 && e.Reason is InvalidTransactionReason.AlreadyImported or InvalidTransactionReason.Stale)
            {
                // An earlier attempt reached the node after all: it is in the pool (or already in a block).
                _logger.LogInformation("{Name}: the confirmation of {Account} had reached the node ({Reason})", Name, account, e.Reason);
                return Task.CompletedTask;
            }
        }
    }

    private async Task LogInclusionAsync(Task inclusion, AccountId account, uint blockNumber, long started, long dkgDone, long storedAt, long sentAt, long signedAt)
    {
        await inclusion.ConfigureAwait(false);
        _logger.LogInformation(
            "{Name}: confirmed {Account} for subgroup {Subgroup} (block #{Block}: DKG {Dkg:F1} ms, store {Store:F1} ms, replicate {Send:F1} ms, sign {Sign:F1} ms, in block after {Wait:F1} ms)",
            Name,
            account,
            Subgroup,
            blockNumber,
            TimeProvider.System.GetElapsedTime(started, dkgDone).TotalMilliseconds,
            TimeProvider.System.GetElapsedTime(dkgDone, storedAt).TotalMilliseconds,
            TimeProvider.System.GetElapsedTime(storedAt, sentAt).TotalMilliseconds,
            TimeProvider.System.GetElapsedTime(sentAt, signedAt).TotalMilliseconds,
            TimeProvider.System.GetElapsedTime(signedAt).TotalMilliseconds);
    }

    private async Task<DkgKeyShare> RunDkgAsync(OcwMessageDkg message, AccountId account, byte[]? userX25519, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _dkgRuns);
        var me = new PartyId(Account.AsSpan());
        var sessionId = SessionId.Dkg(account.AsSpan());
        var peers = message.ValidatorsInfo.Where(v => !v.TssAccount.AsSpan().SequenceEqual(Account.AsSpan())).ToList();
        var inbound = peers.Where(p => !EncryptedWebSocketChannel.ShouldDial(Account.AsSpan(), p.TssAccount)).ToList();
        var expected = inbound.ToDictionary(p => new PartyId(p.TssAccount), p => p.X25519PublicKey);
        var parties = message.ValidatorsInfo.Select(v => new PartyId(v.TssAccount)).ToList();
        if (userX25519 is not null)
        {
            // The user always dials (PROTOCOL.md §6.3), as its account, with the x25519 key it registered; its share never reaches us.
            var user = new PartyId(account.AsSpan());
            expected[user] = userX25519;
            parties.Add(user);
        }

        var listener = new DkgListener(expected);
        _listeners[sessionId.ToString()] = listener;
        Interlocked.Exchange(ref _listenerAdded, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        var channels = new Dictionary<PartyId, EncryptedWebSocketChannel>();
        ChannelDkgTransport? transport = null;
        var linger = TimeSpan.Zero;
        try
        {
            foreach (var peer in peers.Except(inbound))
            {
                var socket = new ClientWebSocket();
                await socket.ConnectAsync(new Uri($"ws://{peer.Endpoint}/ws"), cancellationToken).ConfigureAwait(false);
                var subscribe = SubscribeMessage.Create(sessionId, _pair);
                channels[new PartyId(peer.TssAccount)] = await EncryptedWebSocketChannel.ConnectAsync(socket, _x25519Secret, peer.X25519PublicKey, subscribe, null, cancellationToken).ConfigureAwait(false);
            }

            using var setup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            setup.CancelAfter(_dkgTimeout);
            foreach (var (party, channel) in await listener.AllAsync(setup.Token).ConfigureAwait(false))
            {
                channels[party] = channel;
            }

            var context = DkgSessionContext.Create(account.AsSpan(), message.BlockNumber, parties);
            using var session = PedersenDkg.Instance.CreateSession(context, me);
            transport = new ChannelDkgTransport(channels, () => Faults.DropMessages, () => Faults.DelayMessages, p => Faults.SendInconsistentShare ? CorruptShare(p) : p);
            var share = await DkgRunner.RunAsync(session, new HookedDkgTransport(transport, Faults, account), _dkgTimeout, null, _logger, cancellationToken).ConfigureAwait(false);

            // A party that finishes first must not hang up at once: closing cancels its pending receives, which aborts the
            // sockets, and the reset can make a peer's kernel discard our last share before the peer has read it.
            linger = s_channelLinger;
            return share;
        }
        finally
        {
            _listeners.TryRemove(sessionId.ToString(), out _);
            var cleanup = CloseChannelsAsync(transport, channels, listener, linger, cancellationToken);
            lock (_background)
            {
                _background.Add(cleanup);
            }
        }
    }

    /// <summary>Runs <see cref="ThresholdServerFaults.FirstDkgMessageReceived"/> before the first received message is processed.</summary>
    private sealed class HookedDkgTransport(DkgTransport inner, ThresholdServerFaults faults, AccountId account) : DkgTransport
    {
        private int _received;

        public override Task SendAsync(DkgOutgoingMessage message, CancellationToken cancellationToken = default) => inner.SendAsync(message, cancellationToken);

        public override async Task<DkgIncomingMessage> ReceiveAsync(CancellationToken cancellationToken = default)
        {
            var message = await inner.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (Interlocked.Exchange(ref _received, 1) == 0 && faults.FirstDkgMessageReceived is { } hook)
            {
                await hook(account, cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            return message;
        }
    }

    /// <summary>A cheating dealer (fault injection): the round-2 share is changed by one bit, so it no longer matches the dealer's commitments.</summary>
    private static ReadOnlyMemory<byte> CorruptShare(ReadOnlyMemory<byte> payload)
    {
        if (DkgMessageCodec.ReadHeader(payload.Span, out _) != DkgMessageKind.Share)
        {
            return payload;
        }

        using var share = DkgMessageCodec.DecodeShare(payload.Span);
        var corrupted = share.Share.ToArray();
        corrupted[^1] ^= 1; // big-endian scalar: the lowest bit
        using var cheat = new ShareMessage
        {
            SessionId = share.SessionId,
            Sender = share.Sender,
            Recipient = share.Recipient,
            Transcript = share.Transcript,
            Share = corrupted,
        };
        return DkgMessageCodec.Encode(cheat);
    }

    /// <summary>Closes a DKG's channels (after a grace period on success), then releases the inbound WebSocket requests.</summary>
    private static async Task CloseChannelsAsync(ChannelDkgTransport? transport, Dictionary<PartyId, EncryptedWebSocketChannel> channels, DkgListener listener, TimeSpan linger, CancellationToken stopping)
    {
        try
        {
            if (linger > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(linger, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The server stops: hang up now.
                }
            }

            if (transport is not null)
            {
                await transport.DisposeAsync().ConfigureAwait(false);
            }

            foreach (var channel in channels.Values)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // Best effort: the channels are gone either way.
        }
        finally
        {
            listener.Complete();
        }
    }

    private async Task HandleWebSocketAsync(HttpContext context)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        PendingSubscription pending;
        try
        {
            pending = await EncryptedWebSocketChannel.AcceptAsync(socket, _x25519Secret, null, context.RequestAborted).ConfigureAwait(false);
        }
        catch (EntropyProtocolException e)
        {
            _logger.LogWarning("{Name} /ws: handshake refused: {Error}", Name, e.Message);
            return;
        }

        await using (pending.ConfigureAwait(false))
        {
            var key = pending.Subscribe.SessionId.ToString();
            // The peer may dial before this server has read the OCW message: wait (woken by each new session) for our side of it.
            DkgListener? listener;
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted))
            {
                wait.CancelAfter(s_subscribeTimeout);
                while (true)
                {
                    var added = Volatile.Read(ref _listenerAdded).Task;
                    if (_listeners.TryGetValue(key, out listener))
                    {
                        break;
                    }

                    try
                    {
                        await added.WaitAsync(wait.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
                    {
                        break;
                    }
                }
            }

            var party = new PartyId(pending.AccountId);
            if (listener is null || !listener.Expects(party, pending.RemoteStaticPublicKey))
            {
                await pending.RejectAsync($"{Name} does not expect {new AccountId(pending.AccountId)} with this x25519 key in {key}", context.RequestAborted).ConfigureAwait(false);
                return;
            }

            var channel = await pending.AcceptAsync(context.RequestAborted).ConfigureAwait(false);
            listener.Deliver(party, channel);

            // Kestrel owns the socket: keep the request open until the DKG is over.
            await listener.Completion.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>PROTOCOL.md §5.4: the share goes, signed and encrypted, to every other member of this server's subgroup.</summary>
    private async Task SendKeyToSubgroupAsync(string key, byte[] value, CancellationToken cancellationToken)
    {
        var chain = _chain!;
        var membersBytes = await chain.GetStorageAsync(chain.Runtime.SigningGroupKey(Subgroup), null, cancellationToken).ConfigureAwait(false);
        if (membersBytes is null)
        {
            return;
        }

        var members = ((Metadata.SequenceValue)chain.Metadata.DecodeStorageValue("StakingExtension", "SigningGroups", membersBytes)!.Unwrap())
            .Select(m => new AccountId(m.AsBytes())).Where(m => m != Stash).ToList();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        // entropy-tss sends to the members one after another; the members are independent, so send to all at once.
        await Task.WhenAll(members.Select(SendToAsync)).ConfigureAwait(false);

        async Task SendToAsync(AccountId member)
        {
            var serverBytes = await chain.GetStorageAsync(chain.Runtime.ThresholdServerKey(member), null, cancellationToken).ConfigureAwait(false);
            if (serverBytes is null)
            {
                return;
            }

            var info = (Metadata.CompositeValue)chain.Metadata.DecodeStorageValue("StakingExtension", "ThresholdServers", serverBytes)!.Unwrap();
            var endpoint = System.Text.Encoding.UTF8.GetString(info["endpoint"].AsBytes());
            var plaintext = JsonSerializer.SerializeToUtf8Bytes(new UserRegistrationInfo { Key = key, Value = value, ProactiveRefresh = false });
            SignedMessage signed;
            try
            {
                signed = SignedMessage.Create(_pair, plaintext, info["x25519_public_key"].AsBytes());
            }
            finally
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(plaintext); // It holds the share.
            }

            try
            {
                var body = signed.ToJson();
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                using var response = await http.PostAsync(new Uri($"http://{endpoint}/user/receive_key"), content, cancellationToken).ConfigureAwait(false);
                _logger.LogInformation("{Name}: sent the share of {Key} to {Endpoint}: {Status}", Name, key, endpoint, (int)response.StatusCode);
                Faults.KeySent?.Invoke(endpoint, body, (int)response.StatusCode);
            }
            catch (HttpRequestException e)
            {
                _logger.LogWarning("{Name}: could not send the share of {Key} to {Endpoint}: {Error}", Name, key, endpoint, e.Message);
            }
        }
    }

    /// <summary>PROTOCOL.md §5.3.</summary>
    private async Task HandleReceiveKeyAsync(HttpContext context)
    {
        var chain = _chain!;
        var body = await ReadBodyAsync(context.Request, 1 << 20, context.RequestAborted).ConfigureAwait(false);
        var (signed, info) = ReadReceiveKeyBody(body, _x25519Secret);
        using var wipeShare = new ZeroOnDispose(info.Value);
        var sender = new AccountId(signed.SenderPublicKey);
        var senderStashBytes = await chain.GetStorageAsync(chain.Metadata.StorageKey("StakingExtension", "ThresholdToStash", Metadata.ScaleValue.Bytes(sender.AsSpan())), null, context.RequestAborted).ConfigureAwait(false);
        var membersBytes = await chain.GetStorageAsync(chain.Runtime.SigningGroupKey(Subgroup), null, context.RequestAborted).ConfigureAwait(false);
        var members = membersBytes is null ? [] : ((Metadata.SequenceValue)chain.Metadata.DecodeStorageValue("StakingExtension", "SigningGroups", membersBytes)!.Unwrap()).Select(m => new AccountId(m.AsBytes())).ToList();
        if (senderStashBytes is not { Length: 32 } || !members.Contains(new AccountId(senderStashBytes)))
        {
            throw new UserError(500, "Validator not in subgroup");
        }

        try
        {
            EncryptedKeyStore.EnsureNotForbidden(info.Key);
        }
        catch (KeyStoreException)
        {
            throw new UserError(500, "Forbidden key");
        }

        if (!AccountId.TryParse(info.Key, out var account)
            || await chain.GetStorageAsync(chain.Runtime.RegisteringKey(account), null, context.RequestAborted).ConfigureAwait(false) is null)
        {
            throw new UserError(500, "User is not registering");
        }

        // Replays. entropy-tss v0.0.10 (PROTOCOL.md §5.3 step 5) deletes and rewrites the key whenever the account is registering, so
        // a captured body can be replayed until the registration ends, and one captured in an earlier (pruned) registration of the
        // same account overwrites the new share with a stale one. Here a body is accepted once (its signature is remembered), and a
        // body carrying exactly the share already stored is a repeat too (that check survives a restart).
        var messageId = Convert.ToHexStringLower(signed.Signature);
        var repeated = $"Data is repeated: the share of {info.Key} was already received";
        if (!_acceptedKeyMessages.TryAdd(messageId, 0))
        {
            throw new UserError(500, repeated);
        }

        try
        {
            var existing = await Store.GetAsync(info.Key, context.RequestAborted).ConfigureAwait(false);
            if (existing is not null)
            {
                using var wipeExisting = new ZeroOnDispose(existing);
                if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(existing, info.Value))
                {
                    throw new UserError(500, repeated);
                }

                await Store.DeleteAsync(info.Key, context.RequestAborted).ConfigureAwait(false);
            }

            var reservation = await Store.ReserveKeyAsync(info.Key, context.RequestAborted).ConfigureAwait(false);
            await Store.PutAsync(reservation, info.Value, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not UserError)
        {
            _acceptedKeyMessages.TryRemove(messageId, out _); // Not stored: the sender may try again.
            throw;
        }

        context.Response.StatusCode = 200;
    }

    /// <summary>PROTOCOL.md §5.3 body checks: parses the <c>SignedMessage</c> JSON, verifies its signature, decrypts and parses the plaintext.</summary>
    /// <exception cref="UserError">The body is malformed, badly signed, not for this server, or its plaintext is not a registration record (HTTP 500).</exception>
    internal static (SignedMessage Signed, UserRegistrationInfo Info) ReadReceiveKeyBody(byte[] body, ReadOnlySpan<byte> x25519Secret)
    {
        SignedMessage signed;
        try
        {
            signed = SignedMessage.FromJson(body);
        }
        catch (Exception e) when (e is EntropyProtocolException or JsonException or FormatException)
        {
            throw new UserError(500, $"Json error: {e.Message}");
        }

        if (!signed.Verify())
        {
            throw new UserError(500, "Invalid Signature");
        }

        UserRegistrationInfo info;
        byte[]? plaintext = null;
        try
        {
            plaintext = signed.Decrypt(x25519Secret);
            info = JsonSerializer.Deserialize<UserRegistrationInfo>(plaintext) ?? throw new JsonException("empty");
        }
        catch (Exception e) when (e is EntropyProtocolException or JsonException)
        {
            throw new UserError(500, $"Decryption failed: {e.Message}");
        }
        finally
        {
            if (plaintext is not null)
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(plaintext); // It holds the share.
            }
        }

        return (signed, info);
    }

    private static byte[] SerializeShare(DkgKeyShare share)
    {
        var secret = new byte[DkgSecretShare.Length];
        try
        {
            share.SecretShare.CopyTo(secret);
            return [.. System.Text.Encoding.ASCII.GetBytes(ShareFormatVersion), .. share.VerifyingKey, .. secret];
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Reads a stored share: the verifying key and the secret scalar (for tests that check Σ shares · G = key).</summary>
    internal static (byte[] VerifyingKey, byte[] Secret) ParseShare(byte[] stored)
    {
        var prefix = ShareFormatVersion.Length;
        return (stored[prefix..(prefix + 33)], stored[(prefix + 33)..]);
    }

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

    /// <summary>The JSON plaintext of <c>/user/receive_key</c> (PROTOCOL.md §5.3, V10).</summary>
    internal sealed class UserRegistrationInfo
    {
        [JsonPropertyName("key")]
        public string Key { get; set; } = string.Empty;

        [JsonPropertyName("value")]
        [JsonConverter(typeof(ByteArrayAsNumbers))]
        public byte[] Value { get; set; } = [];

        [JsonPropertyName("proactive_refresh")]
        public bool ProactiveRefresh { get; set; }
    }

    /// <summary>serde writes <c>Vec&lt;u8&gt;</c> as an array of numbers, not base64.</summary>
    private sealed class ByteArrayAsNumbers : JsonConverter<byte[]>
    {
        public override byte[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var bytes = new List<byte>();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new JsonException("expected an array of bytes");
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                bytes.Add(reader.GetByte());
            }

            return [.. bytes];
        }

        public override void Write(Utf8JsonWriter writer, byte[] value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var b in value)
            {
                writer.WriteNumberValue(b);
            }

            writer.WriteEndArray();
        }
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

    /// <summary>The peers a DKG session waits for (PROTOCOL.md §6.3 <c>Listener</c>): each must subscribe with its expected x25519 key.</summary>
    private sealed class DkgListener(Dictionary<PartyId, byte[]> expected)
    {
        private readonly ConcurrentDictionary<PartyId, TaskCompletionSource<EncryptedWebSocketChannel>> _arrivals =
            new(expected.Keys.Select(k => KeyValuePair.Create(k, new TaskCompletionSource<EncryptedWebSocketChannel>(TaskCreationOptions.RunContinuationsAsynchronously))));

        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Completion => _done.Task;

        public bool Expects(PartyId party, ReadOnlySpan<byte> remoteStatic) =>
            expected.TryGetValue(party, out var key) && key.AsSpan().SequenceEqual(remoteStatic) && !_arrivals[party].Task.IsCompleted;

        public void Deliver(PartyId party, EncryptedWebSocketChannel channel) => _arrivals[party].TrySetResult(channel);

        public async Task<IReadOnlyList<(PartyId Party, EncryptedWebSocketChannel Channel)>> AllAsync(CancellationToken cancellationToken)
        {
            var result = new List<(PartyId, EncryptedWebSocketChannel)>();
            foreach (var (party, arrival) in _arrivals)
            {
                try
                {
                    result.Add((party, await arrival.Task.WaitAsync(cancellationToken).ConfigureAwait(false)));
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw new DkgException(DkgFailureReason.Timeout, [party], $"Party {party} never connected for the DKG.");
                }
            }

            return result;
        }

        public void Complete() => _done.TrySetResult();
    }
}
