using System.Globalization;
using Entropy.Simulator.KeyStore;

namespace Entropy.Simulator.ThresholdServers;

/// <summary>
/// What a threshold server remembers, in its encrypted key store, about the registrations it saw: for each block whose verified
/// <c>OcwMessageDkg</c> it accepted, the accounts and the committee member of this server's subgroup that runs their DKG; and for
/// each account, the last shares received over <c>/user/receive_key</c> (their signatures' digests). <c>/user/receive_key</c>
/// accepts a share only from the member that runs the account's current registration and never twice, also across restarts.
/// </summary>
/// <remarks>
/// Bounded: at most <see cref="MaxBlocks"/> block records (the oldest are deleted), and per account one record with at most
/// <see cref="MaxDigests"/> digests — as many records as the store has shares. Not thread-safe: callers serialise.
/// </remarks>
internal sealed class RegistrationLedger
{
    /// <summary>The most block records kept; a share for a registration older than that is refused.</summary>
    public const int MaxBlocks = 256;

    /// <summary>The most accepted-share digests kept per account.</summary>
    public const int MaxDigests = 8;

    private const string BlockPrefix = "NEW_USER_BLOCK_";
    private const string ReceivedPrefix = "KEY_RECEIVED_";

    private readonly EncryptedKeyStore _store;
    private readonly SortedSet<uint> _blocks = [];
    private readonly Dictionary<AccountId, (uint Block, AccountId Member)> _current = [];
    private readonly SemaphoreSlim _lock = new(1, 1);

    private RegistrationLedger(EncryptedKeyStore store) => _store = store;

    /// <summary>Reads the block records of a store (at most <see cref="MaxBlocks"/>).</summary>
    public static async Task<RegistrationLedger> LoadAsync(EncryptedKeyStore store, CancellationToken cancellationToken)
    {
        var ledger = new RegistrationLedger(store);
        foreach (var key in await store.GetKeysAsync(cancellationToken).ConfigureAwait(false))
        {
            if (key.StartsWith(BlockPrefix, StringComparison.Ordinal)
                && uint.TryParse(key.AsSpan(BlockPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var block)
                && await store.GetAsync(key, cancellationToken).ConfigureAwait(false) is { } record)
            {
                ledger.Index(block, record);
            }
        }

        return ledger;
    }

    /// <summary>Records a verified <c>OcwMessageDkg</c>: its accounts' current registration is at <paramref name="block"/>, run in this subgroup by <paramref name="member"/>.</summary>
    public async Task RecordBlockAsync(uint block, IReadOnlyList<byte[]> accounts, AccountId member, CancellationToken cancellationToken)
    {
        var valid = accounts.Where(a => a.Length == 32).ToList();
        var record = new byte[32 + (32 * valid.Count)];
        member.AsSpan().CopyTo(record);
        for (var i = 0; i < valid.Count; i++)
        {
            valid[i].CopyTo(record, 32 + (32 * i));
        }

        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ReplaceAsync(BlockPrefix + block.ToString(CultureInfo.InvariantCulture), record, cancellationToken).ConfigureAwait(false);
            var dropped = new List<uint>();
            lock (_current)
            {
                Index(block, record);
                while (_blocks.Count > MaxBlocks)
                {
                    var oldest = _blocks.Min;
                    _blocks.Remove(oldest);
                    dropped.Add(oldest);
                    foreach (var stale in _current.Where(e => e.Value.Block == oldest).Select(e => e.Key).ToList())
                    {
                        _current.Remove(stale);
                    }
                }
            }

            foreach (var oldest in dropped)
            {
                await _store.DeleteAsync(BlockPrefix + oldest.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Gets the block and the subgroup's committee member of the account's latest recorded registration.</summary>
    public bool TryGetCurrent(AccountId account, out uint block, out AccountId member)
    {
        lock (_current)
        {
            var found = _current.TryGetValue(account, out var entry);
            (block, member) = entry;
            return found;
        }
    }

    /// <summary>Whether a share with this digest was already accepted for the account (in this or an earlier registration).</summary>
    public async Task<bool> WasReceivedAsync(AccountId account, ReadOnlyMemory<byte> digest, CancellationToken cancellationToken)
    {
        var record = await _store.GetAsync(ReceivedPrefix + account.ToSs58(), cancellationToken).ConfigureAwait(false) ?? [];
        for (var offset = 0; offset + 32 <= record.Length; offset += 32)
        {
            if (record.AsSpan(offset, 32).SequenceEqual(digest.Span))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Remembers an accepted share's digest (the newest <see cref="MaxDigests"/> per account are kept); callers serialise per account.</summary>
    public async Task AddReceivedAsync(AccountId account, ReadOnlyMemory<byte> digest, CancellationToken cancellationToken)
    {
        var key = ReceivedPrefix + account.ToSs58();
        var record = await _store.GetAsync(key, cancellationToken).ConfigureAwait(false) ?? [];
        var kept = record.Length / 32 >= MaxDigests ? record[^((MaxDigests - 1) * 32)..] : record;
        await ReplaceAsync(key, [.. kept, .. digest.Span], cancellationToken).ConfigureAwait(false);
    }

    private void Index(uint block, byte[] record)
    {
        if (record.Length < 32 || (record.Length - 32) % 32 != 0)
        {
            return; // Not ours: a record the ledger did not write is ignored, never trusted.
        }

        _blocks.Add(block);
        var member = new AccountId(record.AsSpan(0, 32));
        for (var offset = 32; offset < record.Length; offset += 32)
        {
            var account = new AccountId(record.AsSpan(offset, 32));
            if (!_current.TryGetValue(account, out var existing) || existing.Block <= block)
            {
                _current[account] = (block, member);
            }
        }
    }

    private async Task ReplaceAsync(string key, byte[] value, CancellationToken cancellationToken)
    {
        await _store.ReplaceAsync(key, value, cancellationToken).ConfigureAwait(false);
    }

}
