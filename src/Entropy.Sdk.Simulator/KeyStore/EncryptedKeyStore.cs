using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Entropy.Simulator.KeyStore;

/// <summary>A threshold server's persistent, encrypted key-value store, with the reservation rules of Entropy's kvdb.</summary>
/// <remarks>
/// <para>
/// Mirrors <c>entropy-kvdb</c> (PROTOCOL.md §7): each record is encrypted with XChaCha20-Poly1305 under a fresh random 24-byte nonce;
/// the key is <c>scrypt(password, salt)</c> with a random 32-byte salt stored in the clear; the value <c>"verification_value"</c>
/// stored under <c>"verification_key"</c> makes a wrong password fail loudly. <see cref="ReserveKeyAsync"/> fails if the key exists,
/// <see cref="PutAsync"/> needs a reservation, and <see cref="DeleteAsync"/> refuses a key that is only reserved.
/// </para>
/// <para>
/// Layout: a directory holding <c>keystore.meta</c> (scrypt parameters and salt), <c>keystore.lock</c> (held while open) and
/// <c>keystore.log</c>, an append-only log like kvdb's sled: <c>"EKSL" ‖ version ‖ 3 zero bytes</c>, then frames
/// <c>u32 LE length ‖ record</c>. A record is <c>"EKSR" ‖ version ‖ state ‖ u16 key length ‖ key ‖ nonce ‖ ciphertext</c>; everything
/// before the nonce is the AEAD's associated data, so a record cannot be relabelled to another key or turned from a value into a
/// reservation or a deletion unnoticed (kvdb uses empty associated data). The last record of a key wins; a deletion is a record too.
/// </para>
/// <para>
/// Durability (group commit): writers hand their encrypted records to one committer, which appends every record waiting at that moment
/// followed by a commit record (encrypted, carrying the batch's start offset), syncs the file to disk once, and only then acknowledges
/// the writers. On open, records count only up to the last valid commit record: a crash in the middle of an append leaves the records
/// of an unacknowledged batch, which are cut off (and kept beside the log as <c>keystore.log.tail-OFFSET</c>); an acknowledged write is
/// never lost. A damaged record inside a committed batch fails on its own, naming its key. When replaced and deleted records make up
/// more than half of the log, the committer rewrites the live records into a new file, syncs it and renames it over the log.
/// </para>
/// <para>All members are thread-safe.</para>
/// </remarks>
internal sealed partial class EncryptedKeyStore : IAsyncDisposable, IDisposable
{
    /// <summary>The key of the password-verification record.</summary>
    public const string VerificationKey = "verification_key";

    /// <summary>The plaintext of the password-verification record.</summary>
    public const string VerificationValue = "verification_value";

    /// <summary>The key holding the latest block number handled by <c>/user/new</c> (u32 big endian).</summary>
    public const string LatestBlockNumberNewUser = "LATEST_BLOCK_NUMBER_NEW_USER";

    /// <summary>The key holding the latest block number handled by proactive refresh (u32 big endian).</summary>
    public const string LatestBlockNumberProactiveRefresh = "LATEST_BLOCK_NUMBER_PROACTIVE_REFRESH";

    private const string MetaFileName = "keystore.meta";
    private const string LockFileName = "keystore.lock";
    private const string TempExtension = ".tmp";

    private readonly Key _key;
    private readonly FileStream _lock;
    private int _disposed;

    private EncryptedKeyStore(string directory, Key key, FileStream lockFile)
    {
        DirectoryPath = directory;
        _key = key;
        _lock = lockFile;
    }

    /// <summary>Gets the keys a threshold server refuses to receive from a peer: its own mnemonic and x25519 key pair (<c>FORBIDDEN_KEYS</c>).</summary>
    public static FrozenSet<string> ForbiddenKeys { get; } = FrozenSet.ToFrozenSet(["MNEMONIC", "SHARED_SECRET", "DH_PUBLIC"], StringComparer.Ordinal);

    /// <summary>Gets the directory the store lives in.</summary>
    public string DirectoryPath { get; }

