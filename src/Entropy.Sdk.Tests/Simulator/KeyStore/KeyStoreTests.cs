using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Entropy.Simulator.KeyStore;

namespace Entropy.Tests.Simulator.KeyStore;

public class KeyStoreTests
{
    private const string Password = "correct horse battery staple";

    // Cheap scrypt for tests; one test below uses the kvdb defaults (N = 2^15, r = 8, p = 1).
    private static readonly KeyStoreOptions s_cheap = new() { ScryptCost = 1 << 4, ScryptBlockSize = 1, ScryptParallelization = 1 };

    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Path.Combine(Path.GetTempPath(), "entropy-keystore-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Test]
    public async Task PutAsync_AfterReservation_GetReturnsTheValue()
    {
        await using var store = await OpenAsync();
        var value = RandomNumberGenerator.GetBytes(100);

        var reservation = await store.ReserveKeyAsync("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
        Assert.That(await store.ExistsAsync(reservation.Key), Is.True);
        Assert.That(await store.GetAsync(reservation.Key), Is.Null);
        await store.PutAsync(reservation, value);

        Assert.That(await store.GetAsync(reservation.Key), Is.EqualTo(value));
        Assert.That(await store.GetKeysAsync(), Is.EqualTo(new[] { reservation.Key }));
    }

    [Test]
    public async Task OpenAsync_AfterRestart_SharesSurvive()
    {
        var share = RandomNumberGenerator.GetBytes(32);
        await using (var store = await OpenAsync())
        {
            await store.PutAsync(await store.ReserveKeyAsync("user-1"), share);
            await store.PutAsync(await store.ReserveKeyAsync(EncryptedKeyStore.LatestBlockNumberNewUser), new byte[] { 0, 0, 0, 7 });
        }

        await using var reopened = await OpenAsync();

        Assert.That(await reopened.GetAsync("user-1"), Is.EqualTo(share));
        Assert.That(await reopened.GetAsync(EncryptedKeyStore.LatestBlockNumberNewUser), Is.EqualTo(new byte[] { 0, 0, 0, 7 }));
    }

    [Test]
    public async Task OpenAsync_WrongPassword_ThrowsWrongPassword()
    {
        await using (var store = await OpenAsync())
        {
            await store.ReplaceAsync("k", new byte[] { 1 });
        }

        var log = await File.ReadAllBytesAsync(LogPath);

        var e = Assert.ThrowsAsync<KeyStoreException>(() => EncryptedKeyStore.OpenAsync(_directory, "wrong", s_cheap));

        Assert.That(e!.Error, Is.EqualTo(KeyStoreError.WrongPassword));
        Assert.That(e.Message, Does.Not.Contain("wrong").And.Not.Contain(Password));
        // Nothing is cut or rewritten under a wrong password (its commit records would not authenticate either).
        Assert.That(await File.ReadAllBytesAsync(LogPath), Is.EqualTo(log));
        await using var reopened = await OpenAsync();
        Assert.That(await reopened.GetAsync("k"), Is.EqualTo(new byte[] { 1 }));
    }

    [Test]
    public async Task OpenAsync_DefaultScryptParameters_AreStoredAndUsedOnReopen()
    {
        await (await EncryptedKeyStore.OpenAsync(_directory, Password)).DisposeAsync();
        var meta = await File.ReadAllBytesAsync(Path.Combine(_directory, "keystore.meta"));

        // Reopening with other options must still use the stored N = 2^15, r = 8, p = 1, or the password check would fail.
        await using var reopened = await EncryptedKeyStore.OpenAsync(_directory, Password, s_cheap);

        Assert.That(BinaryPrimitives.ReadInt64LittleEndian(meta.AsSpan(5)), Is.EqualTo(1L << 15));
        Assert.That(BinaryPrimitives.ReadInt32LittleEndian(meta.AsSpan(13)), Is.EqualTo(8));
        Assert.That(BinaryPrimitives.ReadInt32LittleEndian(meta.AsSpan(17)), Is.EqualTo(1));
        Assert.That(await reopened.GetKeysAsync(), Is.Empty);
    }

    [Test]
    public async Task ReserveKeyAsync_ExistingKey_ThrowsKeyExists()
    {
        await using var store = await OpenAsync();
        await store.ReserveKeyAsync("reserved");
        await store.PutAsync(await store.ReserveKeyAsync("valued"), new byte[] { 1 });

        Assert.That(Assert.ThrowsAsync<KeyStoreException>(() => store.ReserveKeyAsync("reserved"))!.Error, Is.EqualTo(KeyStoreError.KeyExists));
        Assert.That(Assert.ThrowsAsync<KeyStoreException>(() => store.ReserveKeyAsync("valued"))!.Error, Is.EqualTo(KeyStoreError.KeyExists));
    }

    [Test]
    public async Task PutAsync_ReservationUsedTwice_ThrowsNotReserved()
    {
        await using var store = await OpenAsync();
        var reservation = await store.ReserveKeyAsync("k");
        await store.PutAsync(reservation, new byte[] { 1 });

        var e = Assert.ThrowsAsync<KeyStoreException>(() => store.PutAsync(reservation, new byte[] { 2 }));

        Assert.That(e!.Error, Is.EqualTo(KeyStoreError.NotReserved));
        Assert.That(e.Key, Is.EqualTo("k"));
        Assert.That(await store.GetAsync("k"), Is.EqualTo(new byte[] { 1 }));
    }

    [Test]
    public async Task PutAsync_ReservationOfAnotherStore_ThrowsArgumentException()
    {
        await using var store = await OpenAsync();
        var otherDirectory = _directory + "-other";
        try
        {
            await using var other = await EncryptedKeyStore.OpenAsync(otherDirectory, Password, s_cheap);
            var foreign = await other.ReserveKeyAsync("k");

            Assert.That(() => store.PutAsync(foreign, new byte[] { 1 }), Throws.ArgumentException);
        }
        finally
        {
            Directory.Delete(otherDirectory, recursive: true);
        }
    }

    [Test]
    public async Task DeleteAsync_FollowsReservationRules()
    {
        await using var store = await OpenAsync();
        await store.ReserveKeyAsync("placeholder");
        await store.PutAsync(await store.ReserveKeyAsync("value"), new byte[] { 1, 2, 3 });

        var e = Assert.ThrowsAsync<KeyStoreException>(() => store.DeleteAsync("placeholder"));
        Assert.That(e!.Error, Is.EqualTo(KeyStoreError.ReservedPlaceholder));
        Assert.That(await store.DeleteAsync("value"), Is.True);
        Assert.That(await store.ExistsAsync("value"), Is.False);
        Assert.That(await store.DeleteAsync("value"), Is.False);
        await store.PutAsync(await store.ReserveKeyAsync("value"), new byte[] { 4 }); // delete, then reserve and put again (PROTOCOL.md §5.2 step 4)
        Assert.That(await store.GetAsync("value"), Is.EqualTo(new byte[] { 4 }));
    }

    [Test]
    public async Task GetAsync_CorruptedRecord_ThrowsNamingKey_OthersSurvive()
    {
        await using (var store = await OpenAsync())
        {
            await store.PutAsync(await store.ReserveKeyAsync("good"), new byte[] { 1, 1, 1 });
            await store.PutAsync(await store.ReserveKeyAsync("bad"), new byte[] { 2, 2, 2 });
        }

        var bytes = await File.ReadAllBytesAsync(LogPath);
        var bad = LastRecordOf(bytes, "bad");
        bytes[bad.Offset + bad.Length - 5] ^= 0x40; // inside the ciphertext/tag
        await File.WriteAllBytesAsync(LogPath, bytes);

        await using var reopened = await OpenAsync();
        var e = Assert.ThrowsAsync<KeyStoreException>(() => reopened.GetAsync("bad"));

        Assert.That(e!.Error, Is.EqualTo(KeyStoreError.CorruptRecord));
        Assert.That(e.Key, Is.EqualTo("bad"));
        Assert.That(e.Message, Does.Contain("'bad'"));
        Assert.That(await reopened.GetAsync("good"), Is.EqualTo(new byte[] { 1, 1, 1 }));
    }

    [Test]
    public async Task GetAsync_RecordRelabelledToAnotherKey_IsDetected()
    {
        await using (var store = await OpenAsync())
        {
            await store.PutAsync(await store.ReserveKeyAsync("bobby"), new byte[] { 2 });
            await store.PutAsync(await store.ReserveKeyAsync("alice"), new byte[] { 1 });
        }

        // alice's record, later in the log, now claims to be bobby's: the key is associated data, so it does not authenticate.
        var bytes = await File.ReadAllBytesAsync(LogPath);
        Encoding.UTF8.GetBytes("bobby").CopyTo(bytes, LastRecordOf(bytes, "alice").Offset + 8);
        await File.WriteAllBytesAsync(LogPath, bytes);

        await using var reopened = await OpenAsync();
        Assert.That(Assert.ThrowsAsync<KeyStoreException>(() => reopened.GetAsync("bobby"))!.Error, Is.EqualTo(KeyStoreError.CorruptRecord));
    }

    [Test]
    public async Task GetAsync_StateByteFlippedToReserved_IsDetected()
    {
        await using (var store = await OpenAsync())
        {
            await store.PutAsync(await store.ReserveKeyAsync("k"), new byte[] { 9 });
        }

        var bytes = await File.ReadAllBytesAsync(LogPath);
        bytes[LastRecordOf(bytes, "k").Offset + 5] = 0; // "value" → "reserved", which would let delete be refused or a put overwrite the share
        await File.WriteAllBytesAsync(LogPath, bytes);

        await using var reopened = await OpenAsync();
        Assert.That(Assert.ThrowsAsync<KeyStoreException>(() => reopened.GetAsync("k"))!.Error, Is.EqualTo(KeyStoreError.CorruptRecord));
        Assert.That(Assert.ThrowsAsync<KeyStoreException>(() => reopened.PutAsync(new KeyReservation(reopened, "k"), new byte[] { 1 }))!.Error, Is.EqualTo(KeyStoreError.CorruptRecord));
    }

    [Test]
    public async Task PutAsync_ValueNeverOnDiskInTheClear_AndNoncesAreFresh()
    {
        await using var store = await OpenAsync();
        var secret = Encoding.ASCII.GetBytes("THIS-IS-A-SECRET-SHARE-0123456789");
        await store.PutAsync(await store.ReserveKeyAsync("a"), secret);
        await store.PutAsync(await store.ReserveKeyAsync("b"), secret);

        var all = Directory.EnumerateFiles(_directory).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)).Select(File.ReadAllBytes).ToList();
        var log = await File.ReadAllBytesAsync(LogPath);
        var a = LastRecordOf(log, "a");
        var b = LastRecordOf(log, "b");

        Assert.That(all.Any(f => f.AsSpan().IndexOf(secret) >= 0), Is.False);
        // Same header length ("a", "b"); the 24-byte nonces that follow must differ.
        Assert.That(log.AsSpan(a.Offset + 9, 24).SequenceEqual(log.AsSpan(b.Offset + 9, 24)), Is.False);
    }

