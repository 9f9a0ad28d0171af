using System.Security.Cryptography;
using System.Text;

namespace Entropy.Protocol.Noise;

/// <summary>The Noise SymmetricState: chaining key, handshake hash and the handshake CipherState.</summary>
/// <remarks>Implements noiseprotocol.org/noise.html revision 34, §5.2.</remarks>
internal sealed class NoiseSymmetricState : IDisposable
{
    private readonly byte[] _chainingKey = new byte[NoiseCrypto.HashLength];
    private readonly byte[] _hash = new byte[NoiseCrypto.HashLength];
    private readonly NoiseCipherState _cipher = new();

    /// <summary>Initializes the state from the protocol name (InitializeSymmetric()).</summary>
    public NoiseSymmetricState(string protocolName)
    {
        byte[] name = Encoding.ASCII.GetBytes(protocolName);
        if (name.Length <= NoiseCrypto.HashLength)
        {
            name.CopyTo(_hash, 0);
        }
        else
        {
            NoiseCrypto.Hash(name, default, _hash);
        }

        _hash.CopyTo(_chainingKey, 0);
    }

    /// <summary>Gets the handshake hash h.</summary>
    public ReadOnlySpan<byte> HandshakeHash => _hash;

    /// <summary>Gets a value indicating whether the handshake cipher has a key.</summary>
    public bool HasKey => _cipher.HasKey;

    /// <summary>Mixes DH output into the chaining key and sets a new cipher key (MixKey()).</summary>
    public void MixKey(ReadOnlySpan<byte> inputKeyMaterial)
    {
        Span<byte> tempKey = stackalloc byte[NoiseCrypto.HashLength];
        NoiseCrypto.Hkdf(_chainingKey, inputKeyMaterial, _chainingKey, tempKey, default);
        _cipher.InitializeKey(tempKey);
        CryptographicOperations.ZeroMemory(tempKey);
    }

    /// <summary>Sets h = HASH(h ‖ data) (MixHash()).</summary>
    public void MixHash(ReadOnlySpan<byte> data) => NoiseCrypto.Hash(_hash, data, _hash);

    /// <summary>Encrypts with h as associated data and mixes the ciphertext into h (EncryptAndHash()).</summary>
    public int EncryptAndHash(ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        int written = _cipher.EncryptWithAd(_hash, plaintext, destination);
        MixHash(destination[..written]);
        return written;
    }

    /// <summary>Decrypts with h as associated data and mixes the ciphertext into h (DecryptAndHash()).</summary>
    public int DecryptAndHash(ReadOnlySpan<byte> ciphertext, Span<byte> destination)
    {
        int written = _cipher.DecryptWithAd(_hash, ciphertext, destination, EntropyProtocolErrorKind.HandshakeFailed);
        MixHash(ciphertext);
        return written;
    }

    /// <summary>Derives the two transport CipherStates, initiator-to-responder first (Split()).</summary>
    public (NoiseCipherState First, NoiseCipherState Second) Split()
    {
        Span<byte> k1 = stackalloc byte[NoiseCrypto.HashLength];
        Span<byte> k2 = stackalloc byte[NoiseCrypto.HashLength];
        try
        {
            NoiseCrypto.Hkdf(_chainingKey, default, k1, k2, default);
            var first = new NoiseCipherState();
            var second = new NoiseCipherState();
            first.InitializeKey(k1);
            second.InitializeKey(k2);
            return (first, second);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(k1);
            CryptographicOperations.ZeroMemory(k2);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_chainingKey);
        _cipher.Dispose();
    }
}
