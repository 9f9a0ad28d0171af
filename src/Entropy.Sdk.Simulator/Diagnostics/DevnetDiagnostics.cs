namespace Entropy.Simulator;

/// <summary>
/// The names under which the simulator reports what it does, so that an integration test can see why a registration was slow:
/// <c>AddSource(DevnetDiagnostics.ActivitySourceName)</c> and <c>AddMeter(DevnetDiagnostics.MeterName)</c> with OpenTelemetry, or an
/// <see cref="System.Diagnostics.ActivityListener"/> / <see cref="System.Diagnostics.Metrics.MeterListener"/>.
/// </summary>
/// <remarks>
/// Metrics: <c>entropy.devnet.blocks</c> (blocks produced), <c>entropy.devnet.block.extrinsics</c>, <c>entropy.devnet.pool.size</c>,
/// <c>entropy.devnet.dkg.duration</c> (each threshold server's part of a key generation), <c>entropy.devnet.safe_primes.ready</c> and
/// <c>entropy.devnet.safe_primes.inline</c> (the servers' background safe-prime pool), <c>rpc.server.call.duration</c> (the node's
/// JSON-RPC methods) and <c>http.server.request.duration</c> (the threshold servers' endpoints). Spans: <c>ThresholdServer.Dkg</c>.
/// Every measurement carries <c>server.port</c>: the node's JSON-RPC port, or the threshold server's port. The devnet's threshold
/// servers and off-chain worker talk to the node through the SDK's own client, so their calls also appear under
/// <see cref="EntropyDiagnostics"/>' names.
/// </remarks>
public static class DevnetDiagnostics
{
    /// <summary>The name of the simulator's <see cref="System.Diagnostics.ActivitySource"/>: the package name.</summary>
    public const string ActivitySourceName = "Entropy.Sdk.Simulator";

    /// <summary>The name of the simulator's <see cref="System.Diagnostics.Metrics.Meter"/>: the package name.</summary>
    public const string MeterName = "Entropy.Sdk.Simulator";
}
