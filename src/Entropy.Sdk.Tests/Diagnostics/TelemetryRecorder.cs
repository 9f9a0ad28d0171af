using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Entropy.Tests.Diagnostics;

/// <summary>Records what a source and a meter emit, through <see cref="ActivityListener"/> and <see cref="MeterListener"/> (no exporter).</summary>
/// <remarks>Tests run in parallel and the instruments are static: each test picks its own records by the port of its own node.</remarks>
internal sealed class TelemetryRecorder : IDisposable
{
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters;

    public TelemetryRecorder(string sourceName = EntropyDiagnostics.ActivitySourceName, string meterName = EntropyDiagnostics.MeterName)
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == sourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_activities);
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == meterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.Start();
    }

    public ConcurrentQueue<Activity> Stopped { get; } = new();

    public ConcurrentQueue<Measurement> Measurements { get; } = new();

    /// <summary>The stopped spans whose <c>server.port</c> is <paramref name="port"/>.</summary>
    public List<Activity> SpansOf(int port) => [.. Stopped.Where(a => a.GetTagItem("server.port") is int p && p == port)];

    /// <summary>The measurements of <paramref name="instrument"/> tagged with <c>server.port</c> <paramref name="port"/>.</summary>
    public List<Measurement> Of(string instrument, int port) =>
        [.. Measurements.Where(m => m.Instrument == instrument && m.Tags.TryGetValue("server.port", out var p) && p is int i && i == port)];

    /// <summary>Collects the observable instruments (gauges) now.</summary>
    public void Observe() => _meters.RecordObservableInstruments();

    public void Dispose()
    {
        _activities.Dispose();
        _meters.Dispose();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        Measurements.Enqueue(new Measurement(instrument.Name, instrument.Unit, value, copy));
    }

    internal sealed record Measurement(string Instrument, string? Unit, double Value, IReadOnlyDictionary<string, object?> Tags)
    {
        public string? Tag(string key) => Tags.TryGetValue(key, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }
}
