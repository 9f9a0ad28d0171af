using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace Entropy.Diagnostics;

/// <summary>The SDK's <see cref="ActivitySource"/>, <see cref="Meter"/> and instruments (names in <see cref="EntropyDiagnostics"/>).</summary>
/// <remarks>Every caller checks <see cref="ActivitySource.StartActivity(string, ActivityKind)"/>'s <see langword="null"/> or an instrument's
/// <see cref="Instrument.Enabled"/> before building tags, so that nothing is allocated while no listener is attached.</remarks>
internal static class EntropyTelemetry
{
    private static readonly string? s_version = typeof(EntropyTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public static readonly ActivitySource Source = new(EntropyDiagnostics.ActivitySourceName, s_version);

    public static readonly Meter Meter = new(EntropyDiagnostics.MeterName, s_version);

    /// <summary>OpenTelemetry's <c>rpc.client.call.duration</c>: seconds from sending a request to its answer (or failure).</summary>
    public static readonly Histogram<double> RpcDuration = Meter.CreateHistogram(
        "rpc.client.call.duration",
        unit: "s",
        description: "Duration of the JSON-RPC calls the SDK makes to the node, from the request to its answer, failure or timeout.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    public static readonly Counter<long> Reconnects = Meter.CreateCounter<long>(
        "entropy.rpc.reconnects",
        unit: "{reconnect}",
        description: "Reconnections to the node after a lost connection (entropy.rpc.reconnect.outcome: reconnected or gave_up).");

    public static readonly Counter<long> DroppedMessages = Meter.CreateCounter<long>(
        "entropy.rpc.dropped_messages",
        unit: "{message}",
        description: "Messages from the node that were not valid JSON-RPC and were dropped (logged, the connection carries on).");

    public static readonly Counter<long> RegistrationsStarted = Meter.CreateCounter<long>(
        "entropy.registration.started",
        unit: "{registration}",
        description: "Calls of EntropyClient.RegisterAsync (after argument checks).");

    public static readonly Counter<long> RegistrationsCompleted = Meter.CreateCounter<long>(
        "entropy.registration.completed",
        unit: "{registration}",
        description: "Registrations this process saw complete (the account's Registered entry read).");

    public static readonly Counter<long> RegistrationsFailed = Meter.CreateCounter<long>(
        "entropy.registration.failed",
        unit: "{registration}",
        description: "Registrations whose call failed, once per registration, by error.type (preflight refusal, transaction failure, end on chain, key generation, timeout, connection, cancellation).");

    public static readonly Histogram<double> RegistrationDuration = Meter.CreateHistogram(
        "entropy.registration.duration",
        unit: "s",
        description: "Seconds from the submission of register to the registration being observed complete.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300] });

    public static readonly Histogram<long> RegistrationBlocks = Meter.CreateHistogram(
        "entropy.registration.blocks",
        unit: "{block}",
        description: "Blocks from the best head at the submission of register to the block that registered the account.",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 50] });

    /// <summary>Adds <c>server.address</c> and <c>server.port</c> of a node endpoint.</summary>
    public static void AddServer(ref TagList tags, Uri endpoint)
    {
        tags.Add("server.address", endpoint.Host);
        tags.Add("server.port", endpoint.Port);
    }

    /// <summary>Sets <c>server.address</c> and <c>server.port</c> on a span.</summary>
    public static void SetServer(Activity activity, Uri endpoint)
    {
        activity.SetTag("server.address", endpoint.Host);
        activity.SetTag("server.port", endpoint.Port);
    }

    /// <summary>Marks a span failed: status Error, <c>error.type</c>, and the exception's type (never its message, which may quote node data).</summary>
    public static void SetFailed(Activity activity, string errorType, Exception exception)
    {
        activity.SetTag("error.type", errorType);
        activity.SetTag("exception.type", exception.GetType().FullName);
        activity.SetStatus(ActivityStatusCode.Error, errorType);
    }

    /// <summary>A low-cardinality description of a failure for <c>error.type</c>.</summary>
    public static string ErrorType(Exception exception) => exception switch
    {
        RegistrationPreflightException e => "preflight." + Snake(e.Failure.ToString()),
        ProgramPreflightException e => "preflight." + Snake(e.Failure.ToString()),
        RegistrationEndedException e => "ended." + Snake(e.Reason.ToString()),
        Extrinsics.TransactionException e => "transaction." + Snake(e.Kind.ToString()),
        PrivateKeyGenerationException => "key_generation",
        Protocol.Dkg.DkgException => "dkg",
        EntropyTimeoutException => "timeout",
        EntropyConnectionException e => Snake(e.FailureType.ToString()),
        Rpc.EntropyRpcProtocolException => "invalid_response",
        EntropyRpcException e => e.Code.ToString(System.Globalization.CultureInfo.InvariantCulture),
        OperationCanceledException => "canceled",
        _ => exception.GetType().FullName ?? "unknown",
    };

    private static string Snake(string pascal)
    {
        var builder = new System.Text.StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (char.IsUpper(c))
            {
                if (i > 0)
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
