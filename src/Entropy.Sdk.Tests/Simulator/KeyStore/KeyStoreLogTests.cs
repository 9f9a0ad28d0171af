using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Entropy.Simulator.KeyStore;

namespace Entropy.Tests.Simulator.KeyStore;

/// <summary>
/// The key store's append-only log: group commit (many writers, few syncs, every acknowledged write survives), crash recovery (a
/// batch without its commit record is cut off, never a committed one), deletions and compaction across reopen, and the migration
/// of a store written one file per record. The log is read here by its documented layout (EncryptedKeyStore remarks).
/// </summary>
public class KeyStoreLogTests
{
    /// <summary>The state byte of a commit record.</summary>
    internal const byte CommitState = 3;

    private const string Password = "correct horse battery staple";
    private static readonly KeyStoreOptions s_cheap = new() { ScryptCost = 1 << 4, ScryptBlockSize = 1, ScryptParallelization = 1 };

    private string _directory = null!;

    private string LogPath => Path.Combine(_directory, "keystore.log");

    [SetUp]
    public void SetUp() => _directory = Path.Combine(Path.GetTempPath(), "entropy-keystore-log-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Test]
    public async Task ReplaceAsync_ManyConcurrentWriters_ShareSyncsAndEveryAcknowledgedWriteSurvivesReopen()
    {
        const int writers = 200;
        long batches;
        await using (var store = await OpenAsync())
        {
            await Task.WhenAll(Enumerable.Range(0, writers).Select(i => Task.Run(() => store.ReplaceAsync($"share-{i}", BitConverter.GetBytes(i)))));
            batches = store.CommittedBatches;
        }

        await using var reopened = await OpenAsync();

        Assert.That(batches, Is.InRange(1, writers - 1), "writers waiting together are synced together");
        Assert.That(await reopened.GetKeysAsync(), Has.Count.EqualTo(writers));
        for (var i = 0; i < writers; i++)
        {
            Assert.That(await reopened.GetAsync($"share-{i}"), Is.EqualTo(BitConverter.GetBytes(i)));
        }
    }

    [Test]
    public async Task OpenAsync_CrashBeforeTheCommitRecord_TheUnacknowledgedWriteIsCutAndTheOldValueStays()
    {
        await using (var store = await OpenAsync())
        {
            await store.ReplaceAsync("share", new byte[] { 1 });
            await store.ReplaceAsync("share", new byte[] { 2 });
            await store.ReplaceAsync("other", new byte[] { 3 });
        }

        // The disk holds the second write's record but not the commit record after it (the writer was never acknowledged), and a
        // torn piece of a third batch.
        var log = await File.ReadAllBytesAsync(LogPath);
        var frames = Frames(log);
        var secondCommit = frames.Where(f => f.State == CommitState).ElementAt(2);
        var crashed = log.AsSpan(0, secondCommit.Offset - 4).ToArray().Concat(new byte[] { 0x40, 0, 0, 0, 0x45, 0x4b }).ToArray();
        await File.WriteAllBytesAsync(LogPath, crashed);

        await using (var reopened = await OpenAsync())
        {
            Assert.That(await reopened.GetAsync("share"), Is.EqualTo(new byte[] { 1 }));
            Assert.That(await reopened.GetAsync("other"), Is.Null);
            Assert.That(new FileInfo(LogPath).Length, Is.EqualTo(frames.Where(f => f.State == CommitState).ElementAt(1) is var c ? c.Offset + c.Length : 0));
            Assert.That(Directory.EnumerateFiles(_directory, "keystore.log.tail-*").Select(File.ReadAllBytes).Single(), Is.EqualTo(crashed.AsSpan((int)new FileInfo(LogPath).Length).ToArray()));
            await reopened.ReplaceAsync("other", new byte[] { 4 });
        }

        await using var again = await OpenAsync();
        Assert.That(await again.GetAsync("share"), Is.EqualTo(new byte[] { 1 }));
        Assert.That(await again.GetAsync("other"), Is.EqualTo(new byte[] { 4 }));
    }

    [Test]
    public async Task DeleteAsync_AndCompaction_SurviveReopen_AndTheLogStaysSmall()
    {
        await using (var store = await OpenAsync())
        {
            store.CompactionMinimumBytes = 0;
            for (var round = 0; round < 50; round++)
            {
                await store.ReplaceAsync("ledger", BitConverter.GetBytes(round));
                await store.ReplaceAsync($"gone-{round}", new byte[] { 1 });
                Assert.That(await store.DeleteAsync($"gone-{round}"), Is.True);
            }

            await store.PutAsync(await store.ReserveKeyAsync("reserved"), new byte[] { 7 });
            await store.ReserveKeyAsync("placeholder");
        }

        var frames = Frames(await File.ReadAllBytesAsync(LogPath));
        await using var reopened = await OpenAsync();

        Assert.That(frames.Count(f => f.State != CommitState), Is.LessThan(20), "compaction keeps about the live records only (152 were written)");
        Assert.That(await reopened.GetKeysAsync(), Is.EqualTo(new[] { "ledger", "placeholder", "reserved" }));
        Assert.That(await reopened.GetAsync("ledger"), Is.EqualTo(BitConverter.GetBytes(49)));
        Assert.That(await reopened.GetAsync("reserved"), Is.EqualTo(new byte[] { 7 }));
        Assert.That(await reopened.ExistsAsync("gone-49"), Is.False);
        Assert.That(Assert.ThrowsAsync<KeyStoreException>(() => reopened.ReserveKeyAsync("placeholder"))!.Error, Is.EqualTo(KeyStoreError.KeyExists));
    }

    [Test]
    public async Task OpenAsync_StoreWrittenOneFilePerRecord_IsMigratedIntoTheLog()
    {
        await using (var store = await OpenAsync())
        {
            await store.ReplaceAsync("share", new byte[] { 1, 2, 3 });
            await store.ReserveKeyAsync("placeholder");
        }

        // The former layout: each record alone in a file named by the SHA-256 of its key (the record bytes are the same).
        var log = await File.ReadAllBytesAsync(LogPath);
        foreach (var frame in Frames(log).Where(f => f.State != CommitState))
        {
            await File.WriteAllBytesAsync(
                Path.Combine(_directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(frame.Key))) + ".rec"),
                log.AsSpan(frame.Offset, frame.Length).ToArray());
        }

