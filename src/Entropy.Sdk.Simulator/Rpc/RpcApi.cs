using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Entropy.Scale;
using Entropy.Simulator.Node;
using Entropy.Simulator.Runtime;

namespace Entropy.Simulator.Rpc;

/// <summary>The Substrate JSON-RPC methods the simulated node serves (the set polkadot-js and the SDK use; see ARCHITECTURE.md).</summary>
internal sealed class RpcApi
{
    private const int MaxKeysPage = 1000;
    private readonly ChainNode _node;
    private readonly ChainFeed _feed;
    private readonly RpcDispatcher _dispatcher;
    private readonly Func<string, byte[]?> _parseAddress;

    public RpcApi(ChainNode node, ChainFeed feed, RpcDispatcher dispatcher, Func<string, byte[]?> parseAddress)
    {
        _node = node;
        _feed = feed;
        _dispatcher = dispatcher;
        _parseAddress = parseAddress;
    }

    public static JsonObject RuntimeVersionJson(uint specVersion = EntropyRuntime.SpecVersion)
    {
        var reader = new ScaleReader(RuntimeFlavor.EncodeVersion(specVersion));
        var specName = reader.ReadString();
        var implName = reader.ReadString();
        var authoring = reader.ReadU32();
        var spec = reader.ReadU32();
        var impl = reader.ReadU32();
        var apis = new JsonArray();
        var count = reader.ReadLength(12);
        for (var i = 0; i < count; i++)
        {
            var id = Hex.Encode(reader.ReadBytes(8));
            apis.Add(new JsonArray(id, reader.ReadU32()));
        }

        var tx = reader.ReadU32();
        var stateVersion = reader.ReadU8();
        return new JsonObject
        {
            ["specName"] = specName,
            ["implName"] = implName,
            ["authoringVersion"] = authoring,
            ["specVersion"] = spec,
            ["implVersion"] = impl,
            ["apis"] = apis,
            ["transactionVersion"] = tx,
            ["stateVersion"] = stateVersion,
        };
    }

