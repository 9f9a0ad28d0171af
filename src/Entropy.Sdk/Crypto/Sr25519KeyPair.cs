using System.Diagnostics;
using System.Security.Cryptography;

namespace Entropy.Crypto;

/// <summary>An sr25519 key pair (schnorrkel secret scalar, nonce and public key) that signs in the Substrate context.</summary>
/// <remarks>
/// The secret never appears as a property; <see cref="ExportSecretKey(Span{byte})"/> is the only way out. The secret
/// buffer is pinned and zeroed on <see cref="Dispose"/>. Instances are safe for concurrent signing.
/// See <see href="https://github.com/w3f/schnorrkel">schnorrkel</see> and <c>sp-core</c>'s <c>sr25519.rs</c>.
/// </remarks>
[DebuggerDisplay("Sr25519KeyPair {PublicKey}")]
public sealed partial class Sr25519KeyPair : IDisposable
{
    /// <summary>The length of a mini secret (seed) in bytes.</summary>
    public const int MiniSecretLength = 32;

    /// <summary>The length of an exported secret key in bytes.</summary>
    public const int SecretKeyLength = 64;

    // Unscaled secret scalar (32 bytes, little-endian, schnorrkel SecretKey::to_bytes layout) ‖ nonce (32 bytes).
    private readonly byte[] _secret;
    private readonly Sr25519PublicKey _publicKey;
    private bool _disposed;

    private Sr25519KeyPair(byte[] secret)
    {
        _secret = secret;
        Span<byte> pk = stackalloc byte[32];
        var scalar = Scalar.FromBytesModOrder(secret.AsSpan(0, 32));
        Ristretto255.Encode(ScalarMultiplication.MultiplyBase(scalar), pk);
        _publicKey = new Sr25519PublicKey(pk);
    }

