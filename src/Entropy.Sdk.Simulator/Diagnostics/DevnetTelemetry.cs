using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Entropy.Simulator.Node;

namespace Entropy.Simulator.Diagnostics;

/// <summary>The simulator's <see cref="ActivitySource"/>, <see cref="Meter"/> and instruments (names in <see cref="DevnetDiagnostics"/>).</summary>
internal static class DevnetTelemetry
{
    private static readonly ConcurrentDictionary<ChainNode, int> s_nodes = new();
    private static readonly ConcurrentDictionary<Synedrion.SafePrimePool, int> s_primePools = new();

    public static readonly ActivitySource Source = new(DevnetDiagnostics.ActivitySourceName);

    public static readonly Meter Meter = new(DevnetDiagnostics.MeterName);

    public static readonly Counter<long> Blocks = Meter.CreateCounter<long>(
        "entropy.devnet.blocks", unit: "{block}", description: "Blocks the simulated node produced.");

    public static readonly Histogram<long> BlockExtrinsics = Meter.CreateHistogram(
        "entropy.devnet.block.extrinsics",
        unit: "{extrinsic}",
        description: "Extrinsics per produced block (the timestamp inherent included).",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 3, 5, 10, 25, 50, 100, 250, 500, 1000] });

    public static readonly ObservableGauge<int> PoolSize = Meter.CreateObservableGauge(
        "entropy.devnet.pool.size", ObservePools, unit: "{transaction}", description: "Transactions waiting in the simulated node's pool.");

    public static readonly ObservableGauge<int> SafePrimesReady = Meter.CreateObservableGauge(
        "entropy.devnet.safe_primes.ready",
        () => s_primePools.Select(p => new Measurement<int>(p.Key.Count, new KeyValuePair<string, object?>("server.port", p.Value))),
        unit: "{prime}",
        description: "Safe primes the devnet's background pool holds ready for the servers' synedrion key generations.");

    public static readonly ObservableCounter<long> SafePrimesInline = Meter.CreateObservableCounter(
        "entropy.devnet.safe_primes.inline",
        () => s_primePools.Select(p => new Measurement<long>(p.Key.InlineSearches, new KeyValuePair<string, object?>("server.port", p.Value))),
        unit: "{prime}",
        description: "Safe primes a server searched inline (on the registration's path) because the devnet's pool was empty.");

    public static readonly Histogram<double> DkgDuration = Meter.CreateHistogram(
        "entropy.devnet.dkg.duration",
        unit: "s",
        description: "One threshold server's part of a key generation: from the off-chain worker's message to the share (or the failure).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] });

    public static readonly Histogram<double> RpcServerDuration = Meter.CreateHistogram(
        "rpc.server.call.duration",
        unit: "s",
        description: "Duration of the simulated node's JSON-RPC methods.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5] });

    public static readonly Histogram<double> HttpServerDuration = Meter.CreateHistogram(
        "http.server.request.duration",
        unit: "s",
        description: "Duration of the threshold servers' HTTP requests (/user/new, /user/receive_key, /ws, /healthz).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60] });

    /// <summary>Adds a started node to the pool-size gauge, under its JSON-RPC port.</summary>
    public static void Track(ChainNode node, int port)
    {
        node.TelemetryPort = port;
        s_nodes[node] = port;
    }

    /// <summary>Adds a devnet's safe-prime pool to the safe-prime instruments, under its node's JSON-RPC port.</summary>
    public static void Track(Synedrion.SafePrimePool pool, int port) => s_primePools[pool] = port;

    /// <summary>Removes a safe-prime pool from the safe-prime instruments.</summary>
    public static void Untrack(Synedrion.SafePrimePool pool) => s_primePools.TryRemove(pool, out _);

    /// <summary>Removes a node from the pool-size gauge.</summary>
    public static void Untrack(ChainNode node) => s_nodes.TryRemove(node, out _);

    private static IEnumerable<Measurement<int>> ObservePools()
    {
        foreach (var (node, port) in s_nodes)
        {
            yield return new Measurement<int>(node.PoolCount, new KeyValuePair<string, object?>("server.port", port));
        }
    }
}
