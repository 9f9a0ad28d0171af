using Entropy.Crypto;

namespace Entropy;

/// <summary>What to register: the signature request account, its Account Key, its programs and its access mode.</summary>
/// <remarks>
/// <para>A request holds data only: how the transaction is sent (tip, mortality) is set on <see cref="EntropyClientOptions"/>, and progress
/// is passed where the caller waits (<see cref="EntropyClient.RegisterAsync(WaitUntil, RegisterRequest, IProgress{RegistrationProgress}?, CancellationToken)"/>).</para>
/// <para>Maps onto the runtime call <c>register(program_modification_account, key_visibility, programs_data)</c> of entropy-core v0.0.10
/// (<see href="https://github.com/entropyxyz/entropy-core">pallets/relayer</see>).</para>
/// </remarks>
public sealed class RegisterRequest
{
    /// <summary>Creates a request for a signer: Public mode, the signer as Account Key, and no programs yet (add at least one to <see cref="Programs"/>).</summary>
    /// <param name="signer">The signature request account; it signs and pays for <c>register</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="signer"/> is <see langword="null"/>.</exception>
    public RegisterRequest(Sr25519Signer signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        Signer = signer;
    }

    /// <summary>Gets the signature request account: it signs and pays for <c>register</c>, and is the account that gets registered.</summary>
    public Sr25519Signer Signer { get; }

    /// <summary>Gets or sets the Account Key (program-modification account), allowed to change the programs later.</summary>
    /// <value>The default value is <see langword="null"/>, which means the signer's own account.</value>
    public AccountId? ProgramModificationAccount { get; set; }

    /// <summary>Gets the programs (ProgramsData) that signature requests are checked against: at least one, at most the runtime's <c>MaxProgramHashes</c> (5 in v0.0.10).</summary>
    /// <value>The default is empty; a request without programs is refused with <see cref="RegistrationPreflightFailure.NoPrograms"/>, as the chain
    /// refuses it with <c>NoProgramSet</c>. Each pointer must name a program already on chain: deploy one with <see cref="EntropyClient.Programs"/>.</value>
    public IList<ProgramInstance> Programs { get; } = [];

    /// <summary>Gets or sets the access mode.</summary>
    /// <value>The default value is <see cref="Entropy.AccessMode.Public"/>.</value>
    public AccessMode AccessMode { get; set; } = AccessMode.Public;

    /// <summary>Gets or sets the user's x25519 key pair, required for <see cref="Entropy.AccessMode.Private"/>: its public key goes on chain
    /// (<c>KeyVisibility::Private</c>) and the SDK uses it as its Noise static key to join the DKG as the extra party.</summary>
    /// <value>The default value is <see langword="null"/>. The request does not own the key pair; dispose it yourself.</value>
    public X25519KeyPair? UserX25519KeyPair { get; set; }
}
