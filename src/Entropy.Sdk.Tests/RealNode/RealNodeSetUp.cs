using System.Globalization;
using System.Numerics;
using Entropy.Simulator;

namespace Entropy.Tests.RealNode;

/// <summary>Owns the one chopsticks node shared by every test in the <c>Entropy.Tests.RealNode</c> namespace.</summary>
/// <remarks>
/// The node is started on first use (so a run filtered to the simulator fixtures never starts it) and stopped once, after the last
/// test of the namespace. Tests share the chain: a test that changes state (a transfer) must not assume balances other tests left
/// alone, only relations it measures itself (before/after).
/// </remarks>
[SetUpFixture]
public sealed class RealNodeSetUp
{
    private static readonly Lock s_gate = new();
    private static Task<ChopsticksNode>? s_start;

    /// <summary>Gets the running node; only valid after <see cref="GetNodeAsync"/> completed.</summary>
    public static ChopsticksNode Node => s_start is { IsCompletedSuccessfully: true } start
        ? start.Result
        : throw new InvalidOperationException("The chopsticks node is not running; await RealNodeSetUp.GetNodeAsync() first.");

    /// <summary>Starts the shared node on first call; later calls return the same node.</summary>
    /// <returns>The running node.</returns>
    public static Task<ChopsticksNode> GetNodeAsync()
    {
        lock (s_gate)
        {
            return s_start ??= ChopsticksNode.StartAsync();
        }
    }

    [OneTimeTearDown]
    public async Task StopNodeAsync()
    {
        Task<ChopsticksNode>? start;
        lock (s_gate)
        {
            start = s_start;
            s_start = null;
        }

        if (start is { IsCompletedSuccessfully: true })
        {
            await start.Result.DisposeAsync();
        }
    }
}

/// <summary>Base class for tests against the shared chopsticks node only (category <c>RealNode</c>).</summary>
[Category("RealNode")]
public abstract class RealNodeTestBase
{
    /// <summary>Gets the shared node.</summary>
    protected static ChopsticksNode Node => RealNodeSetUp.Node;

    /// <summary>Gets the node's WebSocket endpoint.</summary>
    protected static Uri Endpoint => RealNodeSetUp.Node.Endpoint;

    [OneTimeSetUp]
    public async Task StartSharedNodeAsync() => await RealNodeSetUp.GetNodeAsync();
}

/// <summary>The node a chain-client contract fixture runs against.</summary>
public enum NodeKind
{
    /// <summary>A fresh in-process <see cref="SimulatedChain"/> per fixture (v0.0.10 runtime, instant blocks).</summary>
    Simulator,

    /// <summary>The shared chopsticks node (2023 devnet spec, instant blocks); category <c>RealNode</c>.</summary>
    Chopsticks,
}

/// <summary>What legitimately differs between the nodes (chain spec, runtime, genesis accounts); the assertions stay the same.</summary>
/// <param name="GenesisHash">The genesis hash as 0x-prefixed lowercase hex.</param>
/// <param name="SpecVersion">The runtime's spec version.</param>
/// <param name="TransactionVersion">The runtime's transaction version.</param>
/// <param name="MetadataVersion">The metadata version the SDK picks (15 when the runtime offers it).</param>
/// <param name="MetadataFixture">The fixture below testdata/ that <c>state_getMetadata</c> equals byte for byte.</param>
/// <param name="Ss58Format">The <c>ss58Format</c> property, when the chain spec sets one.</param>
/// <param name="AliceInitialFree">//Alice's free balance at genesis, in planck.</param>
/// <param name="TransferCall">The Balances call that transfers and may create the destination account.</param>
/// <param name="BelowMinimumError">The dispatch error of a transfer below the existential deposit to a new account: kind, pallet, name.</param>
public sealed record ContractNodeFacts(
    string GenesisHash,
    uint SpecVersion,
    uint TransactionVersion,
    int MetadataVersion,
    string MetadataFixture,
    ushort? Ss58Format,
    BigInteger AliceInitialFree,
    string TransferCall,
    (string Kind, string? Pallet, string Error) BelowMinimumError);

/// <summary>
/// Base class for the chain-client contract tests: each derived fixture is declared for both nodes,
/// <c>[TestFixture(NodeKind.Simulator)]</c> and <c>[TestFixture(NodeKind.Chopsticks, Category = "RealNode")]</c>, and gets the
/// node's endpoint and its <see cref="ContractNodeFacts"/>.
/// </summary>
/// <remarks>Chopsticks is started once per run and shared (see <see cref="RealNodeSetUp"/>); a simulator is started per fixture.</remarks>
public abstract class ChainContractTestBase
{
    /// <summary>//Alice's SS58 address (prefix 42); //Alice is funded on both nodes.</summary>
    protected const string AliceAddress = ChopsticksNode.AliceAddress;

    private SimulatedChain? _simulator;
    private Uri? _endpoint;
    private ContractNodeFacts? _facts;

    /// <summary>Initializes the fixture for one node.</summary>
    /// <param name="kind">The node to run against.</param>
    protected ChainContractTestBase(NodeKind kind) => Kind = kind;

    /// <summary>Gets the node this fixture runs against.</summary>
    protected NodeKind Kind { get; }

    /// <summary>Gets the node's WebSocket endpoint.</summary>
    protected Uri Endpoint => _endpoint ?? throw new InvalidOperationException("The node is not started.");

    /// <summary>Gets what this node is expected to answer where the nodes legitimately differ.</summary>
    protected ContractNodeFacts Facts => _facts ?? throw new InvalidOperationException("The node is not started.");

    /// <summary>Gets the simulator, for fixtures that run against it (null against chopsticks).</summary>
    protected SimulatedChain? Simulator => _simulator;

    [OneTimeSetUp]
    public async Task StartContractNodeAsync()
    {
        if (Kind == NodeKind.Chopsticks)
        {
            var node = await RealNodeSetUp.GetNodeAsync();
            _endpoint = node.Endpoint;
            _facts = new ContractNodeFacts(
                GenesisHash: "0x" + string.Concat(Enumerable.Repeat("45", 32)), // chopsticks' fixed genesis hash in genesis mode (SUBSTRATE.md)
                SpecVersion: 267,
                TransactionVersion: 2,
                MetadataVersion: 14,
                MetadataFixture: "metadata/entropy-devnet-2023-v14.scale",
                Ss58Format: null,
                AliceInitialFree: BigInteger.Parse(ChopsticksNode.AliceFreeBalance, CultureInfo.InvariantCulture),
                TransferCall: "transfer",
                BelowMinimumError: ("Module", "Balances", "ExistentialDeposit"));
            return;
        }

        _simulator = new SimulatedChain();
        await _simulator.StartAsync();
        _endpoint = _simulator.WebSocketEndpoint;
        _facts = new ContractNodeFacts(
            GenesisHash: _simulator.GenesisHash,
            SpecVersion: 10,
            TransactionVersion: 4,
            MetadataVersion: 15,
            MetadataFixture: "metadata/entropy-v0.0.10.scale",
            Ss58Format: 42,
            AliceInitialFree: Entropy.Simulator.Runtime.Genesis.Endowment, // the dev endowment (PROTOCOL.md §10)
            TransferCall: "transfer_allow_death",
            BelowMinimumError: ("Token", null, "BelowMinimum")); // polkadot-sdk balances on fungible: a new account below ED is Token(BelowMinimum)
    }

    [OneTimeTearDown]
    public async Task StopContractNodeAsync()
    {
        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
            _simulator = null;
        }
    }
}
