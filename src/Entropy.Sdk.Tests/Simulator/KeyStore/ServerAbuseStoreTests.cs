using System.Buffers.Binary;
using System.Security.Cryptography;
using Entropy.Simulator.KeyStore;
using Entropy.Simulator.ThresholdServers;

namespace Entropy.Tests.Simulator.KeyStore;

/// <summary>
/// The threshold servers' state on disk under abuse (docs/reliability.md, "Threshold servers under abuse"): an edited
/// <c>keystore.meta</c>, and the bounded, persisted memory that <c>/user/receive_key</c> checks shares against.
/// </summary>
public class ServerAbuseStoreTests
{
    private const string Password = "correct horse battery staple";
    private static readonly KeyStoreOptions s_cheap = new() { ScryptCost = 1 << 4, ScryptBlockSize = 1, ScryptParallelization = 1 };

    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Path.Combine(Path.GetTempPath(), "entropy-abuse-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Test]
    public async Task OpenAsync_MetaEditedToALowerScryptCost_IsRefusedAsWeak()
    {
        var options = new KeyStoreOptions { ScryptCost = 1 << 10, ScryptBlockSize = 1 };
        await (await EncryptedKeyStore.OpenAsync(_directory, Password, options)).DisposeAsync();
        var metaPath = Path.Combine(_directory, "keystore.meta");
        var meta = await File.ReadAllBytesAsync(metaPath);
        BinaryPrimitives.WriteInt64LittleEndian(meta.AsSpan(5), 1 << 4);
        await File.WriteAllBytesAsync(metaPath, meta);

        var e = Assert.ThrowsAsync<KeyStoreException>(() => EncryptedKeyStore.OpenAsync(_directory, Password, options));

        Assert.That(e!.Error, Is.EqualTo(KeyStoreError.WeakParameters));
        Assert.That(e.Message, Does.Contain("N = 16").And.Contain("N ≥ 1024"));
    }

    [Test]
    public async Task OpenAsync_MetaEditedToALowerBlockSize_IsRefusedAsWeak()
    {
        var options = new KeyStoreOptions { ScryptCost = 1 << 4, ScryptBlockSize = 4 };
        await (await EncryptedKeyStore.OpenAsync(_directory, Password, options)).DisposeAsync();
        var metaPath = Path.Combine(_directory, "keystore.meta");
        var meta = await File.ReadAllBytesAsync(metaPath);
        BinaryPrimitives.WriteInt32LittleEndian(meta.AsSpan(13), 1);
        await File.WriteAllBytesAsync(metaPath, meta);

        var e = Assert.ThrowsAsync<KeyStoreException>(() => EncryptedKeyStore.OpenAsync(_directory, Password, options));

        Assert.That(e!.Error, Is.EqualTo(KeyStoreError.WeakParameters));
    }

    [Test]
    public async Task OpenAsync_MetaEditedToAHugeScryptCost_IsRefusedAsCorruptWithoutDerivingAKey()
    {
        await (await EncryptedKeyStore.OpenAsync(_directory, Password, s_cheap)).DisposeAsync();
        var metaPath = Path.Combine(_directory, "keystore.meta");
        var meta = await File.ReadAllBytesAsync(metaPath);
        BinaryPrimitives.WriteInt64LittleEndian(meta.AsSpan(5), 1L << 40); // 128 · 2^40 bytes of scrypt memory
        await File.WriteAllBytesAsync(metaPath, meta);

        var e = Assert.ThrowsAsync<KeyStoreException>(() => EncryptedKeyStore.OpenAsync(_directory, Password, s_cheap));

        Assert.That(e!.Error, Is.EqualTo(KeyStoreError.CorruptStore));
    }

    [Test]
    public async Task OpenAsync_StrongerStoreOrDeliberatelyLowerMinimum_Opens()
    {
        await (await EncryptedKeyStore.OpenAsync(_directory, Password, new KeyStoreOptions { ScryptCost = 1 << 6, ScryptBlockSize = 1 })).DisposeAsync();

        await (await EncryptedKeyStore.OpenAsync(_directory, Password, s_cheap)).DisposeAsync();
        var e = Assert.ThrowsAsync<KeyStoreException>(() => EncryptedKeyStore.OpenAsync(_directory, Password, new KeyStoreOptions { ScryptCost = 1 << 8, ScryptBlockSize = 1 }));
        await using var lowered = await EncryptedKeyStore.OpenAsync(_directory, Password, new KeyStoreOptions { ScryptCost = 1 << 8, ScryptBlockSize = 1, MinimumScryptCost = 1 << 6 });

        Assert.That(e!.Error, Is.EqualTo(KeyStoreError.WeakParameters));
        Assert.That(await lowered.GetKeysAsync(), Is.Empty);
    }

    [Test]
    public async Task Ledger_ReceivedDigests_SurviveAReopenAndAreBoundedPerAccount()
    {
        var account = new AccountId(RandomNumberGenerator.GetBytes(32));
        var digests = Enumerable.Range(0, RegistrationLedger.MaxDigests + 2).Select(_ => RandomNumberGenerator.GetBytes(32)).ToList();
        await using (var store = await EncryptedKeyStore.OpenAsync(_directory, Password, s_cheap))
        {
            var ledger = await RegistrationLedger.LoadAsync(store, CancellationToken.None);
            foreach (var digest in digests)
            {
                await ledger.AddReceivedAsync(account, digest, CancellationToken.None);
            }
        }

        await using var reopened = await EncryptedKeyStore.OpenAsync(_directory, Password, s_cheap);
        var after = await RegistrationLedger.LoadAsync(reopened, CancellationToken.None);
        var remembered = new List<bool>();
        foreach (var digest in digests)
        {
            remembered.Add(await after.WasReceivedAsync(account, digest, CancellationToken.None));
        }

        Assert.That(remembered, Is.EqualTo(new[] { false, false }.Concat(Enumerable.Repeat(true, RegistrationLedger.MaxDigests))), "the newest MaxDigests are kept, across a reopen");
    }

    [Test]
    public async Task Ledger_BlockRecords_AreReloadedNewestWinsAndBoundedToMaxBlocks()
    {
        var early = new AccountId(RandomNumberGenerator.GetBytes(32));
        var again = new AccountId(RandomNumberGenerator.GetBytes(32));
        var memberA = new AccountId(RandomNumberGenerator.GetBytes(32));
        var memberB = new AccountId(RandomNumberGenerator.GetBytes(32));
        await using (var store = await EncryptedKeyStore.OpenAsync(_directory, Password, s_cheap))
        {
            var ledger = await RegistrationLedger.LoadAsync(store, CancellationToken.None);
            await ledger.RecordBlockAsync(1, [early.ToArray(), again.ToArray(), new byte[5]], memberA, CancellationToken.None);
            for (uint block = 2; block <= RegistrationLedger.MaxBlocks + 1; block++)
            {
                await ledger.RecordBlockAsync(block, block == 100 ? [again.ToArray()] : [RandomNumberGenerator.GetBytes(32)], memberB, CancellationToken.None);
            }
        }

        await using var reopened = await EncryptedKeyStore.OpenAsync(_directory, Password, s_cheap);
        var after = await RegistrationLedger.LoadAsync(reopened, CancellationToken.None);
        var keys = await reopened.GetKeysAsync();

        Assert.Multiple(() =>
        {
            Assert.That(after.TryGetCurrent(early, out _, out _), Is.False, "block 1 fell out of the window of MaxBlocks");
            Assert.That(after.TryGetCurrent(again, out var block, out var member), Is.True);
            Assert.That((block, member), Is.EqualTo((100u, memberB)), "the newest registration of an account wins");
            Assert.That(keys.Count(k => k.StartsWith("NEW_USER_BLOCK_", StringComparison.Ordinal)), Is.EqualTo(RegistrationLedger.MaxBlocks));
        });
    }
}
