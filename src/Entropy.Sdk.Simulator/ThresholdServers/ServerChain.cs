using Entropy.Chain;
using Entropy.Crypto;
using Entropy.Extrinsics;
using Entropy.Metadata;
using Entropy.Rpc;

namespace Entropy.Simulator.ThresholdServers;

/// <summary>
/// What a threshold server and the off-chain worker read from and write to the chain, built on the SDK's public API only
/// (<see cref="SubstrateClient"/>, <see cref="RuntimeMetadata"/>, <see cref="ExtrinsicBuilder"/>, <see cref="ExtrinsicSubmitter"/>):
/// the servers do not share the client's internal session, so a bug there is not mirrored here.
/// </summary>
internal sealed class ServerChain : IAsyncDisposable
{
    private readonly Dictionary<AccountId, ulong> _nextNonce = [];
    private readonly SemaphoreSlim _nonceLock = new(1, 1);
    private readonly bool _ownsRpc;
    private State _state;

    private ServerChain(SubstrateClient chain, bool ownsRpc)
    {
        Client = chain;
        _ownsRpc = ownsRpc;
        _state = CreateState(chain.Runtime);
    }

    /// <summary>Gets the public client underneath.</summary>
    public SubstrateClient Client { get; }

    /// <summary>Gets the current runtime's metadata (a runtime upgrade followed by <see cref="SubstrateClient"/> shows here).</summary>
    public RuntimeMetadata Metadata => Current.Metadata;

    /// <summary>Gets the registration pallet's name: <c>Relayer</c> (v0.0.10) or <c>Registry</c>.</summary>
    public string RegistrationPallet => Current.RegistrationPallet;

    /// <summary>Gets how many subgroups a committee has (the v0.0.10 <c>SIGNING_PARTY_SIZE</c>, 2, when the metadata does not export it).</summary>
    public int SigningPartySize => Current.SigningPartySize;

    /// <summary>Opens a session on a connection; <paramref name="ownsRpc"/> says whether disposing closes it.</summary>
    public static async Task<ServerChain> OpenAsync(RpcClient rpc, bool ownsRpc, CancellationToken cancellationToken)
    {
        var chain = await SubstrateClient.CreateAsync(rpc, cancellationToken).ConfigureAwait(false);
        return new ServerChain(chain, ownsRpc);
    }

    public async ValueTask DisposeAsync()
    {
        var rpc = Client.Rpc;
        await Client.DisposeAsync().ConfigureAwait(false);
        if (_ownsRpc)
        {
            await rpc.DisposeAsync().ConfigureAwait(false);
        }

        _nonceLock.Dispose();
    }

    public Task<byte[]?> GetStorageAsync(byte[] key, BlockHash? at, CancellationToken cancellationToken) =>
        Client.GetStorageAsync(key, at, cancellationToken);

    /// <summary>Gets the best block's number and hash.</summary>
    public async Task<(uint Number, BlockHash Hash)> GetBestHeadAsync(CancellationToken cancellationToken)
    {
        var header = await Client.GetHeaderAsync((BlockHash?)null, cancellationToken).ConfigureAwait(false)
            ?? throw new EntropyException("The node reported no best block.");
        return (header.Number, header.Hash);
    }

    public byte[] DkgKey(uint blockNumber) => Metadata.StorageKey(RegistrationPallet, "Dkg", ScaleValue.Number(blockNumber));

    public byte[] RegisteringKey(AccountId account) => Metadata.StorageKey(RegistrationPallet, "Registering", ScaleValue.Bytes(account.AsSpan()));

    public byte[] RegisteredKey(AccountId account) => Metadata.StorageKey(RegistrationPallet, "Registered", ScaleValue.Bytes(account.AsSpan()));

    /// <summary>Reads <c>Dkg[block]</c>: the accounts whose registration the block recorded.</summary>
    public async Task<IReadOnlyList<byte[]>> GetDkgAccountsAsync(uint blockNumber, BlockHash? at, CancellationToken cancellationToken) =>
        DecodeDkgAccounts(await GetStorageAsync(DkgKey(blockNumber), at, cancellationToken).ConfigureAwait(false));

