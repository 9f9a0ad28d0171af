using System.Collections.Concurrent;
using System.Numerics;

namespace Entropy.Synedrion;

/// <summary>
/// A bounded pool of pre-generated safe primes, filled by background threads, for parties that run many key generations (the
/// devnet's threshold servers): round 1 then takes its two Paillier primes at once instead of searching for them.
/// <see cref="Take"/> never waits for the pool: when it is empty the prime is searched inline, exactly as without a pool.
/// Each prime is handed out once and then forgotten; nothing is logged or persisted. See eng/notes/syncrypto.md, "Safe-prime pool".
/// </summary>
internal sealed class SafePrimePool : IDisposable
{
    private readonly ConcurrentQueue<BigInteger> primes = new();
    private readonly SemaphoreSlim space;
    private readonly CancellationTokenSource stop = new();
    private readonly Thread[] fillers;
    private readonly Action? fillerStarted;
    private int inlineSearches;

    /// <summary>Starts the pool.</summary>
    /// <param name="bits">The size of the primes (1024 for ProductionParams).</param>
    /// <param name="capacity">How many primes to keep ready (two per key generation).</param>
    /// <param name="fillerThreads">How many background searches run at once.</param>
    /// <param name="fillerStarted">
    /// Runs first on each filler thread, e.g. to lower its scheduling priority (<see cref="ThreadPriority.BelowNormal"/> is all this class
    /// sets, and .NET does not apply it on Linux).
    /// </param>
    public SafePrimePool(int bits, int capacity, int fillerThreads = 1, Action? fillerStarted = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fillerThreads, 1);
        this.Bits = bits;
        this.Capacity = capacity;
        this.fillerStarted = fillerStarted;
        this.space = new SemaphoreSlim(capacity, capacity);
        this.fillers = [.. Enumerable.Range(0, fillerThreads).Select(i => new Thread(this.Fill)
        {
            IsBackground = true,
            Priority = ThreadPriority.BelowNormal,
            Name = $"safe-prime pool {i}",
        })];
        foreach (var thread in this.fillers)
        {
            thread.Start();
        }
    }

    /// <summary>Gets the prime size.</summary>
    public int Bits { get; }

    /// <summary>Gets the capacity.</summary>
    public int Capacity { get; }

    /// <summary>Gets how many primes are ready.</summary>
    public int Count => this.primes.Count;

    /// <summary>Gets how many primes were searched inline because the pool was empty.</summary>
    public int InlineSearches => Volatile.Read(ref this.inlineSearches);

    /// <summary>Takes a ready prime, or searches one inline when none is ready.</summary>
    /// <returns>A safe prime of <see cref="Bits"/> bits.</returns>
    public BigInteger Take()
    {
        if (this.primes.TryDequeue(out var prime))
        {
            this.space.Release();
            return prime;
        }

        Interlocked.Increment(ref this.inlineSearches);
        return SafePrimes.Generate(this.Bits);
    }

    /// <summary>Returns the pool as the prime source <see cref="KeyGen.KeyGenParty"/> takes.</summary>
    /// <returns>The source; asking it for another size searches inline.</returns>
    public Func<int, BigInteger> AsSource() => bits => bits == this.Bits ? this.Take() : SafePrimes.Generate(bits);

    /// <summary>
    /// Stops the background searches and forgets the ready primes. Does not wait long for a search in progress: a low-priority filler on
    /// a busy machine may need many seconds to reach its next cancellation check; it then ends and drops what it found.
    /// </summary>
    public void Dispose()
    {
        if (this.stop.IsCancellationRequested)
        {
            return;
        }

        this.stop.Cancel();
        var ended = true;
        foreach (var thread in this.fillers)
        {
            ended &= thread.Join(TimeSpan.FromMilliseconds(500));
        }

        this.primes.Clear();
        if (ended)
        {
            // A filler still searching reads the token and the semaphore when it stops: those stay for the garbage collector then.
            this.stop.Dispose();
            this.space.Dispose();
        }
    }

    private void Fill()
    {
        try
        {
            this.fillerStarted?.Invoke();
            while (true)
            {
                this.space.Wait(this.stop.Token);
                var prime = SafePrimes.Generate(this.Bits, this.stop.Token);
                if (this.stop.IsCancellationRequested)
                {
                    return; // Disposed during the search: the prime is dropped.
                }

                this.primes.Enqueue(prime);
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }
}
