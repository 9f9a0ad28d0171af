using System.Buffers;

namespace Entropy.Rpc;

/// <summary>A growable <see cref="IBufferWriter{T}"/> over arrays rented from <see cref="ArrayPool{T}.Shared"/> up to 1 MiB, and plain arrays above.</summary>
/// <remarks>
/// Arrays above <see cref="PoolLimit"/> never go to the shared pool: the pool keeps one array per size per thread, so huge messages
/// received on ever-changing thread-pool threads would pile up there; a plain array is garbage as soon as the message is done.
/// </remarks>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    /// <summary>The largest array taken from (and given back to) the shared pool.</summary>
    public const int PoolLimit = 1024 * 1024;

    private const int MinimumGrowth = 4096;
    private byte[] _buffer;
    private int _written;

    public PooledBufferWriter(int initialCapacity = 16 * 1024)
    {
        _buffer = Allocate(initialCapacity);
    }

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public int WrittenCount => _written;

    public int Capacity => _buffer.Length;

    public void Advance(int count)
    {
        if (count < 0 || _written + count > _buffer.Length)
        {
            throw new InvalidOperationException("Cannot advance past the end of the buffer.");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Forgets the written bytes; if one huge message grew the buffer, gives the big array back to the pool.</summary>
    public void Reset(int shrinkAbove = 1024 * 1024)
    {
        _written = 0;
        if (_buffer.Length > shrinkAbove)
        {
            Release(_buffer);
            _buffer = Allocate(16 * 1024);
        }
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            Release(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        if (sizeHint < 1)
        {
            sizeHint = 1;
        }

        if (_buffer.Length - _written >= sizeHint)
        {
            return;
        }

        var newSize = Math.Max(checked(_written + Math.Max(sizeHint, MinimumGrowth)), checked(_buffer.Length * 2));
        var bigger = Allocate(newSize);
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        Release(_buffer);
        _buffer = bigger;
    }

    private static byte[] Allocate(int size) =>
        size <= PoolLimit ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);

    private static void Release(byte[] buffer)
    {
        // Rent(size <= PoolLimit) returns at most PoolLimit bytes (the pool's buckets are powers of two), so the length tells where it came from.
        if (buffer.Length <= PoolLimit)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
