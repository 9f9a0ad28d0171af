using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Entropy.Protocol.Noise;

namespace Entropy.Benchmarks;

/// <summary>The Noise XK handshake (three messages, both sides) and transport encryption of one full 65519-byte chunk.</summary>
[MemoryDiagnoser]
public class NoiseBenchmarks
{
    private static readonly byte[] s_prologue = "Entropy signing protocol"u8.ToArray();
    private readonly byte[] _chunk = new byte[NoiseTransportState.MaxPlaintextLength];
    private readonly byte[] _ciphertext = new byte[NoiseCipherState.MaxMessageLength];
    private byte[] _initiatorStatic = null!;
    private byte[] _responderStatic = null!;
    private byte[] _responderPublic = null!;
    private NoiseTransportState _sender = null!;
    private NoiseTransportState _receiver = null!;

    /// <summary>Creates the static keys and one established session.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _initiatorStatic = NoiseCrypto.GeneratePrivateKey();
        _responderStatic = NoiseCrypto.GeneratePrivateKey();
        _responderPublic = NoiseCrypto.PublicKeyOf(_responderStatic);
        (_sender, _receiver) = Handshake();
    }

    /// <summary>Disposes the session.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _sender.Dispose();
        _receiver.Dispose();
    }

    /// <summary>A complete XK handshake with empty payloads, both sides.</summary>
    /// <returns>A value derived from the result, so the work is not optimised away.</returns>
    [Benchmark]
    public int FullHandshake()
    {
        var (initiator, responder) = Handshake();
        var result = RuntimeHelpers.GetHashCode(initiator) ^ RuntimeHelpers.GetHashCode(responder);
        responder.Dispose();
        initiator.Dispose();
        return result;
    }

    /// <summary>Encrypts then decrypts one maximal transport message (65519 plaintext bytes).</summary>
    /// <returns>The plaintext length.</returns>
    [Benchmark]
    public int EncryptDecryptFullChunk()
    {
        int length = _sender.Encrypt(_chunk, _ciphertext);
        return _receiver.Decrypt(_ciphertext.AsSpan(0, length), _chunk);
    }

    private (NoiseTransportState Initiator, NoiseTransportState Responder) Handshake()
    {
        var initiator = NoiseHandshakeState.CreateInitiator(_initiatorStatic, _responderPublic, s_prologue);
        var responder = NoiseHandshakeState.CreateResponder(_responderStatic, s_prologue);
        responder.ReadMessage(initiator.WriteMessage([]));
        initiator.ReadMessage(responder.WriteMessage([]));
        responder.ReadMessage(initiator.WriteMessage([]));
        return (initiator.Split(), responder.Split());
    }
}
