using System.Buffers;
using BenchmarkDotNet.Attributes;
using Entropy.Crypto;
using Entropy.Scale;
using Entropy.Simulator;
using Entropy.Simulator.Node;
using Entropy.Simulator.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Entropy.Benchmarks;

/// <summary>
/// The simulated chain's transaction path: signed transfers validated by the pool (decode, sr25519 over the exact payload,
/// nonce, fee) and included in a block, authoring a block of 1,000 pooled extrinsics, and the state cost of 10,000 registered
/// accounts (their <c>System.Account</c> and <c>Relayer.Registered</c> entries, as <c>confirm_register</c> leaves them).
/// </summary>
/// <remarks>
/// <see cref="StateWith10000RegisteredAccounts"/> reports build time and allocations per account; the memory the finished state
/// keeps alive (what a long-running simulator pays per registered account) is measured once in <see cref="GlobalSetupWithRetainedMemory"/> and
/// printed as <c>// RetainedBytesPerRegisteredAccount: N</c>; the CPU time per transfer is printed as <c>// CpuTimePerTransfer</c>.
/// </remarks>
[MemoryDiagnoser]
public class SimulatorBenchmarks
{
    private const int Count = 1000;
    private const int RegisteredAccounts = 10_000;
    private readonly List<byte[]> _transfers = [];
    private System.Collections.Immutable.ImmutableSortedDictionary<byte[], byte[]> _genesisState = null!;
    private ChainNode _node = null!;

    [GlobalSetup]
    public void GlobalSetup()
    {
        // Genesis is deterministic, so extrinsics signed against one node's genesis hash are valid on every fresh node.
        var genesis = NewNode();
        var genesisHash = genesis.Genesis.Hash;
        _genesisState = genesis.Genesis.State;
        genesis.DisposeAsync().AsTask().GetAwaiter().GetResult();
        using var alice = Sr25519KeyPair.FromSecretUri("//Alice");
        using var bob = Sr25519KeyPair.FromSecretUri("//Bob");
        var call = Encode(w =>
        {
            w.WriteU8(7);
            w.WriteU8(3);
            w.WriteU8(0);
            w.WriteBytes(bob.PublicKey.ToArray());
            w.WriteCompact(1_000_000_000_000_000UL);
        });
        for (uint nonce = 0; nonce < Count; nonce++)
        {
            var payload = Encode(w =>
            {
                w.WriteBytes(call);
                w.WriteU8(0);
                w.WriteCompact(nonce);
                w.WriteCompact(0UL);
                w.WriteU32(10);
                w.WriteU32(4);
                w.WriteBytes(genesisHash);
                w.WriteBytes(genesisHash);
            });
            var signature = alice.Sign(payload).ToArray();
            var body = Encode(w =>
            {
                w.WriteU8(0x84);
                w.WriteU8(0);
                w.WriteBytes(alice.PublicKey.ToArray());
                w.WriteU8(1);
                w.WriteBytes(signature);
                w.WriteU8(0);
                w.WriteCompact(nonce);
                w.WriteCompact(0UL);
                w.WriteBytes(call);
            });
            _transfers.Add(Encode(w =>
            {
                w.WriteCompact((ulong)body.Length);
                w.WriteBytes(body);
            }));
        }
    }

    /// <summary>
    /// Prints the process CPU time per validated+included transfer (one fresh node, 1,000 transfers, one block, three rounds):
    /// on a loaded shared machine wall-clock means mostly measure waiting for a core, CPU time does not.
    /// </summary>
    [GlobalSetup(Target = nameof(ValidateAndIncludeTransfers))]
    public void GlobalSetupWithCpuProbe()
    {
        GlobalSetup();
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        for (var round = 0; round < 3; round++)
        {
            var node = NewNode();
            process.Refresh();
            var before = process.TotalProcessorTime;
            ValidateAndInclude(node);
            process.Refresh();
            var cpu = process.TotalProcessorTime - before;
            node.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Console.WriteLine($"// CpuTimePerTransfer: {cpu.TotalMicroseconds / Count:F1} us (≈ {Count / cpu.TotalSeconds:F0} transfers/s per core)");
        }
    }

