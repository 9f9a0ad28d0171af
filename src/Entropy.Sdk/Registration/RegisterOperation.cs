using Entropy.Chain;
using Entropy.Extrinsics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Entropy;

/// <summary>A registration in flight: follows one account from its <c>register</c> transaction until it is registered.</summary>
/// <remarks>
/// <para>
/// The operation never submits anything again: it follows what the chain records (the including block, each block's registration
/// events, the account's <c>Registering</c> / <c>Registered</c> entries), reading each new block once. Re-create it later from
/// <see cref="EntropyOperation{TValue, TProgress}.Id"/> with <see cref="RegisterOperation(string, EntropyClient)"/>.
/// </para>
/// <para>Waits end by <see cref="EntropyClientOptions.RegistrationTimeout"/> or the token, whatever the node does.</para>
/// </remarks>
public partial class RegisterOperation : EntropyOperation<Registration, RegistrationProgress>
{
    private const uint MaxLookBack = 256;
    private readonly EntropyClient? _client;
    private readonly RegistrationTracker? _tracker;
    private readonly Lock _stateLock = new();
    private readonly string _id;
    private bool _locatedFromState;
    private PrivateKeyShare? _keyShare;

    /// <summary>Creates an operation for mocking in tests.</summary>
    protected RegisterOperation()
    {
        _id = string.Empty;
    }

    /// <summary>Re-creates an operation from its <see cref="EntropyOperation{TValue, TProgress}.Id"/>, for example after a restart, to keep following the registration.</summary>
    /// <param name="id">The operation's id: <c>&lt;SS58 account&gt;:&lt;0x transaction hash&gt;</c>.</param>
    /// <param name="client">A connected client.</param>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> or <paramref name="client"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException"><paramref name="id"/> is not an operation id.</exception>
    public RegisterOperation(string id, EntropyClient client)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(client);
        var separator = id.IndexOf(':', StringComparison.Ordinal);
        if (separator <= 0 || !AccountId.TryParse(id[..separator], out var account) || !TryParseHash(id[(separator + 1)..], out var hash))
        {
            throw new FormatException($"'{id}' is not a registration operation id: expected '<SS58 account>:<0x 32-byte transaction hash>'.");
        }

