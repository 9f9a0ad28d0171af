using Entropy.Crypto;
using System.Diagnostics;
using Entropy.Extrinsics;
using Entropy.Metadata;
using Microsoft.Extensions.Logging;

namespace Entropy;

/// <summary>A registration in flight: follows one account from its <c>register</c> transaction until it is registered.</summary>
/// <remarks>
/// The operation never submits anything again: after a lost connection it resumes from chain state (the account's
/// <c>Registering</c> / <c>Registered</c> entries and the registration pallet's events). Re-create it later from <see cref="Id"/>
/// with <see cref="RegisterOperation(string, EntropyClient)"/>.
/// </remarks>
public class RegisterOperation
{
    private readonly EntropyClient? _client;
    private readonly IProgress<RegistrationProgress>? _progress;
    private readonly Era _era;
    private Registration? _value;
    private uint? _registerBlock;
    private string? _registerBlockHash;
    private ulong? _eraDeath;
    private uint _scannedThrough;
    private int _reportedConfirmations = -1;
    private RegisteringStatus? _lastStatus;
    private IReadOnlyList<ThresholdServer> _committee = [];

    /// <summary>Creates an operation for mocking in tests.</summary>
    protected RegisterOperation()
    {
        Id = string.Empty;
    }

    /// <summary>Re-creates an operation from its <see cref="Id"/>, for example after a restart, to keep following the registration.</summary>
    /// <param name="id">The operation's <see cref="Id"/>: <c>&lt;SS58 account&gt;:&lt;0x transaction hash&gt;</c>.</param>
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
        Id = id;
    }

    internal RegisterOperation(EntropyClient client, AccountId account, byte[] transactionHash, IProgress<RegistrationProgress>? progress, Era era)
    {
        _client = client;
        _progress = progress;
        _era = era;
        Account = account;
        TransactionHash = transactionHash;
        Id = $"{account.ToSs58()}:0x{Convert.ToHexStringLower(transactionHash)}";
    }

    /// <summary>Gets the operation's id: the account and the <c>register</c> transaction hash, enough to re-create it.</summary>
    public virtual string Id { get; }

    /// <summary>Gets the signature request account being registered.</summary>
    public virtual AccountId Account { get; }

    /// <summary>Gets the hash of the <c>register</c> transaction.</summary>
    public virtual ReadOnlyMemory<byte> TransactionHash { get; }

    /// <summary>Gets the number of the block that included <c>register</c>, once known.</summary>
    public virtual uint? RegisterBlockNumber => _registerBlock;

    /// <summary>Gets the user's key share in the Private access mode, once this client took part in the key generation; otherwise <see langword="null"/>.</summary>
    /// <remarks>The caller owns the share: dispose it (which zeroes it) once it is exported or no longer needed. An operation re-created from its
    /// <see cref="Id"/> has no share.</remarks>
    public virtual PrivateKeyShare? KeyShare { get; private set; }

    /// <summary>Gets a value indicating whether the account is registered.</summary>
    public virtual bool HasCompleted => _value is not null;

    /// <summary>Gets a value indicating whether <see cref="Value"/> is available.</summary>
    public virtual bool HasValue => _value is not null;

    /// <summary>Gets the completed registration.</summary>
    /// <exception cref="InvalidOperationException">The registration has not completed; call <see cref="WaitForCompletionAsync(CancellationToken)"/>.</exception>
    public virtual Registration Value => _value ?? throw new InvalidOperationException($"The registration of {Account} has not completed yet; call WaitForCompletionAsync.");

    private EntropyClient Client => _client ?? throw new InvalidOperationException("This operation was created for mocking.");

    /// <summary>Reads the chain once and updates <see cref="HasCompleted"/> and the progress.</summary>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns><see langword="true"/> when the registration has completed.</returns>
    /// <exception cref="RegistrationFailedException">The servers confirmed different keys.</exception>
    /// <exception cref="RegistrationCancelledException">The registration was pruned.</exception>
    /// <exception cref="EntropyConnectionException">The node could not be reached.</exception>
    public virtual async Task<bool> UpdateStatusAsync(CancellationToken cancellationToken = default)
    {
        if (_value is not null)
        {
            return true;
        }

        var client = Client;
        var session = client.Session;
        var runtime = session.Runtime;
        var (head, headHash) = await session.GetBestHeadAsync(cancellationToken).ConfigureAwait(false);
        await CheckForReorgAsync(session, head, cancellationToken).ConfigureAwait(false);

        var registered = await session.GetStorageAsync(runtime.RegisteredKey(Account), headHash, cancellationToken).ConfigureAwait(false);
        if (registered is not null)
        {
            _value = runtime.DecodeRegistered(Account, registered, _registerBlock, head);
            Report(RegistrationStage.Registered, head);
            client.Logger.LogInformation("{Account} registered at block #{Block} with verifying key {Key}", Account, head, _value.VerifyingKey);
            return true;
        }

        var registering = await session.GetStorageAsync(runtime.RegisteringKey(Account), headHash, cancellationToken).ConfigureAwait(false);
        if (registering is not null)
        {
            _lastStatus = runtime.DecodeRegistering(Account, registering);
            if (_registerBlock is null)
            {
                await LocateRegisterBlockAsync(session, head, cancellationToken).ConfigureAwait(false);
            }

            if (_registerBlock is { } n && _committee.Count == 0 && head >= n + 1)
            {
                var at = await session.GetBlockHashAsync(n + 1, cancellationToken).ConfigureAwait(false);
                _committee = await session.GetCommitteeAsync(n + 1, at, cancellationToken).ConfigureAwait(false);
                Report(RegistrationStage.CommitteeSelected, n + 1);
            }

            if (_lastStatus.Confirmations > _reportedConfirmations && _lastStatus.Confirmations > 0)
            {
                _reportedConfirmations = _lastStatus.Confirmations;
                Report(RegistrationStage.Confirmed, head);
            }

            return false;
        }

        // Neither registering nor registered: the registration ended badly, or register was never included.
        await ThrowIfEndedAsync(session, head, cancellationToken).ConfigureAwait(false);
        if (_registerBlock is null && _eraDeath is { } death && head >= death)
        {
            var hash = "0x" + Convert.ToHexStringLower(TransactionHash.Span);
            throw new TransactionDroppedException(
                new TransactionStatus(TransactionStatusKind.Dropped),
                $"Transaction {hash} was not included before its mortal era ended (block #{death}); it is not resubmitted. Check the account's state before registering again.");
        }

        return false;
    }

    /// <summary>Waits until the account is registered, for at most <see cref="EntropyClientOptions.RegistrationTimeout"/>.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The registration.</returns>
    /// <exception cref="RegistrationFailedException">The servers confirmed different keys.</exception>
    /// <exception cref="RegistrationCancelledException">The registration was pruned.</exception>
    /// <exception cref="RegistrationTimeoutException">Not registered in time; carries the confirmations so far and the committee.</exception>
    public virtual Task<Registration> WaitForCompletionAsync(CancellationToken cancellationToken = default) =>
        WaitForCompletionAsync(Client.Options.RegistrationTimeout, cancellationToken);

    /// <summary>Waits until the account is registered, for at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The registration.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is not positive.</exception>
    /// <exception cref="RegistrationFailedException">The servers confirmed different keys.</exception>
    /// <exception cref="RegistrationCancelledException">The registration was pruned.</exception>
    /// <exception cref="RegistrationTimeoutException">Not registered in time; carries the confirmations so far and the committee.</exception>
    public virtual async Task<Registration> WaitForCompletionAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        var client = Client;
        var time = client.Options.TimeProvider;
        var started = time.GetTimestamp();
        using var timeoutCts = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        Rpc.RpcSubscription? heads = null;
        try
        {
            // New heads only wake the loop early; polling alone is enough, so a connection problem never ends the wait.
            heads = await TrySubscribeHeadsAsync(client, linked.Token).ConfigureAwait(false);
            var nextHead = heads?.ReadAsync(linked.Token);
            while (true)
            {
                try
                {
                    if (await UpdateStatusAsync(linked.Token).ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (EntropyConnectionException e) when (e.IsTransient)
                {
                    client.Logger.LogWarning("Reading the registration state of {Account} failed ({Reason}); retrying while the client reconnects", Account, e.Message);
                }

                var delay = Task.Delay(client.Options.PollingInterval, time, linked.Token);
                if (nextHead is not null && await Task.WhenAny(nextHead, delay).ConfigureAwait(false) == nextHead)
                {
                    try
                    {
                        _ = await nextHead.ConfigureAwait(false);
                        nextHead = heads!.ReadAsync(linked.Token);
                    }
                    catch (EntropyException)
                    {
                        nextHead = null; // the subscription ended (the reconnect gave up): keep polling
                    }
                }
                else
                {
                    await delay.ConfigureAwait(false);
                }
            }

            return _value!;
        }
        catch (OperationCanceledException) when (timeoutCts.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new RegistrationTimeoutException(Account, timeout, time.GetElapsedTime(started), _lastStatus, _committee);
        }
        finally
        {
            if (heads is not null)
            {
                await heads.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<Rpc.RpcSubscription?> TrySubscribeHeadsAsync(EntropyClient client, CancellationToken cancellationToken)
    {
        try
        {
            return await client.Session.Rpc.SubscribeAsync("chain_subscribeNewHeads", "chain_unsubscribeNewHeads", null, resubscribeOnReconnect: true, cancellationToken).ConfigureAwait(false);
        }
        catch (EntropyConnectionException e) when (e.IsTransient)
        {
            client.Logger.LogWarning("Could not subscribe to new heads while following {Account} ({Reason}); polling instead", Account, e.Message);
            return null;
        }
    }

    /// <summary>Submits the signed <c>register</c> and follows it into a block (<see cref="WaitUntil.Started"/> semantics).</summary>
    internal async Task SubmitAsync(SignedExtrinsic extrinsic, CancellationToken cancellationToken)
    {
        var client = Client;
        var session = client.Session;
        var (head, _) = await session.GetBestHeadAsync(cancellationToken).ConfigureAwait(false);
        _scannedThrough = head;

        // The era was anchored at or shortly before this head, so its death block is fixed now (valid through death - 1).
        _eraDeath = _era.IsImmortal ? null : _era.Death(head);
        ExtrinsicResult result;
        var submitted = false;
        try
        {
            result = await session.SubmitAndWatchAsync(
                extrinsic,
                Account,
                () =>
                {
                    submitted = true;
                    Report(RegistrationStage.Submitted, null);
                    client.Logger.LogInformation("Submitted register for {Account}: transaction {Hash}", Account, extrinsic);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (EntropyConnectionException e) when (submitted)
        {
            // Never resubmit: find the transaction's effect in chain state instead.
            client.Logger.LogWarning(e, "Lost the watch of register for {Account}; resuming from chain state", Account);
            await ResumeAfterLostWatchAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (EntropyConnectionException e)
        {
            // The connection broke during the submission itself: the node may have received it. Look before answering.
            if (await WasReceivedAsync(extrinsic, cancellationToken).ConfigureAwait(false))
            {
                client.Logger.LogWarning(e, "The connection broke while submitting register for {Account}, but the node has it; resuming from chain state", Account);
                Report(RegistrationStage.Submitted, null);
                await ResumeAfterLostWatchAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            session.ReleaseNonce(Account);
            throw new EntropyConnectionException(
                e.FailureType,
                $"The connection broke while submitting register for {Account}; after reconnecting, the node has no trace of it (not in its pool, the account is not registering), so it was not sent. Registering again is safe.",
                e);
        }

        if (!result.Events.Any(e => e.Name == "SignalRegister" && IsForAccount(e)))
        {
            throw new EntropyException($"register for {Account} was included in block #{result.BlockNumber} but emitted no SignalRegister event.");
        }

        var block = checked((uint)result.BlockNumber);
        _registerBlock = block;
        _registerBlockHash = result.BlockHash;
        _scannedThrough = block;
        Report(RegistrationStage.InBlock, block);
    }

    /// <summary>Private mode: joins the DKG for the committee of block N+1 as the user (PROTOCOL.md §1, §6.3) and keeps the share.</summary>
    internal async Task GenerateKeyShareAsync(Sr25519Signer signer, X25519KeyPair userX25519, CancellationToken cancellationToken)
    {
        var client = Client;
        var session = client.Session;
        if (_registerBlock is not { } block)
        {
            // The watch was lost: the block comes from chain state (ResumeAfterLostWatchAsync), or the registration already ended.
            throw new EntropyException($"The block that included register for {Account} is unknown, so the client cannot join the key generation; prune the registration and register again.");
        }

        if (_committee.Count == 0)
        {
            _committee = await session.GetCommitteeAsync(block + 1, null, cancellationToken).ConfigureAwait(false);
            Report(RegistrationStage.CommitteeSelected, block + 1);
        }

        var envelope = client.Options.ProtocolEnvelope ?? session.Runtime.ProtocolEnvelope;
        var sessionId = Protocol.ProtocolEnvelopes.DkgSessionId(envelope, Account.AsSpan(), block);
        var signature = await signer.SignAsync(sessionId.ToBincode(), cancellationToken).ConfigureAwait(false);
        var subscribe = new Protocol.SubscribeMessage(sessionId, Account.AsSpan(), signature.ToArray());
        var secret = GC.AllocateUninitializedArray<byte>(X25519KeyPair.SecretKeyLength, pinned: true);
        try
        {
            userX25519.CopySecretTo(secret);
            var options = new Protocol.Dkg.UserDkgOptions
            {
                ConnectTimeout = client.Options.KeyGenerationConnectTimeout,
                SubscribeTimeout = client.Options.KeyGenerationConnectTimeout,
                DkgTimeout = client.Options.KeyGenerationTimeout,
                TimeProvider = client.Options.TimeProvider,
                Logger = client.Logger,
                Envelope = envelope,
            };
            using var share = await Protocol.Dkg.UserDkgParticipant.RunAsync(_committee, block, subscribe, secret, options, cancellationToken).ConfigureAwait(false);
            KeyShare = new PrivateKeyShare(Account, block, share);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(secret);
        }

        client.Logger.LogInformation("Key generation for {Account} done; verifying key {Key}", Account, KeyShare.VerifyingKey);
        Report(RegistrationStage.KeyGenerated, block + 1);
    }

    /// <summary>After a submission whose answer was lost: is the transaction in the node's pool, or has it already had its effect?</summary>
    private async Task<bool> WasReceivedAsync(SignedExtrinsic extrinsic, CancellationToken cancellationToken)
    {
        var session = Client.Session;
        var hex = extrinsic.ToHex();
        try
        {
            // Pool first, then state: a transaction included in between shows up in the state read.
            var pending = await session.Rpc.InvokeIdempotentAsync("author_pendingExtrinsics", [], cancellationToken).ConfigureAwait(false);
            if (pending.ValueKind == System.Text.Json.JsonValueKind.Array
                && pending.EnumerateArray().Any(x => string.Equals(x.GetString(), hex, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }
        catch (EntropyRpcException)
        {
            // A node without author_pendingExtrinsics (unsafe RPC off): rely on chain state alone.
        }

        var runtime = session.Runtime;
        return await session.GetStorageAsync(runtime.RegisteringKey(Account), null, cancellationToken).ConfigureAwait(false) is not null
            || await session.GetStorageAsync(runtime.RegisteredKey(Account), null, cancellationToken).ConfigureAwait(false) is not null;
    }

    private async Task ResumeAfterLostWatchAsync(CancellationToken cancellationToken)
    {
        var client = Client;
        var time = client.Options.TimeProvider;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (await UpdateStatusAsync(cancellationToken).ConfigureAwait(false) || _lastStatus is not null)
                {
                    return;
                }
            }
            catch (EntropyConnectionException)
            {
                // The client reconnects by itself; keep looking.
            }

            await Task.Delay(client.Options.PollingInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Notices a reorg that retracted the block with <c>register</c>: the operation then looks for the transaction's new block.</summary>
    private async Task CheckForReorgAsync(ChainSession session, uint head, CancellationToken cancellationToken)
    {
        if (_registerBlock is not { } n || _registerBlockHash is not { } known)
        {
            return;
        }

        var canonical = n <= head ? await session.GetBlockHashAsync(n, cancellationToken).ConfigureAwait(false) : null;
        if (string.Equals(canonical, known, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        _client?.Logger.LogWarning("Block #{Number} ({Hash}) with register for {Account} was retracted by a reorg; following the transaction to its new block", n, known, Account);
        _registerBlock = null;
        _registerBlockHash = null;
        _committee = [];
        _scannedThrough = n - 1;
    }

    /// <summary>Finds the block whose events hold this account's <c>SignalRegister</c>: forward from the last scanned block, or (for an operation re-created from its id) backward from the head.</summary>
    private async Task LocateRegisterBlockAsync(ChainSession session, uint head, CancellationToken cancellationToken)
    {
        const uint MaxLookBack = 256;
        var forward = _scannedThrough > 0;
        var from = forward ? _scannedThrough : head;
        var to = forward ? head : (head > MaxLookBack ? head - MaxLookBack : 0);
        for (var n = from; forward ? n <= to : n >= to; n = forward ? n + 1 : n - 1)
        {
            var hash = await session.GetBlockHashAsync(n, cancellationToken).ConfigureAwait(false);
            if (hash is not null && (await session.GetEventsAsync(hash, cancellationToken).ConfigureAwait(false))
                .Any(e => e.Pallet == session.Runtime.RegistrationPallet && e.Name == "SignalRegister" && IsForAccount(e)))
            {
                _registerBlock = n;
                _registerBlockHash = hash;
                _scannedThrough = Math.Max(_scannedThrough, n);
                Report(RegistrationStage.InBlock, n);
                return;
            }

            if (n == 0)
            {
                break;
            }
        }
    }

    private async Task ThrowIfEndedAsync(ChainSession session, uint head, CancellationToken cancellationToken)
    {
        var from = Math.Max(_registerBlock ?? _scannedThrough, _scannedThrough);
        for (var n = from; n <= head; n++)
        {
            var hash = await session.GetBlockHashAsync(n, cancellationToken).ConfigureAwait(false);
            if (hash is null)
            {
                break;
            }

            foreach (var e in await session.GetEventsAsync(hash, cancellationToken).ConfigureAwait(false))
            {
                if (e.Pallet != session.Runtime.RegistrationPallet || !IsForAccount(e))
                {
                    continue;
                }

                switch (e.Name)
                {
                    case "SignalRegister" when _registerBlock is null:
                        _registerBlock = n;
                        _registerBlockHash = hash;
                        break;
                    case "FailedRegistration":
                        throw new RegistrationFailedException(Account, n);
                    case "RegistrationCancelled":
                        throw new RegistrationCancelledException(Account, n);
                }
            }

            _scannedThrough = n;
        }
    }

    private bool IsForAccount(EventRecord e) =>
        e.Fields.Count > 0 && e.Fields[0].TryGetBytes(out var bytes) && bytes.AsSpan().SequenceEqual(Account.AsSpan());

    private void Report(RegistrationStage stage, uint? block)
    {
        var progress = new RegistrationProgress(
            stage,
            Account,
            block,
            _committee,
            stage == RegistrationStage.Registered ? _lastStatus?.RequiredConfirmations ?? 0 : _lastStatus?.Confirmations ?? 0,
            _lastStatus?.RequiredConfirmations ?? Client.Session.Runtime.SigningPartySize);
        _client?.Logger.LogInformation("{Progress}", progress);
        _progress?.Report(progress);
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