    /// <summary>Gets the public key.</summary>
    /// <exception cref="ObjectDisposedException">The key pair was disposed.</exception>
    public Sr25519PublicKey PublicKey
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _publicKey;
        }
    }

    private static byte[] AllocateSecret() => GC.AllocateArray<byte>(SecretKeyLength, pinned: true);

    /// <summary>Creates a key pair from fresh randomness (a random mini secret).</summary>
    /// <returns>A new key pair.</returns>
    public static Sr25519KeyPair Generate()
    {
        Span<byte> mini = stackalloc byte[MiniSecretLength];
        RandomNumberGenerator.Fill(mini);
        try
        {
            return FromMiniSecret(mini);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(mini);
        }
    }

    /// <summary>Expands a 32-byte mini secret the way Substrate does (schnorrkel <c>ExpansionMode::Ed25519</c>).</summary>
    /// <param name="miniSecret">The 32-byte mini secret, e.g. the first half of the BIP-39 seed of a Substrate phrase.</param>
    /// <returns>The key pair.</returns>
    /// <exception cref="ArgumentException"><paramref name="miniSecret"/> is not 32 bytes long.</exception>
    /// <remarks>SHA-512 of the mini secret; the lower half is clamped and divided by the cofactor, the upper half is the nonce.</remarks>
    public static Sr25519KeyPair FromMiniSecret(ReadOnlySpan<byte> miniSecret)
    {
        if (miniSecret.Length != MiniSecretLength)
        {
            throw new ArgumentException($"An sr25519 mini secret is {MiniSecretLength} bytes, but {miniSecret.Length} were given.", nameof(miniSecret));
        }

        var secret = AllocateSecret();
        SHA512.HashData(miniSecret, secret);
        secret[0] &= 248;
        secret[31] &= 63;
        secret[31] |= 64;
        DivideByCofactor(secret.AsSpan(0, 32));
        return new Sr25519KeyPair(secret);
    }

    /// <summary>Imports a 64-byte secret key in the polkadot-js / <c>@scure/sr25519</c> layout.</summary>
    /// <param name="secretKey">LE(scalar·8 mod 2^256) ‖ nonce: schnorrkel's <c>to_ed25519_bytes</c> layout.</param>
    /// <returns>The key pair.</returns>
    /// <exception cref="ArgumentException"><paramref name="secretKey"/> is not 64 bytes long.</exception>
    public static Sr25519KeyPair FromSecretKey(ReadOnlySpan<byte> secretKey)
    {
        if (secretKey.Length != SecretKeyLength)
        {
            throw new ArgumentException($"An sr25519 secret key is {SecretKeyLength} bytes, but {secretKey.Length} were given.", nameof(secretKey));
        }

        var secret = AllocateSecret();
        secretKey.CopyTo(secret);
        DivideByCofactor(secret.AsSpan(0, 32));
        return new Sr25519KeyPair(secret);
    }

    /// <summary>Creates a key pair from the schnorrkel <c>SecretKey::to_bytes</c> layout (unscaled scalar ‖ nonce).</summary>
    internal static Sr25519KeyPair FromSchnorrkelSecretKey(ReadOnlySpan<byte> secretKey)
    {
        if (secretKey.Length != SecretKeyLength)
        {
            throw new ArgumentException($"An sr25519 secret key is {SecretKeyLength} bytes, but {secretKey.Length} were given.", nameof(secretKey));
        }

        var secret = AllocateSecret();
        secretKey.CopyTo(secret);
        return new Sr25519KeyPair(secret);
    }

    /// <summary>
    /// Exports the secret key in the polkadot-js / <c>@scure/sr25519</c> 64-byte layout (LE(scalar·8) ‖ nonce).
    /// Dangerous: whoever holds these bytes can sign as this account. Zero the buffer when done.
    /// </summary>
    /// <param name="destination">A buffer of at least 64 bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 64 bytes.</exception>
    /// <exception cref="ObjectDisposedException">The key pair was disposed.</exception>
    public void ExportSecretKey(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (destination.Length < SecretKeyLength)
        {
            throw new ArgumentException($"The destination must hold {SecretKeyLength} bytes, but has {destination.Length}.", nameof(destination));
        }

        _secret.AsSpan().CopyTo(destination);
        MultiplyByCofactor(destination[..32]);
    }

    /// <summary>
    /// Exports schnorrkel's <c>SecretKey::to_bytes()</c> (unscaled scalar ‖ nonce), which sp-core's <c>to_raw_vec</c>
    /// returns and the Entropy threshold servers hash (PROTOCOL.md §6.1).
    /// </summary>
    internal void ExportSchnorrkelSecretKey(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (destination.Length < SecretKeyLength)
        {
            throw new ArgumentException($"The destination must hold {SecretKeyLength} bytes, but has {destination.Length}.", nameof(destination));
        }

        _secret.AsSpan().CopyTo(destination);
    }

    /// <summary>Signs a message in the <c>"substrate"</c> context with fresh witness randomness.</summary>
    /// <param name="message">The message (for extrinsics: the signing payload, or its BLAKE2b-256 when longer than 256 bytes).</param>
    /// <returns>The 64-byte signature.</returns>
    /// <exception cref="ObjectDisposedException">The key pair was disposed.</exception>
    public Sr25519Signature Sign(ReadOnlySpan<byte> message)
    {
        Span<byte> random = stackalloc byte[32];
        WitnessRandomness.Fill(random);
        try
        {
            return Sign(message, random);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(random);
        }
    }

    /// <summary>Signs with caller-supplied witness randomness (for test vectors; schnorrkel also mixes in the secret nonce).</summary>
    internal Sr25519Signature Sign(ReadOnlySpan<byte> message, ReadOnlySpan<byte> witnessRandom32)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (witnessRandom32.Length != 32)
        {
            throw new ArgumentException("The witness randomness is 32 bytes.", nameof(witnessRandom32));
        }

        Span<byte> pk = stackalloc byte[32];
        _publicKey.CopyTo(pk);
        Span<byte> signature = stackalloc byte[Sr25519Signature.Length];
        Sr25519.SignCore(_secret, pk, message, witnessRandom32, signature);
        return new Sr25519Signature(signature);
    }

    /// <summary>Derives a hard (<c>//junction</c>) child the way Substrate does.</summary>
    /// <param name="chainCode">The 32-byte chain code (SCALE of the junction, padded or hashed to 32 bytes).</param>
    /// <returns>The child key pair.</returns>
    /// <exception cref="ArgumentException"><paramref name="chainCode"/> is not 32 bytes long.</exception>
    /// <exception cref="ObjectDisposedException">The key pair was disposed.</exception>
    /// <remarks>
    /// schnorrkel <c>hard_derive_mini_secret_key</c> (transcript "SchnorrRistrettoHDKD"), then the child mini secret is
    /// expanded in Ed25519 mode, as sp-core does.
    /// </remarks>
    internal Sr25519KeyPair DeriveHard(ReadOnlySpan<byte> chainCode)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Sr25519.CheckChainCode(chainCode);

        var t = MerlinTranscript.Create("SchnorrRistrettoHDKD"u8);
        Span<byte> mini = stackalloc byte[32];
        try
        {
            t.AppendMessage("sign-bytes"u8, ReadOnlySpan<byte>.Empty);
            t.AppendMessage("chain-code"u8, chainCode);
            t.AppendMessage("secret-key"u8, _secret.AsSpan(0, 32));
            t.ChallengeBytes("HDKD-hard"u8, mini);
            return FromMiniSecret(mini);
        }
        finally
        {
            t.Clear();
            CryptographicOperations.ZeroMemory(mini);
        }
    }

    /// <summary>Derives a soft (<c>/junction</c>) child the way Substrate does; its public key equals <see cref="Sr25519PublicKey.DeriveSoft(ReadOnlySpan{byte})"/>.</summary>
    /// <param name="chainCode">The 32-byte chain code (SCALE of the junction, padded or hashed to 32 bytes).</param>
    /// <returns>The child key pair; its nonce is randomised as in schnorrkel, so only the public key is deterministic.</returns>
    /// <exception cref="ArgumentException"><paramref name="chainCode"/> is not 32 bytes long.</exception>
    /// <exception cref="ObjectDisposedException">The key pair was disposed.</exception>
    internal Sr25519KeyPair DeriveSoft(ReadOnlySpan<byte> chainCode)
    {
        Span<byte> random = stackalloc byte[32];
        RandomNumberGenerator.Fill(random);
        try
        {
            return DeriveSoft(chainCode, random);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(random);
        }
    }

    /// <summary>Soft derivation with caller-supplied randomness for the child nonce (for test vectors).</summary>
    internal Sr25519KeyPair DeriveSoft(ReadOnlySpan<byte> chainCode, ReadOnlySpan<byte> random32)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Sr25519.CheckChainCode(chainCode);
        if (random32.Length != 32)
        {
            throw new ArgumentException("The randomness is 32 bytes.", nameof(random32));
        }

        Span<byte> pk = stackalloc byte[32];
        _publicKey.CopyTo(pk);
        var t = Sr25519.SoftDerivationTranscript(pk, chainCode, out var delta);
        var child = AllocateSecret();
        try
        {
            // Nonce: transcript RNG keyed with the parent nonce and the parent's 64-byte to_bytes().
            t.WitnessBytes("HDKD-nonce"u8, child.AsSpan(32, 32), _secret.AsSpan(32, 32), _secret, twoSeeds: true, random32);
            var key = Scalar.Add(Scalar.FromBytesModOrder(_secret.AsSpan(0, 32)), delta);
            key.ToBytes(child.AsSpan(0, 32));
            return new Sr25519KeyPair(child);
        }
        catch
        {
            CryptographicOperations.ZeroMemory(child);
            throw;
        }
        finally
        {
            t.Clear();
        }
    }

    /// <summary>Zeroes the secret key material.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            CryptographicOperations.ZeroMemory(_secret);
            _disposed = true;
        }
    }

    private static void DivideByCofactor(Span<byte> s)
    {
        byte low = 0;
        for (int i = s.Length - 1; i >= 0; i--)
        {
            byte r = (byte)(s[i] & 0b0000_0111);
            s[i] = (byte)((s[i] >> 3) + low);
            low = (byte)(r << 5);
        }
    }

    private static void MultiplyByCofactor(Span<byte> s)
    {
        byte high = 0;
        for (int i = 0; i < s.Length; i++)
        {
            byte r = (byte)(s[i] & 0b1110_0000);
            s[i] = (byte)((s[i] << 3) + high);
            high = (byte)(r >> 5);
        }
    }
}
