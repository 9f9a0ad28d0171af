using Entropy.Chain;
using Entropy.Crypto;
using Entropy.Extrinsics;
using Entropy.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Entropy;

/// <summary>What the client knows about the connected chain, and the few typed reads and writes registration needs.</summary>
/// <remarks>
/// Every node request goes through <see cref="SubstrateClient"/> (submissions through <see cref="ExtrinsicSubmitter"/>, which is built on
/// it); this class adds only what is Entropy-specific: nonce reservation per account, the head cache, fee estimates and DKG committee
/// selection. It names no JSON-RPC method.
/// </remarks>
internal sealed class ChainSession : IAsyncDisposable
{
    private readonly Dictionary<AccountId, ulong> _nextNonce = [];
    private readonly SemaphoreSlim _nonceLock = new(1, 1);

    private RuntimeState _state;

    private ChainSession(SubstrateClient chain, HeadCache heads)
    {
        Chain = chain;
        GenesisHash = chain.GenesisHash.ToArray();
        _state = CreateState(chain.Runtime);
        Heads = heads;
    }

    public SubstrateClient Chain { get; }

    /// <summary>Gets the best and finalized heads as the subscriptions announce them.</summary>
    public HeadCache Heads { get; }

    /// <summary>Gets the current metadata; after a runtime upgrade (followed by <see cref="SubstrateClient"/>) the new one.</summary>
    public RuntimeMetadata Metadata => Current.Metadata;

    public RegistrationRuntime Runtime => Current.Registration;

    /// <summary>Gets a builder for the current runtime: its spec and transaction versions are what signatures commit to.</summary>
    public ExtrinsicBuilder Builder => Current.Builder;

    public ExtrinsicSubmitter Submitter { get; private set; } = null!;

    /// <summary>Gets the spec version the session currently signs for.</summary>
    public uint SpecVersion => Current.Snapshot.Version.SpecVersion;

    public byte[] GenesisHash { get; }

    /// <summary>Opens a session that reads on request only (no head subscriptions), on a connection which stays owned by the caller.</summary>
    public static Task<ChainSession> OpenAsync(Rpc.RpcClient rpc, CancellationToken cancellationToken) =>
        OpenAsync(rpc, followHeads: false, TimeProvider.System, null, cancellationToken);