    public void Register()
    {
        Add("rpc_methods", _ => new JsonObject { ["methods"] = new JsonArray([.. _dispatcher.MethodNames.Select(n => (JsonNode)JsonValue.Create(n))]) });

        // system_*
        Add("system_name", _ => "Entropy Simulator");
        Add("system_version", _ => "0.0.10-simulator");
        Add("system_chain", _ => "Development");
        Add("system_chainType", _ => "Development");
        Add("system_properties", _ => new JsonObject { ["ss58Format"] = 42, ["tokenDecimals"] = 10, ["tokenSymbol"] = "BITS" });
        Add("system_health", _ => new JsonObject { ["peers"] = 0, ["isSyncing"] = false, ["shouldHavePeers"] = false });
        Add("system_localPeerId", _ => "12D3KooWEntropySimulator");
        Add("system_peers", _ => new JsonArray());
        Add("system_nodeRoles", _ => new JsonArray("Authority"));
        Add("system_syncState", _ =>
        {
            var best = _node.Best.Number;
            return new JsonObject { ["startingBlock"] = 0, ["currentBlock"] = best, ["highestBlock"] = best };
        });
        Add("system_accountNextIndex", call =>
        {
            var text = call.RequiredString(0, "account");
            var account = _parseAddress(text) ?? throw RpcException.Params($"'{text}' is not an SS58 address or a 0x-hex account id");
            return _node.NextIndex(account);
        });

        // chain_*
        Add("chain_getBlockHash", call => GetBlockHash(call));
        Alias("chain_getHead", "chain_getBlockHash");
        Add("chain_getHeader", call => BlockAt(call, 0, required: false)?.Header.ToJson());
        Add("chain_getBlock", call =>
        {
            var block = BlockAt(call, 0, required: false);
            return block is null ? null : new JsonObject
            {
                ["block"] = new JsonObject
                {
                    ["header"] = block.Header.ToJson(),
                    ["extrinsics"] = new JsonArray([.. block.Extrinsics.Select(x => Hex.Node(x))]),
                },
                ["justifications"] = null,
            };
        });
        Add("chain_getFinalizedHead", _ => _node.Finalized.HashHex);
        Alias("chain_getFinalisedHead", "chain_getFinalizedHead");
        Subscription("chain_subscribeNewHeads", "chain_newHead", "chain_unsubscribeNewHeads", s => SubscribeHeads(s, finalized: false));
        Subscription("chain_subscribeAllHeads", "chain_allHead", "chain_unsubscribeAllHeads", s => SubscribeHeads(s, finalized: false));
        Subscription("chain_subscribeFinalizedHeads", "chain_finalizedHead", "chain_unsubscribeFinalizedHeads", s => SubscribeHeads(s, finalized: true));
        Alias("chain_subscribeNewHead", "chain_subscribeNewHeads");
        Alias("chain_unsubscribeNewHead", "chain_unsubscribeNewHeads");
        Alias("chain_subscribeFinalisedHeads", "chain_subscribeFinalizedHeads");
        Alias("chain_unsubscribeFinalisedHeads", "chain_unsubscribeFinalizedHeads");

        // state_*
        Add("state_getMetadata", _ => Hex.Encode(_node.Metadata));
        Add("state_getRuntimeVersion", _ => RuntimeVersionJson(_node.Runtime.CurrentSpecVersion));
        Alias("chain_getRuntimeVersion", "state_getRuntimeVersion");
        Subscription("state_subscribeRuntimeVersion", "state_runtimeVersion", "state_unsubscribeRuntimeVersion", s =>
        {
            var registration = _feed.OnRuntimeUpgraded(spec => s.Notify(RuntimeVersionJson(spec)));
            s.Notify(RuntimeVersionJson(_node.Runtime.CurrentSpecVersion));
            return registration.Dispose;
        });
        Alias("chain_subscribeRuntimeVersion", "state_subscribeRuntimeVersion");
        Alias("chain_unsubscribeRuntimeVersion", "state_unsubscribeRuntimeVersion");
        Add("state_getStorage", call =>
        {
            var key = call.RequiredHex(0, "key");
            var block = BlockAt(call, 1, required: true)!;
            return block.State.TryGetValue(key, out var value) ? Hex.Encode(value) : null;
        });
        Alias("state_getStorageAt", "state_getStorage");
        Add("state_getStorageHash", call =>
        {
            var key = call.RequiredHex(0, "key");
            var block = BlockAt(call, 1, required: true)!;
            return block.State.TryGetValue(key, out var value) ? Hex.Encode(Entropy.Hashing.Blake2b.Hash256(value)) : null;
        });
        Add("state_getStorageSize", call =>
        {
            var key = call.RequiredHex(0, "key");
            var block = BlockAt(call, 1, required: true)!;
            return block.State.TryGetValue(key, out var value) ? value.Length : null;
        });
        Add("state_getKeysPaged", call =>
        {
            var prefix = call.OptionalHex(0, "prefix") ?? [];
            var count = call.OptionalNumber(1, "count") ?? throw RpcException.Params("parameter 1 (count) is required");
            if (count > MaxKeysPage)
            {
                throw new RpcException(4002, $"count exceeds maximum value. value: {count}, max: {MaxKeysPage}");
            }

            var start = call.OptionalHex(2, "startKey");
            var block = BlockAt(call, 3, required: true)!;
            return new JsonArray([.. KeysWithPrefix(block.State, prefix, start).Take((int)count).Select(k => Hex.Node(k))]);
        });
        Add("state_getKeys", call =>
        {
            var prefix = call.RequiredHex(0, "prefix");
            var block = BlockAt(call, 1, required: true)!;
            return new JsonArray([.. KeysWithPrefix(block.State, prefix, null).Select(k => Hex.Node(k))]);
        });
        Add("state_queryStorageAt", call =>
        {
            var keys = ReadKeyList(call, 0);
            var block = BlockAt(call, 1, required: true)!;
            return new JsonArray(new JsonObject { ["block"] = block.HashHex, ["changes"] = Changes(block.State, keys) });
        });
        Subscription("state_subscribeStorage", "state_storage", "state_unsubscribeStorage", SubscribeStorage);
        Add("state_call", StateCall);
        Alias("state_callAt", "state_call");

        // payment_*
        Add("payment_queryInfo", call =>
        {
            var extrinsic = _node.DecodeExtrinsic(call.RequiredHex(0, "extrinsic"));
            var block = BlockAt(call, 1, required: true)!;
            var runtime = _node.Runtime;
            // pallet_transaction_payment::query_info: an unsigned extrinsic has no partial fee.
            var fee = extrinsic.Signer is null ? 0 : runtime.ComputeFee(extrinsic.Call, extrinsic.Length, 0, EntropyRuntime.NextFeeMultiplier(block.State));
            var weight = runtime.DeclaredWeight(extrinsic.Call);
            return new JsonObject
            {
                ["weight"] = new JsonObject { ["refTime"] = weight.RefTime, ["proofSize"] = weight.ProofSize },
                ["class"] = "normal",
                ["partialFee"] = fee.ToString(CultureInfo.InvariantCulture),
            };
        });

        // author_*
        Add("author_submitExtrinsic", call => Hex.Encode(_node.Submit(call.RequiredHex(0, "extrinsic"), null)));
        Add("author_pendingExtrinsics", _ => new JsonArray([.. _node.PendingExtrinsics().Select(x => Hex.Node(x))]));
        AddAsync("author_submitAndWatchExtrinsic", SubmitAndWatch);
        Add("author_unwatchExtrinsic", call => call.Session.Unsubscribe(call.RequiredString(0, "subscription"), "author_submitAndWatchExtrinsic"));

        // dev_* (chopsticks-compatible)
        Add("dev_newBlock", call =>
        {
            var count = 1;
            if (call.Arg(0) is { ValueKind: JsonValueKind.Object } options && options.TryGetProperty("count", out var c) && c.TryGetInt32(out var n))
            {
                count = Math.Clamp(n, 1, 10_000);
            }

            Block? last = null;
            for (var i = 0; i < count; i++)
            {
                last = _node.ProduceBlock();
            }

            return last!.HashHex;
        });
    }

