using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Entropy.Simulator.KeyStore;

namespace Entropy.Benchmarks;

/// <summary>
/// A threshold server's key-store writes as a burst of registrations makes them: 32 writers storing a share at once, and one
/// alone. <see cref="OneFilePerRecord32Concurrent"/> is the former layout (each record its own file: a temporary file per write,
/// synced, renamed over the record), kept here as the baseline; the store now appends to one log and syncs once per batch of the
/// writers waiting (group commit). All in the temporary folder, as the devnet's stores; per write (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
public class KeyStoreBenchmarks
{
    private const int Writers = 32;
    private static readonly KeyStoreOptions s_cheap = new() { ScryptCost = 1 << 10 };
    private readonly byte[] _share = RandomNumberGenerator.GetBytes(600);
    private string _directory = null!;
    private EncryptedKeyStore _store = null!;
    private int _round;

    [GlobalSetup]
    public void GlobalSetup()
    {
        _directory = Directory.CreateTempSubdirectory("entropy-keystore-bench-").FullName;
        _store = EncryptedKeyStore.OpenAsync(Path.Combine(_directory, "store"), "entropy_unsafe_password", s_cheap).GetAwaiter().GetResult();
        Directory.CreateDirectory(Path.Combine(_directory, "files"));
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>32 shares stored at once by the log store (new keys, as the accounts of a burst).</summary>
    /// <returns>A task.</returns>
    [Benchmark(OperationsPerInvoke = Writers)]
    public Task Log32Concurrent()
    {
        var round = Interlocked.Increment(ref _round);
        return Task.WhenAll(Enumerable.Range(0, Writers).Select(i => Task.Run(() => _store.ReplaceAsync($"share-{round}-{i}", _share))));
    }

    /// <summary>One share stored alone by the log store (one sync).</summary>
    /// <returns>A task.</returns>
    [Benchmark]
    public Task LogAlone() => _store.ReplaceAsync($"alone-{Interlocked.Increment(ref _round)}", _share);

    /// <summary>The former layout: 32 records written at once, each through its own temporary file, fsync and rename.</summary>
    /// <returns>A task.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = Writers)]
    public Task OneFilePerRecord32Concurrent()
    {
        var round = Interlocked.Increment(ref _round);
        return Task.WhenAll(Enumerable.Range(0, Writers).Select(i => Task.Run(() => WriteFileAtomicAsync(Path.Combine(_directory, "files", $"{round}-{i}.rec"), _share))));
    }

    private static async Task WriteFileAtomicAsync(string path, byte[] contents)
    {
        string temp = $"{path}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp";
        var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(contents).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