    [Test]
    public async Task RecordFile_DecryptsWithScryptKeyAndXChaCha20Poly1305_AsDocumented()
    {
        await using (var store = await OpenAsync())
        {
            await store.PutAsync(await store.ReserveKeyAsync("doc"), new byte[] { 0xAB, 0xCD });
        }

        // key = scrypt(UTF-8 password, salt from keystore.meta, N, r, p, 32); record = header ‖ nonce(24) ‖ ciphertext, header = AAD.
        // NSec's byte overload is standard scrypt: scrypt("pw", 32 zero bytes, N=16, r=1, p=1) = 7879cdea…933f99 here and in
        // OpenSSL (Python hashlib.scrypt); its string overload gives a different key, so the store never uses it.
        var meta = await File.ReadAllBytesAsync(Path.Combine(_directory, "keystore.meta"));
        var kdf = NSec.Cryptography.PasswordBasedKeyDerivationAlgorithm.Scrypt(new NSec.Cryptography.ScryptParameters
        {
            Cost = BinaryPrimitives.ReadInt64LittleEndian(meta.AsSpan(5)),
            BlockSize = BinaryPrimitives.ReadInt32LittleEndian(meta.AsSpan(13)),
            Parallelization = BinaryPrimitives.ReadInt32LittleEndian(meta.AsSpan(17)),
        });
        var aead = NSec.Cryptography.AeadAlgorithm.XChaCha20Poly1305;
        using var key = NSec.Cryptography.Key.Import(aead, kdf.DeriveBytes(Encoding.UTF8.GetBytes(Password), meta.AsSpan(21, 32), 32), NSec.Cryptography.KeyBlobFormat.RawSymmetricKey);
        // keystore.log = "EKSL" ‖ version 1 ‖ 3 zero bytes, then frames u32 LE length ‖ record.
        var log = await File.ReadAllBytesAsync(LogPath);
        var doc = LastRecordOf(log, "doc");
        var file = log.AsSpan(doc.Offset, doc.Length).ToArray();
        int header = 8 + 3; // "EKSR", version, state, u16 length, "doc"

        var plaintext = aead.Decrypt(key, file.AsSpan(header, 24), file.AsSpan(0, header), file.AsSpan(header + 24));

        Assert.That(Encoding.ASCII.GetString(log, 0, 4), Is.EqualTo("EKSL"));
        Assert.That(log.AsSpan(4, 4).ToArray(), Is.EqualTo(new byte[] { 1, 0, 0, 0 }));
        Assert.That(BinaryPrimitives.ReadInt32LittleEndian(log.AsSpan(doc.Offset - 4)), Is.EqualTo(doc.Length));
        Assert.That(Encoding.ASCII.GetString(file, 0, 4), Is.EqualTo("EKSR"));
        Assert.That(plaintext, Is.EqualTo(new byte[] { 0xAB, 0xCD }));
        Assert.That(
            Convert.ToHexStringLower(NSec.Cryptography.PasswordBasedKeyDerivationAlgorithm
                .Scrypt(new NSec.Cryptography.ScryptParameters { Cost = 16, BlockSize = 1, Parallelization = 1 })
                .DeriveBytes("pw"u8, new byte[32], 32)),
            Is.EqualTo("7879cdea7ca5ea599fd229056e41770d202b58bfd3433e21d4c583cf86933f99"));
    }