    /// <summary>Opens the store in <paramref name="directory"/>, creating it (with <paramref name="options"/>) if it does not exist.</summary>
    /// <param name="directory">The store's directory; created if missing.</param>
    /// <param name="password">The server password.</param>
    /// <param name="options">The scrypt parameters for a new store; an existing one keeps its own, which must not be weaker (see <see cref="KeyStoreOptions"/>).</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>The open store; dispose it to release the directory.</returns>
    /// <exception cref="KeyStoreException">The password is wrong (<see cref="KeyStoreError.WrongPassword"/>), the store is damaged, or another process has it open.</exception>
    /// <exception cref="ArgumentException">An argument or option is invalid.</exception>
    public static async Task<EncryptedKeyStore> OpenAsync(string directory, string password, KeyStoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(password);
        options ??= new KeyStoreOptions();
        options.Validate();

        directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(directory);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(Path.Combine(directory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new KeyStoreException(KeyStoreError.Locked, null, $"The key store in '{directory}' is open in another process or instance.", e);
        }

        Key? key = null;
        EncryptedKeyStore? store = null;
        try
        {
            foreach (var stale in Directory.EnumerateFiles(directory, "*" + TempExtension).Append(Path.Combine(directory, CompactFileName)))
            {
                File.Delete(stale); // A write or compaction interrupted before its rename; the file it was replacing is intact.
            }

            var metaPath = Path.Combine(directory, MetaFileName);
            bool exists = File.Exists(metaPath);
            ScryptParameters parameters;
            byte[] salt;
            if (exists)
            {
                (parameters, salt) = ReadMeta(await File.ReadAllBytesAsync(metaPath, cancellationToken).ConfigureAwait(false), metaPath);
                if (parameters.Cost < options.EffectiveMinimumCost || parameters.BlockSize < options.ScryptBlockSize || parameters.Parallelization < options.ScryptParallelization)
                {
                    throw new KeyStoreException(
                        KeyStoreError.WeakParameters,
                        null,
                        $"The key store metadata '{metaPath}' asks for scrypt N = {parameters.Cost}, r = {parameters.BlockSize}, p = {parameters.Parallelization}, below this server's minimum " +
                        $"(N ≥ {options.EffectiveMinimumCost}, r ≥ {options.ScryptBlockSize}, p ≥ {options.ScryptParallelization}): the file was edited or belongs to another setup. Restore it, or lower KeyStoreOptions.MinimumScryptCost deliberately.");
                }
            }
            else
            {
                if (HasRecordsWithoutMeta(directory))
                {
                    throw new KeyStoreException(KeyStoreError.CorruptStore, null, $"The key store in '{directory}' has records but no {MetaFileName}.");
                }

                parameters = new ScryptParameters { Cost = options.ScryptCost, BlockSize = options.ScryptBlockSize, Parallelization = options.ScryptParallelization };
                salt = RandomNumberGenerator.GetBytes(SaltLength);
            }

            key = await Task.Run(() => DeriveKey(password, salt, parameters), cancellationToken).ConfigureAwait(false);
            store = new EncryptedKeyStore(directory, key, lockFile);
            if (exists)
            {
                await store.LoadAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // The log (holding the verification record) first and the metadata last: a store is initialized once its metadata exists.
                await store.CreateLogAsync(cancellationToken).ConfigureAwait(false);
                await WriteFileAtomicAsync(metaPath, WriteMeta(parameters, salt), cancellationToken).ConfigureAwait(false);
            }

            store.StartCommitter();
            return store;
        }
        catch
        {
            if (store is not null)
            {
                store.Dispose();
            }
            else
            {
                key?.Dispose();
                await lockFile.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Throws if <paramref name="key"/> is one of <see cref="ForbiddenKeys"/>: the check a server makes on keys received from peers.</summary>
    /// <param name="key">The key.</param>
    /// <exception cref="KeyStoreException">The key is forbidden.</exception>
    public static void EnsureNotForbidden(string key)
    {
        if (ForbiddenKeys.Contains(key) || key == VerificationKey)
        {
            throw new KeyStoreException(KeyStoreError.ForbiddenKey, key, $"The key '{key}' is forbidden.");
        }
    }

    /// <summary>Reserves <paramref name="key"/> by writing an (encrypted) placeholder.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the operation before it is written.</param>
    /// <returns>The reservation to pass to <see cref="PutAsync"/>.</returns>
    /// <exception cref="KeyStoreException">The key exists (<see cref="KeyStoreError.KeyExists"/>) or is the verification key.</exception>
    public async Task<KeyReservation> ReserveKeyAsync(string key, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        var record = EncryptRecord(key, RecordState.Reserved, []);
        Task written;
        lock (_sync)
        {
            ThrowIfUnusable();
            if (CurrentState(key, throwIfDamaged: false) is not null)
            {
                throw new KeyStoreException(KeyStoreError.KeyExists, key, $"The key '{key}' already exists.");
            }

            written = Enqueue(key, RecordState.Reserved, record);
        }

        await written.ConfigureAwait(false);
        return new KeyReservation(this, key);
    }

    /// <summary>Stores <paramref name="value"/> under a reserved key.</summary>
    /// <param name="reservation">The reservation from <see cref="ReserveKeyAsync"/>.</param>
    /// <param name="value">The value; it is encrypted before it touches the disk.</param>
    /// <param name="cancellationToken">Cancels the operation before it is written.</param>
    /// <returns>A task that completes when the value is durably written.</returns>
    /// <exception cref="KeyStoreException">The key is not (or no longer) reserved, or its record is damaged.</exception>
    /// <exception cref="ArgumentException">The reservation belongs to another store.</exception>
    public async Task PutAsync(KeyReservation reservation, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        if (!ReferenceEquals(reservation.Store, this))
        {
            throw new ArgumentException("The reservation belongs to another key store.", nameof(reservation));
        }

        string key = reservation.Key;
        cancellationToken.ThrowIfCancellationRequested();
        var record = EncryptRecord(key, RecordState.Value, value.Span);
        Task written;
        lock (_sync)
        {
            ThrowIfUnusable();
            var state = CurrentState(key, throwIfDamaged: true);
            if (state != RecordState.Reserved)
            {
                throw new KeyStoreException(
                    KeyStoreError.NotReserved,
                    key,
                    state is null ? $"The key '{key}' is not reserved." : $"The key '{key}' already holds a value; reserve it again after deleting it.");
            }

            written = Enqueue(key, RecordState.Value, record);
        }

        await written.ConfigureAwait(false);
    }

    /// <summary>
    /// Stores <paramref name="value"/> under <paramref name="key"/>, replacing any value, in one write: the same outcome as
    /// <see cref="DeleteAsync"/>, <see cref="ReserveKeyAsync"/> and <see cref="PutAsync"/>, for a caller that serialises its writers of
    /// the key itself. A crash leaves the old value or the new one, never neither.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value; it is encrypted before it touches the disk.</param>
    /// <param name="cancellationToken">Cancels the operation before it is written.</param>
    /// <returns>A task that completes when the value is durably written.</returns>
    /// <exception cref="KeyStoreException">The key is only reserved by another writer (<see cref="KeyStoreError.ReservedPlaceholder"/>), is damaged, or is the verification key.</exception>
    public async Task ReplaceAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        var record = EncryptRecord(key, RecordState.Value, value.Span);
        Task written;
        lock (_sync)
        {
            ThrowIfUnusable();
            if (CurrentState(key, throwIfDamaged: true) == RecordState.Reserved)
            {
                throw new KeyStoreException(KeyStoreError.ReservedPlaceholder, key, $"The key '{key}' is reserved by another writer and has no value yet; it cannot be replaced.");
            }

            written = Enqueue(key, RecordState.Value, record);
        }

        await written.ConfigureAwait(false);
    }

    /// <summary>Reads the value stored under <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The value, or <see langword="null"/> when the key is absent or only reserved.</returns>
    /// <exception cref="KeyStoreException">The record is damaged (<see cref="KeyStoreError.CorruptRecord"/>, naming the key).</exception>
    public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        var record = ReadDurable(key);
        return Task.FromResult(record is { State: RecordState.Value } ? record.Value.Value : null);
    }

    /// <summary>Returns whether <paramref name="key"/> holds a value or a reservation.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when the key exists.</returns>
    /// <exception cref="KeyStoreException">The record is damaged.</exception>
    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        return Task.FromResult(ReadDurable(key) is not null);
    }

    /// <summary>Deletes the value under <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the operation before it is written.</param>
    /// <returns><see langword="true"/> when a value was deleted; <see langword="false"/> when the key was absent.</returns>
    /// <exception cref="KeyStoreException">The key is only reserved (<see cref="KeyStoreError.ReservedPlaceholder"/>), or its record is damaged.</exception>
    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        var record = EncryptRecord(key, RecordState.Deleted, []);
        Task written;
        lock (_sync)
        {
            ThrowIfUnusable();
            var state = CurrentState(key, throwIfDamaged: true);
            if (state is null)
            {
                return false;
            }

            if (state == RecordState.Reserved)
            {
                throw new KeyStoreException(KeyStoreError.ReservedPlaceholder, key, $"The key '{key}' is reserved and has no value yet; it cannot be deleted.");
            }

            written = Enqueue(key, RecordState.Deleted, record);
        }

        await written.ConfigureAwait(false);
        return true;
    }

