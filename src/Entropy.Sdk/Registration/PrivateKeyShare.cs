using System.Diagnostics;
using System.Security.Cryptography;
using Entropy.Protocol.Dkg;

namespace Entropy;

/// <summary>The user's secret share of a Private-mode account's signing key, from the DKG the client took part in.</summary>
/// <remarks>
/// The key is n-of-n over the DKG committee plus the user, and the shares are additive: the secret key is the sum of every party's
/// share, so the network cannot sign without this one. The secret sits in a pinned buffer, never appears in <see cref="ToString"/>
/// or the debugger display, leaves only through <see cref="ExportSecret"/>, and is zeroed by <see cref="Dispose"/>.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class PrivateKeyShare : IDisposable
{
    /// <summary>The length of the secret share in bytes (a secp256k1 scalar).</summary>
    public const int SecretLength = 32;

    private readonly byte[] _secret = GC.AllocateUninitializedArray<byte>(SecretLength, pinned: true);
    private readonly byte[] _verificationShare;
    private bool _disposed;

    internal PrivateKeyShare(AccountId account, uint registerBlockNumber, DkgKeyShare share)
    {
        Account = account;
        RegisterBlockNumber = registerBlockNumber;
        VerifyingKey = new VerifyingKey(share.VerifyingKey);
        _verificationShare = share.VerificationShare.ToArray();
        Parties = share.Parties.Select(p => new AccountId(p.ToArray())).ToArray();
        share.SecretShare.CopyTo(_secret);
    }

    /// <summary>Gets the signature request account the key belongs to.</summary>
    public AccountId Account { get; }

    /// <summary>Gets the number of the block that included <c>register</c> (the DKG session is bound to it).</summary>
    public uint RegisterBlockNumber { get; }

    /// <summary>Gets the group's verifying key, the one the servers confirmed on chain.</summary>
    public VerifyingKey VerifyingKey { get; }

    /// <summary>Gets this share's public part <c>share · G</c>, SEC1 compressed (33 bytes); not secret.</summary>
    public ReadOnlyMemory<byte> VerificationShare => _verificationShare;

    /// <summary>Gets the DKG parties (the committee servers' accounts and the user's), sorted by account bytes.</summary>
    public IReadOnlyList<AccountId> Parties { get; }

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

    /// <summary>Zeroes the secret share.</summary>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_secret);
        _disposed = true;
    }

    /// <summary>Describes the share without its secret.</summary>
    /// <returns>The account and the verifying key.</returns>
    public override string ToString() => _disposed
        ? $"PrivateKeyShare for {Account} (disposed)"
        : $"PrivateKeyShare for {Account}, verifying key {VerifyingKey}";
}