    /// <summary>Opens a session on a connection, which stays owned by the caller; with <paramref name="followHeads"/> it keeps a head cache fed by subscriptions.</summary>
    public static async Task<ChainSession> OpenAsync(Rpc.RpcClient rpc, bool followHeads, TimeProvider time, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        var chain = await SubstrateClient.CreateAsync(rpc, cancellationToken).ConfigureAwait(false);
        try
        {
            // Refuse a runtime the SDK cannot register on (MetadataException) before anything is subscribed.
            _ = new RegistrationRuntime(chain.Runtime.Metadata);
            var heads = followHeads
                ? HeadCache.Start(chain, time, loggerFactory?.CreateLogger<HeadCache>() ?? (ILogger)NullLogger.Instance)
                : HeadCache.Disabled(chain, time);
            var session = new ChainSession(chain, heads);
            session.Submitter = new ExtrinsicSubmitter(chain);
            return session;
        }
        catch
        {
            await chain.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops following heads and runtime upgrades; the connection is left open.</summary>
    public async ValueTask DisposeAsync()
    {
        await Heads.DisposeAsync().ConfigureAwait(false);
        await Chain.DisposeAsync().ConfigureAwait(false);
    }

    public Task<byte[]?> GetStorageAsync(byte[] key, BlockHash? at, CancellationToken cancellationToken) =>
        Chain.GetStorageAsync(key, at, cancellationToken);

    /// <summary>Reads several keys at one block in one request.</summary>
    public Task<IReadOnlyList<byte[]?>> GetStoragesAsync(IReadOnlyList<byte[]> keys, BlockHash? at, CancellationToken cancellationToken) =>
        Chain.QueryStorageAtAsync([.. keys.Select(k => (ReadOnlyMemory<byte>)k)], at, cancellationToken);

    /// <summary>Gets the finalized head: from the subscription when it runs, else two requests.</summary>
    public async Task<(uint Number, BlockHash Hash)> GetFinalizedHeadAsync(CancellationToken cancellationToken)
    {
        if (Heads.IsLive && Heads.Finalized is { } cached)
        {
            return (cached.Number, cached.Hash);
        }

        var hash = await Chain.GetFinalizedHeadAsync(cancellationToken).ConfigureAwait(false);
        var header = await Chain.GetHeaderAsync(hash, cancellationToken).ConfigureAwait(false)
            ?? throw new EntropyException($"The node does not know its own finalized block {hash}.");
        return (header.Number, hash);
    }

    /// <summary>Gets the best head: from the subscription when it runs and is not overdue, else one request.</summary>
    public async Task<(uint Number, BlockHash Hash)> GetBestHeadAsync(CancellationToken cancellationToken)
    {
        // An overdue head means the node went quiet or dropped the subscription silently: ask it, which finds out either way.
        if (Heads.IsLive && Heads.Best is { } cached && !Heads.IsOverdue)
        {
            return (cached.Number, cached.Hash);
        }

        var header = await Chain.GetHeaderAsync((BlockHash?)null, cancellationToken).ConfigureAwait(false)
            ?? throw new EntropyException("The node reported no best block.");
        return (header.Number, header.Hash);
    }

    /// <summary>Gets a best-chain block's hash: from the head cache when announced, else one request.</summary>
    public async Task<BlockHash?> GetBlockHashAsync(uint number, CancellationToken cancellationToken) =>
        Heads.TryGetHash(number, out var hash) ? hash : await Chain.GetBlockHashAsync(number, cancellationToken).ConfigureAwait(false);

    /// <summary>Gets a block's decoded events through the client's cache of the last few blocks (shared with the transactions it watches).</summary>
    public Task<IReadOnlyList<EventRecord>> GetEventsAsync(BlockHash blockHash, CancellationToken cancellationToken) =>
        Chain.GetBlockEventsAsync(blockHash, cancellationToken);

    /// <summary>Builds and signs an extrinsic, taking the next nonce for the signer (serialised per account so concurrent submissions never clash).</summary>
    public async Task<SignedExtrinsic> SignAsync(byte[] call, Sr25519Signer signer, UInt128 tip, ulong mortalityPeriod, CancellationToken cancellationToken) =>
        (await SignWithEraDeathAsync(call, signer, tip, mortalityPeriod, cancellationToken).ConfigureAwait(false)).Extrinsic;

    /// <summary>Like <see cref="SignAsync"/>, and gives the block from which the transaction can no longer be included (<see langword="null"/> when immortal).</summary>
    public async Task<(SignedExtrinsic Extrinsic, ulong? EraDeath)> SignWithEraDeathAsync(byte[] call, Sr25519Signer signer, UInt128 tip, ulong mortalityPeriod, CancellationToken cancellationToken)
    {
        TransactionParameters parameters;
        ulong? death = null;
        var account = signer.AccountId;
        await _nonceLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var chainNonce = await Chain.GetAccountNextIndexAsync(account, cancellationToken).ConfigureAwait(false);
            ulong nonce;
            lock (_nextNonce)
            {
                nonce = Math.Max(chainNonce, _nextNonce.GetValueOrDefault(account));
                _nextNonce[account] = nonce + 1;
            }

            if (mortalityPeriod == 0)
            {
                parameters = TransactionParameters.Immortal(nonce, tip);
            }
            else
            {
                // Anchor the era at the finalized head (it cannot be retracted), unless finality lags so far behind that a
                // transaction born there would die (or already be dead) before it can be included: then at the best head.
                var (number, hash) = await GetFinalizedHeadAsync(cancellationToken).ConfigureAwait(false);
                var (bestNumber, bestHash) = await GetBestHeadAsync(cancellationToken).ConfigureAwait(false);
                if (bestNumber > number && bestNumber - number >= mortalityPeriod / 2)
                {
                    (number, hash) = (bestNumber, bestHash);
                }

                var era = Era.Mortal(mortalityPeriod, number);
                death = era.Death(number);
                var birth = (uint)era.Birth(number);
                var birthHash = birth == number ? hash : await GetBlockHashAsync(birth, cancellationToken).ConfigureAwait(false) ?? hash;
                parameters = TransactionParameters.Mortal(nonce, birth, birthHash.ToArray(), mortalityPeriod, tip);
            }
        }
        finally
        {
            _nonceLock.Release();
        }

        return (await Builder.SignAsync(call, signer, parameters, cancellationToken).ConfigureAwait(false), death);
    }

    /// <summary>Submits a signed extrinsic and follows it into a block (never resubmits); see the overload for the nonce rules.</summary>
    /// <param name="extrinsic">The signed extrinsic.</param>
    /// <param name="signer">Its signer.</param>
    /// <param name="onSubmitted">Called once the node accepted the submission.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task<ExtrinsicResult> SubmitAndWatchAsync(SignedExtrinsic extrinsic, AccountId signer, Action? onSubmitted, CancellationToken cancellationToken) =>
        SubmitAndWatchAsync(extrinsic, signer, onSubmitted, keepNonceOnConnectionFailure: false, cancellationToken);

    /// <summary>
    /// Submits a signed extrinsic and follows it into a block (never resubmits). A pool rejection releases the signer's nonce
    /// reservation, and so does a connection failure before the node accepted the submission: the next signing then asks the node,
    /// which counts its pool, so a transaction that never arrived leaves no nonce gap (and one that did arrive is not reused).
    /// </summary>
    /// <param name="extrinsic">The signed extrinsic.</param>
    /// <param name="signer">Its signer, whose nonce reservation is released when the pool refuses it.</param>
    /// <param name="onSubmitted">Called once the node accepted the submission.</param>
    /// <param name="keepNonceOnConnectionFailure"><see langword="true"/> when the caller will send the same bytes again after a connection failure (so the nonce stays taken).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="InvalidTransactionException">The pool refused the transaction.</exception>
    /// <exception cref="TransactionException">The transaction left the pool without being included.</exception>
    /// <exception cref="DispatchException">The call failed in its block.</exception>
    public async Task<ExtrinsicResult> SubmitAndWatchAsync(SignedExtrinsic extrinsic, AccountId signer, Action? onSubmitted, bool keepNonceOnConnectionFailure, CancellationToken cancellationToken)
    {
        var accepted = false;
        try
        {
            return await Submitter.SubmitAndWatchCoreAsync(
                extrinsic,
                TransactionWaitFor.InBlock,
                null,
                () =>
                {
                    accepted = true;
                    onSubmitted?.Invoke();
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidTransactionException)
        {
            ReleaseNonce(signer);
            throw;
        }
        catch (EntropyConnectionException) when (!accepted && !keepNonceOnConnectionFailure)
        {
            ReleaseNonce(signer, extrinsic.Parameters.Nonce);
            throw;
        }
        catch (EntropyRpcException e) when (!accepted && e is not Rpc.EntropyRpcProtocolException)
        {
            // The node answered the submission with an error (for example 1002 "Could not decode"): it holds nothing, so the nonce
            // is free again, as after a pool refusal; keeping it taken would leave every later transaction of the signer in Future.
            // (A malformed answer says nothing about whether the node took the transaction: the nonce stays taken.)
            ReleaseNonce(signer);
            throw;
        }
    }

    /// <summary>Forgets the reservation of <paramref name="nonce"/> if no later nonce was reserved since (a later one is in use and must stay counted).</summary>
    private void ReleaseNonce(AccountId account, ulong nonce)
    {
        lock (_nextNonce)
        {
            if (_nextNonce.TryGetValue(account, out var next) && next == nonce + 1)
            {
                _nextNonce.Remove(account);
            }
        }
    }

    /// <summary>Forgets a nonce reservation after the pool refused the transaction, so the next one does not leave a gap.</summary>
    public void ReleaseNonce(AccountId account)
    {
        lock (_nextNonce)
        {
            _nextNonce.Remove(account);
        }
    }

    /// <summary>
    /// Estimates the fee of a call (without the tip) with a zero signature, in an extrinsic as long as the one that will be signed
    /// (same era length, nonce and tip: the length fee counts every byte); <see langword="null"/> when the node has no <c>payment_queryInfo</c>.
    /// </summary>
    public Task<UInt128?> EstimateFeeAsync(byte[] call, AccountId signer, ulong nonce, UInt128 tip, ulong mortalityPeriod, CancellationToken cancellationToken)
    {
        var parameters = mortalityPeriod == 0
            ? TransactionParameters.Immortal(nonce, tip)
            : TransactionParameters.Mortal(nonce, 0, new byte[32], mortalityPeriod, tip);
        var extrinsic = Builder.Assemble(call, signer.AsSpan(), new byte[64], parameters);
        return Chain.QueryFeeAsync(extrinsic.Encoded, null, cancellationToken);
    }

    /// <summary>Whether two nonces take the same number of bytes as a SCALE compact (so an estimate made with one holds for the other).</summary>
    public static bool SameCompactLength(ulong a, ulong b) => CompactLength(a) == CompactLength(b);

    private static int CompactLength(ulong value) => value switch
    {
        < 1UL << 6 => 1,
        < 1UL << 14 => 2,
        < 1UL << 30 => 4,
        _ => 1 + Math.Max(4, (64 - System.Numerics.BitOperations.LeadingZeroCount(value) + 7) / 8),
    };

    /// <summary>Decodes a <c>System.Account</c> value (an absent account is all zeros).</summary>
    public AccountInfo DecodeAccountInfo(byte[]? accountInfo) =>
        ChainJson.ToAccountInfo(Metadata.DecodeStorageValue("System", "Account", accountInfo));

    /// <summary>Gets the storage key of an account's <c>System.Account</c> entry.</summary>
    public byte[] AccountInfoKey(AccountId account) => Metadata.StorageKey("System", "Account", ScaleValue.Bytes(account.AsSpan()));

    /// <summary>
    /// Computes the DKG committee for a block as the chain does (PROTOCOL.md §2.6): per subgroup, the validator at <c>block % len</c>
    /// that is synced. Reads are batched: the groups, then the selected validators' sync flags, then their server entries.
    /// </summary>
    public async Task<IReadOnlyList<ThresholdServer>> GetCommitteeAsync(uint blockNumber, BlockHash? at, CancellationToken cancellationToken)
    {
        var runtime = Runtime;
        var size = runtime.SigningPartySize;
        var groupValues = await GetStoragesAsync([.. Enumerable.Range(0, size).Select(g => runtime.SigningGroupKey((byte)g))], at, cancellationToken).ConfigureAwait(false);
        var members = new List<AccountId>[size];
        for (var group = 0; group < size; group++)
        {
            var bytes = groupValues[group]
                ?? throw new EntropyException($"The chain has no signing group {group} (StakingExtension.SigningGroups), so no committee can be selected.");
            var groups = new ValueShape("StakingExtension", "SigningGroups");
            members[group] = [.. groups.Sequence(Metadata.DecodeStorageValue("StakingExtension", "SigningGroups", bytes)!, "(value)")
                .Select((m, i) => new AccountId(groups.Bytes(m, $"[{i}]", AccountId.Length)))];
        }

        var selected = new AccountId?[size];
        while (true)
        {
            var pending = new List<int>();
            for (var group = 0; group < size; group++)
            {
                if (selected[group] is null)
                {
                    if (members[group].Count == 0)
                    {
                        throw new EntropyException($"Signing group {group} has no synced validator (NoSyncedValidators).");
                    }

                    pending.Add(group);
                }
            }

            if (pending.Count == 0)
            {
                break;
            }

            var candidates = pending.Select(g => members[g][(int)(blockNumber % (uint)members[g].Count)]).ToList();
            var synced = await GetStoragesAsync([.. candidates.Select(runtime.IsValidatorSyncedKey)], at, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < pending.Count; i++)
            {
                if (synced[i] is [1])
                {
                    selected[pending[i]] = candidates[i];
                }
                else
                {
                    members[pending[i]].Remove(candidates[i]);
                }
            }
        }

        var servers = await GetStoragesAsync([.. selected.Select(s => runtime.ThresholdServerKey(s!.Value))], at, cancellationToken).ConfigureAwait(false);
        var committee = new List<ThresholdServer>(size);
        for (var group = 0; group < size; group++)
        {
            var stash = selected[group]!.Value;
            var serverBytes = servers[group] ?? throw new EntropyException($"Validator {stash} has no ThresholdServers entry (IpAddressError).");
            var shape = new ValueShape("StakingExtension", "ThresholdServers");
            var info = shape.Composite(Metadata.DecodeStorageValue("StakingExtension", "ThresholdServers", serverBytes));
            committee.Add(new ThresholdServer(
                stash,
                new AccountId(shape.Bytes(shape.Field(info, "tss_account"), "tss_account", AccountId.Length)),
                shape.Bytes(shape.Field(info, "x25519_public_key"), "x25519_public_key", 32),
                System.Text.Encoding.UTF8.GetString(shape.Bytes(info, "endpoint")),
                (byte)group));
        }

        return committee;
    }

    /// <summary>The session's view of the runtime, rebuilt when <see cref="SubstrateClient.Runtime"/> changes (a runtime upgrade).</summary>
    private RuntimeState Current
    {
        get
        {
            var state = Volatile.Read(ref _state);
            var snapshot = Chain.Runtime;
            if (ReferenceEquals(state.Snapshot, snapshot))
            {
                return state;
            }

            var fresh = CreateState(snapshot);
            Volatile.Write(ref _state, fresh);
            return fresh;
        }
    }

    private RuntimeState CreateState(RuntimeSnapshot snapshot)
    {
        var metadata = snapshot.Metadata;
        return new RuntimeState(
            snapshot,
            metadata,
            new RegistrationRuntime(metadata),
            new ExtrinsicBuilder(metadata, snapshot.Version.SpecVersion, snapshot.Version.TransactionVersion, GenesisHash));
    }

    private sealed record RuntimeState(RuntimeSnapshot Snapshot, RuntimeMetadata Metadata, RegistrationRuntime Registration, ExtrinsicBuilder Builder);
}
