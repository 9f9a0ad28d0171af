using System.Collections.Immutable;
using System.Threading.Channels;
using Entropy.Scale;
using Entropy.Simulator.Rpc;
using Entropy.Simulator.Runtime;
using GenesisBuilder = Entropy.Simulator.Runtime.Genesis;
using Microsoft.Extensions.Logging;

namespace Entropy.Simulator.Node;


/// <summary>
/// The chain: blocks, state per block, the transaction pool and block authoring. All mutation happens under one lock, so the
/// state a client reads at a block hash never changes.
/// </summary>
internal sealed partial class ChainNode : IAsyncDisposable
{
    private const int MaxExtrinsicsPerBlock = 20_000;
    private const int MaxPoolSize = 100_000;
    private readonly Lock _lock = new();
    private readonly List<Block> _blocks = [];
    private readonly Dictionary<string, Block> _byHash = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PoolEntry> _pool = new(StringComparer.Ordinal);

    // Beside _pool (changed only through AddToPool/RemoveFromPool/ClearPool): each signer's pooled transactions by nonce, so
    // the nonce checks (NextIndex, same-nonce rival, ChainsToPool) do not scan the whole pool, and the held (future) ones.
    private readonly Dictionary<byte[], Dictionary<uint, PoolEntry>> _poolBySigner = new(ByteArrayComparer.Instance);
    private readonly HashSet<PoolEntry> _futures = new(ReferenceEqualityComparer.Instance);
    private readonly List<(uint Number, string Hash, TransactionWatcher Watcher)> _awaitingFinality = [];
    private readonly List<Func<Block, CancellationToken, Task>> _blockObservers = [];
    private readonly Channel<Block> _observerQueue = Channel.CreateUnbounded<Block>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SimulatedChainOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly SemaphoreSlim _produceSignal = new(0);
    /// <summary>How long interval authoring waits for the previous block's observers (the off-chain worker) before authoring anyway.</summary>
    private static readonly TimeSpan s_observerWaitLimit = TimeSpan.FromSeconds(3);
    private TaskCompletionSource _observed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _observedThrough;
    private Task? _producer;
    private Task? _observerLoop;
    private BlockContext? _validationContext;
    private readonly List<SubmissionRecord> _submissions = [];
    private long _sequence;
    private ulong _lastTimestamp;

    public ChainNode(SimulatedChainOptions options, SignatureVerifier verifier, ILogger logger)
    {
        _options = options;
        _logger = logger;
        Flavor = RuntimeFlavor.For(options.Runtime);
        Metadata = options.ServedMetadata is { } serve ? serve(Flavor.LoadMetadata()) : Flavor.LoadMetadata();
        Validators = GenesisBuilder.Validators(options.Subgroups, options.ValidatorsPerSubgroup, options.ThresholdServerBasePort);
        Runtime = new EntropyRuntime(Flavor, options.Subgroups, verifier);
        var state = GenesisBuilder.Build(Flavor, Validators, options.Subgroups, options.EndowedAccounts, options.Programs);
        var header = new Header(new byte[32], 0, Block.ComputeStateRoot(state), Block.ComputeExtrinsicsRoot([]));
        var genesis = new Block(header, [], state);
        Runtime.GenesisHash = genesis.Hash;
        AddBlock(genesis);
        Finalized = genesis;
    }

    /// <summary>Raised (outside the lock) for every new best block, in order.</summary>
    public event Action<Block>? NewBest;

    /// <summary>Raised (outside the lock) for every newly finalized block, in order.</summary>
    public event Action<Block>? NewFinalized;

    /// <summary>Raised with the new spec version after <see cref="UpgradeRuntime"/>.</summary>
    public event Action<uint>? RuntimeUpgraded;

    /// <summary>Gets or sets a hook run before every submission is decoded and validated (a fault hook: it can change the chain in the window between signing and submission).</summary>
    public Action<byte[]>? BeforeSubmit { get; set; }

    /// <summary>Gets every submission the node accepted for validation (decodable extrinsics only), in arrival order.</summary>
    public IReadOnlyList<SubmissionRecord> Submissions
    {
        get
        {
            lock (_lock)
            {
                return [.. _submissions];
            }
        }
    }

    public RuntimeFlavor Flavor { get; }

    public EntropyRuntime Runtime { get; }

    /// <summary>Gets the runtime metadata as served by <c>state_getMetadata</c> (<c>"meta"</c> magic + V15).</summary>
    public byte[] Metadata { get; }

    public IReadOnlyList<DevValidator> Validators { get; }

    public Block Genesis => _blocks[0];

    public Block Best
    {
        get
        {
            lock (_lock)
            {
                return _blocks[^1];
            }
        }
    }

    public Block Finalized { get; private set; }

    /// <summary>Gets or sets the JSON-RPC port the node's measurements are tagged with (<c>server.port</c>); 0 before the server listens.</summary>
    public int TelemetryPort { get; set; }

