using System.Globalization;
using System.Text.Json;
using Entropy.Chain;
using Entropy.Crypto;
using Entropy.Extrinsics;
using Entropy.Metadata;
using Entropy.Rpc;

namespace Entropy;

/// <summary>What the client knows about the connected chain, and the few typed reads and writes registration needs.</summary>
/// <remarks>
/// Generic chain reads go through <see cref="SubstrateClient"/> and submissions through <see cref="ExtrinsicSubmitter"/>; this class adds
/// only what is Entropy-specific: nonce reservation per account, fee estimates and DKG committee selection.
/// </remarks>
internal sealed class ChainSession : IAsyncDisposable
{
    private readonly Dictionary<AccountId, ulong> _nextNonce = [];
    private readonly SemaphoreSlim _nonceLock = new(1, 1);

    private RuntimeState _state;

    private ChainSession(SubstrateClient chain)
    {
        Chain = chain;
        GenesisHash = chain.GenesisHash.ToArray();
        _state = CreateState(chain.Runtime);
    }

    public SubstrateClient Chain { get; }

    public RpcClient Rpc => Chain.Rpc;

    /// <summary>Gets the current metadata; after a runtime upgrade (followed by <see cref="SubstrateClient"/>) the new one.</summary>
    public RuntimeMetadata Metadata => Current.Metadata;

    public RegistrationRuntime Runtime => Current.Registration;

    /// <summary>Gets a builder for the current runtime: its spec and transaction versions are what signatures commit to.</summary>
    public ExtrinsicBuilder Builder => Current.Builder;

    public ExtrinsicSubmitter Submitter => Current.Submitter;

    /// <summary>Gets the spec version the session currently signs for.</summary>
    public uint SpecVersion => Current.Snapshot.Version.SpecVersion;

    public byte[] GenesisHash { get; }

