using System.Diagnostics;
using Entropy.Diagnostics;

namespace Entropy.Rpc;

/// <content>Traces and metrics of the calls (OpenTelemetry's JSON-RPC conventions): method, duration and outcome, never parameters or results.</content>
internal partial class RpcClient
{
    /// <summary>Starts the client span of one call, or returns <see langword="null"/> (no allocation) while no listener samples it.</summary>
    private Activity? StartCallActivity(string method)
    {
        var activity = EntropyTelemetry.Source.StartActivity(method, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("rpc.system.name", "jsonrpc");
            activity.SetTag("rpc.method", method);
            activity.SetTag("jsonrpc.protocol.version", "2.0");
            EntropyTelemetry.SetServer(activity, Endpoint);
        }

        return activity;
    }

    /// <summary>Records the end of a call on its span and in <c>rpc.client.call.duration</c>; returns <see langword="false"/> (for use in an exception filter).</summary>
    private bool EndCall(Activity? activity, string method, long start, Exception? failure)
    {
        // A call ends once: the timeout path records before it throws, so the filter that sees that exception finds the span stopped.
        if (activity is { IsStopped: true } || (activity is null && !EntropyTelemetry.RpcDuration.Enabled))
        {
            return false;
        }

        var errorType = failure is null ? null : EntropyTelemetry.ErrorType(failure);
        if (EntropyTelemetry.RpcDuration.Enabled)
        {
            var tags = new TagList { { "rpc.system.name", "jsonrpc" }, { "rpc.method", method } };
            EntropyTelemetry.AddServer(ref tags, Endpoint);
            if (errorType is not null)
            {
                tags.Add("error.type", errorType);
            }

            EntropyTelemetry.RpcDuration.Record(_time.GetElapsedTime(start).TotalSeconds, tags);
        }

        if (activity is not null)
        {
            if (failure is not null)
            {
                EntropyTelemetry.SetFailed(activity, errorType!, failure);
                if (failure is EntropyRpcException { Code: var code } and not EntropyRpcProtocolException)
                {
                    activity.SetTag("rpc.response.status_code", code.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            activity.Stop();
        }

        return false;
    }

    /// <summary>Counts a message the node sent that was dropped as invalid.</summary>
    private void CountDropped()
    {
        if (EntropyTelemetry.DroppedMessages.Enabled)
        {
            var tags = default(TagList);
            EntropyTelemetry.AddServer(ref tags, Endpoint);
            EntropyTelemetry.DroppedMessages.Add(1, tags);
        }
    }

    /// <summary>Counts a reconnection (<c>reconnected</c>) or the end of the attempts (<c>gave_up</c>).</summary>
    private void CountReconnect(string outcome)
    {
        if (EntropyTelemetry.Reconnects.Enabled)
        {
            var tags = new TagList { { "entropy.rpc.reconnect.outcome", outcome } };
            EntropyTelemetry.AddServer(ref tags, Endpoint);
            EntropyTelemetry.Reconnects.Add(1, tags);
        }
    }
}
