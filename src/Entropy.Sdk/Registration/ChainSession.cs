using System.Globalization;
using System.Text.Json;
using Entropy.Crypto;
using Entropy.Extrinsics;
using Entropy.Hashing;
using Entropy.Metadata;
using Entropy.Rpc;

namespace Entropy;

/// <summary>What the client knows about the connected chain, and the few typed reads and writes registration needs.</summary>
internal sealed class ChainSession
{
    private readonly Dictionary<AccountId, ulong> _nextNonce = [];
    private readonly SemaphoreSlim _nonceLock = new(1, 1);

    private ChainSession(RpcClient rpc, RuntimeMetadata metadata, byte[] genesisHash, uint specVersion, uint transactionVersion)
    {
        Rpc = rpc;
        Metadata = metadata;
        Runtime = new RegistrationRuntime(metadata);
        GenesisHash = genesisHash;
        Builder = new ExtrinsicBuilder(metadata, specVersion, transactionVersion, genesisHash);
        EventsKey = metadata.StorageKey("System", "Events");
    }

    public RpcClient Rpc { get; }

    public RuntimeMetadata Metadata { get; }

    public RegistrationRuntime Runtime { get; }

    public ExtrinsicBuilder Builder { get; }

    public byte[] GenesisHash { get; }

    private byte[] EventsKey { get; }

    public static async Task<ChainSession> OpenAsync(RpcClient rpc, CancellationToken cancellationToken)
    {
        var genesis = HexBytes(await rpc.InvokeIdempotentAsync("chain_getBlockHash", [0], cancellationToken).ConfigureAwait(false));
        var version = await rpc.InvokeIdempotentAsync("state_getRuntimeVersion", null, cancellationToken).ConfigureAwait(false);
        var metadataBytes = HexBytes(await rpc.InvokeIdempotentAsync("state_getMetadata", null, cancellationToken).ConfigureAwait(false));
        var metadata = RuntimeMetadata.Parse(metadataBytes);
        return new ChainSession(
            rpc,
            metadata,
            genesis,
            version.GetProperty("specVersion").GetUInt32(),
            version.GetProperty("transactionVersion").GetUInt32());
    }

    public async Task<byte[]?> GetStorageAsync(byte[] key, string? blockHash, CancellationToken cancellationToken)
    {
        object?[] args = blockHash is null ? [key] : [key, blockHash];
        var result = await Rpc.InvokeIdempotentAsync("state_getStorage", args, cancellationToken).ConfigureAwait(false);
        return result.ValueKind == JsonValueKind.Null ? null : HexBytes(result);
    }

    public async Task<(uint Number, string Hash)> GetFinalizedHeadAsync(CancellationToken cancellationToken)
    {
        var hash = (await Rpc.InvokeIdempotentAsync("chain_getFinalizedHead", null, cancellationToken).ConfigureAwait(false)).GetString()!;
        return (await GetBlockNumberAsync(hash, cancellationToken).ConfigureAwait(false), hash);
    }

    public async Task<(uint Number, string Hash)> GetBestHeadAsync(CancellationToken cancellationToken)
    {
        var header = await Rpc.InvokeIdempotentAsync("chain_getHeader", null, cancellationToken).ConfigureAwait(false);
        var number = ParseNumber(header.GetProperty("number"));
        var hash = (await Rpc.InvokeIdempotentAsync("chain_getBlockHash", [number], cancellationToken).ConfigureAwait(false)).GetString()!;
        return (number, hash);
    }

    public async Task<uint> GetBlockNumberAsync(string blockHash, CancellationToken cancellationToken)
    {
        var header = await Rpc.InvokeIdempotentAsync("chain_getHeader", [blockHash], cancellationToken).ConfigureAwait(false);
        if (header.ValueKind == JsonValueKind.Null)
        {
            throw new EntropyException($"The node does not know block {blockHash}.");
        }

        return ParseNumber(header.GetProperty("number"));
    }

    public async Task<string?> GetBlockHashAsync(uint number, CancellationToken cancellationToken)
    {
        var hash = await Rpc.InvokeIdempotentAsync("chain_getBlockHash", [number], cancellationToken).ConfigureAwait(false);
        return hash.ValueKind == JsonValueKind.Null ? null : hash.GetString();
    }

