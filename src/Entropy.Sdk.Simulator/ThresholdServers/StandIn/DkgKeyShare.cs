using System.Diagnostics;
using System.Security.Cryptography;
using Entropy.Protocol.Dkg;

namespace Entropy.Simulator.ThresholdServers.StandIn;

/// <summary>A party's secret share of a DKG key: a 32-byte secp256k1 scalar held in a pinned buffer that is zeroed on dispose.</summary>
/// <remarks>For the n-of-n keys of this DKG the shares are additive: the secret key is the sum of all parties' shares.</remarks>
[DebuggerDisplay("{ToString(),nq}")]
internal sealed class DkgSecretShare : IDisposable
{
    /// <summary>The length of a share in bytes.</summary>
    public const int Length = 32;

    private readonly byte[] _bytes = GC.AllocateUninitializedArray<byte>(Length, pinned: true);
    private bool _disposed;

    /// <summary>Creates a share from its 32 big-endian bytes (copied).</summary>
    /// <param name="share">The share.</param>
    public DkgSecretShare(ReadOnlySpan<byte> share)
    {
        if (share.Length != Length)
        {
            throw new ArgumentException($"A secret share is {Length} bytes, not {share.Length}.", nameof(share));
        }

        share.CopyTo(_bytes);
    }

    /// <summary>Copies the secret into <paramref name="destination"/>; the caller zeroes the copy after use.</summary>
    /// <param name="destination">32 bytes.</param>
    /// <exception cref="ObjectDisposedException">The share was disposed.</exception>
    public void CopyTo(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _bytes.CopyTo(destination);
    }

    /// <summary>Zeroes the secret.</summary>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_bytes);
        _disposed = true;
    }

    /// <summary>Returns a description without the secret.</summary>
    /// <returns>The text <c>DkgSecretShare</c>, and whether it was disposed.</returns>
    public override string ToString() => _disposed ? "DkgSecretShare (disposed)" : "DkgSecretShare";
}

/// <summary>What a party holds after a successful DKG: its secret share and the public key material every party agrees on.</summary>
[DebuggerDisplay("{ToString(),nq}")]
internal sealed class DkgKeyShare : IDisposable
{
    private readonly byte[] _verifyingKey;
    private readonly byte[] _sessionId;
    private readonly Dictionary<PartyId, byte[]> _verificationShares;

    public DkgKeyShare(
        PartyId self,
        IReadOnlyList<PartyId> parties,
        ReadOnlySpan<byte> sessionId,
        DkgSecretShare secretShare,
        ReadOnlySpan<byte> verifyingKey,
        Dictionary<PartyId, byte[]> verificationShares)
    {
        Self = self;
        Parties = parties;
        _sessionId = sessionId.ToArray();
        SecretShare = secretShare;
        _verifyingKey = verifyingKey.ToArray();
        _verificationShares = verificationShares;
    }

    /// <summary>Gets the party holding this share.</summary>
    public PartyId Self { get; }

    /// <summary>Gets the committee, sorted by account bytes.</summary>
    public IReadOnlyList<PartyId> Parties { get; }

    /// <summary>Gets the id of the session that produced the key.</summary>
    public ReadOnlySpan<byte> SessionId => _sessionId;

    /// <summary>Gets the secret share (additive: the secret key is the sum of every party's share).</summary>
    public DkgSecretShare SecretShare { get; }

    /// <summary>Gets the group's verifying key <c>Y = Σ C_i0</c>, SEC1 compressed (33 bytes).</summary>
    public ReadOnlySpan<byte> VerifyingKey => _verifyingKey;

    /// <summary>Gets this party's verification share <c>share · G</c>, SEC1 compressed (33 bytes).</summary>
    public ReadOnlySpan<byte> VerificationShare => _verificationShares[Self];

    /// <summary>Gets the verification share <c>share_p · G</c> of any party <paramref name="party"/> (33 bytes).</summary>
    /// <param name="party">A committee member.</param>
    /// <returns>The compressed point.</returns>
    /// <exception cref="ArgumentException">The party is not in the committee.</exception>
    public ReadOnlySpan<byte> GetVerificationShare(PartyId party) =>
        _verificationShares.TryGetValue(party, out var share)
            ? share
            : throw new ArgumentException($"Party {party} is not in the committee.", nameof(party));

    /// <summary>Zeroes the secret share.</summary>
    public void Dispose() => SecretShare.Dispose();

    /// <summary>Returns a description without the secret.</summary>
    /// <returns>The party and the verifying key.</returns>
    public override string ToString() => $"DkgKeyShare {Self} of {Parties.Count}, key 0x{Convert.ToHexStringLower(_verifyingKey)}";
}