    /// <summary>Reads <c>StakingExtension.SigningGroups[subgroup]</c>: the stashes of the subgroup's validators (empty when absent).</summary>
    public async Task<IReadOnlyList<AccountId>> GetSigningGroupAsync(byte subgroup, BlockHash? at, CancellationToken cancellationToken) =>
        DecodeSigningGroup(await GetStorageAsync(SigningGroupKey(subgroup), at, cancellationToken).ConfigureAwait(false));

    /// <summary>Reads <c>StakingExtension.ThresholdServers[stash]</c>: the validator's server, or <see langword="null"/>.</summary>
    public async Task<ServerRecord?> GetThresholdServerAsync(AccountId stash, BlockHash? at, CancellationToken cancellationToken) =>
        DecodeThresholdServer(stash, await GetStorageAsync(ThresholdServerKey(stash), at, cancellationToken).ConfigureAwait(false));

    /// <summary>Reads <c>StakingExtension.ThresholdServers</c> of several stashes in one request; <see langword="null"/> where absent.</summary>
    public async Task<IReadOnlyList<ServerRecord?>> GetThresholdServersAsync(IReadOnlyList<AccountId> stashes, BlockHash? at, CancellationToken cancellationToken)
    {
        var values = await Client.QueryStorageAtAsync([.. stashes.Select(s => (ReadOnlyMemory<byte>)ThresholdServerKey(s))], at, cancellationToken).ConfigureAwait(false);
        return [.. stashes.Select((stash, i) => DecodeThresholdServer(stash, values[i]))];
    }

    private byte[] ThresholdServerKey(AccountId stash) => Metadata.StorageKey("StakingExtension", "ThresholdServers", ScaleValue.Bytes(stash.AsSpan()));

    private ServerRecord? DecodeThresholdServer(AccountId stash, byte[]? bytes)
    {
        if (bytes is null)
        {
            return null;
        }

        var info = (CompositeValue)Metadata.DecodeStorageValue("StakingExtension", "ThresholdServers", bytes)!.Unwrap();
        return new ServerRecord(stash, new AccountId(info["tss_account"].AsBytes()), info["x25519_public_key"].AsBytes(), System.Text.Encoding.UTF8.GetString(info["endpoint"].AsBytes()));
    }

    /// <summary>
    /// Reads what <c>/user/receive_key</c> checks, at the best block in one <c>state_queryStorageAt</c> (after the head): the sender's
    /// stash, the subgroup's members, whether the account is registering, and <c>Dkg</c> of the last three blocks.
    /// </summary>
    /// <param name="sender">The server account that signed the share.</param>
    /// <param name="subgroup">The receiving server's subgroup.</param>
    /// <param name="account">The account the share belongs to, or <see langword="null"/> when the body names none (then not registering).</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    public async Task<ReceiveKeyState> GetReceiveKeyStateAsync(AccountId sender, byte subgroup, AccountId? account, CancellationToken cancellationToken)
    {
        var (head, headHash) = await GetBestHeadAsync(cancellationToken).ConfigureAwait(false);
        var first = head >= ReceiveKeyState.DkgBlocks - 1 ? head - (ReceiveKeyState.DkgBlocks - 1) : 0;
        var keys = new List<ReadOnlyMemory<byte>> { StashOfKey(sender), SigningGroupKey(subgroup) };
        if (account is { } registering)
        {
            keys.Add(RegisteringKey(registering));
        }

        for (var b = first; b <= head; b++)
        {
            keys.Add(DkgKey(b));
        }

        var values = await Client.QueryStorageAtAsync(keys, headHash, cancellationToken).ConfigureAwait(false);
        var dkgAt = account is null ? 2 : 3;
        var dkg = new Dictionary<uint, IReadOnlyList<byte[]>>();
        for (var b = first; b <= head; b++)
        {
            dkg[b] = DecodeDkgAccounts(values[dkgAt + (int)(b - first)]);
        }

        return new ReceiveKeyState(head, DecodeStash(values[0]), DecodeSigningGroup(values[1]), account is not null && values[2] is not null, dkg);
    }

    private byte[] StashOfKey(AccountId tssAccount) => Metadata.StorageKey("StakingExtension", "ThresholdToStash", ScaleValue.Bytes(tssAccount.AsSpan()));

