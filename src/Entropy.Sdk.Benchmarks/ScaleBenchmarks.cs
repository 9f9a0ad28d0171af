using System.Buffers;
using BenchmarkDotNet.Attributes;
using Entropy.Scale;

namespace Entropy.Benchmarks;

/// <summary>Compact integer encoding and decoding (target at most 20 ns, no allocation).</summary>
[MemoryDiagnoser]
public class ScaleBenchmarks
{
    private readonly ArrayBufferWriter<byte> _buffer = new(64);
    private readonly byte[] _small = ScaleCodec.EncodeCompact(42);
    private readonly byte[] _large = ScaleCodec.EncodeCompact(12_345_678_901UL);

    /// <summary>Gets or sets the value to encode.</summary>
    [Params(42UL, 12_345_678_901UL)]
    public ulong Value { get; set; }

    /// <summary>Writes one compact integer to a reused buffer.</summary>
    /// <returns>The number of bytes written.</returns>
    [Benchmark]
    public int CompactEncode()
    {
        _buffer.ResetWrittenCount();
        new ScaleWriter(_buffer).WriteCompact(Value);
        return _buffer.WrittenCount;
    }

    /// <summary>Reads one compact integer.</summary>
    /// <returns>The decoded value.</returns>
    [Benchmark]
    public ulong CompactDecode()
    {
        var reader = new ScaleReader(Value < 64 ? _small : _large);
        return reader.ReadCompactU64();
    }
}