    /// <summary>Opens a session on a connection, which stays owned by the caller.</summary>
    public static async Task<ChainSession> OpenAsync(RpcClient rpc, CancellationToken cancellationToken)
    {
        var chain = await SubstrateClient.CreateAsync(rpc, cancellationToken).ConfigureAwait(false);
        try
        {
            return new ChainSession(chain);
        }
        catch
        {
            await chain.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops following runtime upgrades; the connection is left open.</summary>
    public ValueTask DisposeAsync() => Chain.DisposeAsync();

    public Task<byte[]?> GetStorageAsync(byte[] key, string? blockHash, CancellationToken cancellationToken) =>
        Chain.GetStorageAsync(key, At(blockHash), cancellationToken);

    public async Task<(uint Number, string Hash)> GetFinalizedHeadAsync(CancellationToken cancellationToken)
    {
        var hash = await Chain.GetFinalizedHeadAsync(cancellationToken).ConfigureAwait(false);
        return (await GetBlockNumberAsync(hash, cancellationToken).ConfigureAwait(false), hash.ToString());
    }

    public async Task<(uint Number, string Hash)> GetBestHeadAsync(CancellationToken cancellationToken)
    {
        var hash = await Chain.GetBlockHashAsync(null, cancellationToken).ConfigureAwait(false)
            ?? throw new EntropyException("The node reported no best block.");
        return (await GetBlockNumberAsync(hash, cancellationToken).ConfigureAwait(false), hash.ToString());
    }

    public Task<uint> GetBlockNumberAsync(string blockHash, CancellationToken cancellationToken) =>
        GetBlockNumberAsync(BlockHash.Parse(blockHash), cancellationToken);

    public async Task<string?> GetBlockHashAsync(uint number, CancellationToken cancellationToken) =>
        (await Chain.GetBlockHashAsync(number, cancellationToken).ConfigureAwait(false))?.ToString();

    public Task<IReadOnlyList<EventRecord>> GetEventsAsync(string blockHash, CancellationToken cancellationToken) =>
        Chain.GetEventsAsync(BlockHash.Parse(blockHash), cancellationToken);

    /// <summary>Builds and signs an extrinsic, taking the next nonce for the signer (serialised per account so concurrent submissions never clash).</summary>
    public async Task<SignedExtrinsic> SignAsync(byte[] call, Sr25519Signer signer, UInt128 tip, ulong mortalityPeriod, CancellationToken cancellationToken)
    {
        TransactionParameters parameters;
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
                var birth = (uint)era.Birth(number);
                var birthHash = birth == number ? hash : await GetBlockHashAsync(birth, cancellationToken).ConfigureAwait(false) ?? hash;
                parameters = TransactionParameters.Mortal(nonce, birth, HexBytes(birthHash), mortalityPeriod, tip);
            }
        }
        finally
        {
            _nonceLock.Release();
        }

        return await Builder.SignAsync(call, signer, parameters, cancellationToken).ConfigureAwait(false);
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
    /// <exception cref="TransactionDroppedException">The transaction left the pool without being included.</exception>
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

    /// <summary>Estimates the fee of a call with a zero signature; <see langword="null"/> when the node has no <c>payment_queryInfo</c>.</summary>
    public async Task<UInt128?> EstimateFeeAsync(byte[] call, AccountId signer, CancellationToken cancellationToken)
    {
        var extrinsic = Builder.Assemble(call, signer.AsSpan(), new byte[64], TransactionParameters.Immortal(0));
        try
        {
            var info = await Rpc.InvokeIdempotentAsync("payment_queryInfo", [extrinsic.Encoded.ToArray()], cancellationToken).ConfigureAwait(false);
            var fee = info.GetProperty("partialFee");
            return fee.ValueKind == JsonValueKind.String ? UInt128.Parse(fee.GetString()!, CultureInfo.InvariantCulture) : (UInt128)fee.GetUInt64();
        }
        catch (EntropyRpcException e) when (e.Code == -32601)
        {
            return null;
        }
    }

    public async Task<UInt128> GetFreeBalanceAsync(AccountId account, CancellationToken cancellationToken) =>
        (UInt128)(await Chain.GetAccountInfoAsync(account, null, cancellationToken).ConfigureAwait(false)).Free;

    /// <summary>Computes the DKG committee for a block as the chain does (PROTOCOL.md §2.6): per subgroup, the validator at <c>block % len</c> that is synced.</summary>
    public async Task<IReadOnlyList<ThresholdServer>> GetCommitteeAsync(uint blockNumber, string? atBlockHash, CancellationToken cancellationToken)
    {
        var committee = new List<ThresholdServer>();
        for (var group = 0; group < Runtime.SigningPartySize; group++)
        {
            var membersBytes = await GetStorageAsync(Runtime.SigningGroupKey((byte)group), atBlockHash, cancellationToken).ConfigureAwait(false)
                ?? throw new EntropyException($"The chain has no signing group {group} (StakingExtension.SigningGroups), so no committee can be selected.");
            var members = ((SequenceValue)Metadata.DecodeStorageValue("StakingExtension", "SigningGroups", membersBytes)!.Unwrap())
                .Select(m => new AccountId(m.AsBytes())).ToList();
            while (true)
            {
                if (members.Count == 0)
                {
                    throw new EntropyException($"Signing group {group} has no synced validator (NoSyncedValidators).");
                }

                var selected = members[(int)(blockNumber % (uint)members.Count)];
                var synced = await GetStorageAsync(Runtime.IsValidatorSyncedKey(selected), atBlockHash, cancellationToken).ConfigureAwait(false);
                if (synced is [1])
                {
                    var serverBytes = await GetStorageAsync(Runtime.ThresholdServerKey(selected), atBlockHash, cancellationToken).ConfigureAwait(false)
                        ?? throw new EntropyException($"Validator {selected} has no ThresholdServers entry (IpAddressError).");
                    var info = (CompositeValue)Metadata.DecodeStorageValue("StakingExtension", "ThresholdServers", serverBytes)!.Unwrap();
                    committee.Add(new ThresholdServer(
                        selected,
                        new AccountId(info["tss_account"].AsBytes()),
                        info["x25519_public_key"].AsBytes(),
                        System.Text.Encoding.UTF8.GetString(info["endpoint"].AsBytes()),
                        (byte)group));
                    break;
                }

                members.Remove(selected);
            }
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
            new ExtrinsicBuilder(metadata, snapshot.Version.SpecVersion, snapshot.Version.TransactionVersion, GenesisHash),
            new ExtrinsicSubmitter(Chain.Rpc, metadata));
    }

    private sealed record RuntimeState(RuntimeSnapshot Snapshot, RuntimeMetadata Metadata, RegistrationRuntime Registration, ExtrinsicBuilder Builder, ExtrinsicSubmitter Submitter);

    private static BlockHash? At(string? blockHash) => blockHash is null ? null : BlockHash.Parse(blockHash);

    private async Task<uint> GetBlockNumberAsync(BlockHash hash, CancellationToken cancellationToken)
    {
        var header = await Chain.GetHeaderAsync(hash, cancellationToken).ConfigureAwait(false)
            ?? throw new EntropyException($"The node does not know block {hash}.");
        return header.Number;
    }

    private static byte[] HexBytes(string hex) => BlockHash.Parse(hex).ToArray();
}