    private byte[] SigningGroupKey(byte subgroup) => Metadata.StorageKey("StakingExtension", "SigningGroups", ScaleValue.Number(subgroup));

    private static AccountId? DecodeStash(byte[]? bytes) => bytes is { Length: 32 } ? new AccountId(bytes) : null;

    private IReadOnlyList<AccountId> DecodeSigningGroup(byte[]? bytes) =>
        bytes is null ? [] : ((SequenceValue)Metadata.DecodeStorageValue("StakingExtension", "SigningGroups", bytes)!.Unwrap()).Select(m => new AccountId(m.AsBytes())).ToList();

    private IReadOnlyList<byte[]> DecodeDkgAccounts(byte[]? bytes) =>
        bytes is null ? [] : ((SequenceValue)Metadata.DecodeStorageValue(RegistrationPallet, "Dkg", bytes)!.Unwrap()).Select(a => a.AsBytes()).ToList();

    /// <summary>
    /// Computes the DKG committee the chain selects for block <paramref name="blockNumber"/> (PROTOCOL.md §2.6): per subgroup, the
    /// validator at <c>block % len</c>, skipping validators that are not synced; in subgroup order.
    /// </summary>
    /// <exception cref="EntropyException">A subgroup is missing, has no synced validator, or its server is not registered.</exception>
    public async Task<IReadOnlyList<ServerRecord>> GetCommitteeAsync(uint blockNumber, BlockHash? at, CancellationToken cancellationToken)
    {
        var committee = new List<ServerRecord>();
        for (var group = 0; group < SigningPartySize; group++)
        {
            var members = (await GetSigningGroupAsync((byte)group, at, cancellationToken).ConfigureAwait(false)).ToList();
            if (members.Count == 0)
            {
                throw new EntropyException($"The chain has no signing group {group} (StakingExtension.SigningGroups), so no committee can be selected.");
            }

            while (true)
            {
                if (members.Count == 0)
                {
                    throw new EntropyException($"Signing group {group} has no synced validator (NoSyncedValidators).");
                }

                var selected = members[(int)(blockNumber % (uint)members.Count)];
                var synced = await GetStorageAsync(Metadata.StorageKey("StakingExtension", "IsValidatorSynced", ScaleValue.Bytes(selected.AsSpan())), at, cancellationToken).ConfigureAwait(false);
                if (synced is [1])
                {
                    committee.Add(await GetThresholdServerAsync(selected, at, cancellationToken).ConfigureAwait(false)
                        ?? throw new EntropyException($"Validator {selected} has no ThresholdServers entry (IpAddressError)."));
                    break;
                }

                members.Remove(selected);
            }
        }

        return committee;
    }

    /// <summary>Reads the x25519 key of a <c>Registering</c> entry registered in Private mode, or <see langword="null"/>.</summary>
    public byte[]? DecodePrivateX25519Key(byte[] registeringValue)
    {
        var details = (CompositeValue)Metadata.DecodeStorageValue(RegistrationPallet, "Registering", registeringValue)!.Unwrap();
        return details["key_visibility"] is VariantValue { Name: "Private" } v && v.Fields.Count == 1 && v.Fields[0].AsBytes() is { Length: 32 } key ? key : null;
    }

    public byte[] EncodeConfirmRegister(AccountId account, byte subgroup, ReadOnlySpan<byte> verifyingKey) =>
        Metadata.EncodeCall(RegistrationPallet, "confirm_register", ScaleValue.Named(
            ("sig_req_account", ScaleValue.Bytes(account.AsSpan())),
            ("signing_subgroup", ScaleValue.Number(subgroup)),
            ("verifying_key", ScaleValue.Bytes(verifyingKey))));

    /// <summary>
    /// Signs an immortal extrinsic (as entropy-tss's <c>create_signed_with_nonce(.., Default::default())</c> does) with the signer's
    /// next nonce: the larger of the node's count (which includes its pool) and this session's reservation, so confirmations of
    /// several accounts in one block take consecutive nonces.
    /// </summary>
    public async Task<SignedExtrinsic> SignImmortalAsync(byte[] call, Sr25519Signer signer, CancellationToken cancellationToken)
    {
        ulong nonce;
        var account = signer.AccountId;
        await _nonceLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var chainNonce = await Client.GetAccountNextIndexAsync(account, cancellationToken).ConfigureAwait(false);
            nonce = Math.Max(chainNonce, _nextNonce.GetValueOrDefault(account));
            _nextNonce[account] = nonce + 1;
        }
        finally
        {
            _nonceLock.Release();
        }