    /// <summary>Gets how blocks are authored (<see cref="SimulatedChainOptions.BlockProduction"/>).</summary>
    public BlockProductionMode BlockProduction => _options.BlockProduction;

    public int PoolCount
    {
        get
        {
            lock (_lock)
            {
                return _pool.Count;
            }
        }
    }

    public void Start()
    {
        _observerLoop = Task.Run(ObserverLoopAsync);
        if (_options.BlockProduction != BlockProductionMode.Manual)
        {
            _producer = Task.Run(ProducerLoopAsync);
        }
    }

    /// <summary>Registers a hook run after every new block, in block order, off the authoring path (the off-chain-worker seam).</summary>
    public void AddBlockObserver(Func<Block, CancellationToken, Task> observer)
    {
        lock (_lock)
        {
            _blockObservers.Add(observer);
        }
    }

    public Block? GetBlock(uint number)
    {
        lock (_lock)
        {
            return number < _blocks.Count ? _blocks[(int)number] : null;
        }
    }

    public Block? GetBlock(string hashHex)
    {
        lock (_lock)
        {
            return _byHash.GetValueOrDefault(hashHex.ToLowerInvariant());
        }
    }

    public IReadOnlyList<byte[]> PendingExtrinsics()
    {
        lock (_lock)
        {
            return _pool.Values.OrderBy(e => e.Sequence).Select(e => e.Extrinsic.Encoded).ToList();
        }
    }

    /// <summary>The next nonce for <paramref name="account"/>: the state's nonce, advanced past the contiguous nonces already in the pool.</summary>
    public uint NextIndex(byte[] account)
    {
        lock (_lock)
        {
            var nonce = EntropyRuntime.GetAccount(_blocks[^1].State, account).Nonce;
            var pending = _poolBySigner.GetValueOrDefault(account);
            while (pending is not null && pending.ContainsKey(nonce))
            {
                nonce++;
            }

            return nonce;
        }
    }

    /// <summary>Decodes and validates an extrinsic and adds it to the pool; throws <see cref="RpcException"/> with Substrate's author error codes.</summary>
    public byte[] Submit(byte[] encoded, TransactionWatcher? watcher)
    {
        BeforeSubmit?.Invoke(encoded);
        Extrinsic extrinsic;
        try
        {
            var reader = new ScaleReader(encoded);
            var declared = reader.ReadCompactU32();
            if (declared != reader.Remaining)
            {
                throw new RpcException(RpcException.BadFormat, $"Extrinsic has invalid format: the length prefix says {declared} bytes but {reader.Remaining} follow");
            }

            extrinsic = Extrinsic.Decode(encoded, Flavor);
        }
        catch (ScaleFormatException e)
        {
            // What a runtime reports when validate_transaction cannot decode its input.
            throw new RpcException(RpcException.VerificationError, $"Verification Error: Runtime error: Execution failed: Could not decode extrinsic: {e.Message}", e.Message);
        }

        TransactionStatus status;
        List<PoolEntry> promoted;
        PoolEntry? usurped = null;
        lock (_lock)
        {
            _submissions.Add(new SubmissionRecord(extrinsic.Hash, extrinsic.Signer, extrinsic.Nonce, extrinsic.Call.Name));
            var hashHex = Hex.Encode(extrinsic.Hash);
            if (_pool.ContainsKey(hashHex))
            {
                throw new RpcException(RpcException.PoolAlreadyImported, "Transaction Already Imported", hashHex);
            }

            if (_pool.Count >= MaxPoolSize)
            {
                throw new RpcException(RpcException.PoolImmediatelyDropped, "Immediately Dropped", "The transaction couldn't enter the pool because of the limit");
            }

            var context = _validationContext ??= Runtime.InitializeBlock(_blocks[^1].State, _blocks[^1].Number + 1, _blocks[^1].Hash);
            var invalid = Runtime.Validate(context, extrinsic, out var isFuture);
            if (invalid is not null)
            {
                throw ToRpc(invalid);
            }

            if (extrinsic.Signer is { } signer
                && _poolBySigner.TryGetValue(signer, out var signerPool) && signerPool.TryGetValue(extrinsic.Nonce, out var rival))
            {
                // Substrate's pool replaces a transaction with the same (signer, nonce) tag only for a higher priority (here: tip).
                if (extrinsic.Tip <= rival.Extrinsic.Tip)
                {
                    throw new RpcException(RpcException.PoolTooLowPriority, $"Priority is too low: ({rival.Extrinsic.Tip} vs {extrinsic.Tip})",
                        "The transaction has too low priority to replace another transaction already in the pool.");
                }

                RemoveFromPool(rival);
                usurped = rival;
            }

            status = isFuture && !ChainsToPool(extrinsic) ? TransactionStatus.Future : TransactionStatus.Ready;
            AddToPool(new PoolEntry(extrinsic, ++_sequence, watcher) { IsFuture = status == TransactionStatus.Future });
            promoted = status == TransactionStatus.Ready ? PromoteFutures() : [];
        }

        usurped?.Watcher?.Invoke(TransactionStatus.Usurped, null, extrinsic.Hash);
        watcher?.Invoke(status, null);
        foreach (var entry in promoted)
        {
            entry.Watcher?.Invoke(TransactionStatus.Ready, null);
        }

        if (status == TransactionStatus.Ready && _options.BlockProduction == BlockProductionMode.Instant)
        {
            _produceSignal.Release();
        }

        return extrinsic.Hash;
    }

