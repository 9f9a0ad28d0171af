using System.Buffers;
using BenchmarkDotNet.Attributes;
using Entropy.Metadata;

namespace Entropy.Benchmarks;

/// <summary>Decoding the v0.0.10 metadata (193 KB, V15) and encoding a register call through the dynamic codec.</summary>
[MemoryDiagnoser]
public class MetadataBenchmarks
{
    private byte[] _metadataBytes = null!;
    private RuntimeMetadata _metadata = null!;
    private string _registry = null!;
    private CompositeValue _registerArgs = null!;
    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    [GlobalSetup]
    public void Setup()
    {
        _metadataBytes = File.ReadAllBytes(TestData.Path("metadata", "entropy-v0.0.10.scale"));
        _metadata = RuntimeMetadata.Parse(_metadataBytes);
        _registry = EntropyPallets.RegistrationName(_metadata);
        var bob = Convert.FromHexString("8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48");
        _registerArgs = ScaleValue.Named(
            ("program_modification_account", ScaleValue.Bytes(bob)),
            ("key_visibility", ScaleValue.Variant("Private", ScaleValue.Bytes(new byte[32]))),
            ("programs_data", ScaleValue.Sequence(
                ScaleValue.Named(("program_pointer", ScaleValue.Bytes(new byte[32])), ("program_config", ScaleValue.Bytes("{}"u8))))));

        // Warm the lookup caches (pallet, call variant by name).
        EncodeRegisterCall();
    }

    [Benchmark]
    public object DecodeMetadataV10() => RuntimeMetadata.Parse(_metadataBytes);

    [Benchmark]
    public int EncodeRegisterCall()
    {
        _buffer.ResetWrittenCount();
        _metadata.EncodeCall(_registry, "register", _registerArgs, _buffer);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public byte[] StorageKeyRegistered() => _metadata.StorageKey(_registry, "Registered", ScaleValue.Bytes(_registerArgs[0].AsBytes()));
}
