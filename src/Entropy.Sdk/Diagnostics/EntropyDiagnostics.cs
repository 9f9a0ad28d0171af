namespace Entropy;

/// <summary>
/// The names under which the SDK reports traces and metrics, for wiring with OpenTelemetry
/// (<c>AddSource(EntropyDiagnostics.ActivitySourceName)</c>, <c>AddMeter(EntropyDiagnostics.MeterName)</c>) or with
/// <see cref="System.Diagnostics.ActivityListener"/> and <see cref="System.Diagnostics.Metrics.MeterListener"/>.
/// </summary>
/// <remarks>
/// Spans: <c>EntropyClient.Connect</c>, <c>EntropyClient.Register</c> (with an event per registration stage),
/// <c>RegisterOperation.WaitForCompletion</c>, <c>EntropyClient.PruneRegistration</c> and one client span per JSON-RPC call (named after
/// the method, OpenTelemetry's JSON-RPC conventions). Metrics: <c>rpc.client.call.duration</c>, <c>entropy.rpc.reconnects</c>,
/// <c>entropy.rpc.dropped_messages</c>, <c>entropy.registration.started</c> / <c>.completed</c> / <c>.failed</c>,
/// <c>entropy.registration.duration</c> and <c>entropy.registration.blocks</c>. Nothing is recorded while no listener is attached;
/// no span or measurement carries a secret, a signature or a payload. The docs page <c>docs/observability.md</c> lists every attribute.
/// </remarks>
public static class EntropyDiagnostics
{
    /// <summary>The name of the SDK's <see cref="System.Diagnostics.ActivitySource"/>: the package name.</summary>
    public const string ActivitySourceName = "Entropy.Sdk";

    /// <summary>The name of the SDK's <see cref="System.Diagnostics.Metrics.Meter"/>: the package name.</summary>
    public const string MeterName = "Entropy.Sdk";
}
