using System.Collections.Immutable;
using Entropy.Simulator.Node;

namespace Entropy.Simulator.Runtime;

/// <summary>Block-building state: an immutable-map builder plus a stack of journals (storage layers) that a failed dispatch rolls back.</summary>
/// <remarks>Layers nest, as FRAME's do: a batch or a sudo opens one per inner call inside the extrinsic's own layer.</remarks>
internal sealed class StateOverlay
{
    /// <summary>The deepest nesting of storage layers (FRAME's <c>TRANSACTIONAL_LIMIT</c> is 255).</summary>
    public const int MaxLayers = 255;
    private readonly ImmutableSortedDictionary<byte[], byte[]>.Builder _state;
    private readonly List<Dictionary<byte[], byte[]?>> _layers = [];

    public StateOverlay(ImmutableSortedDictionary<byte[], byte[]> state)
    {
        _state = state.ToBuilder();
    }

    /// <summary>Gets how many storage layers are open.</summary>
    public int Depth => _layers.Count;

    public byte[]? Get(byte[] key)
    {
        for (var i = _layers.Count - 1; i >= 0; i--)
        {
            if (_layers[i].TryGetValue(key, out var pending))
            {
                return pending;
            }
        }

        return _state.TryGetValue(key, out var value) ? value : null;
    }

    public bool Contains(byte[] key) => Get(key) is not null;

    public void Set(byte[] key, byte[] value)
    {
        if (_layers.Count > 0)
        {
            _layers[^1][key] = value;
        }
        else
        {
            _state[key] = value;
        }
    }

    public void Remove(byte[] key)
    {
        if (_layers.Count > 0)
        {
            _layers[^1][key] = null;
        }
        else
        {
            _state.Remove(key);
        }
    }

    /// <summary>Opens a storage layer (FRAME's <c>#[transactional]</c> dispatch).</summary>
    public void Begin()
    {
        if (_layers.Count >= MaxLayers)
        {
            throw new InvalidOperationException($"More than {MaxLayers} storage layers are open.");
        }

        _layers.Add(new Dictionary<byte[], byte[]?>(ByteArrayComparer.Instance));
    }

    /// <summary>Closes the innermost layer, keeping its changes (in the layer below, or in the state).</summary>
    public void Commit()
    {
        if (_layers.Count == 0)
        {
            throw new InvalidOperationException("No storage transaction is open.");
        }

        var layer = _layers[^1];
        _layers.RemoveAt(_layers.Count - 1);
        foreach (var (key, value) in layer)
        {
            if (value is null)
            {
                Remove(key);
            }
            else
            {
                Set(key, value);
            }
        }
    }

    /// <summary>Closes the innermost layer, discarding its changes.</summary>
    public void Rollback()
    {
        if (_layers.Count == 0)
        {
            throw new InvalidOperationException("No storage transaction is open.");
        }

        _layers.RemoveAt(_layers.Count - 1);
    }

    public ImmutableSortedDictionary<byte[], byte[]> ToImmutable()
    {
        if (_layers.Count > 0)
        {
            throw new InvalidOperationException("A storage transaction is still open.");
        }

        return _state.ToImmutable();
    }
}
