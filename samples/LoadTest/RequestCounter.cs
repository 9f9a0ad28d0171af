using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Entropy.Simulator;

namespace LoadTest;

/// <summary>
/// Counts the devnet node's JSON-RPC calls by method and the threshold servers' HTTP requests by route (--count-requests), from the
/// devnet's own instruments (<c>rpc.server.call.duration</c>, <c>http.server.request.duration</c>): every caller together (clients,
/// servers, the off-chain worker). Listening makes each call record its tags, so it costs some CPU: off when CPU is measured.
/// </summary>
internal sealed class RequestCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private volatile bool _counting;

    public RequestCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == DevnetDiagnostics.MeterName && instrument.Name is "rpc.server.call.duration" or "http.server.request.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) =>
        {
            if (!_counting)
            {
                return;
            }

            var key = "?";
            foreach (var tag in tags)
            {
                if (tag.Key is "rpc.method" or "http.route")
                {
                    key = (instrument.Name.StartsWith("rpc", StringComparison.Ordinal) ? "rpc " : "http ") + tag.Value;
                }
            }

            _counts.AddOrUpdate(key, 1, static (_, n) => n + 1);
        });
        _listener.Start();
    }

    /// <summary>Starts counting (what came before, e.g. the devnet's start and the warm-up, is not counted).</summary>
    public void Start() => _counting = true;

    /// <summary>Stops counting.</summary>
    public void Stop() => _counting = false;

    /// <summary>Writes the counts per registration, most frequent first.</summary>
    public void Write(TextWriter output, int registrations)
    {
        var per = Math.Max(1, registrations);
        var counts = _counts.ToArray();
        var rpc = counts.Where(c => c.Key.StartsWith("rpc ", StringComparison.Ordinal)).Sum(c => c.Value);
        var http = counts.Where(c => c.Key.StartsWith("http ", StringComparison.Ordinal)).Sum(c => c.Value);
        output.WriteLine($"  requests per completed registration (all callers): node JSON-RPC {(double)rpc / per:F1}, servers' HTTP {(double)http / per:F1}");
        foreach (var (key, value) in counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"    {key,-40} {(double)value / per,6:F2}");
        }
    }

    public void Dispose() => _listener.Dispose();
}