        _client = client;
        Account = account;
        TransactionHash = hash;
        _id = id;
        _tracker = new RegistrationTracker(account, client.Session.Runtime.SigningPartySize, null, OnStage);
    }

    internal RegisterOperation(EntropyClient client, AccountId account, byte[] transactionHash, ulong? eraDeath)
    {
        _client = client;
        Account = account;
        TransactionHash = transactionHash;
        _id = $"{account.ToSs58()}:0x{Convert.ToHexStringLower(transactionHash)}";
        _tracker = new RegistrationTracker(account, client.Session.Runtime.SigningPartySize, eraDeath, OnStage);
        _locatedFromState = true; // created by RegisterAsync: it follows the submission, not the state
    }

    /// <summary>Gets the operation's id: the account and the <c>register</c> transaction hash, enough to re-create it.</summary>
    public override string Id => _id;

    /// <summary>Gets the signature request account being registered.</summary>
    public virtual AccountId Account { get; }

    /// <summary>Gets the hash of the <c>register</c> transaction.</summary>
    public virtual ReadOnlyMemory<byte> TransactionHash { get; }

    /// <summary>Gets the number of the block that included <c>register</c>, once known.</summary>
    public virtual uint? RegisterBlockNumber => Read(t => t.RegisterBlock);

    /// <summary>Gets the user's key share in the Private access mode, once this client took part in the key generation; otherwise <see langword="null"/>.</summary>
    /// <remarks>The caller owns the share: dispose it (which zeroes it) once it is exported or no longer needed. An operation re-created from its
    /// <see cref="EntropyOperation{TValue, TProgress}.Id"/> has no share.</remarks>
    public virtual PrivateKeyShare? KeyShare => Volatile.Read(ref _keyShare);

    /// <summary>Gets a value indicating whether the account is registered.</summary>
    public override bool HasCompleted => Read(t => t.Value) is not null;

    /// <summary>Gets the completed registration.</summary>
    /// <exception cref="InvalidOperationException">The registration has not completed; call <see cref="EntropyOperation{TValue, TProgress}.WaitForCompletionAsync(CancellationToken)"/>.</exception>
    public override Registration Value => Read(t => t.Value) ?? throw new InvalidOperationException($"The registration of {Account} has not completed yet; call WaitForCompletionAsync.");

    /// <summary>Reads the chain once and updates <see cref="HasCompleted"/> and the progress.</summary>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns><see langword="true"/> when the registration has completed.</returns>
    /// <exception cref="RegistrationEndedException">The registration ended without the account being registered (keys differed, pruned, or <c>register</c> never included).</exception>
    /// <exception cref="EntropyConnectionException">The node could not be reached.</exception>
    public override Task<bool> UpdateStatusAsync(CancellationToken cancellationToken = default) => base.UpdateStatusAsync(cancellationToken);

    private protected override TimeProvider Time => Client.Options.TimeProvider;

    private protected override TimeSpan Timeout => Client.Options.RegistrationTimeout;

    private protected override TimeSpan DefaultPollingInterval => Client.Options.PollingInterval;

    private protected override ILogger Logger => _client?.Logger ?? NullLogger.Instance;

    private EntropyClient Client => _client ?? throw new InvalidOperationException("This operation was created for mocking.");

    private RegistrationTracker Tracker => _tracker ?? throw new InvalidOperationException("This operation was created for mocking.");

    private protected override async Task<bool> UpdateStatusCoreAsync(CancellationToken cancellationToken)
    {
        var session = Client.Session;
        var runtime = session.Runtime;
        var (head, headHash) = await session.GetBestHeadAsync(cancellationToken).ConfigureAwait(false);
        Mutate(t => t.Head(head));
        ThrowIfEnded();

        await CheckForReorgAsync(session, head, cancellationToken).ConfigureAwait(false);
        if (!_locatedFromState)
        {
            // Re-created from its id: the chain state says where the registration stands; the events before are looked up once.
            if (await LocateFromStateAsync(session, head, headHash, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }

            _locatedFromState = true;
        }

        // Each block since the last look, once: its registration events drive the state machine.
        var from = Read(t => t.ScannedThrough) + 1;
        for (var n = from; n <= head && !Read(t => t.IsFinished); n++)
        {
            var hash = n == head ? headHash : await session.GetBlockHashAsync(n, cancellationToken).ConfigureAwait(false);
            if (hash is not { } blockHash)
            {
                break;
            }

            var events = RegistrationEvent.Select(await session.GetEventsAsync(blockHash, cancellationToken).ConfigureAwait(false), runtime.RegistrationPallet, Account);
            await FeedBlockAsync(session, n, blockHash, events, cancellationToken).ConfigureAwait(false);
        }

        ThrowIfEnded();
        await ReadCommitteeIfDueAsync(session, head, cancellationToken).ConfigureAwait(false);

        if (Read(t => t.RegisteredIn) is { } registered)
        {
            var bytes = await session.GetStorageAsync(runtime.RegisteredKey(Account), registered.Hash, cancellationToken).ConfigureAwait(false)
                ?? throw new EntropyException($"Block #{registered.Number} recorded AccountRegistered for {Account}, but the account has no Registered entry there.");
            var value = runtime.DecodeRegistered(Account, bytes, Read(t => t.RegisterBlock), registered.Number);
            Mutate(t => t.Registered(value, registered.Number));
            Logger.LogInformation("{Account} registered at block #{Block} with verifying key {Key}", Account, registered.Number, value.VerifyingKey);
        }

        Volatile.Write(ref _lastFailure, null); // the node answered this round
        return HasCompleted;
    }

    private protected override Task WaitForChangeAsync(TimeSpan pollingInterval, CancellationToken cancellationToken)
    {
        var session = Client.Session;
        var delay = Task.Delay(pollingInterval, Time, cancellationToken);
        if (!session.Heads.IsLive)
        {
            return delay;
        }

        // A new head wakes the wait at once; the interval is the fallback when heads stop coming.
        return Task.WhenAny(delay, session.Heads.WaitForHeadAboveAsync(Read(t => t.ScannedThrough), cancellationToken)).Unwrap();
    }

    /// <summary>How long a request may go without any message from the node before the node counts as not answering (a live node answers in milliseconds).</summary>
    private static readonly TimeSpan NotAnsweringAfter = TimeSpan.FromSeconds(3);

    private protected override EntropyException CreateTimeoutException(TimeSpan timeout, TimeSpan elapsed, Exception? lastFailure)
    {
        lock (_stateLock)
        {
            var tracker = Tracker;
            return new RegistrationTimeoutException(Account, timeout, elapsed, tracker.Stage, tracker.Confirmations, tracker.RequiredConfirmations, tracker.Committee, Id, NodeNotAnswering(lastFailure ?? Volatile.Read(ref _lastFailure)) ?? lastFailure ?? Volatile.Read(ref _lastFailure) ?? ConnectionProblem());
        }
    }

    /// <summary>Describes a node that keeps the connection open but sends nothing (stalled, overloaded, or cut off behind a proxy).</summary>
    private EntropyConnectionException? NodeNotAnswering(Exception? lastFailure)
    {
        if (_client is not { IsDisposed: false } client)
        {
            return null;
        }

        var rpc = client.Session.Chain.Rpc;
        string? what = null;
        if (rpc.UnansweredFor() is { } unanswered && unanswered >= NotAnsweringAfter)
        {
            what = $"is not answering: the connection is open but nothing (no reply, no new block) has arrived for {unanswered.TotalSeconds:0.#} s since a request";
        }
        else if (client.Session.Heads.IsOverdue && rpc.SinceLastMessage is var quiet && quiet >= NotAnsweringAfter)
        {
            what = $"is not answering, or its chain has stalled: the connection is open but nothing (no new block, no reply) has arrived for {quiet.TotalSeconds:0.#} s";
        }

        return what is null
            ? null
            : new EntropyConnectionException(
                ConnectionFailureType.ConnectionLost,
                $"the node at {client.Endpoint} {what}; check that the node is running and not stalled or overloaded",
                lastFailure);
    }

    /// <summary>Describes the connection when it is not open (requests then wait for the reconnect, so no failure was seen).</summary>
    private EntropyConnectionException? ConnectionProblem()
    {
        if (_client is not { IsDisposed: false } client)
        {
            return null;
        }

        var state = client.Session.Chain.Rpc.State;
        return state == Rpc.RpcConnectionState.Connected
            ? null
            : new EntropyConnectionException(
                ConnectionFailureType.ConnectionLost,
                $"the connection to {client.Endpoint} was lost and the node cannot be reached (connection {state.ToString().ToLowerInvariant()})");
    }

    private protected override Exception? TranslateFailure(Exception failure, CancellationToken callerToken)
    {
        if (_client is { IsDisposed: true } && failure is not EntropyOperationCanceledException)
        {
            return new EntropyConnectionException(
                ConnectionFailureType.ConnectionClosed,
                $"The client was disposed while following the registration of {Account}; the registration goes on on chain. Connect again and re-create the operation from its id.",
                failure)
            { OperationId = Id };
        }

        if (failure is EntropyException { OperationId: null } e && MayBeOnChain && e is not (TransactionException or RegistrationEndedException))
        {
            e.OperationId = Id;
        }

        return null;
    }

    private T Read<T>(Func<RegistrationTracker, T> read)
    {
        if (_tracker is null)
        {
            return default!;
        }

        lock (_stateLock)
        {
            return read(_tracker);
        }
    }

    private void Mutate(Action<RegistrationTracker> change)
    {
        lock (_stateLock)
        {
            change(Tracker);
        }
    }

    private void ThrowIfEnded()
    {
        if (Read(t => t.Ended) is { } ended)
        {
            ended.OperationId ??= Id;
            throw ended;
        }
    }

    /// <summary>For an operation re-created from its id: reads <c>Registered</c> and <c>Registering</c> at the head, then finds the block of <c>register</c> (or of the end) in the events of the last blocks.</summary>
    private async Task<bool> LocateFromStateAsync(ChainSession session, uint head, BlockHash headHash, CancellationToken cancellationToken)
    {
        var runtime = session.Runtime;
        var state = await session.GetStoragesAsync([runtime.RegisteredKey(Account), runtime.RegisteringKey(Account)], headHash, cancellationToken).ConfigureAwait(false);
        if (state[0] is { } registered)
        {
            var value = runtime.DecodeRegistered(Account, registered, null, head);
            Mutate(t => t.Registered(value, head));
            return true;
        }

        // Backward from the head to the newest SignalRegister (or, when the account is not registering, the newest end of a
        // registration); the blocks found are then fed in chain order.
        var found = new List<(uint Number, BlockHash Hash, List<RegistrationEvent> Events)>();
        var lowest = head > MaxLookBack ? head - MaxLookBack : 0;
        for (var n = head; n >= lowest; n--)
        {
            var hash = n == head ? headHash : await session.GetBlockHashAsync(n, cancellationToken).ConfigureAwait(false);
            if (hash is { } blockHash)
            {
                var events = RegistrationEvent.Select(await session.GetEventsAsync(blockHash, cancellationToken).ConfigureAwait(false), runtime.RegistrationPallet, Account);
                if (events.Count > 0)
                {
                    found.Add((n, blockHash, events));
                    if (events.Any(e => e.Name == "SignalRegister")
                        || (state[1] is null && events.Any(e => e.Name is "FailedRegistration" or "RegistrationCancelled")))
                    {
                        break;
                    }
                }
            }

            if (n == 0)
            {
                break;
            }
        }

        found.Reverse();
        foreach (var (number, hash, events) in found)
        {
            await FeedBlockAsync(session, number, hash, events, cancellationToken).ConfigureAwait(false);
        }

        if (state[1] is { } registering)
        {
            var status = runtime.DecodeRegistering(Account, registering);
            Mutate(t => t.Registering(status, head));
        }

        Mutate(t => t.StartScanAt(head));
        ThrowIfEnded();
        return false;
    }

    /// <summary>Feeds one block's events, after reading the committee when the block is past the one after <c>register</c> (so the stages come in chain order).</summary>
    private async Task FeedBlockAsync(ChainSession session, uint number, BlockHash hash, List<RegistrationEvent> events, CancellationToken cancellationToken)
    {
        if (number > 0)
        {
            await ReadCommitteeIfDueAsync(session, number, cancellationToken).ConfigureAwait(false);
        }

        Mutate(t => t.Block(number, hash, events));
    }

    /// <summary>Reads the DKG committee (of the block after <c>register</c>) once that block exists.</summary>
    private async Task ReadCommitteeIfDueAsync(ChainSession session, uint head, CancellationToken cancellationToken)
    {
        if (Read(t => t.NeedsCommittee(head)) && Read(t => t.RegisterBlock) is { } registerBlock)
        {
            var at = await session.GetBlockHashAsync(registerBlock + 1, cancellationToken).ConfigureAwait(false);
            var committee = await session.GetCommitteeAsync(registerBlock + 1, at, cancellationToken).ConfigureAwait(false);
            Mutate(t => t.CommitteeSelected(registerBlock + 1, committee));
        }
    }

    /// <summary>Notices a reorg that retracted the block with <c>register</c>: the operation then looks for the transaction's new block.</summary>
    private async Task CheckForReorgAsync(ChainSession session, uint head, CancellationToken cancellationToken)
    {
        var (block, known) = Read(t => (t.RegisterBlock, t.RegisterBlockHash));
        if (block is not { } n || known is not { } expected || n > head)
        {
            return;
        }

        var canonical = await session.GetBlockHashAsync(n, cancellationToken).ConfigureAwait(false);
        if (canonical == expected)
        {
            return;
        }

        Logger.LogWarning("Block #{Number} ({Hash}) with register for {Account} was retracted by a reorg; following the transaction to its new block", n, expected, Account);
        Mutate(t => t.Retracted());
    }

    private static bool TryParseHash(string text, out byte[] hash)
    {
        hash = [];
        var digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        if (digits.Length != 64)
        {
            return false;
        }

        try
        {
            hash = Convert.FromHexString(digits);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