    internal static IEnumerable<byte[]> KeysWithPrefix(ImmutableSortedDictionary<byte[], byte[]> state, byte[] prefix, byte[]? startAfter)
    {
        foreach (var key in state.Keys)
        {
            if (startAfter is not null && key.AsSpan().SequenceCompareTo(startAfter) <= 0)
            {
                continue;
            }

            if (key.AsSpan().StartsWith(prefix))
            {
                yield return key;
            }
            else if (key.AsSpan().SequenceCompareTo(prefix) > 0)
            {
                yield break;
            }
        }
    }

    private static JsonArray Changes(ImmutableSortedDictionary<byte[], byte[]> state, List<byte[]> keys) =>
        new([.. keys.Select(k => (JsonNode)new JsonArray(Hex.Encode(k), state.TryGetValue(k, out var v) ? Hex.Encode(v) : null))]);

    private static List<byte[]> ReadKeyList(RpcCall call, int index)
    {
        if (call.Arg(index) is not { ValueKind: JsonValueKind.Array } array)
        {
            throw RpcException.Params($"parameter {index} (keys) must be an array of hex keys");
        }

        return [.. array.EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.String
            ? Hex.Decode(e.GetString()!, $"key {i}")
            : throw RpcException.Params($"key {i} must be a hex string"))];
    }

    private void Add(string name, Func<RpcCall, JsonNode?> method) =>
        _dispatcher.Register(name, call => ValueTask.FromResult(method(call)));

    private void AddAsync(string name, Func<RpcCall, ValueTask<JsonNode?>> method) => _dispatcher.Register(name, call => method(call));

    private void Alias(string alias, string name)
    {
        // Aliases share the target's handler (and its subscription kind, so either unsubscribe name works).
        _dispatcher.Register(alias, _dispatcher.Get(name));
    }

    private void Subscription(string subscribe, string notification, string unsubscribe, Func<RpcSession.Subscription, Action> start) =>
        Subscription(subscribe, notification, unsubscribe, (_, s) => start(s));

    private void Subscription(string subscribe, string notification, string unsubscribe, Func<RpcCall, RpcSession.Subscription, Action> start)
    {
        Add(subscribe, call =>
        {
            var subscription = call.Session.CreateSubscription(notification, subscribe);
            subscription.OnDispose = start(call, subscription);
            call.AfterResponse(subscription.Activate);
            return subscription.Id;
        });
        Add(unsubscribe, call => call.Session.Unsubscribe(call.RequiredString(0, "subscription"), subscribe));
    }

    private Action SubscribeHeads(RpcSession.Subscription subscription, bool finalized)
    {
        void Handler(Block block) => subscription.NotifyRaw(block.HeaderJson);
        if (finalized)
        {
            var registration = _feed.OnNewFinalized(Handler);
            subscription.NotifyRaw(_node.Finalized.HeaderJson);
            return registration.Dispose;
        }

        var best = _feed.OnNewBest(Handler);
        subscription.NotifyRaw(_node.Best.HeaderJson);
        return best.Dispose;
    }

    private Action SubscribeStorage(RpcCall call, RpcSession.Subscription subscription)
    {
        var keys = call.Arg(0) is null ? [] : ReadKeyList(call, 0);
        var gate = new Lock();
        var previous = _node.Best;
        void Handler(Block block)
        {
            JsonArray changes;
            lock (gate)
            {
                var changed = keys.Where(k =>
                {
                    var before = previous.State.TryGetValue(k, out var a) ? a : null;
                    var after = block.State.TryGetValue(k, out var b) ? b : null;
                    return !(before ?? []).AsSpan().SequenceEqual(after ?? []) || (before is null) != (after is null);
                }).ToList();
                previous = block;
                if (changed.Count == 0)
                {
                    return;
                }

                changes = Changes(block.State, changed);
            }

            subscription.Notify(new JsonObject { ["block"] = block.HashHex, ["changes"] = changes });
        }

        IDisposable registration;
        lock (gate)
        {
            registration = _feed.OnNewBest(Handler);
            subscription.Notify(new JsonObject { ["block"] = previous.HashHex, ["changes"] = Changes(previous.State, keys) });
        }

        return registration.Dispose;
    }

    private JsonNode? GetBlockHash(RpcCall call)
    {
        var arg = call.Arg(0);
        if (arg is { ValueKind: JsonValueKind.Array } list)
        {
            var result = new JsonArray();
            foreach (var item in list.EnumerateArray())
            {
                result.Add(item.TryGetUInt32(out var n) ? _node.GetBlock(n)?.HashHex : null);
            }

            return result;
        }

        var number = call.OptionalNumber(0, "blockNumber");
        if (number is null)
        {
            return _node.Best.HashHex;
        }

        return number <= uint.MaxValue ? _node.GetBlock((uint)number.Value)?.HashHex : null;
    }

    /// <summary>Resolves an optional block-hash parameter: absent means the best block; an unknown hash is an error or null.</summary>
    private Block? BlockAt(RpcCall call, int index, bool required)
    {
        var hash = call.OptionalString(index, "hash");
        if (hash is null)
        {
            return _node.Best;
        }

        Hex.Decode(hash, $"parameter {index} (hash)");
        var block = _node.GetBlock(hash);
        if (block is null && required)
        {
            throw new RpcException(4003, $"Client error: UnknownBlock: State already discarded for {hash}");
        }

        return block;
    }

    private JsonNode? StateCall(RpcCall call)
    {
        var method = call.RequiredString(0, "method");
        var data = call.OptionalHex(1, "data") ?? [];
        var block = BlockAt(call, 2, required: true)!;
        byte[] result;
        try
        {
            result = method switch
            {
                "Core_version" => RuntimeFlavor.EncodeVersion(_node.Runtime.CurrentSpecVersion),
                "Metadata_metadata" => ScaleBytes.Build(w => w.WriteByteVec(_node.Metadata)),
                "Metadata_metadata_versions" => ScaleBytes.Build(w => { w.WriteCompact(1UL); w.WriteU32(15); }),
                "Metadata_metadata_at_version" => MetadataAtVersion(data),
                "AccountNonceApi_account_nonce" => ScaleBytes.U32(EntropyRuntime.GetAccount(block.State, ReadAccount(data)).Nonce),
                "TransactionPaymentApi_query_info" => QueryInfo(data, block),
                _ => throw new RpcException(RpcException.StateClientError, $"Client error: Execution failed: Other: Exported method {method} is not found"),
            };
        }
        catch (ScaleFormatException e)
        {
            throw new RpcException(RpcException.StateClientError, $"Client error: Execution failed: Runtime panicked: Bad input data provided to {method}: {e.Message}");
        }

        return Hex.Encode(result);
    }

    private byte[] MetadataAtVersion(byte[] data)
    {
        var reader = new ScaleReader(data);
        var version = reader.ReadU32();
        reader.EnsureEnd();
        return version == 15
            ? ScaleBytes.Build(w => { w.WriteOptionSome(); w.WriteByteVec(_node.Metadata); })
            : [0];
    }

    private static byte[] ReadAccount(byte[] data)
    {
        var reader = new ScaleReader(data);
        var account = reader.ReadBytes(32).ToArray();
        reader.EnsureEnd();
        return account;
    }

    private byte[] QueryInfo(byte[] data, Block block)
    {
        // (extrinsic: UncheckedExtrinsic, len: u32) -> RuntimeDispatchInfo { weight, class, partial_fee }
        var reader = new ScaleReader(data);
        var length = reader.ReadCompactU32();
        var start = reader.BytesConsumed;
        var body = reader.ReadBytes((int)length);
        var encoded = data.AsSpan(0, start + body.Length).ToArray();
        var declared = reader.ReadU32();
        reader.EnsureEnd();
        var extrinsic = _node.DecodeExtrinsic(encoded);
        var runtime = _node.Runtime;
        var fee = extrinsic.Signer is null ? 0 : runtime.ComputeFee(extrinsic.Call, (int)declared, 0, EntropyRuntime.NextFeeMultiplier(block.State));
        var weight = runtime.DeclaredWeight(extrinsic.Call);
        return ScaleBytes.Build(w =>
        {
            w.WriteCompact(weight.RefTime);
            w.WriteCompact(weight.ProofSize);
            w.WriteU8(0);
            w.WriteU128(fee);
        });
    }

    private ValueTask<JsonNode?> SubmitAndWatch(RpcCall call)
    {
        var encoded = call.RequiredHex(0, "extrinsic");
        var subscription = call.Session.CreateSubscription("author_extrinsicUpdate", "author_submitAndWatchExtrinsic");
        try
        {
            _node.Submit(encoded, (status, block, usurpedBy) =>
            {
                JsonNode update = status switch
                {
                    TransactionStatus.Future => "future",
                    TransactionStatus.Ready => "ready",
                    TransactionStatus.InBlock => new JsonObject { ["inBlock"] = block!.HashHex },
                    TransactionStatus.Retracted => new JsonObject { ["retracted"] = block!.HashHex },
                    TransactionStatus.Finalized => new JsonObject { ["finalized"] = block!.HashHex },
                    TransactionStatus.Usurped => new JsonObject { ["usurped"] = Hex.Encode(usurpedBy!) },
                    TransactionStatus.Invalid => "invalid",
                    _ => "dropped",
                };
                subscription.Notify(update);
                if (status is TransactionStatus.Finalized or TransactionStatus.Invalid or TransactionStatus.Dropped or TransactionStatus.Usurped)
                {
                    subscription.Close();
                }
            });
        }
        catch
        {
            call.Session.Unsubscribe(subscription.Id, "author_submitAndWatchExtrinsic");
            throw;
        }

        call.AfterResponse(subscription.Activate);
        return ValueTask.FromResult<JsonNode?>(subscription.Id);
    }
}