    /// <summary>Validates without adding to the pool (used by <c>payment_queryInfo</c> callers that want the decoded call).</summary>
    public Extrinsic DecodeExtrinsic(byte[] encoded)
    {
        try
        {
            return Extrinsic.Decode(encoded, Flavor);
        }
        catch (ScaleFormatException e)
        {
            throw new RpcException(RpcException.InvalidParams, "Invalid params", $"Could not decode extrinsic: {e.Message}");
        }
    }

    /// <summary>Removes every transaction from the pool; their watchers see <c>dropped</c> (as when a node's pool evicts them).</summary>
    public int DropPendingTransactions()
    {
        List<PoolEntry> dropped;
        lock (_lock)
        {
            dropped = ClearPool();
            _validationContext = null;
        }

        foreach (var entry in dropped)
        {
            entry.Watcher?.Invoke(TransactionStatus.Dropped, null);
        }

        return dropped.Count;
    }

    /// <summary>
    /// Retracts block <paramref name="fromNumber"/> and every block after it (a reorg). Their signed transactions return to the pool (watchers see
    /// <c>retracted</c>, later <c>inBlock</c> again), or with <paramref name="keepTransactions"/> false they are dropped. The next
    /// blocks are authored as usual, so the chain continues on a new fork with new hashes.
    /// </summary>
    /// <exception cref="InvalidOperationException">A block to retract is finalized, or <paramref name="fromNumber"/> is beyond the best block.</exception>
    public void Retract(uint fromNumber, bool keepTransactions)
    {
        var notifications = new List<(TransactionWatcher Watcher, TransactionStatus Status, Block Block)>();
        lock (_lock)
        {
            var best = _blocks[^1].Number;
            if (fromNumber > best || fromNumber <= Finalized.Number)
            {
                throw new InvalidOperationException($"Cannot retract from #{fromNumber}: best is #{best}, finalized is #{Finalized.Number} (set a FinalityLag).");
            }

            var depth = (int)(best - fromNumber + 1);

            for (var i = 0; i < depth; i++)
            {
                var block = _blocks[^1];
                _blocks.RemoveAt(_blocks.Count - 1);
                var watchers = _awaitingFinality.Where(w => w.Number == block.Number).ToDictionary(w => w.Hash, w => w.Watcher, StringComparer.Ordinal);
                _awaitingFinality.RemoveAll(w => w.Number == block.Number);
                foreach (var encoded in block.Extrinsics)
                {
                    var extrinsic = Extrinsic.Decode(encoded, Flavor);
                    if (!extrinsic.IsSigned)
                    {
                        continue;
                    }

                    var watcher = watchers.GetValueOrDefault(Hex.Encode(extrinsic.Hash));
                    if (keepTransactions)
                    {
                        AddToPool(new PoolEntry(extrinsic, ++_sequence, watcher));
                    }

                    if (watcher is not null)
                    {
                        notifications.Add((watcher, TransactionStatus.Retracted, block));
                        if (!keepTransactions)
                        {
                            notifications.Add((watcher, TransactionStatus.Dropped, block));
                        }
                    }
                }
            }

            _validationContext = null;
        }

        foreach (var (watcher, status, block) in notifications)
        {
            watcher(status, block);
        }
    }

    /// <summary>Simulates a runtime upgrade: the spec version changes (signatures must commit to it) and runtime-version subscribers are notified.</summary>
    public void UpgradeRuntime(uint specVersion)
    {
        lock (_lock)
        {
            Runtime.CurrentSpecVersion = specVersion;
            _validationContext = null;
        }

        RuntimeUpgraded?.Invoke(specVersion);
    }

    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync().ConfigureAwait(false);
        _observerQueue.Writer.TryComplete();
        foreach (var task in new[] { _producer, _observerLoop })
        {
            if (task is not null)
            {
                try
                {
                    await task.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        List<PoolEntry> dropped;
        lock (_lock)
        {
            dropped = ClearPool();
        }

        foreach (var entry in dropped)
        {
            entry.Watcher?.Invoke(TransactionStatus.Dropped, null);
        }

        _shutdown.Dispose();
        _produceSignal.Dispose();
    }

    internal static RpcException ToRpc(TransactionValidityError error) => error.Unknown is not null
        ? new RpcException(RpcException.PoolUnknownValidity, "Unknown Transaction Validity", error.Unknown)
        : new RpcException(RpcException.PoolInvalidTx, "Invalid Transaction", error.Message);

    private void AddBlock(Block block)
    {
        _blocks.Add(block);
        _byHash[block.HashHex] = block;
    }
}
