using System.Diagnostics;
using System.Globalization;
using Entropy;
using Entropy.Crypto;
using Entropy.Simulator;

namespace LoadTest;

/// <content>The report at the end of a run.</content>
internal static partial class LoadRunner
{
    private static async Task<LoadReport> ReportAsync(
        LoadSettings s, TextWriter output, EntropyDevnet devnet, EntropyClient reader, Sr25519Signer[] signers, Sample[] samples,
        BlockClock blocks, MemorySampler memory, DevnetMeters meters, RunCost cost, CancellationToken cancellationToken)
    {
        var elapsed = cost.Elapsed;
        // Exact blocks come from each operation (the events it read). Accounts whose client gave up are looked up on the chain.
        var head = devnet.Chain.BestBlockNumber;
        var registeredDespiteError = 0;
        var stillRegistering = 0;
        foreach (var sample in samples.Where(x => x.Error is not null && x.StartTicks != 0))
        {
            if (await reader.IsRegisteredAsync(signers[sample.Index].AccountId, cancellationToken))
            {
                sample.RegisteredOnChainAfterError = true;
                registeredDespiteError++;
            }
            else if (await reader.GetRegisteringAsync(signers[sample.Index].AccountId, cancellationToken) is not null)
            {
                stillRegistering++;
            }
        }

        var submitted = samples.Count(x => x.StartTicks != 0);
        var completed = samples.Where(x => x.Error is null && x.RegisteredBlock is not null && x.RegisterBlock is not null).ToArray();
        var unfinished = samples.Count(x => x.StartTicks != 0 && x.Error == Unfinished && !x.RegisteredOnChainAfterError);
        var lost = samples.Count(x => x.StartTicks != 0 && x.Error is not null and not Unfinished && !x.RegisteredOnChainAfterError);
        var errors = samples.Where(x => x.Error is not null).GroupBy(x => x.Error!).ToDictionary(g => g.Key, g => g.Count());
        var distinctKeys = completed.Select(x => x.VerifyingKey).Distinct().Count();
        var blocksLatency = completed.Select(x => (double)(x.RegisteredBlock!.Value - x.RegisterBlock!.Value)).ToArray();
        var fromSubmit = completed.Select(x => (double)(x.RegisteredBlock!.Value - x.HeadAtStart)).ToArray();
        var ms = completed.Select(x => Stopwatch.GetElapsedTime(x.StartTicks, x.DoneTicks).TotalMilliseconds).ToArray();
        var chainMs = completed.Select(x => blocks.MillisecondsBetween(x.RegisterBlock!.Value, x.RegisteredBlock!.Value)).Where(x => x is not null).Select(x => x!.Value).ToArray();

        output.WriteLine();
        output.WriteLine($"Completed {completed.Length} of {samples.Length} in {elapsed.TotalSeconds:F1} s: {completed.Length / elapsed.TotalSeconds:F2} registrations/s; blocks #{samples.Min(x => x.RegisterBlock ?? uint.MaxValue)}..#{head}");
        output.WriteLine($"  latency, register block -> registered block (blocks): {Percentiles(blocksLatency, "F0")}");
        output.WriteLine($"  latency, head at submit -> registered block (blocks): {Percentiles(fromSubmit, "F0")}");
        output.WriteLine($"  latency, RegisterAsync call -> client sees Registered (ms): {Percentiles(ms, "F0")}");
        output.WriteLine($"  chain time, register block -> registered block (ms):    {Percentiles(chainMs, "F0")}");
        output.WriteLine($"  errors by type: {(errors.Count == 0 ? "none" : string.Join(", ", errors.Select(e => $"{e.Key} {e.Value}")))}");
        output.WriteLine($"  verifying keys: {completed.Length} checked against the chain's storage{(s.Mode == AccessMode.Private ? " and the client's own key share" : string.Empty)}, {distinctKeys} distinct");
        output.WriteLine($"  register included: {samples.Count(x => x.RegisterBlock is not null)}, registered: {samples.Count(x => x.RegisteredBlock is not null) + registeredDespiteError} (of which the client reported an error: {registeredDespiteError}); " +
            $"still Registering on the chain at the end: {stillRegistering}");
        if (s.RunsSynedrion)
        {
            output.WriteLine($"  servers' DKG runs (entropy.devnet.dkg.duration): {meters.DkgRuns} ({meters.DkgFailures} failed), per server {Percentiles(meters.DkgSeconds, "F1")} s; " +
                $"safe-prime pool: {meters.PrimesReady} ready at the end, {meters.PrimesInline} searched inline (pool empty)");
        }

        output.WriteLine($"  memory (one process: node + {devnet.ThresholdServerEndpoints.Count} servers + OCW + {s.Clients} clients): peak working set {memory.PeakWorkingSetMb:F0} MB, " +
            $"peak managed heap {memory.PeakManagedMb:F0} MB, GC count gen0/1/2 {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
        if (s.Burst > 0)
        {
            var modal = samples.Where(x => x.RegisterBlock is not null).GroupBy(x => x.RegisterBlock!.Value).OrderByDescending(g => g.Count()).First();
            var within3 = modal.Count(x => x.RegisteredBlock is { } r && r <= modal.Key + 3);
            var within2 = modal.Count(x => x.RegisteredBlock is { } r && r <= modal.Key + 2);
            output.WriteLine($"  burst: {modal.Count()} of {samples.Length} register extrinsics in block #{modal.Key}; registered by #{modal.Key + 2}: {within2}, by #{modal.Key + 3} (within three blocks): {within3}; " +
                $"register blocks {string.Join(", ", samples.GroupBy(x => x.RegisterBlock).OrderBy(g => g.Key).Select(g => $"#{g.Key}x{g.Count()}"))}");
        }

        var cpu = cost.CpuSeconds;
        output.WriteLine($"  CPU time of this process during the registrations: {cpu:F1} s = {cpu * 1000 / Math.Max(1, completed.Length):F1} ms per completed registration " +
            $"(= at most {Environment.ProcessorCount * completed.Length / Math.Max(0.001, cpu):G3} registrations/s if this process had all {Environment.ProcessorCount} cores)");
        cost.Requests?.Write(output, completed.Length);
        output.WriteLine($"  machine load after the run: {LoadAverage()}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"SUMMARY {DkgName(s)}, {s.Mode}: submitted {submitted}, registered {completed.Length + registeredDespiteError} (keys checked {completed.Length}), failed {errors.Where(e => e.Key != Unfinished).Sum(e => e.Value)}, " +
            $"lost {lost}, unfinished at --max-seconds {unfinished}, not submitted {samples.Length - submitted}; blocks p50 {P50(blocksLatency)} max {Max(blocksLatency)}; wall s p50 {P50(ms) / 1000:F1} p95 {Pct(ms, 0.95) / 1000:F1} max {Max(ms) / 1000:F1}; " +
            $"CPU {cpu:F1} s ({(completed.Length == 0 ? "none completed" : PerRegistration(cpu / completed.Length))}); {elapsed.TotalSeconds:F0} s; load {LoadAverage()}"));
        return new LoadReport(samples.Length, completed.Length, lost + unfinished, errors);
    }

    private const string Unfinished = "Unfinished at --max-seconds";

    /// <summary>CPU per registration: in ms below a second (the stand-in DKG costs tens of ms), else in s (synedrion: several seconds).</summary>
    internal static string PerRegistration(double seconds) => seconds < 1
        ? string.Create(CultureInfo.InvariantCulture, $"{seconds * 1000:F1} ms per registration")
        : string.Create(CultureInfo.InvariantCulture, $"{seconds:F2} s per registration");

    private static double P50(double[] values) => Pct(values, 0.5);

    private static double Max(double[] values) => values.Length == 0 ? double.NaN : values.Max();

    private static double Pct(double[] values, double p)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private static string Percentiles(double[] values, string format)
    {
        if (values.Length == 0)
        {
            return "n/a";
        }

        Array.Sort(values);
        string P(double p) => values[Math.Clamp((int)Math.Ceiling(p * values.Length) - 1, 0, values.Length - 1)].ToString(format, CultureInfo.InvariantCulture);
        return $"min {values[0].ToString(format, CultureInfo.InvariantCulture)}  p50 {P(0.50)}  p95 {P(0.95)}  p99 {P(0.99)}  max {values[^1].ToString(format, CultureInfo.InvariantCulture)}";
    }
}