    [IterationSetup(Target = nameof(ValidateAndIncludeTransfers))]
    public void FreshNode() => _node = NewNode();

    [IterationSetup(Target = nameof(ProduceBlockOf1000Extrinsics))]
    public void FreshNodeWithPool()
    {
        _node = NewNode();
        foreach (var transfer in _transfers)
        {
            _node.Submit(transfer, null);
        }
    }

    [IterationCleanup(Targets = [nameof(ValidateAndIncludeTransfers), nameof(ProduceBlockOf1000Extrinsics)])]
    public void Cleanup() => _node.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Submits 1,000 signed transfers (full pool validation) and includes them in one block; reported per transfer.</summary>
    [Benchmark(OperationsPerInvoke = Count)]
    public uint ValidateAndIncludeTransfers() => ValidateAndInclude(_node);

    /// <summary>Authors one block from 1,000 pooled, already validated transfers.</summary>
    [Benchmark]
    public int ProduceBlockOf1000Extrinsics() => _node.ProduceBlock().Extrinsics.Count;

    [GlobalSetup(Target = nameof(StateWith10000RegisteredAccounts))]
    public void GlobalSetupWithRetainedMemory()
    {
        GlobalSetup();
        MeasureRetainedMemoryPerRegisteredAccount();
    }

    /// <summary>Writes 10,000 registered accounts (account info + <c>Registered</c> entry) over the genesis state; reported per account.</summary>
    [Benchmark(OperationsPerInvoke = RegisteredAccounts)]
    public int StateWith10000RegisteredAccounts() => AddRegisteredAccounts(_genesisState).Count;

    private uint ValidateAndInclude(ChainNode node)
    {
        foreach (var transfer in _transfers)
        {
            node.Submit(transfer, null);
        }

        return node.ProduceBlock().Number;
    }

    private void MeasureRetainedMemoryPerRegisteredAccount()
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var state = AddRegisteredAccounts(_genesisState);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(state);
        Console.WriteLine($"// RetainedBytesPerRegisteredAccount: {(after - before) / RegisteredAccounts} ({after - before} bytes for {RegisteredAccounts} accounts, {state.Count - _genesisState.Count} new storage entries)");
    }

    private static System.Collections.Immutable.ImmutableSortedDictionary<byte[], byte[]> AddRegisteredAccounts(
        System.Collections.Immutable.ImmutableSortedDictionary<byte[], byte[]> genesis)
    {
        var state = new StateOverlay(genesis);
        var account = new byte[32];
        var verifyingKey = new byte[33];
        verifyingKey[0] = 2;
        for (var i = 0; i < RegisteredAccounts; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(account, i + 1);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(verifyingKey.AsSpan(1), i + 1);
            var who = (byte[])account.Clone();
            EntropyRuntime.PutAccount(state, who, new AccountInfo { Providers = 1, Nonce = 1, Free = 10 * EntropyRuntime.Dollars });
            var registered = new RegisteredInfo
            {
                KeyVisibility = [0],
                VerifyingKey = (byte[])verifyingKey.Clone(),
                Programs = [new Entropy.Simulator.Runtime.ProgramInstance(new byte[32], [])],
                ProgramModificationAccount = who,
            };
            state.Set(StorageKeys.Blake2Map("Relayer", "Registered", who), registered.Encode(hasVersion: false));
        }

        return state.ToImmutable();
    }

    private static ChainNode NewNode() =>
        new(new SimulatedChainOptions { BlockProduction = BlockProductionMode.Manual }, SimulatedChain.VerifySignature, NullLogger.Instance);

    private static byte[] Encode(Action<ScaleWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new ScaleWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }
}
