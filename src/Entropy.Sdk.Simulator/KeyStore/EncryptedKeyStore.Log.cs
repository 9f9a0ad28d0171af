using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;

namespace Entropy.Simulator.KeyStore;

/// <summary>The append-only log: replay on open, group commit, compaction, and the migration of the former one-file-per-record layout.</summary>
internal sealed partial class EncryptedKeyStore
{
    private const string LogFileName = "keystore.log";
    private const string CompactFileName = "keystore.log.compact";
    private const string LegacyRecordExtension = ".rec";
    private const int LogHeaderLength = 8;
    private const int FramePrefix = 4;
    private const int MaxBatchBytes = 4 << 20;

    private static readonly byte[] s_logMagic = "EKSL"u8.ToArray();

    private readonly object _sync = new();
    private readonly Dictionary<string, Entry> _index = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (RecordState State, int Count)> _pending = new(StringComparer.Ordinal);
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private FileStream? _log;
    private Task? _committer;
    private long _end;
    private long _liveBytes;
    private Exception? _fault;

    /// <summary>Gets or sets the log size below which it is never compacted (tests lower it).</summary>
    internal long CompactionMinimumBytes { get; set; } = 1 << 20;

    /// <summary>Gets the number of batches synced to disk since the store was opened (each is one fsync).</summary>
    internal long CommittedBatches { get; private set; }

    private string LogPath => Path.Combine(DirectoryPath, LogFileName);

