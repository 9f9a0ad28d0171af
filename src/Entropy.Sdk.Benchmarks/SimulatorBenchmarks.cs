using System.Buffers;
using BenchmarkDotNet.Attributes;
using Entropy.Crypto;
using Entropy.Scale;
using Entropy.Simulator;
using Entropy.Simulator.Node;
using Microsoft.Extensions.Logging.Abstractions;

namespace Entropy.Benchmarks;

/// <summary>
/// The simulated chain's transaction path: signed transfers validated by the pool (decode, sr25519 over the exact payload,
/// nonce, fee) and included in a block, and authoring a block of 1,000 pooled extrinsics.
/// </summary>
[MemoryDiagnoser]
public class SimulatorBenchmarks
{
    private const int Count = 1000;
    private readonly List<byte[]> _transfers = [];
    private ChainNode _node = null!;

    [GlobalSetup]
    public void GlobalSetup()
    {
        // Genesis is deterministic, so extrinsics signed against one node's genesis hash are valid on every fresh node.
        var genesis = NewNode();
        var genesisHash = genesis.Genesis.Hash;
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

    [IterationCleanup]
    public void Cleanup() => _node.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Submits 1,000 signed transfers (full pool validation) and includes them in one block; reported per transfer.</summary>
    [Benchmark(OperationsPerInvoke = Count)]
    public uint ValidateAndIncludeTransfers()
    {
        foreach (var transfer in _transfers)
        {
            _node.Submit(transfer, null);
        }

        return _node.ProduceBlock().Number;
    }

    /// <summary>Authors one block from 1,000 pooled, already validated transfers.</summary>
    [Benchmark]
    public int ProduceBlockOf1000Extrinsics() => _node.ProduceBlock().Extrinsics.Count;

    private static ChainNode NewNode() =>
        new(new SimulatedChainOptions { BlockProduction = BlockProductionMode.Manual }, SimulatedChain.VerifySignature, NullLogger.Instance);

    private static byte[] Encode(Action<ScaleWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new ScaleWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }
}
