using System.Text.Json.Nodes;
using Entropy.Crypto;
using Entropy.Metadata;
using Entropy.Simulator;

namespace Entropy.Tests.Simulator;

/// <summary>
/// The base of the fixtures that drive the simulated chain over raw JSON-RPC in manual block production (one block per
/// <see cref="ProduceAsync"/>): it owns the start-up (chain, <see cref="TestRpcClient"/>, the chain's metadata and genesis hash, //Alice
/// and //Bob) and the signing helpers. The chain is shared by the fixture's tests; a fixture that needs genesis state in every test
/// overrides <see cref="FreshChainPerTest"/> and says why.
/// </summary>
public abstract class ManualChainFixture
{
    private SimulatedChain? _chain;
    private TestRpcClient? _rpc;
    private RuntimeMetadata? _metadata;
    private byte[]? _genesis;
    private Sr25519KeyPair? _alice;
    private Sr25519KeyPair? _bob;

    /// <summary>Gets the chain.</summary>
    private protected SimulatedChain Chain => _chain ?? throw NotStarted();

    /// <summary>Gets a raw JSON-RPC client connected to <see cref="Chain"/>.</summary>
    private protected TestRpcClient Rpc => _rpc ?? throw NotStarted();

    /// <summary>Gets the chain's metadata (decoded with the SDK's decoder, independent of the node's encoder).</summary>
    private protected RuntimeMetadata Metadata => _metadata ?? throw NotStarted();

    /// <summary>Gets the genesis hash.</summary>
    private protected byte[] Genesis => _genesis ?? throw NotStarted();

    /// <summary>Gets //Alice (endowed; the Sudo key).</summary>
    private protected Sr25519KeyPair Alice => _alice ?? throw NotStarted();

    /// <summary>Gets //Bob (endowed).</summary>
    private protected Sr25519KeyPair Bob => _bob ?? throw NotStarted();

    /// <summary>Gets a value indicating whether every test gets a chain of its own (started in set-up, stopped in tear-down).</summary>
    protected virtual bool FreshChainPerTest => false;

    /// <summary>Starts the fixture's shared chain (unless every test gets its own).</summary>
    /// <returns>A task that completes when the chain answers.</returns>
    [OneTimeSetUp]
    public Task StartSharedChainAsync() => FreshChainPerTest ? Task.CompletedTask : StartAsync();

    /// <summary>Stops the fixture's shared chain.</summary>
    /// <returns>A task that completes when it is gone.</returns>
    [OneTimeTearDown]
    public Task StopSharedChainAsync() => FreshChainPerTest ? Task.CompletedTask : StopAsync();

    /// <summary>Starts the test's own chain (with <see cref="FreshChainPerTest"/>).</summary>
    /// <returns>A task that completes when the chain answers.</returns>
    [SetUp]
    public Task StartFreshChainAsync() => FreshChainPerTest ? StartAsync() : Task.CompletedTask;

    /// <summary>Stops the test's own chain.</summary>
    /// <returns>A task that completes when it is gone.</returns>
    [TearDown]
    public Task StopFreshChainAsync() => FreshChainPerTest ? StopAsync() : Task.CompletedTask;

    /// <summary>Changes the chain options of this fixture (block production stays manual).</summary>
    /// <param name="options">The options, to change in place.</param>
    protected virtual void ConfigureChain(SimulatedChainOptions options)
    {
    }

    /// <summary>The bytes of a 0x-prefixed hex JSON string.</summary>
    private protected static byte[] Hex(JsonNode node) => Convert.FromHexString(node.GetValue<string>()[2..]);

    /// <summary>0x-prefixed lowercase hex.</summary>
    private protected static string Hex0x(byte[] bytes) => "0x" + Convert.ToHexStringLower(bytes);

    /// <summary>The account's next nonce (<c>system_accountNextIndex</c>: pool included).</summary>
    private protected async Task<uint> NonceAsync(Sr25519KeyPair key) =>
        (await Rpc.CallAsync("system_accountNextIndex", Hex0x(key.PublicKey.ToArray())))!.GetValue<uint>();

    /// <summary>Signs <paramref name="call"/> by <paramref name="key"/> at its next nonce, immortal.</summary>
    private protected async Task<byte[]> SignAsync(Sr25519KeyPair key, byte[] call) => TestTransactions.Sign(key, call, await NonceAsync(key), Genesis);

    /// <summary>Authors one block (<c>dev_newBlock</c>) and returns its hash.</summary>
    private protected async Task<string> ProduceAsync() => (await Rpc.CallAsync("dev_newBlock"))!.GetValue<string>();

    /// <summary>The decoded <c>System.Events</c> of a block.</summary>
    private protected async Task<IReadOnlyList<EventRecord>> EventsAsync(string blockHash)
    {
        var value = await Rpc.CallAsync("state_getStorage", Hex0x(Metadata.StorageKey("System", "Events")), blockHash);
        return Metadata.DecodeEvents(Hex(value!));
    }

    private static InvalidOperationException NotStarted() =>
        new("The chain starts in the fixture's set-up (one-time, or per test with FreshChainPerTest).");

    private async Task StartAsync()
    {
        var options = new SimulatedChainOptions { BlockProduction = BlockProductionMode.Manual };
        ConfigureChain(options);
        _chain = new SimulatedChain(options);
        await _chain.StartAsync();
        _rpc = await TestRpcClient.ConnectAsync(_chain.WebSocketEndpoint);
        _metadata = RuntimeMetadata.Parse(Hex((await _rpc.CallAsync("state_getMetadata"))!));
        _genesis = Hex((await _rpc.CallAsync("chain_getBlockHash", 0))!);
        _alice = Sr25519KeyPair.FromSecretUri("//Alice");
        _bob = Sr25519KeyPair.FromSecretUri("//Bob");
    }

    private async Task StopAsync()
    {
        if (_rpc is not null)
        {
            await _rpc.DisposeAsync();
        }

        if (_chain is not null)
        {
            await _chain.DisposeAsync();
        }

        _alice?.Dispose();
        _bob?.Dispose();
        (_chain, _rpc, _metadata, _genesis, _alice, _bob) = (null, null, null, null, null, null);
    }
}