        return await Current.Builder.SignAsync(call, signer, TransactionParameters.Immortal(nonce), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Submits and follows into a block; <paramref name="onSubmitted"/> runs at the first status (the node has it). A pool rejection
    /// forgets the signer's nonce reservation (the next signing asks the node again); a connection failure keeps it, because the
    /// caller sends the same bytes again.
    /// </summary>
    public async Task<ExtrinsicResult> SubmitAndWatchAsync(SignedExtrinsic extrinsic, AccountId signer, Action onSubmitted, CancellationToken cancellationToken)
    {
        try
        {
            return await Current.Submitter.SubmitAndWatchAsync(extrinsic, TransactionWaitFor.InBlock, new FirstStatus(onSubmitted), cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidTransactionException)
        {
            await _nonceLock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            _nextNonce.Remove(signer);
            _nonceLock.Release();
            throw;
        }
    }

    private State Current
    {
        get
        {
            var state = Volatile.Read(ref _state);
            var snapshot = Client.Runtime;
            if (ReferenceEquals(state.Snapshot, snapshot))
            {
                return state;
            }

            var fresh = CreateState(snapshot);
            Volatile.Write(ref _state, fresh);
            return fresh;
        }
    }

    private State CreateState(RuntimeSnapshot snapshot)
    {
        var metadata = snapshot.Metadata;
        var pallet = metadata.FindPallet("Registry") ?? metadata.FindPallet("Relayer")
            ?? throw new EntropyException("The runtime has no registration pallet (neither 'Registry' nor 'Relayer').");
        var partySize = pallet.FindConstant("SigningPartySize") is null ? 2 : (int)metadata.GetConstant(pallet.Name, "SigningPartySize").AsNumber();
        return new State(
            snapshot,
            metadata,
            pallet.Name,
            partySize,
            new ExtrinsicBuilder(metadata, snapshot.Version.SpecVersion, snapshot.Version.TransactionVersion, Client.GenesisHash.ToArray()),
            new ExtrinsicSubmitter(Client));
    }

    private sealed record State(RuntimeSnapshot Snapshot, RuntimeMetadata Metadata, string RegistrationPallet, int SigningPartySize, ExtrinsicBuilder Builder, ExtrinsicSubmitter Submitter);

    private sealed class FirstStatus(Action onFirst) : IProgress<TransactionStatus>
    {
        private int _seen;

        public void Report(TransactionStatus value)
        {
            if (Interlocked.Exchange(ref _seen, 1) == 0)
            {
                onFirst();
            }
        }
    }
}

/// <summary>A validator's threshold server as <c>StakingExtension.ThresholdServers</c> records it.</summary>
/// <summary>The chain state <c>/user/receive_key</c> checks, read at one block (<see cref="ServerChain.GetReceiveKeyStateAsync"/>).</summary>
/// <param name="Head">The best block it was read at.</param>
/// <param name="SenderStash">The sender's stash, or <see langword="null"/> when the sender is no threshold server.</param>
/// <param name="SigningGroup">The stashes of the receiver's subgroup.</param>
/// <param name="Registering">Whether the account has a <c>Registering</c> entry.</param>
/// <param name="DkgAccounts"><c>Dkg</c> of the last <see cref="DkgBlocks"/> blocks up to <paramref name="Head"/>, by block number.</param>
internal sealed record ReceiveKeyState(uint Head, AccountId? SenderStash, IReadOnlyList<AccountId> SigningGroup, bool Registering, IReadOnlyDictionary<uint, IReadOnlyList<byte[]>> DkgAccounts)
{
    /// <summary>How many blocks' <c>Dkg</c> entries up to the head are read (a newer registration of the account shows there).</summary>
    public const uint DkgBlocks = 3;
}

internal sealed record ServerRecord(AccountId Stash, AccountId TssAccount, byte[] X25519PublicKey, string Endpoint);
