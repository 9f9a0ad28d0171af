using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Entropy.Simulator.KeyStore;

/// <summary>The record format (encryption, header), the metadata file, the key derivation and the file-system helpers.</summary>
internal sealed partial class EncryptedKeyStore
{
    private const byte FormatVersion = 1;
    private const int SaltLength = 32;
    private const int MaxKeyBytes = ushort.MaxValue;

    private static readonly byte[] s_recordMagic = "EKSR"u8.ToArray();
    private static readonly byte[] s_metaMagic = "EKSM"u8.ToArray();
    private static readonly AeadAlgorithm s_aead = AeadAlgorithm.XChaCha20Poly1305;

    private enum RecordState : byte
    {
        Reserved = 0,
        Value = 1,
        Deleted = 2,
        Commit = 3,
    }

    private static int MinimumRecordLength => 8 + s_aead.NonceSize + s_aead.TagSize;

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

    /// <summary>Reads a record's clear header: <c>"EKSR" ‖ version ‖ state ‖ u16 key length ‖ key</c>, followed by nonce and ciphertext.</summary>
    private static bool TryParseHeader(ReadOnlySpan<byte> record, out RecordState state, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? key, out int headerLength)
    {
        state = default;
        key = null;
        headerLength = 0;
        if (record.Length < 8 || !record[..4].SequenceEqual(s_recordMagic) || record[4] != FormatVersion || record[5] > (byte)RecordState.Commit)
        {
            return false;
        }

        int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(record[6..]);
        headerLength = 8 + keyLength;
        if (record.Length < headerLength + s_aead.NonceSize + s_aead.TagSize)
        {
            return false;
        }

        try
        {
            key = new UTF8Encoding(false, true).GetString(record.Slice(8, keyLength));
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        state = (RecordState)record[5];
        return true;
    }

    /// <summary>Writes a file through a temporary file that is flushed to disk, renamed over the target, and the directory synced.</summary>
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

        SyncDirectory(Path.GetDirectoryName(path)!);
    }

    /// <summary>
    /// Makes a file creation or rename in <paramref name="directory"/> durable (fsync of the directory, POSIX). Windows has no
    /// directory handle to flush; NTFS journals the metadata change itself.
    /// </summary>
    private static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int fd = Posix.Open(directory, OperatingSystem.IsLinux() ? Posix.LinuxReadOnlyDirectory : Posix.MacReadOnlyDirectory);
        if (fd < 0)
        {
            throw new IOException($"Cannot open the directory '{directory}' to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Posix.Fsync(fd) != 0)
            {
                throw new IOException($"Cannot sync the directory '{directory}' (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Posix.Close(fd);
        }
    }

    private byte[] EncryptRecord(string key, RecordState state, ReadOnlySpan<byte> value)
    {
        int keyLength = Encoding.UTF8.GetByteCount(key);
        int headerLength = 8 + keyLength;
        var record = new byte[headerLength + s_aead.NonceSize + value.Length + s_aead.TagSize];
        s_recordMagic.CopyTo(record, 0);
        record[4] = FormatVersion;
        record[5] = (byte)state;
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(6), (ushort)keyLength);
        Encoding.UTF8.GetBytes(key, record.AsSpan(8));
        var nonce = record.AsSpan(headerLength, s_aead.NonceSize);
        RandomNumberGenerator.Fill(nonce);
        s_aead.Encrypt(_key, nonce, record.AsSpan(0, headerLength), value, record.AsSpan(headerLength + s_aead.NonceSize));
        return record;
    }

    /// <summary>Decrypts a record whose header parsed; returns null when authentication fails.</summary>
    private byte[]? TryDecrypt(ReadOnlySpan<byte> record, int headerLength)
    {
        var nonce = record.Slice(headerLength, s_aead.NonceSize);
        var ciphertext = record[(headerLength + s_aead.NonceSize)..];
        var value = new byte[ciphertext.Length - s_aead.TagSize];
        return s_aead.Decrypt(_key, nonce, record[..headerLength], ciphertext, value) ? value : null;
    }

    private static partial class Posix
    {
        public const int LinuxReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY
        public const int MacReadOnlyDirectory = 0x100000; // O_RDONLY | O_DIRECTORY

        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static partial int Fsync(int fd);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        public static partial int Close(int fd);
    }
}
