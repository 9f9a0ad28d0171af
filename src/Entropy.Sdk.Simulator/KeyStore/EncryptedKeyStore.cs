using System.Buffers.Binary;
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
/// Layout: a directory holding <c>keystore.meta</c> (scrypt parameters and salt), <c>keystore.lock</c> (held while open) and one file per
/// record, named by the SHA-256 of the key. A record file is <c>"EKSR" ‖ version ‖ state ‖ u16 key length ‖ key ‖ nonce ‖ ciphertext</c>;
/// everything before the nonce is the AEAD's associated data, so a record cannot be moved to another key or turned from a value into a
/// reservation unnoticed (kvdb uses empty associated data). Every write goes to a temporary file that is flushed to disk and then renamed
/// over the record, so a crash leaves either the old or the new record. A damaged record fails on its own, naming its key.
/// </para>
/// <para>All members are thread-safe; mutations are serialized.</para>
/// </remarks>
internal sealed class EncryptedKeyStore : IAsyncDisposable, IDisposable
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
    private const string RecordExtension = ".rec";
    private const string TempExtension = ".tmp";
    private const byte FormatVersion = 1;
    private const int SaltLength = 32;
    private const int MaxKeyBytes = ushort.MaxValue;

    private static readonly byte[] s_recordMagic = "EKSR"u8.ToArray();
    private static readonly byte[] s_metaMagic = "EKSM"u8.ToArray();
    private static readonly AeadAlgorithm s_aead = AeadAlgorithm.XChaCha20Poly1305;

    private readonly Key _key;
    private readonly FileStream _lock;
    private readonly SemaphoreSlim _gate = new(1, 1);
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
        try
        {
            foreach (var stale in Directory.EnumerateFiles(directory, "*" + TempExtension))
            {
                File.Delete(stale); // A write interrupted before its rename; the record it was replacing is intact.
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
                var strays = Directory.EnumerateFiles(directory, "*" + RecordExtension).Where(f => f != RecordPath(directory, VerificationKey));
                if (strays.Any())
                {
                    throw new KeyStoreException(KeyStoreError.CorruptStore, null, $"The key store in '{directory}' has records but no {MetaFileName}.");
                }

                parameters = new ScryptParameters { Cost = options.ScryptCost, BlockSize = options.ScryptBlockSize, Parallelization = options.ScryptParallelization };
                salt = RandomNumberGenerator.GetBytes(SaltLength);
            }

            key = await Task.Run(() => DeriveKey(password, salt, parameters), cancellationToken).ConfigureAwait(false);
            var store = new EncryptedKeyStore(directory, key, lockFile);
            if (exists)
            {
                await store.CheckPasswordAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // The verification record first and the metadata last: a store is initialized once its metadata exists.
                await store.WriteRecordAsync(VerificationKey, RecordState.Value, Encoding.UTF8.GetBytes(VerificationValue), cancellationToken).ConfigureAwait(false);
                await WriteFileAtomicAsync(metaPath, WriteMeta(parameters, salt), cancellationToken).ConfigureAwait(false);
            }

            return store;
        }
        catch
        {
            key?.Dispose();
            await lockFile.DisposeAsync().ConfigureAwait(false);
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
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The reservation to pass to <see cref="PutAsync"/>.</returns>
    /// <exception cref="KeyStoreException">The key exists (<see cref="KeyStoreError.KeyExists"/>) or is the verification key.</exception>
    public async Task<KeyReservation> ReserveKeyAsync(string key, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            if (File.Exists(RecordPath(DirectoryPath, key)))
            {
                throw new KeyStoreException(KeyStoreError.KeyExists, key, $"The key '{key}' already exists.");
            }

            await WriteRecordAsync(key, RecordState.Reserved, [], cancellationToken).ConfigureAwait(false);
            return new KeyReservation(this, key);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stores <paramref name="value"/> under a reserved key.</summary>
    /// <param name="reservation">The reservation from <see cref="ReserveKeyAsync"/>.</param>
    /// <param name="value">The value; it is encrypted before it touches the disk.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
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
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            var record = await ReadRecordAsync(key, cancellationToken).ConfigureAwait(false);
            if (record is not { State: RecordState.Reserved })
            {
                throw new KeyStoreException(
                    KeyStoreError.NotReserved,
                    key,
                    record is null ? $"The key '{key}' is not reserved." : $"The key '{key}' already holds a value; reserve it again after deleting it.");
            }

            await WriteRecordAsync(key, RecordState.Value, value.Span, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Stores <paramref name="value"/> under <paramref name="key"/>, replacing any value, in one atomic write (one fsync): the same
    /// outcome as <see cref="DeleteAsync"/>, <see cref="ReserveKeyAsync"/> and <see cref="PutAsync"/>, at half the disk syncs, for a
    /// caller that serialises its writers of the key itself. A crash leaves the old value or the new one, never neither.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value; it is encrypted before it touches the disk.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the value is durably written.</returns>
    /// <exception cref="KeyStoreException">The key is only reserved by another writer (<see cref="KeyStoreError.ReservedPlaceholder"/>), or is the verification key.</exception>
    public async Task ReplaceAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            if (File.Exists(RecordPath(DirectoryPath, key)) && await ReadRecordAsync(key, cancellationToken).ConfigureAwait(false) is { State: RecordState.Reserved })
            {
                throw new KeyStoreException(KeyStoreError.ReservedPlaceholder, key, $"The key '{key}' is reserved by another writer and has no value yet; it cannot be replaced.");
            }

            await WriteRecordAsync(key, RecordState.Value, value.Span, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Reads the value stored under <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The value, or <see langword="null"/> when the key is absent or only reserved.</returns>
    /// <exception cref="KeyStoreException">The record is damaged (<see cref="KeyStoreError.CorruptRecord"/>, naming the key).</exception>
    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        ThrowIfDisposed();
        var record = await ReadRecordAsync(key, cancellationToken).ConfigureAwait(false);
        return record is { State: RecordState.Value } ? record.Value.Value : null;
    }

    /// <summary>Returns whether <paramref name="key"/> holds a value or a reservation.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when the key exists.</returns>
    /// <exception cref="KeyStoreException">The record is damaged.</exception>
    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        ThrowIfDisposed();
        return await ReadRecordAsync(key, cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>Deletes the value under <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when a value was deleted; <see langword="false"/> when the key was absent.</returns>
    /// <exception cref="KeyStoreException">The key is only reserved (<see cref="KeyStoreError.ReservedPlaceholder"/>), or its record is damaged.</exception>
    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            var record = await ReadRecordAsync(key, cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                return false;
            }

            if (record.Value.State == RecordState.Reserved)
            {
                throw new KeyStoreException(KeyStoreError.ReservedPlaceholder, key, $"The key '{key}' is reserved and has no value yet; it cannot be deleted.");
            }

            File.Delete(RecordPath(DirectoryPath, key));
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Lists the keys in the store (values and reservations), without decrypting anything.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The keys, sorted ordinally; files whose header is unreadable are skipped.</returns>
    public async Task<IReadOnlyList<string>> GetKeysAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var keys = new List<string>();
        foreach (var path in Directory.EnumerateFiles(DirectoryPath, "*" + RecordExtension))
        {
            byte[] file;
            try
            {
                file = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            }
            catch (FileNotFoundException)
            {
                continue;
            }

            if (TryParseHeader(file, out _, out string? key, out _) && key != VerificationKey)
            {
                keys.Add(key);
            }
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    /// <summary>Releases the store's directory and wipes the derived key.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _key.Dispose();
            _lock.Dispose();
            _gate.Dispose();
        }
    }

    /// <summary>Releases the store's directory and wipes the derived key.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Returns a description without secrets.</summary>
    /// <returns>The store's directory.</returns>
    public override string ToString() => $"EncryptedKeyStore '{DirectoryPath}'";

    private static string RecordPath(string directory, string key) =>
        Path.Combine(directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))) + RecordExtension);

    private static Key DeriveKey(string password, byte[] salt, ScryptParameters parameters)
    {
        var kdf = PasswordBasedKeyDerivationAlgorithm.Scrypt(parameters);
        var passwordBytes = Encoding.UTF8.GetBytes(password);
        try
        {
            var creation = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None };
            return kdf.DeriveKey(passwordBytes, salt, s_aead, creation);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
        }
    }

    private static byte[] WriteMeta(ScryptParameters parameters, byte[] salt)
    {
        // "EKSM" ‖ version ‖ N (u64 LE) ‖ r (u32 LE) ‖ p (u32 LE) ‖ salt (32)
        var meta = new byte[4 + 1 + 8 + 4 + 4 + SaltLength];
        s_metaMagic.CopyTo(meta, 0);
        meta[4] = FormatVersion;
        BinaryPrimitives.WriteInt64LittleEndian(meta.AsSpan(5), parameters.Cost);
        BinaryPrimitives.WriteInt32LittleEndian(meta.AsSpan(13), parameters.BlockSize);
        BinaryPrimitives.WriteInt32LittleEndian(meta.AsSpan(17), parameters.Parallelization);
        salt.CopyTo(meta, 21);
        return meta;
    }

    private static (ScryptParameters Parameters, byte[] Salt) ReadMeta(byte[] meta, string path)
    {
        if (meta.Length != 4 + 1 + 8 + 4 + 4 + SaltLength || !meta.AsSpan(0, 4).SequenceEqual(s_metaMagic) || meta[4] != FormatVersion)
        {
            throw new KeyStoreException(KeyStoreError.CorruptStore, null, $"The key store metadata '{path}' is damaged or of an unknown version.");
        }

        var parameters = new ScryptParameters
        {
            Cost = BinaryPrimitives.ReadInt64LittleEndian(meta.AsSpan(5)),
            BlockSize = BinaryPrimitives.ReadInt32LittleEndian(meta.AsSpan(13)),
            Parallelization = BinaryPrimitives.ReadInt32LittleEndian(meta.AsSpan(17)),
        };
        var check = new KeyStoreOptions { ScryptCost = parameters.Cost, ScryptBlockSize = parameters.BlockSize, ScryptParallelization = parameters.Parallelization };
        try
        {
            check.Validate();
        }
        catch (ArgumentException e)
        {
            throw new KeyStoreException(KeyStoreError.CorruptStore, null, $"The key store metadata '{path}' has invalid scrypt parameters.", e);
        }

        return (parameters, meta.AsSpan(21, SaltLength).ToArray());
    }

    private static bool TryParseHeader(ReadOnlySpan<byte> file, out RecordState state, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? key, out int headerLength)
    {
        state = default;
        key = null;
        headerLength = 0;
        if (file.Length < 8 || !file[..4].SequenceEqual(s_recordMagic) || file[4] != FormatVersion || file[5] > (byte)RecordState.Value)
        {
            return false;
        }

        int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(file[6..]);
        headerLength = 8 + keyLength;
        if (file.Length < headerLength + s_aead.NonceSize + s_aead.TagSize)
        {
            return false;
        }

        try
        {
            key = new UTF8Encoding(false, true).GetString(file.Slice(8, keyLength));
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        state = (RecordState)file[5];
        return true;
    }

    private static async Task WriteFileAtomicAsync(string path, byte[] contents, CancellationToken cancellationToken)
    {
        string temp = $"{path}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}{TempExtension}";
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(contents, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true); // fsync before the rename makes the new contents visible.
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private async Task CheckPasswordAsync(CancellationToken cancellationToken)
    {
        Record? record;
        try
        {
            record = await ReadRecordAsync(VerificationKey, cancellationToken).ConfigureAwait(false);
        }
        catch (KeyStoreException e) when (e.Error == KeyStoreError.CorruptRecord)
        {
            throw new KeyStoreException(KeyStoreError.WrongPassword, null, $"Wrong password for the key store in '{DirectoryPath}'.", e);
        }

        if (record is null)
        {
            throw new KeyStoreException(KeyStoreError.CorruptStore, null, $"The key store in '{DirectoryPath}' has no verification record.");
        }

        if (record.Value.State != RecordState.Value || !CryptographicOperations.FixedTimeEquals(record.Value.Value, Encoding.UTF8.GetBytes(VerificationValue)))
        {
            throw new KeyStoreException(KeyStoreError.WrongPassword, null, $"Wrong password for the key store in '{DirectoryPath}'.");
        }
    }

    private Task WriteRecordAsync(string key, RecordState state, ReadOnlySpan<byte> value, CancellationToken cancellationToken) =>
        WriteFileAtomicAsync(RecordPath(DirectoryPath, key), EncryptRecord(key, state, value), cancellationToken);

    private byte[] EncryptRecord(string key, RecordState state, ReadOnlySpan<byte> value)
    {
        int keyLength = Encoding.UTF8.GetByteCount(key);
        int headerLength = 8 + keyLength;
        var file = new byte[headerLength + s_aead.NonceSize + value.Length + s_aead.TagSize];
        s_recordMagic.CopyTo(file, 0);
        file[4] = FormatVersion;
        file[5] = (byte)state;
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(6), (ushort)keyLength);
        Encoding.UTF8.GetBytes(key, file.AsSpan(8));
        var nonce = file.AsSpan(headerLength, s_aead.NonceSize);
        RandomNumberGenerator.Fill(nonce);
        s_aead.Encrypt(_key, nonce, file.AsSpan(0, headerLength), value, file.AsSpan(headerLength + s_aead.NonceSize));
        return file;
    }

    private async Task<Record?> ReadRecordAsync(string key, CancellationToken cancellationToken)
    {
        byte[] file;
        try
        {
            file = await File.ReadAllBytesAsync(RecordPath(DirectoryPath, key), cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        if (!TryParseHeader(file, out var state, out string? storedKey, out int headerLength) || storedKey != key)
        {
            throw new KeyStoreException(KeyStoreError.CorruptRecord, key, $"The record of key '{key}' is damaged (bad header).");
        }

        var nonce = file.AsSpan(headerLength, s_aead.NonceSize);
        var ciphertext = file.AsSpan(headerLength + s_aead.NonceSize);
        var value = new byte[ciphertext.Length - s_aead.TagSize];
        if (!s_aead.Decrypt(_key, nonce, file.AsSpan(0, headerLength), ciphertext, value))
        {
            throw new KeyStoreException(KeyStoreError.CorruptRecord, key, $"The record of key '{key}' failed authentication: it is damaged or was written with another password.");
        }

        return new Record(state, value);
    }

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

    private enum RecordState : byte
    {
        Reserved = 0,
        Value = 1,
    }

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
