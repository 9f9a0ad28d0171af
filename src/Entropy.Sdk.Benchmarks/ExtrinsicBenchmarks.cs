using BenchmarkDotNet.Attributes;
using Entropy.Crypto;
using Entropy.Extrinsics;
using Entropy.Metadata;

namespace Entropy.Benchmarks;

/// <summary>Building and signing an Entropy v0.0.10 <c>register</c> extrinsic with the metadata already parsed (target: at most 50 µs).</summary>
[MemoryDiagnoser]
public class ExtrinsicBenchmarks
{
    private ExtrinsicBuilder _builder = null!;
    private Sr25519KeyPair _alice = null!;
    private byte[] _call = null!;
    private byte[] _signed = null!;
    private TransactionParameters _parameters = null!;

    /// <summary>Parses the metadata once and encodes the call (SUBSTRATE.md "Entropy v0.0.10 vectors", register#1).</summary>
    [GlobalSetup]
    public void Setup()
    {
        var metadata = RuntimeMetadata.Parse(File.ReadAllBytes(FixturePath("metadata", "entropy-v0.0.10.scale")));
        _builder = new ExtrinsicBuilder(metadata, 10, 4, Enumerable.Repeat((byte)0x11, 32).ToArray());
        _alice = Sr25519KeyPair.FromMiniSecret(Convert.FromHexString("e5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a"));
        _call = metadata.EncodeCall("Relayer", "register", ScaleValue.Named(
            ("program_modification_account", ScaleValue.Bytes(_alice.PublicKey.ToArray())),
            ("key_visibility", ScaleValue.Variant("Public")),
            ("programs_data", ScaleValue.Sequence(ScaleValue.Named(("program_pointer", ScaleValue.Bytes(new byte[32])), ("program_config", ScaleValue.Bytes([])))))));
        _parameters = TransactionParameters.Mortal(5, 100, Enumerable.Repeat((byte)0x22, 32).ToArray());
        _signed = _builder.Sign(_call, _alice, _parameters).Encoded.ToArray();
    }

    /// <summary>Releases the key.</summary>
    [GlobalCleanup]
    public void Cleanup() => _alice.Dispose();

    /// <summary>Builds the payload, signs it with sr25519 and assembles the extrinsic and its hash.</summary>
    /// <returns>The extrinsic.</returns>
    [Benchmark(Baseline = true)]
    public object BuildAndSignRegister() => _builder.Sign(_call, _alice, _parameters);

    /// <summary>Builds only the signing payload (call ‖ extra ‖ additional).</summary>
    /// <returns>The payload.</returns>
    [Benchmark]
    public byte[] SigningPayload() => _builder.CreateSigningPayload(_call, _parameters);

    /// <summary>Decodes the signed extrinsic and checks its signature, as the simulator's pool does.</summary>
    /// <returns>Whether the signature verifies.</returns>
    [Benchmark]
    public bool DecodeAndVerify() => _builder.VerifySignature(_builder.Decode(_signed), Enumerable.Repeat((byte)0x22, 32).ToArray());

    private static string FixturePath(string folder, string file) => TestData.Path(folder, file);
}
