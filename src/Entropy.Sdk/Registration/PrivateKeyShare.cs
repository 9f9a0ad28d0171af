using System.Diagnostics;
using System.Security.Cryptography;
using Entropy.Synedrion;
using Entropy.Synedrion.Encoding;
using Entropy.Synedrion.KeyGen;

namespace Entropy;

/// <summary>The user's secret share of a Private-mode account's signing key, from the DKG the client took part in.</summary>
/// <remarks>
/// The key comes from synedrion 0.1.0's key generation (CGGMP'21), n-of-n over the DKG committee plus the user, and the shares are
/// additive: the secret key is the sum of every party's share, so the network cannot sign without this one. The whole share is
/// synedrion's <c>KeyShare&lt;ProductionParams&gt;</c> (<see cref="ExportKeyShare"/>), the bytes Entropy's own clients keep: its
/// wasm client's <c>KeyShare.fromBytes</c> loads them, and <see cref="ImportKeyShare"/> loads what it made.
/// The secrets sit in pinned buffers, never appear in <see cref="ToString"/> or the debugger display, leave only through
/// <see cref="ExportSecret"/> and <see cref="ExportKeyShare"/>, and are zeroed by <see cref="Dispose"/>.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class PrivateKeyShare : IDisposable
{
    /// <summary>The length of the secret share in bytes (a secp256k1 scalar).</summary>
    public const int SecretLength = 32;

    private readonly byte[] _secret = GC.AllocateUninitializedArray<byte>(SecretLength, pinned: true);
    private readonly byte[] _keyShare;
    private readonly byte[] _verificationShare;
    private bool _disposed;

    internal PrivateKeyShare(AccountId account, uint registerBlockNumber, IReadOnlyList<AccountId> parties, KeyShare share)
    {
        Account = account;
        RegisterBlockNumber = registerBlockNumber;
        VerifyingKey = new VerifyingKey(share.VerifyingKey.ToCompressed());
        PartyIndex = (int)share.Index;
        _verificationShare = share.PublicShares[share.Index].ToCompressed();
        Parties = parties;
        share.SecretShare.WriteToSpan(_secret);
        var bytes = share.ToBytes();
        _keyShare = GC.AllocateUninitializedArray<byte>(bytes.Length, pinned: true);
        bytes.CopyTo(_keyShare, 0);
        CryptographicOperations.ZeroMemory(bytes);
    }

    /// <summary>Gets the signature request account the key belongs to.</summary>
    public AccountId Account { get; }

    /// <summary>Gets the number of the block that included <c>register</c> (the DKG session is bound to it).</summary>
    public uint RegisterBlockNumber { get; }

    /// <summary>Gets the group's verifying key, the one the servers confirmed on chain.</summary>
    public VerifyingKey VerifyingKey { get; }

    /// <summary>Gets this share's public part <c>share · G</c>, SEC1 compressed (33 bytes); not secret.</summary>
    public ReadOnlyMemory<byte> VerificationShare => _verificationShare;

    /// <summary>Gets the key generation's parties in synedrion's order (their party indices): the committee servers' TSS accounts as the
    /// chain lists the committee, then the user's account. Empty for a share made by <see cref="ImportKeyShare"/> (the bytes do not name them).</summary>
    public IReadOnlyList<AccountId> Parties { get; }

    /// <summary>Gets this share's party index in the key generation (the user's is the last one).</summary>
    public int PartyIndex { get; }

    /// <summary>Gets the secret without the disposed check, for tests that prove the buffer was zeroed.</summary>
    internal ReadOnlySpan<byte> SecretBuffer => _secret;

    /// <summary>Copies the secret share (32 bytes, big-endian secp256k1 scalar) out; wipe the copy with <see cref="CryptographicOperations.ZeroMemory"/> after use.</summary>
    /// <param name="destination">At least 32 bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 32 bytes.</exception>
    /// <exception cref="ObjectDisposedException">The share was disposed.</exception>
    public void ExportSecret(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (destination.Length < SecretLength)
        {
            throw new ArgumentException($"The destination must hold {SecretLength} bytes; it has {destination.Length}.", nameof(destination));
        }

        _secret.CopyTo(destination);
    }

    /// <summary>Returns the whole share as synedrion 0.1.0's <c>KeyShare&lt;ProductionParams&gt;</c> (bincode): what Entropy's wasm client
    /// reads with <c>KeyShare.fromBytes</c>. It holds every secret of the share (the secret share, the Paillier primes, the ElGamal key):
    /// store it encrypted and wipe the array with <see cref="CryptographicOperations.ZeroMemory"/> after use.</summary>
    /// <returns>A new array with the bytes.</returns>
    /// <exception cref="ObjectDisposedException">The share was disposed.</exception>
    public byte[] ExportKeyShare()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _keyShare.ToArray();
    }

    /// <summary>Loads a share from synedrion 0.1.0's <c>KeyShare&lt;ProductionParams&gt;</c> bytes: what <see cref="ExportKeyShare"/> returns,
    /// or what Entropy's wasm client returns from <c>KeyShare.toBytes()</c>. The bytes are checked (lengths, points, ranges, and that the
    /// secret share matches its public share); the caller still owns and wipes <paramref name="keyShare"/>.</summary>
    /// <param name="account">The signature-request account the key belongs to.</param>
    /// <param name="registerBlockNumber">The number of the block that included its <c>register</c>.</param>
    /// <param name="keyShare">The share's bytes.</param>
    /// <returns>The share; dispose it.</returns>
    /// <exception cref="ArgumentException"><paramref name="keyShare"/> is not a valid synedrion 0.1.0 <c>KeyShare&lt;ProductionParams&gt;</c> (the message says where).</exception>
    public static PrivateKeyShare ImportKeyShare(AccountId account, uint registerBlockNumber, ReadOnlySpan<byte> keyShare)
    {
        var copy = keyShare.ToArray();
        try
        {
            using var share = KeyShare.FromBytes(copy, SynedrionParams.Production);
            return new PrivateKeyShare(account, registerBlockNumber, [], share);
        }
        catch (SynedrionFormatException e)
        {
            throw new ArgumentException($"The bytes are not a synedrion 0.1.0 KeyShare<ProductionParams> (as ExportKeyShare or the wasm client's KeyShare.toBytes() make it): {e.Message}", nameof(keyShare), e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(copy);
        }
    }

    /// <summary>Zeroes the secret share and the key share bytes.</summary>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_secret);
        CryptographicOperations.ZeroMemory(_keyShare);
        _disposed = true;
    }

    /// <summary>Describes the share without its secret.</summary>
    /// <returns>The account and the verifying key.</returns>
    public override string ToString() => _disposed
        ? $"PrivateKeyShare for {Account} (disposed)"
        : $"PrivateKeyShare for {Account}, verifying key {VerifyingKey}";
}
