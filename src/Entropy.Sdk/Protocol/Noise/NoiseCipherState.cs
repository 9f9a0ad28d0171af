using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Entropy.Protocol.Noise;

/// <summary>The Noise CipherState with the ChaChaPoly cipher functions: a key, a 64-bit nonce counter and AEAD encryption.</summary>
/// <remarks>Implements noiseprotocol.org/noise.html revision 34, §5.1 and §12.3 (nonce = 32 zero bits ‖ little-endian 64-bit n).</remarks>
internal sealed class NoiseCipherState : IDisposable
{
    /// <summary>The key length of ChaChaPoly.</summary>
    public const int KeyLength = 32;

    /// <summary>The Poly1305 authentication tag appended to every ciphertext.</summary>
    public const int TagLength = 16;

    /// <summary>The largest Noise message, in bytes (noise.html §3).</summary>
    public const int MaxMessageLength = 65535;

    private ChaCha20Poly1305? _aead;
    private ulong _nonce;

    /// <summary>Gets a value indicating whether a key has been set (HasKey()).</summary>
    public bool HasKey => _aead is not null;

    /// <summary>Gets the next nonce value n.</summary>
    public ulong Nonce => _nonce;

    /// <summary>Sets the key and resets the nonce to zero (InitializeKey()).</summary>
    public void InitializeKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
        {
            throw new ArgumentException($"A ChaChaPoly key is {KeyLength} bytes, not {key.Length}.", nameof(key));
        }

        _aead?.Dispose();
        _aead = new ChaCha20Poly1305(key);
        _nonce = 0;
    }

    /// <summary>Sets the nonce counter; a test seam for nonce exhaustion (SetNonce()).</summary>
    internal void SetNonce(ulong nonce) => _nonce = nonce;

    /// <summary>Encrypts <paramref name="plaintext"/> into <paramref name="destination"/> (plaintext length + 16 bytes when keyed) and returns the bytes written (EncryptWithAd()).</summary>
    public int EncryptWithAd(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        if (_aead is null)
        {
            plaintext.CopyTo(destination);
            return plaintext.Length;
        }

        CheckNonce();
        Span<byte> nonce = stackalloc byte[12];
        WriteNonce(nonce, _nonce);
        _aead.Encrypt(nonce, plaintext, destination[..plaintext.Length], destination.Slice(plaintext.Length, TagLength), associatedData);
        _nonce++;
        return plaintext.Length + TagLength;
    }

    /// <summary>Decrypts and authenticates <paramref name="ciphertext"/> into <paramref name="destination"/>; on failure the nonce is not advanced (DecryptWithAd()).</summary>
    /// <exception cref="EntropyProtocolException">The ciphertext does not authenticate.</exception>
    public int DecryptWithAd(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> destination, EntropyProtocolErrorKind failureKind)
    {
        if (_aead is null)
        {
            ciphertext.CopyTo(destination);
            return ciphertext.Length;
        }

        if (ciphertext.Length < TagLength)
        {
            throw new EntropyProtocolException(failureKind, $"A Noise ciphertext is at least {TagLength} bytes (the tag); got {ciphertext.Length}.");
        }

        CheckNonce();
        int length = ciphertext.Length - TagLength;
        Span<byte> nonce = stackalloc byte[12];
        WriteNonce(nonce, _nonce);
        try
        {
            _aead.Decrypt(nonce, ciphertext[..length], ciphertext[length..], destination[..length], associatedData);
        }
        catch (CryptographicException ex)
        {
            CryptographicOperations.ZeroMemory(destination[..length]);
            throw new EntropyProtocolException(failureKind, $"A Noise message (nonce {_nonce}, {ciphertext.Length} bytes) failed ChaCha20-Poly1305 authentication.", ex);
        }

        _nonce++;
        return length;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _aead?.Dispose();
        _aead = null;
    }

    private static void WriteNonce(Span<byte> destination, ulong n)
    {
        destination[..4].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(destination[4..], n);
    }

    private void CheckNonce()
    {
        // 2^64-1 is reserved (noise.html §5.1); the channel must be re-established instead.
        if (_nonce == ulong.MaxValue)
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.NonceExhausted, "The Noise nonce counter is exhausted (2^64-1 messages); open a new channel.");
        }
    }
}