    /// <summary>Lists the keys in the store (values and reservations), without decrypting anything.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The keys, sorted ordinally.</returns>
    public Task<IReadOnlyList<string>> GetKeysAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        List<string> keys;
        lock (_sync)
        {
            keys = [.. _index.Keys.Where(k => k != VerificationKey)];
        }

        keys.Sort(StringComparer.Ordinal);
        return Task.FromResult<IReadOnlyList<string>>(keys);
    }

    /// <summary>Finishes the writes already accepted, releases the store's directory and wipes the derived key.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _writes.Writer.TryComplete();
            _committer?.GetAwaiter().GetResult();
            lock (_sync)
            {
                _log?.Dispose();
            }

            _key.Dispose();
            _lock.Dispose();
        }
    }

    /// <summary>Finishes the writes already accepted, releases the store's directory and wipes the derived key.</summary>
    /// <returns>A task that completes when the store is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _writes.Writer.TryComplete();
            if (_committer is not null)
            {
                await _committer.ConfigureAwait(false);
            }

            lock (_sync)
            {
                _log?.Dispose();
            }

            _key.Dispose();
            await _lock.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Returns a description without secrets.</summary>
    /// <returns>The store's directory.</returns>
    public override string ToString() => $"EncryptedKeyStore '{DirectoryPath}'";

    private void CheckKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0)
        {
            throw new ArgumentException("A key must not be empty.", nameof(key));
        }

        if (Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
        {
            throw new ArgumentException($"A key is at most {MaxKeyBytes} UTF-8 bytes.", nameof(key));
        }

        if (key == VerificationKey)
        {
            throw new KeyStoreException(KeyStoreError.ForbiddenKey, key, $"The key '{key}' belongs to the key store itself.");
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private readonly record struct Record(RecordState State, byte[] Value);
}

/// <summary>A reservation of a key in an <see cref="EncryptedKeyStore"/>, to be completed with <see cref="EncryptedKeyStore.PutAsync"/>.</summary>
internal sealed class KeyReservation
{
    internal KeyReservation(EncryptedKeyStore store, string key)
    {
        Store = store;
        Key = key;
    }

    /// <summary>Gets the reserved key.</summary>
    public string Key { get; }

    internal EncryptedKeyStore Store { get; }

    /// <summary>Returns the reserved key.</summary>
    /// <returns>A description naming the key.</returns>
    public override string ToString() => $"KeyReservation '{Key}'";
}
