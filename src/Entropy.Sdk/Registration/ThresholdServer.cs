namespace Entropy;

/// <summary>A threshold signature server as the chain lists it (<c>StakingExtension.ThresholdServers</c>).</summary>
/// <remarks>
/// Runtime type <c>ServerInfo { tss_account, x25519_public_key, endpoint }</c>, keyed by the validator's stash account
/// (entropy-core v0.0.10 <c>pallets/staking</c>).
/// </remarks>
public sealed class ThresholdServer
{
    internal ThresholdServer(AccountId stash, AccountId tssAccount, ReadOnlyMemory<byte> x25519PublicKey, string endpoint, byte subgroup)
    {
        Stash = stash;
        TssAccount = tssAccount;
        X25519PublicKey = x25519PublicKey.ToArray();
        Endpoint = endpoint;
        Subgroup = subgroup;
    }

    /// <summary>Gets the validator's stash account.</summary>
    public AccountId Stash { get; }

    /// <summary>Gets the server's own sr25519 account (it signs <c>confirm_register</c>).</summary>
    public AccountId TssAccount { get; }

    /// <summary>Gets the server's x25519 public key (its Noise static key).</summary>
    public ReadOnlyMemory<byte> X25519PublicKey { get; }

    /// <summary>Gets the server's endpoint as <c>host:port</c>, without a scheme.</summary>
    public string Endpoint { get; }

    /// <summary>Gets the signing subgroup the validator belongs to.</summary>
    public byte Subgroup { get; }

    /// <summary>Returns the subgroup, stash and endpoint.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => $"subgroup {Subgroup}: {Stash} at {Endpoint}";
}
