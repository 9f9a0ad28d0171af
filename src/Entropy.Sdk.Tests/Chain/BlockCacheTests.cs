using Entropy.Chain;
using Entropy.Tests.RealNode;
using Entropy.Tests.Rpc;

namespace Entropy.Tests.Chain;

/// <summary>The per-block cache every reader of one <see cref="SubstrateClient"/> shares (watched transactions, registrations).</summary>
public class BlockCacheTests
{
    private static BlockHash Hash(byte fill) => new(Enumerable.Repeat(fill, 32).ToArray());

    [Test]
    public async Task GetAsync_ConcurrentReadersOfOneBlock_ShareOneRead()
    {
        var reads = 0;
        var answer = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var cache = new BlockCache<string>((_, _) =>
        {
            Interlocked.Increment(ref reads);
            return answer.Task;
        });

        var waiting = Enumerable.Range(0, 10).Select(_ => cache.GetAsync(Hash(1), CancellationToken.None)).ToArray();
        answer.SetResult("events of block 1");
        var results = await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(10));
        var later = await cache.GetAsync(Hash(1), CancellationToken.None);

        Assert.That(results, Is.All.EqualTo("events of block 1"));
        Assert.That(later, Is.EqualTo("events of block 1"));
        Assert.That(reads, Is.EqualTo(1));
    }

    [Test]
    public async Task GetAsync_FailedRead_IsForgottenAndTheNextReaderAsksAgain()
    {
        var reads = 0;
        var cache = new BlockCache<string>((_, _) => Interlocked.Increment(ref reads) == 1
            ? Task.FromException<string?>(new EntropyException("node went away"))
            : Task.FromResult<string?>("second answer"));

        var failure = Assert.ThrowsAsync<EntropyException>(() => cache.GetAsync(Hash(2), CancellationToken.None));
        var retried = await cache.GetAsync(Hash(2), CancellationToken.None);

        Assert.That(failure!.Message, Is.EqualTo("node went away"));
        Assert.That(retried, Is.EqualTo("second answer"));
        Assert.That(reads, Is.EqualTo(2));
    }

    [Test]
    public async Task GetAsync_CancelledRead_IsForgottenAndTheNextReaderAsksAgain()
    {
        var reads = 0;
        var cache = new BlockCache<string>((_, _) => Interlocked.Increment(ref reads) == 1
            ? Task.FromCanceled<string?>(new CancellationToken(canceled: true))
            : Task.FromResult<string?>("second answer"));

        Assert.That(async () => await cache.GetAsync(Hash(5), CancellationToken.None), Throws.InstanceOf<OperationCanceledException>());
        var retried = await cache.GetAsync(Hash(5), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(retried, Is.EqualTo("second answer"));
        Assert.That(reads, Is.EqualTo(2));
    }

    [Test]
    public async Task GetAsync_ReadThrowsBeforeItsFirstAwait_WaitersSeeTheFailureAndTheNextReaderAsksAgain()
    {
        var reads = 0;
        var cache = new BlockCache<string>((_, _) => Interlocked.Increment(ref reads) == 1
            ? throw new EntropyException("thrown, not returned")
            : Task.FromResult<string?>("second answer"));

        var failure = Assert.ThrowsAsync<EntropyException>(() => cache.GetAsync(Hash(6), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
        var retried = await cache.GetAsync(Hash(6), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(failure!.Message, Is.EqualTo("thrown, not returned"));
        Assert.That(retried, Is.EqualTo("second answer"));
    }

    [Test]
    public async Task GetAsync_OneWaiterBlocksAfterItsAnswer_TheOtherWaitersAreStillResumed()
    {
        // What stalled registrations in DevnetFaultMatrixTests: the watcher of the prune transaction and the registration shared one
        // block's events; the test code after the watcher blocked its thread (a synchronous wait for the registration), and the
        // registration's continuation was queued behind it on that same thread, so it never ran until its deadline.
        var answer = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var cache = new BlockCache<string>((_, _) => answer.Task);
        using var secondResumed = new ManualResetEventSlim();

        var first = cache.GetAsync(Hash(10), CancellationToken.None)
            .ContinueWith(_ => secondResumed.Wait(TimeSpan.FromSeconds(10)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var second = cache.GetAsync(Hash(10), CancellationToken.None)
            .ContinueWith(_ => secondResumed.Set(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        answer.SetResult("answer");

        Assert.That(await first.WaitAsync(TimeSpan.FromSeconds(20)), Is.True, "the second waiter ran while the first one was blocked");
        await second.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Test]
    public async Task GetAsync_EvictedReadFailsAfterANewerReadOfTheSameBlock_TheNewerEntryStays()
    {
        var reads = 0;
        var firstAnswer = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cache = new BlockCache<string>((hash, _) =>
        {
            if (hash == Hash(0) && Interlocked.Increment(ref reads) == 1)
            {
                firstStarted.SetResult();
                return firstAnswer.Task;
            }

            return Task.FromResult<string?>("answer " + hash);
        });

        var evicted = cache.GetAsync(Hash(0), CancellationToken.None);
        await firstStarted.Task.WaitAsync(TimeSpan.FromSeconds(10)); // the reads start on the thread pool: the first one must be this one
        for (var i = 1; i <= BlockCache<string>.Capacity; i++)
        {
            await cache.GetAsync(Hash((byte)i), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        }

        var newer = await cache.GetAsync(Hash(0), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        firstAnswer.SetException(new EntropyException("the evicted read failed late"));
        Assert.That(async () => await evicted, Throws.InstanceOf<EntropyException>());
        var again = await cache.GetAsync(Hash(0), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(newer, Is.EqualTo("answer " + Hash(0)));
        Assert.That(again, Is.EqualTo(newer));
        Assert.That(reads, Is.EqualTo(2), "the late failure of the evicted read did not remove the newer entry");
    }

    [Test]
    public async Task GetAsync_UnknownBlock_IsNotKept()
    {
        var reads = 0;
        var cache = new BlockCache<string>((_, _) => Task.FromResult(Interlocked.Increment(ref reads) == 1 ? null : "known now"));

        var first = await cache.GetAsync(Hash(3), CancellationToken.None);
        var second = await cache.GetAsync(Hash(3), CancellationToken.None);

        Assert.That(first, Is.Null);
        Assert.That(second, Is.EqualTo("known now"));
        Assert.That(reads, Is.EqualTo(2));
    }

    [Test]
    public async Task GetAsync_OneCallerCancels_OthersStillGetTheAnswer()
    {
        var answer = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var cache = new BlockCache<string>((_, token) =>
        {
            Assert.That(token.CanBeCanceled, Is.False, "the shared read must not run under a caller's token");
            return answer.Task;
        });
        using var impatient = new CancellationTokenSource();

        var cancelled = cache.GetAsync(Hash(4), impatient.Token);
        var patient = cache.GetAsync(Hash(4), CancellationToken.None);
        await impatient.CancelAsync();
        answer.SetResult("answer");

        Assert.That(async () => await cancelled, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(await patient.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo("answer"));
    }

    [Test]
    public async Task GetAsync_MoreBlocksThanCapacity_KeepsOnlyTheNewest()
    {
        var reads = new System.Collections.Concurrent.ConcurrentDictionary<BlockHash, int>();
        var cache = new BlockCache<string>((hash, _) =>
        {
            reads.AddOrUpdate(hash, 1, (_, n) => n + 1);
            return Task.FromResult<string?>(hash.ToString());
        });

        for (var i = 0; i < BlockCache<string>.Capacity + 4; i++)
        {
            await cache.GetAsync(Hash((byte)i), CancellationToken.None);
        }

        await cache.GetAsync(Hash(0), CancellationToken.None);
        await cache.GetAsync(Hash(BlockCache<string>.Capacity + 3), CancellationToken.None);

        Assert.That(cache.Count, Is.LessThanOrEqualTo(BlockCache<string>.Capacity));
        Assert.That(reads[Hash(0)], Is.EqualTo(2), "the oldest block was evicted and read again");
        Assert.That(reads[Hash(BlockCache<string>.Capacity + 3)], Is.EqualTo(1), "the newest block came from the cache");
    }

    [Test]
    public async Task SubstrateClient_BlockEventsOfOneBlock_OneStorageRequestForAllReaders()
    {
        await using var server = await TestRpcServer.StartAsync();
        server.Results["chain_getBlockHash"] = "\"0x4545454545454545454545454545454545454545454545454545454545454545\"";
        server.Results["system_properties"] = """{"ss58Format":42,"tokenDecimals":10,"tokenSymbol":"BITS"}""";
        server.Results["state_subscribeRuntimeVersion"] = "\"rv\"";
        server.Results["state_getRuntimeVersion"] =
            """{"specName":"entropy","implName":"entropy","authoringVersion":1,"specVersion":267,"implVersion":0,"apis":[["0x37e397fc7c91f5e4",1]],"transactionVersion":9,"stateVersion":1}""";
        server.Results["state_getMetadata"] = "\"0x" + Convert.ToHexStringLower(await File.ReadAllBytesAsync(ChopsticksNode.Fixture("metadata/entropy-devnet-2023-v14.scale"))) + "\"";
        server.Results["state_getStorage"] = "\"0x00\""; // System.Events: an empty Vec<EventRecord>
        await using var client = await SubstrateClient.ConnectAsync(server.Endpoint);

        var readers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.GetBlockEventsAsync(Hash(7)))).WaitAsync(TimeSpan.FromSeconds(20));
        await client.GetBlockEventsAsync(Hash(7));
        await client.GetBlockEventsAsync(Hash(8));

        Assert.That(readers, Has.All.Empty);
        Assert.That(server.Methods.Count(m => m == "state_getStorage"), Is.EqualTo(2), "one request per block, whatever the number of readers");
    }
}