    public async Task<IReadOnlyList<EventRecord>> GetEventsAsync(string blockHash, CancellationToken cancellationToken)
    {
        var bytes = await GetStorageAsync(EventsKey, blockHash, cancellationToken).ConfigureAwait(false);
        return bytes is null ? [] : Metadata.DecodeEvents(bytes);
    }

    /// <summary>Finds the position of an extrinsic in a block by its hash.</summary>
    public async Task<int?> FindExtrinsicIndexAsync(string blockHash, ReadOnlyMemory<byte> transactionHash, CancellationToken cancellationToken)
    {
        var block = await Rpc.InvokeIdempotentAsync("chain_getBlock", [blockHash], cancellationToken).ConfigureAwait(false);
        if (block.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var index = 0;
        Span<byte> hash = stackalloc byte[32];
        foreach (var extrinsic in block.GetProperty("block").GetProperty("extrinsics").EnumerateArray())
        {
            Blake2b.Hash(HexBytes(extrinsic), hash);
            if (hash.SequenceEqual(transactionHash.Span))
            {
                return index;
            }

            index++;
        }

        return null;
    }

    /// <summary>Builds and signs an extrinsic, taking the next nonce for the signer (serialised per account so concurrent submissions never clash).</summary>
    public async Task<SignedExtrinsic> SignAsync(byte[] call, Sr25519Signer signer, UInt128 tip, ulong mortalityPeriod, CancellationToken cancellationToken)
    {
        TransactionParameters parameters;
        var account = signer.AccountId;
        await _nonceLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var chainNonce = ParseNumber(await Rpc.InvokeIdempotentAsync("system_accountNextIndex", [account.ToSs58()], cancellationToken).ConfigureAwait(false));
            var nonce = Math.Max(chainNonce, _nextNonce.GetValueOrDefault(account));
            _nextNonce[account] = nonce + 1;
            if (mortalityPeriod == 0)
            {
                parameters = TransactionParameters.Immortal(nonce, tip);
            }
            else
            {
                var (number, hash) = await GetFinalizedHeadAsync(cancellationToken).ConfigureAwait(false);
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

        var payload = Builder.CreateSigningPayload(call, parameters);
        var signature = await signer.SignAsync(ExtrinsicBuilder.MessageToSign(payload), cancellationToken).ConfigureAwait(false);
        return Builder.Assemble(call, account.AsSpan(), signature.ToArray(), parameters);
    }

    /// <summary>Forgets a nonce reservation after the pool refused the transaction, so the next one does not leave a gap.</summary>
    public void ReleaseNonce(AccountId account) => _nextNonce.Remove(account);

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

    public async Task<UInt128> GetFreeBalanceAsync(AccountId account, CancellationToken cancellationToken)
    {
        var bytes = await GetStorageAsync(Runtime.AccountKey(account), null, cancellationToken).ConfigureAwait(false);
        var info = (CompositeValue)Metadata.DecodeStorageValue("System", "Account", bytes)!.Unwrap();
        return (UInt128)((CompositeValue)info["data"])["free"].AsNumber();
    }

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

    public static byte[] HexBytes(JsonElement element) => HexBytes(element.GetString() ?? throw new EntropyRpcProtocolException(-32600, "expected a hex string", "?", null, TimeSpan.Zero));

    public static byte[] HexBytes(string hex) => Convert.FromHexString(hex.StartsWith("0x", StringComparison.Ordinal) ? hex.AsSpan(2) : hex.AsSpan());

    public static uint ParseNumber(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => element.GetUInt32(),
        JsonValueKind.String when element.GetString()!.StartsWith("0x", StringComparison.Ordinal) => uint.Parse(element.GetString().AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
        JsonValueKind.String => uint.Parse(element.GetString()!, CultureInfo.InvariantCulture),
        _ => throw new EntropyRpcProtocolException(-32600, $"expected a number, got {element.ValueKind}", "?", null, TimeSpan.Zero),
    };
}
