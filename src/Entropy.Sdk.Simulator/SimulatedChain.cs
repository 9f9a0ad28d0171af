using Entropy.Crypto;
using Entropy.Simulator.Node;
using Entropy.Simulator.Rpc;
using Entropy.Simulator.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Entropy.Simulator;

/// <summary>
/// An in-process Entropy chain node: the runtime logic of the pallets the registration flow uses, a transaction pool that
/// checks what a real node checks, block authoring, and a Substrate JSON-RPC server (WebSocket and HTTP) on 127.0.0.1.
/// </summary>
/// <remarks>
/// Any Substrate client can connect to <see cref="WebSocketEndpoint"/>; see ARCHITECTURE.md, "The simulator", and
/// <see href="https://docs.entropy.xyz/concepts/registering"/>.
/// </remarks>
public sealed class SimulatedChain : IAsyncDisposable
{
    private readonly SimulatedChainOptions _options;
    private readonly ILogger _logger;
    private ChainNode? _node;
    private RpcHost? _host;
    private RpcDispatcher? _inProcess;
    private ChainFeed? _feed;
    private int _disposed;

    /// <summary>Creates a chain with the given settings; call <see cref="StartAsync"/> to start it.</summary>
    /// <param name="options">The settings; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ArgumentException">A setting is out of range (the exception names the property).</exception>
    public SimulatedChain(SimulatedChainOptions? options = null)
    {
        _options = options ?? new SimulatedChainOptions();
        _options.Validate();
        _logger = _options.LoggerFactory?.CreateLogger<SimulatedChain>() ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Gets the JSON-RPC WebSocket endpoint, e.g. <c>ws://127.0.0.1:9944</c>.</summary>
    /// <exception cref="InvalidOperationException">The chain has not been started.</exception>
    public Uri WebSocketEndpoint => new($"ws://127.0.0.1:{Host.Port}");

    /// <summary>Gets the JSON-RPC HTTP endpoint (POST), e.g. <c>http://127.0.0.1:9944</c>.</summary>
    /// <exception cref="InvalidOperationException">The chain has not been started.</exception>
    public Uri HttpEndpoint => new($"http://127.0.0.1:{Host.Port}");

    /// <summary>Gets the genesis block hash as 0x-prefixed hex.</summary>
    /// <exception cref="InvalidOperationException">The chain has not been started.</exception>
    public string GenesisHash => Node.Genesis.HashHex;

    /// <summary>Gets the number of the best block.</summary>
    /// <exception cref="InvalidOperationException">The chain has not been started.</exception>
    public uint BestBlockNumber => Node.Best.Number;

    internal ChainNode Node => _node ?? throw new InvalidOperationException("The simulated chain has not been started; call StartAsync first.");

    private RpcHost Host => _host ?? throw new InvalidOperationException("The simulated chain has not been started; call StartAsync first.");

    /// <summary>Builds genesis, starts block authoring and the JSON-RPC server.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the server is listening.</returns>
    /// <exception cref="InvalidOperationException">The chain was already started.</exception>
    /// <exception cref="ObjectDisposedException">The chain was disposed.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_node is not null)
        {
            throw new InvalidOperationException("The simulated chain is already started.");
        }

        var node = new ChainNode(_options, VerifySignature, _options.LoggerFactory?.CreateLogger<ChainNode>() ?? (ILogger)NullLogger.Instance);
        var feed = new ChainFeed(node, _options.LoggerFactory?.CreateLogger<ChainFeed>() ?? (ILogger)NullLogger.Instance);
        var dispatcher = new RpcDispatcher(_options.LoggerFactory?.CreateLogger<RpcDispatcher>() ?? (ILogger)NullLogger.Instance);
        new RpcApi(node, feed, dispatcher, AccountIds.TryParse).Register();
        var host = new RpcHost(dispatcher, _options.MaxRequestBytes, _options.LoggerFactory);
        try
        {
            await host.StartAsync(_options.Port, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            await feed.DisposeAsync().ConfigureAwait(false);
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _feed = feed;
        var inProcess = new RpcDispatcher(_options.LoggerFactory?.CreateLogger<RpcDispatcher>() ?? (ILogger)NullLogger.Instance);
        new RpcApi(node, feed, inProcess, AccountIds.TryParse).Register();
        _inProcess = inProcess;
        _node = node;
        _host = host;
        dispatcher.Port = host.Port;
        Diagnostics.DevnetTelemetry.Track(node, host.Port);
        node.Start();
        _logger.LogInformation("Entropy simulator listening on {Endpoint} (genesis {Genesis})", WebSocketEndpoint, node.Genesis.HashHex);
    }

    /// <summary>
    /// Authors one block now (any mode), including every ready transaction, and returns once the block's observers have handled it:
    /// in an <see cref="EntropyDevnet"/>, the off-chain worker has posted the block's registrations to the threshold servers, so the
    /// next block cannot overtake it (the servers refuse a message whose block is no longer the head's parent).
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for the observers (the block is authored either way).</param>
    /// <returns>The new block's number.</returns>
    /// <exception cref="InvalidOperationException">The chain has not been started.</exception>
    public async Task<uint> ProduceBlockAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var number = Node.ProduceBlock().Number;
        await Node.WhenObservedAsync(number, cancellationToken).ConfigureAwait(false);
        return number;
    }

    /// <summary>Gets the runtime's current spec version (10 until <see cref="UpgradeRuntime"/>).</summary>
    /// <exception cref="InvalidOperationException">The chain has not been started.</exception>
    public uint SpecVersion => Node.Runtime.CurrentSpecVersion;

    /// <summary>Fault hook: aborts every open WebSocket connection; clients see the connection drop (chain state and the pool are kept).</summary>
    /// <returns>How many connections were aborted.</returns>
    /// <exception cref="InvalidOperationException">The chain has not been started.</exception>
    public int DropConnections() => Host.AbortConnections();

    /// <summary>Fault hook: restarts the node's JSON-RPC server on the same port (connections drop; chain state, the pool and block authoring are kept).</summary>
    /// <param name="downtime">How long the node is unreachable.</param>
    /// <param name="cancellationToken">Cancels the restart.</param>
    /// <returns>A task that completes when the server listens again.</returns>
    /// <exception cref="InvalidOperationException">The chain has not been started.</exception>
    public async Task RestartAsync(TimeSpan downtime, CancellationToken cancellationToken = default)
    {
        var old = Host;
        var port = old.Port;
        await old.DisposeAsync().ConfigureAwait(false);
        await Task.Delay(downtime, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        var dispatcher = new RpcDispatcher(_options.LoggerFactory?.CreateLogger<RpcDispatcher>() ?? (ILogger)NullLogger.Instance);
        new RpcApi(Node, _feed!, dispatcher, AccountIds.TryParse).Register();
        var host = new RpcHost(dispatcher, _options.MaxRequestBytes, _options.LoggerFactory);
        await host.StartAsync(port, cancellationToken).ConfigureAwait(false);
        dispatcher.Port = host.Port;
        _host = host;
        _logger.LogInformation("Entropy simulator restarted on {Endpoint}", WebSocketEndpoint);
    }

    /// <summary>
    /// Creates a JSON-RPC transport for code that runs inside the node (the off-chain worker): it reaches the node's methods without
    /// a socket, so <see cref="RestartAsync"/> and <see cref="DropConnections"/> do not affect it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The chain has not been started.</exception>
    internal Entropy.Rpc.RpcTransport CreateInProcessTransport() =>
        new InProcessRpcTransport(_inProcess ?? throw new InvalidOperationException("The simulated chain has not been started; call StartAsync first."));

    /// <summary>Fault hook: removes every transaction from the pool; their watchers see <c>dropped</c>.</summary>
    /// <returns>How many transactions were dropped.</returns>
    /// <exception cref="InvalidOperationException">The chain has not been started.</exception>
    public int DropPendingTransactions() => Node.DropPendingTransactions();

    /// <summary>
    /// Fault hook: a reorg that retracts block <paramref name="fromNumber"/> and every later block. Their transactions return to the
    /// pool and are included again in the next blocks, which form a new fork (watchers see <c>retracted</c>, then <c>inBlock</c>), or are dropped.
    /// </summary>
    /// <param name="fromNumber">The first block to retract; it must not be finalized (use <see cref="SimulatedChainOptions.FinalityLag"/>).</param>
    /// <param name="keepTransactions"><see langword="true"/> to re-include the retracted transactions, <see langword="false"/> to drop them.</param>
    /// <exception cref="InvalidOperationException">The chain has not been started, the block is finalized, or it is beyond the best block.</exception>
    public void RetractBlocks(uint fromNumber, bool keepTransactions = true) => Node.Retract(fromNumber, keepTransactions);

    /// <summary>Fault hook: a runtime upgrade; the spec version changes (signatures must commit to the new one) and <c>state_subscribeRuntimeVersion</c> subscribers are notified.</summary>
    /// <param name="specVersion">The new spec version.</param>
    /// <exception cref="InvalidOperationException">The chain has not been started.</exception>
    public void UpgradeRuntime(uint specVersion) => Node.UpgradeRuntime(specVersion);

    /// <summary>Stops the server and block authoring; pending watched transactions get <c>dropped</c>.</summary>
    /// <returns>A task that completes when everything has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
        }

        if (_feed is not null)
        {
            await _feed.DisposeAsync().ConfigureAwait(false);
        }

        if (_node is not null)
        {
            Diagnostics.DevnetTelemetry.Untrack(_node);
            await _node.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>MultiSignature check: sr25519 (1) with the SDK's verifier, ed25519 (0) with libsodium; ecdsa (2) is not supported.</summary>
    internal static bool VerifySignature(byte signatureType, ReadOnlySpan<byte> signer, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        switch (signatureType)
        {
            case 1:
                return signature.Length == 64 && Sr25519.Verify(new Sr25519PublicKey(signer), message, new Sr25519Signature(signature));
            case 0:
                {
                    var algorithm = NSec.Cryptography.SignatureAlgorithm.Ed25519;
                    return NSec.Cryptography.PublicKey.TryImport(algorithm, signer, NSec.Cryptography.KeyBlobFormat.RawPublicKey, out var key)
                        && algorithm.Verify(key!, message, signature);
                }

            default:
                return false;
        }
    }
}
