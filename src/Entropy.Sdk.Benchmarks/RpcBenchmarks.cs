using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Entropy.Rpc;
using Entropy.Simulator;

namespace Entropy.Benchmarks;

/// <summary>JSON-RPC round trips over a loopback WebSocket: <c>state_getStorage</c> against the simulator (Kestrel).</summary>
/// <remarks>
/// An earlier version served the requests from an <see cref="System.Net.HttpListener"/> echo loop: 16 concurrent requests
/// then took ≈ 44 ms per batch (2.8 ms each) against ≈ 0.1 ms for one round trip. The stall belonged to that server, not
/// to <see cref="RpcClient"/> (which pipelines the 16 requests on one socket) nor to the simulator: the same client
/// completes a batch in ≈ 1 ms against the simulator and against a Kestrel echo loop identical to the old one (with or
/// without TCP_NODELAY). The ≈ 40 ms period is Linux's minimum delayed-ACK timeout, i.e. HttpListener's managed
/// WebSocket writes meeting Nagle's algorithm. The benchmark therefore runs against the simulator, like the brief asks.
/// </remarks>
[MemoryDiagnoser]
public class RpcBenchmarks
{
    // System.Account of //Alice (present in the simulator's genesis).
    private static readonly object?[] s_params = ["0x26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9de1e86a9a8c739864cf3cc5ec2bea59fd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"];
    private SimulatedChain _chain = null!;
    private RpcClient _client = null!;

    /// <summary>Starts the simulator and connects.</summary>
    /// <returns>A task that completes when connected.</returns>
    [GlobalSetup]
    public async Task SetupAsync()
    {
        _chain = new SimulatedChain(new SimulatedChainOptions { BlockProduction = BlockProductionMode.Manual });
        await _chain.StartAsync();
        _client = await RpcClient.ConnectAsync(_chain.WebSocketEndpoint);
    }

    /// <summary>Disconnects and stops the simulator.</summary>
    /// <returns>A task that completes when both are closed.</returns>
    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _client.DisposeAsync();
        await _chain.DisposeAsync();
    }

    /// <summary>One request, one response.</summary>
    /// <returns>The storage value.</returns>
    [Benchmark]
    public Task<JsonElement> GetStorageRoundTrip() => _client.InvokeIdempotentAsync("state_getStorage", s_params);

    /// <summary>Sixteen requests in flight on one connection (reported per request).</summary>
    /// <returns>A task that completes when all sixteen responses arrived.</returns>
    [Benchmark(OperationsPerInvoke = 16)]
    public Task GetStorage16Concurrent()
    {
        var tasks = new Task[16];
        for (var i = 0; i < tasks.Length; i++)
        {
            tasks[i] = _client.InvokeIdempotentAsync("state_getStorage", s_params);
        }

        return Task.WhenAll(tasks);
    }
}