    [Test]
    public async Task Operations_OnVerificationKeyOrForbiddenKeys_AreRefused()
    {
        await using var store = await OpenAsync();

        Assert.That(Assert.ThrowsAsync<KeyStoreException>(() => store.ReserveKeyAsync(EncryptedKeyStore.VerificationKey))!.Error, Is.EqualTo(KeyStoreError.ForbiddenKey));
        Assert.That(Assert.ThrowsAsync<KeyStoreException>(() => store.DeleteAsync(EncryptedKeyStore.VerificationKey))!.Error, Is.EqualTo(KeyStoreError.ForbiddenKey));
        foreach (var key in new[] { "MNEMONIC", "SHARED_SECRET", "DH_PUBLIC" })
        {
            Assert.That(() => EncryptedKeyStore.EnsureNotForbidden(key), Throws.TypeOf<KeyStoreException>().With.Property("Error").EqualTo(KeyStoreError.ForbiddenKey));
        }

        Assert.That(() => EncryptedKeyStore.EnsureNotForbidden("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"), Throws.Nothing);
    }

    [Test]
    public async Task ReserveKeyAsync_ConcurrentOnSameKey_ExactlyOneWins()
    {
        await using var store = await OpenAsync();

        var attempts = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            try
            {
                await store.ReserveKeyAsync("contended");
                return true;
            }
            catch (KeyStoreException e) when (e.Error == KeyStoreError.KeyExists)
            {
                return false;
            }
        }));
        var outcomes = await Task.WhenAll(attempts);
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () => await store.PutAsync(await store.ReserveKeyAsync($"k{i}"), new byte[] { (byte)i }))));

        Assert.That(outcomes.Count(o => o), Is.EqualTo(1));
        Assert.That(await store.GetKeysAsync(), Has.Count.EqualTo(17));
        Assert.That(await store.GetAsync("k15"), Is.EqualTo(new byte[] { 15 }));
    }

    [Test]
    public async Task OpenAsync_StaleTempFileFromCrash_IsRemovedAndRecordsIntact()
    {
        await using (var store = await OpenAsync())
        {
            await store.PutAsync(await store.ReserveKeyAsync("k"), new byte[] { 5 });
        }

        // A crash between writing a temporary file and renaming it over the metadata or the compacted log.
        var stale = Path.Combine(_directory, "keystore.meta.0011223344556677.tmp");
        var staleCompaction = Path.Combine(_directory, "keystore.log.compact");
        await File.WriteAllBytesAsync(staleCompaction, [0xde, 0xad]);
        await File.WriteAllBytesAsync(stale, [0xde, 0xad]);

        await using var reopened = await OpenAsync();

        Assert.That(File.Exists(stale), Is.False);
        Assert.That(File.Exists(staleCompaction), Is.False);
        Assert.That(await reopened.GetAsync("k"), Is.EqualTo(new byte[] { 5 }));
    }

    [Test]
    public async Task OpenAsync_WhileOpen_ThrowsLocked()
    {
        await using var store = await OpenAsync();

        var e = Assert.ThrowsAsync<KeyStoreException>(() => OpenAsync());

        Assert.That(e!.Error, Is.EqualTo(KeyStoreError.Locked));
    }

    [Test]
    public async Task OpenAsync_DamagedMetadata_ThrowsCorruptStore()
    {
        await (await OpenAsync()).DisposeAsync();
        await File.WriteAllBytesAsync(Path.Combine(_directory, "keystore.meta"), [1, 2, 3]);

        Assert.That(Assert.ThrowsAsync<KeyStoreException>(() => OpenAsync())!.Error, Is.EqualTo(KeyStoreError.CorruptStore));
    }

    [Test]
    public async Task Operations_Cancelled_ThrowOperationCanceled()
    {
        await using var store = await OpenAsync();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        Assert.That(() => store.ReserveKeyAsync("k", cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(await store.ExistsAsync("k"), Is.False);
    }

    [Test]
    public async Task ToString_DoesNotRevealSecrets()
    {
        await using var store = await OpenAsync();

        Assert.That(store.ToString(), Does.Not.Contain(Password));
        Assert.That((await store.ReserveKeyAsync("k")).ToString(), Is.EqualTo("KeyReservation 'k'"));
    }

    [Test]
    public void Options_InvalidCost_Throws()
    {
        Assert.That(() => EncryptedKeyStore.OpenAsync(_directory, Password, new KeyStoreOptions { ScryptCost = 1000 }), Throws.ArgumentException);
    }

    private Task<EncryptedKeyStore> OpenAsync() => EncryptedKeyStore.OpenAsync(_directory, Password, s_cheap);

    private string LogPath => Path.Combine(_directory, "keystore.log");

    /// <summary>The last record of <paramref name="key"/> in a log, read by the documented layout.</summary>
    private static (int Offset, int Length) LastRecordOf(byte[] log, string key) =>
        KeyStoreLogTests.Frames(log).Last(f => f.Key == key && f.State != KeyStoreLogTests.CommitState) is var f ? (f.Offset, f.Length) : default;
}