    private static string LegacyRecordPath(string directory, string key) =>
        Path.Combine(directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))) + LegacyRecordExtension);

    /// <summary>Whether a directory without metadata holds anything but the verification record (a store initialized elsewhere, or damaged).</summary>
    private static bool HasRecordsWithoutMeta(string directory)
    {
        var verification = LegacyRecordPath(directory, VerificationKey);
        if (Directory.EnumerateFiles(directory, "*" + LegacyRecordExtension).Any(f => f != verification))
        {
            return true;
        }

        var logPath = Path.Combine(directory, LogFileName);
        if (!File.Exists(logPath))
        {
            return false;
        }

        var log = File.ReadAllBytes(logPath);
        if (log.Length < LogHeaderLength || !log.AsSpan(0, 4).SequenceEqual(s_logMagic))
        {
            return true;
        }

        for (long pos = LogHeaderLength; TryReadFrame(log, pos, out int length); pos += FramePrefix + length)
        {
            if (!TryParseHeader(log.AsSpan((int)pos + FramePrefix, length), out var state, out var key, out _) || (state != RecordState.Commit && key != VerificationKey))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryReadFrame(byte[] log, long pos, out int length)
    {
        length = 0;
        if (pos + FramePrefix > log.Length)
        {
            return false;
        }

        length = BinaryPrimitives.ReadInt32LittleEndian(log.AsSpan((int)pos));
        return length >= MinimumRecordLength && length <= log.Length - pos - FramePrefix;
    }

    private static FileStream OpenLog(string path) =>
        new(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0, FileOptions.None);

    private async Task CreateLogAsync(CancellationToken cancellationToken)
    {
        var verification = EncryptRecord(VerificationKey, RecordState.Value, Encoding.UTF8.GetBytes(VerificationValue));
        var log = BuildLog([verification]);
        await WriteFileAtomicAsync(LogPath, log, cancellationToken).ConfigureAwait(false);
        _end = Replay(log);
        _log = OpenLog(LogPath);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(LogPath))
        {
            await MigrateLegacyRecordsAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            foreach (var leftover in Directory.EnumerateFiles(DirectoryPath, "*" + LegacyRecordExtension))
            {
                File.Delete(leftover); // Copied into the log by a migration that was interrupted before it removed them.
            }
        }

        var log = await File.ReadAllBytesAsync(LogPath, cancellationToken).ConfigureAwait(false);
        _end = Replay(log);
        _log = OpenLog(LogPath);
        if (_end < log.Length)
        {
            // The records of a batch whose commit record never reached the disk: no writer was told they were stored. Keep the
            // bytes beside the log, then cut them off.
            await File.WriteAllBytesAsync(Path.Combine(DirectoryPath, $"{LogFileName}.tail-{_end}"), log.AsMemory((int)_end), cancellationToken).ConfigureAwait(false);
            _log.SetLength(_end);
            _log.Flush(flushToDisk: true);
        }
    }

    /// <summary>Fills the index from a log; returns the end of its last committed batch. Checks the password first, before anything is changed.</summary>
    private long Replay(byte[] log)
    {
        if (log.Length < LogHeaderLength || !log.AsSpan(0, 4).SequenceEqual(s_logMagic) || log[4] != FormatVersion)
        {
            throw new KeyStoreException(KeyStoreError.CorruptStore, null, $"The key store log '{LogPath}' is damaged or of an unknown version.");
        }

        long pos = LogHeaderLength;
        long committedEnd = LogHeaderLength;
        var batch = new List<(string? Key, RecordState State, long Offset, int Length, int HeaderLength)>();
        bool verified = false;
        while (TryReadFrame(log, pos, out int length))
        {
            long offset = pos + FramePrefix;
            pos = offset + length;
            var record = log.AsSpan((int)offset, length);
            if (!TryParseHeader(record, out var state, out var key, out int headerLength))
            {
                batch.Add((null, default, offset, length, 0)); // Unreadable header: no key to report it under; dropped by the next compaction.
                continue;
            }

            if (!verified)
            {
                CheckPassword(record, key, state, headerLength);
                verified = true;
            }

            if (state != RecordState.Commit)
            {
                batch.Add((key, state, offset, length, headerLength));
                continue;
            }

            var marker = key.Length == 0 ? TryDecrypt(record, headerLength) : null;
            if (marker is not { Length: 8 } || BinaryPrimitives.ReadInt64LittleEndian(marker) != committedEnd)
            {
                break;
            }

            foreach (var frame in batch)
            {
                ApplyReplayed(log, frame.Key, frame.State, frame.Offset, frame.Length, frame.HeaderLength);
            }

            batch.Clear();
            committedEnd = pos;
        }

        if (!_index.ContainsKey(VerificationKey))
        {
            throw new KeyStoreException(KeyStoreError.CorruptStore, null, $"The key store in '{DirectoryPath}' has no verification record.");
        }

        return committedEnd;
    }

    private void CheckPassword(ReadOnlySpan<byte> record, string key, RecordState state, int headerLength)
    {
        if (key != VerificationKey || state != RecordState.Value)
        {
            throw new KeyStoreException(KeyStoreError.CorruptStore, null, $"The key store in '{DirectoryPath}' has no verification record.");
        }

        var value = TryDecrypt(record, headerLength);
        if (value is null || !CryptographicOperations.FixedTimeEquals(value, Encoding.UTF8.GetBytes(VerificationValue)))
        {
            throw new KeyStoreException(KeyStoreError.WrongPassword, null, $"Wrong password for the key store in '{DirectoryPath}'.");
        }
    }

    private void ApplyReplayed(byte[] log, string? key, RecordState state, long offset, int length, int headerLength)
    {
        if (key is null)
        {
            return;
        }

        var value = TryDecrypt(log.AsSpan((int)offset, length), headerLength);
        bool damaged = value is null;
        if (value is not null)
        {
            CryptographicOperations.ZeroMemory(value);
        }

        if (_index.Remove(key, out var old))
        {
            _liveBytes -= FramePrefix + old.Length;
        }

        if (state == RecordState.Deleted && !damaged)
        {
            return;
        }

        _index[key] = new Entry(state, offset, length, damaged);
        _liveBytes += FramePrefix + length;
    }

    /// <summary>Copies the records of a store written one file per record (before the log) into a new log, then removes the files.</summary>
    private async Task MigrateLegacyRecordsAsync(CancellationToken cancellationToken)
    {
        byte[]? verification = null;
        var records = new List<byte[]>();
        var migrated = new List<string>();
        foreach (var file in Directory.EnumerateFiles(DirectoryPath, "*" + LegacyRecordExtension))
        {
            var record = await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false);
            if (!TryParseHeader(record, out var state, out var key, out int headerLength) || state > RecordState.Value || file != LegacyRecordPath(DirectoryPath, key))
            {
                continue; // Unreadable in the old layout too; left where it is.
            }

            if (key == VerificationKey)
            {
                CheckPassword(record, key, state, headerLength);
                verification = record;
            }
            else
            {
                records.Add(record);
            }

            migrated.Add(file);
        }

        if (verification is null)
        {
            throw new KeyStoreException(KeyStoreError.CorruptStore, null, $"The key store in '{DirectoryPath}' has no verification record.");
        }

        await WriteFileAtomicAsync(LogPath, BuildLog([verification, .. records]), cancellationToken).ConfigureAwait(false);
        foreach (var file in migrated)
        {
            File.Delete(file);
        }
    }

    /// <summary>A whole log: header, the records as one committed batch starting right after the header.</summary>
    private byte[] BuildLog(IReadOnlyList<byte[]> records)
    {
        var marker = EncryptRecord(string.Empty, RecordState.Commit, CommitValue(LogHeaderLength));
        var log = new byte[LogHeaderLength + records.Sum(r => FramePrefix + r.Length) + FramePrefix + marker.Length];
        s_logMagic.CopyTo(log, 0);
        log[4] = FormatVersion;
        int at = LogHeaderLength;
        foreach (var record in records)
        {
            at = WriteFrame(log, at, record);
        }

        WriteFrame(log, at, marker);
        return log;
    }

    private static int WriteFrame(byte[] buffer, int at, byte[] record)
    {
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(at), record.Length);
        record.CopyTo(buffer, at + FramePrefix);
        return at + FramePrefix + record.Length;
    }

    private static byte[] CommitValue(long batchStart)
    {
        var value = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(value, batchStart);
        return value;
    }

    private void StartCommitter() => _committer = Task.Run(CommitLoopAsync);

    /// <summary>The state a writer sees: the latest accepted write (durable or not), else the log's.</summary>
    private RecordState? CurrentState(string key, bool throwIfDamaged)
    {
        if (_pending.TryGetValue(key, out var pending))
        {
            return pending.State == RecordState.Deleted ? null : pending.State;
        }

        if (!_index.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (entry.Damaged && throwIfDamaged)
        {
            throw Damaged(key);
        }

        return entry.State;
    }

    private static KeyStoreException Damaged(string key) =>
        new(KeyStoreError.CorruptRecord, key, $"The record of key '{key}' failed authentication: it is damaged or was written with another password.");

    private void ThrowIfUnusable()
    {
        ThrowIfDisposed();
        if (_fault is { } fault)
        {
            throw new KeyStoreException(KeyStoreError.WriteFailed, null, $"The key store in '{DirectoryPath}' could not write to its disk ({fault.Message}); restart the server once the disk is writable.", fault);
        }
    }

    /// <summary>Hands a record to the committer (under <see cref="_sync"/>); the task completes once it is on disk.</summary>
    private Task Enqueue(string key, RecordState state, byte[] record)
    {
        var write = new PendingWrite(key, state, record);
        if (!_writes.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(ToString());
        }

        _pending[key] = _pending.TryGetValue(key, out var pending) ? (state, pending.Count + 1) : (state, 1);
        return write.Done.Task;
    }

    /// <summary>Reads a key's durable record (the last committed one).</summary>
    private Record? ReadDurable(string key)
    {
        byte[] record;
        lock (_sync)
        {
            if (!_index.TryGetValue(key, out var entry))
            {
                return null;
            }

            if (entry.Damaged)
            {
                throw Damaged(key);
            }

            record = new byte[entry.Length];
            if (RandomAccess.Read(_log!.SafeFileHandle, record, entry.Offset) != record.Length)
            {
                throw new KeyStoreException(KeyStoreError.CorruptRecord, key, $"The record of key '{key}' is damaged (the log is shorter than its index).");
            }
        }

        if (!TryParseHeader(record, out var state, out string? storedKey, out int headerLength) || storedKey != key)
        {
            throw new KeyStoreException(KeyStoreError.CorruptRecord, key, $"The record of key '{key}' is damaged (bad header).");
        }

        return new Record(state, TryDecrypt(record, headerLength) ?? throw Damaged(key));
    }

    /// <summary>Group commit: appends every record waiting, then a commit record, syncs once, and acknowledges the writers.</summary>
    private async Task CommitLoopAsync()
    {
        var reader = _writes.Reader;
        var batch = new List<PendingWrite>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            long bytes = 0;
            while (bytes < MaxBatchBytes && reader.TryRead(out var write))
            {
                batch.Add(write);
                bytes += FramePrefix + write.Record.Length;
            }

            var failure = _fault;
            if (failure is null)
            {
                try
                {
                    CommitBatch(batch);
                }
                catch (Exception e)
                {
                    failure = e;
                    lock (_sync)
                    {
                        _fault = e;
                    }
                }
            }

            foreach (var write in batch)
            {
                if (failure is null)
                {
                    write.Done.TrySetResult();
                }
                else
                {
                    write.Done.TrySetException(new KeyStoreException(KeyStoreError.WriteFailed, write.Key, $"The key store in '{DirectoryPath}' could not write '{write.Key}' to its disk ({failure.Message}).", failure));
                }
            }

            if (failure is null)
            {
                try
                {
                    CompactIfWorthIt();
                }
                catch (Exception e)
                {
                    lock (_sync)
                    {
                        _fault = e;
                    }
                }
            }
        }
    }

    private void CommitBatch(List<PendingWrite> batch)
    {
        long start = _end;
        var marker = EncryptRecord(string.Empty, RecordState.Commit, CommitValue(start));
        var buffer = new byte[batch.Sum(w => FramePrefix + w.Record.Length) + FramePrefix + marker.Length];
        var offsets = new long[batch.Count];
        int at = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            offsets[i] = start + at + FramePrefix;
            at = WriteFrame(buffer, at, batch[i].Record);
        }

        WriteFrame(buffer, at, marker);
        RandomAccess.Write(_log!.SafeFileHandle, buffer, start);
        _log.Flush(flushToDisk: true);
        lock (_sync)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var write = batch[i];
                if (_index.Remove(write.Key, out var old))
                {
                    _liveBytes -= FramePrefix + old.Length;
                }

                if (write.State != RecordState.Deleted)
                {
                    _index[write.Key] = new Entry(write.State, offsets[i], write.Record.Length, Damaged: false);
                    _liveBytes += FramePrefix + write.Record.Length;
                }

                var pending = _pending[write.Key];
                if (pending.Count == 1)
                {
                    _pending.Remove(write.Key);
                }
                else
                {
                    _pending[write.Key] = (pending.State, pending.Count - 1);
                }
            }

            _end = start + buffer.Length;
            CommittedBatches++;
        }
    }

    /// <summary>Rewrites the live records into a new log when replaced and deleted ones make up more than half of it (committer only).</summary>
    private void CompactIfWorthIt()
    {
        var live = new List<(string Key, Entry Entry, byte[] Record)>();
        lock (_sync)
        {
            long used = _end - LogHeaderLength;
            if (used < CompactionMinimumBytes || used <= 2 * _liveBytes)
            {
                return;
            }

            // Only the committer changes the index, so this snapshot stays current until the swap below.
            foreach (var (key, entry) in _index.OrderBy(e => e.Key == VerificationKey ? 0 : 1))
            {
                var record = new byte[entry.Length];
                RandomAccess.Read(_log!.SafeFileHandle, record, entry.Offset);
                live.Add((key, entry, record));
            }
        }

        var log = BuildLog([.. live.Select(x => x.Record)]);
        var compactPath = Path.Combine(DirectoryPath, CompactFileName);
        using (var file = new FileStream(compactPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            file.Write(log);
            file.Flush(flushToDisk: true);
        }

        lock (_sync)
        {
            _log!.Dispose();
            File.Move(compactPath, LogPath, overwrite: true);
            _log = OpenLog(LogPath);
            long at = LogHeaderLength;
            foreach (var (key, entry, record) in live)
            {
                _index[key] = entry with { Offset = at + FramePrefix };
                at += FramePrefix + record.Length;
            }

            _end = log.Length;
        }

        SyncDirectory(DirectoryPath);
    }

    private readonly record struct Entry(RecordState State, long Offset, int Length, bool Damaged);

    private sealed class PendingWrite(string key, RecordState state, byte[] record)
    {
        public string Key { get; } = key;

        public RecordState State { get; } = state;

        public byte[] Record { get; } = record;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