        File.Delete(LogPath);

        await using (var migrated = await OpenAsync())
        {
            Assert.That(await migrated.GetAsync("share"), Is.EqualTo(new byte[] { 1, 2, 3 }));
            Assert.That(await migrated.GetKeysAsync(), Is.EqualTo(new[] { "placeholder", "share" }));
            Assert.That(Directory.EnumerateFiles(_directory, "*.rec"), Is.Empty);
        }

        Assert.That(Assert.ThrowsAsync<KeyStoreException>(() => EncryptedKeyStore.OpenAsync(_directory, "wrong", s_cheap))!.Error, Is.EqualTo(KeyStoreError.WrongPassword));
    }

    [Test]
    public async Task OpenAsync_DamagedFrameInsideACommittedBatch_FailsOnlyItsKey()
    {
        await using (var store = await OpenAsync())
        {
            await Task.WhenAll(store.ReplaceAsync("a", new byte[] { 1 }), store.ReplaceAsync("b", new byte[] { 2 }), store.ReplaceAsync("c", new byte[] { 3 }));
        }

        var log = await File.ReadAllBytesAsync(LogPath);
        var b = Frames(log).Last(f => f.Key == "b");
        log[b.Offset + b.Length - 1] ^= 1;
        await File.WriteAllBytesAsync(LogPath, log);

        await using var reopened = await OpenAsync();

        Assert.That(Assert.ThrowsAsync<KeyStoreException>(() => reopened.GetAsync("b"))!.Key, Is.EqualTo("b"));
        Assert.That(await reopened.GetAsync("a"), Is.EqualTo(new byte[] { 1 }));
        Assert.That(await reopened.GetAsync("c"), Is.EqualTo(new byte[] { 3 }));
    }

    /// <summary>The frames of a log by its documented layout: 8-byte header, then u32 LE length ‖ record ("EKSR", version, state, u16 key length, key, …).</summary>
    internal static List<(int Offset, int Length, string Key, byte State)> Frames(byte[] log)
    {
        var frames = new List<(int, int, string, byte)>();
        for (var pos = 8; pos + 4 <= log.Length;)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(log.AsSpan(pos));
            if (length < 8 || pos + 4 + length > log.Length)
            {
                break;
            }

            var record = pos + 4;
            var keyLength = BinaryPrimitives.ReadUInt16LittleEndian(log.AsSpan(record + 6));
            frames.Add((record, length, Encoding.UTF8.GetString(log, record + 8, keyLength), log[record + 5]));
            pos = record + length;
        }

        return frames;
    }

    private Task<EncryptedKeyStore> OpenAsync() => EncryptedKeyStore.OpenAsync(_directory, Password, s_cheap);
}
