using System.Collections.Immutable;
using Entropy.Simulator.Node;

namespace Entropy.Simulator.Runtime;

/// <summary>Block-building state: an immutable-map builder plus a per-extrinsic journal that a failed dispatch rolls back.</summary>
internal sealed class StateOverlay
{
    private readonly ImmutableSortedDictionary<byte[], byte[]>.Builder _state;
    private Dictionary<byte[], byte[]?>? _transaction;

    public StateOverlay(ImmutableSortedDictionary<byte[], byte[]> state)
    {
        _state = state.ToBuilder();
    }

    public byte[]? Get(byte[] key)
    {
        if (_transaction is not null && _transaction.TryGetValue(key, out var pending))
        {
            return pending;
        }

        return _state.TryGetValue(key, out var value) ? value : null;
    }

    public bool Contains(byte[] key) => Get(key) is not null;

    public void Set(byte[] key, byte[] value)
    {
        if (_transaction is not null)
        {
            _transaction[key] = value;
        }
        else
        {
            _state[key] = value;
        }
    }

    public void Remove(byte[] key)
    {
        if (_transaction is not null)
        {
            _transaction[key] = null;
        }
        else
        {
            _state.Remove(key);
        }
    }

    /// <summary>Starts a storage layer (FRAME's <c>#[transactional]</c> dispatch).</summary>
    public void Begin()
    {
        if (_transaction is not null)
        {
            throw new InvalidOperationException("A storage transaction is already open.");
        }

        _transaction = new Dictionary<byte[], byte[]?>(ByteArrayComparer.Instance);
    }

    public void Commit()
    {
        var transaction = _transaction ?? throw new InvalidOperationException("No storage transaction is open.");
        _transaction = null;
        foreach (var (key, value) in transaction)
        {
            if (value is null)
            {
                _state.Remove(key);
            }
            else
            {
                _state[key] = value;
            }
        }
    }

    public void Rollback() => _transaction = null;

    public ImmutableSortedDictionary<byte[], byte[]> ToImmutable()
    {
        if (_transaction is not null)
        {
            throw new InvalidOperationException("A storage transaction is still open.");
        }

        return _state.ToImmutable();
    }
}
