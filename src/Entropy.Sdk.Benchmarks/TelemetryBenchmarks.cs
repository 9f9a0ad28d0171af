using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Entropy.Rpc;
using Entropy.Simulator;

namespace Entropy.Benchmarks;

/// <summary>
/// What the SDK's tracing and metrics cost on the JSON-RPC path (one loopback round trip against the simulator, as
/// <see cref="RpcBenchmarks"/>). <see cref="Listening"/> false is the default for every app that does not collect telemetry; true
/// attaches an <see cref="ActivityListener"/> and a <see cref="MeterListener"/> to the SDK's source and meter (what OpenTelemetry
/// does). The allocations are exact; the times carry the loopback's noise.
/// </summary>
[MemoryDiagnoser]
public class TelemetryBenchmarks
{
    // System.Account of //Alice (present in the simulator's genesis).
    private static readonly object?[] s_params = ["0x26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9de1e86a9a8c739864cf3cc5ec2bea59fd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"];
    private SimulatedChain _chain = null!;
    private RpcClient _client = null!;
    private ActivityListener? _activities;
    private MeterListener? _meters;

    /// <summary>Gets or sets a value indicating whether listeners are attached to the SDK's source and meter.</summary>
    [Params(false, true)]
    public bool Listening { get; set; }

    /// <summary>Starts the simulator, connects and attaches the listeners when <see cref="Listening"/>.</summary>
    /// <returns>A task that completes when connected.</returns>
    [GlobalSetup]
    public async Task SetupAsync()
    {
        _chain = new SimulatedChain(new SimulatedChainOptions { BlockProduction = BlockProductionMode.Manual });
        await _chain.StartAsync();
        _client = await RpcClient.ConnectAsync(_chain.WebSocketEndpoint);
        if (Listening)
        {
            _activities = new ActivityListener
            {
                ShouldListenTo = s => s.Name == "Entropy.Sdk",
                Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            };
            ActivitySource.AddActivityListener(_activities);
            _meters = new MeterListener { InstrumentPublished = (i, l) => { if (i.Meter.Name == "Entropy.Sdk") { l.EnableMeasurementEvents(i); } } };
            _meters.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
            _meters.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
            _meters.Start();
        }
    }

    /// <summary>Detaches the listeners, disconnects and stops the simulator.</summary>
    /// <returns>A task that completes when both are closed.</returns>
    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _activities?.Dispose();
        _meters?.Dispose();
        await _client.DisposeAsync();
        await _chain.DisposeAsync();
    }

    /// <summary>One <c>state_getStorage</c> request and its response.</summary>
    /// <returns>The storage value.</returns>
    [Benchmark]
    public Task<JsonElement> GetStorageRoundTrip() => _client.InvokeAsync("state_getStorage", s_params);
}
