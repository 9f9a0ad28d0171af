using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Entropy.Simulator;

namespace LoadTest;

/// <summary>Listens to the devnet's meter: the servers' DKG durations and the safe-prime pool (ready, searched inline).</summary>
internal sealed class DevnetMeters : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<double> _dkgSeconds = new();
    private int _dkgFailures;
    private int _ready;
    private long _inline;

    public DevnetMeters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == DevnetDiagnostics.MeterName && instrument.Name is "entropy.devnet.dkg.duration" or "entropy.devnet.safe_primes.ready" or "entropy.devnet.safe_primes.inline")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            _dkgSeconds.Enqueue(value);
            foreach (var tag in tags)
            {
                if (tag.Key == "error.type")
                {
                    Interlocked.Increment(ref _dkgFailures);
                }
            }
        });
        _listener.SetMeasurementEventCallback<int>((_, value, _, _) => Volatile.Write(ref _ready, value));
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Volatile.Write(ref _inline, value));
        _listener.Start();
    }

    public int DkgRuns => _dkgSeconds.Count;

    public int DkgFailures => Volatile.Read(ref _dkgFailures);

    public double[] DkgSeconds => [.. _dkgSeconds];

    public int PrimesReady
    {
        get
        {
            _listener.RecordObservableInstruments();
            return Volatile.Read(ref _ready);
        }
    }

    public long PrimesInline
    {
        get
        {
            _listener.RecordObservableInstruments();
            return Volatile.Read(ref _inline);
        }
    }

    public void Dispose() => _listener.Dispose();
}

/// <summary>Keeps at least a given time between two submissions (--spread-ms).</summary>
internal sealed class Pacer(TimeSpan gap) : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private long _nextAt;

    /// <summary>Waits for this submission's turn; false when the run was cancelled meanwhile.</summary>
    public async Task<bool> WaitTurnAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        if (gap <= TimeSpan.Zero)
        {
            return true;
        }

        try
        {
            await _turn.WaitAsync(cancellationToken);
            try
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), _nextAt);
                if (_nextAt != 0 && wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }

                _nextAt = Stopwatch.GetTimestamp() + (long)(gap.TotalSeconds * Stopwatch.Frequency);
                return true;
            }
            finally
            {
                _turn.Release();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Dispose() => _turn.Dispose();
}

/// <summary>One line per finished registration when synedrion runs (minutes each), so a cut-short run still shows what it did.</summary>
internal sealed class Progress(LoadSettings settings, TextWriter output, Sample[] samples, Stopwatch clock, MemorySampler memory, DevnetMeters meters)
{
    private readonly Lock _gate = new();
    private int _done;
    private int _failed;

    public void Done(Sample sample)
    {
        if (!settings.RunsSynedrion)
        {
            return;
        }

        lock (_gate)
        {
            _done++;
            if (sample.Error is not null)
            {
                _failed++;
            }

            var inFlight = samples.Count(x => x.StartTicks != 0 && x.DoneTicks == 0);
            var what = sample.Error is null
                ? $"registered at +{sample.RegisteredBlock - sample.RegisterBlock} blocks (#{sample.RegisterBlock} -> #{sample.RegisteredBlock}), key checked"
                : $"FAILED {sample.Error}";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{clock.Elapsed.TotalSeconds,7:F0} s] #{sample.Index} {what}, {Stopwatch.GetElapsedTime(sample.StartTicks, sample.DoneTicks).TotalSeconds:F1} s; " +
                $"done {_done}/{samples.Length} ({_failed} failed), {inFlight} in flight; pool {meters.PrimesReady} ready, {meters.PrimesInline} inline; " +
                $"CPU {memory.CpuSeconds:F0} s; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
        }
    }
}

/// <summary>Records when each block was produced (the simulated chain's best block number, polled every millisecond or so).</summary>
internal sealed class BlockClock : IAsyncDisposable
{
    private readonly ConcurrentDictionary<uint, long> _arrivals = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private uint _head;

    public uint Head => Volatile.Read(ref _head);

    public void Start(SimulatedChain chain)
    {
        _loop = Task.Run(async () =>
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var best = chain.BestBlockNumber;
                    if (best != Volatile.Read(ref _head))
                    {
                        _arrivals.TryAdd(best, Stopwatch.GetTimestamp());
                        Volatile.Write(ref _head, best);
                        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                    }

                    await Task.Delay(1, _stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);
    }

    public Task WaitForNextAsync(CancellationToken cancellationToken) => Volatile.Read(ref _next).Task.WaitAsync(cancellationToken);

    public double? MillisecondsBetween(uint from, uint to) =>
        _arrivals.TryGetValue(from, out var a) && _arrivals.TryGetValue(to, out var b) ? Stopwatch.GetElapsedTime(a, b).TotalMilliseconds : null;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        _stop.Dispose();
    }
}

/// <summary>Samples the process's working set and managed heap every 100 ms.</summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly Timer _timer;
    private readonly Process _process = Process.GetCurrentProcess();
    private long _peakManaged;
    private TimeSpan _cpuAtStart;

    public MemorySampler()
    {
        _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));
    }

    public double WorkingSetMb
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64 / 1048576.0;
        }
    }

    public double PeakWorkingSetMb
    {
        get
        {
            _process.Refresh();
            return _process.PeakWorkingSet64 / 1048576.0;
        }
    }

    public double PeakManagedMb => Interlocked.Read(ref _peakManaged) / 1048576.0;

    public double CpuSeconds
    {
        get
        {
            _process.Refresh();
            return (_process.TotalProcessorTime - _cpuAtStart).TotalSeconds;
        }
    }

    public void StartCpu()
    {
        _process.Refresh();
        _cpuAtStart = _process.TotalProcessorTime;
    }

    public void Dispose()
    {
        _timer.Dispose();
        _process.Dispose();
    }

    private void Sample()
    {
        var managed = GC.GetTotalMemory(false);
        long peak;
        while (managed > (peak = Interlocked.Read(ref _peakManaged)) && Interlocked.CompareExchange(ref _peakManaged, managed, peak) != peak)
        {
        }
    }
}

/// <summary>Writes log lines at or above a level to stderr, with the time since start.</summary>
internal sealed class StderrLoggerFactory(Microsoft.Extensions.Logging.LogLevel minimum) : Microsoft.Extensions.Logging.ILoggerFactory
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public Microsoft.Extensions.Logging.LogLevel Minimum { get; } = minimum;

    public void AddProvider(Microsoft.Extensions.Logging.ILoggerProvider provider)
    {
    }

    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void Dispose()
    {
    }

    private sealed class Logger(StderrLoggerFactory factory, string category) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= factory.Minimum && logLevel != Microsoft.Extensions.Logging.LogLevel.None;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Console.Error.WriteLine($"{factory._clock.Elapsed.TotalSeconds,8:F3} {logLevel.ToString()[..4]} {category}: {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception.GetType().Name + ": " + exception.Message)}");
            }
        }
    }
}
