namespace Entropy.Protocol.Dkg;

/// <summary>Says why a distributed key generation failed or rejected a message.</summary>
public enum DkgFailureReason
{
    /// <summary>A message could not be decoded (truncated, trailing bytes, invalid point or scalar, unknown message kind).</summary>
    MalformedMessage = 0,

    /// <summary>A message belongs to a different DKG session; it was rejected and the session is unaffected.</summary>
    WrongSession = 1,

    /// <summary>A message came from a party that is not in the committee, or from this party itself; it was rejected and the session is unaffected.</summary>
    UnknownSender = 2,

    /// <summary>A message claims another sender or recipient than the transport reported, or is of the wrong kind for the round.</summary>
    UnexpectedMessage = 3,

    /// <summary>A party sent two different messages for the same round.</summary>
    Equivocation = 4,

    /// <summary>A party's Schnorr proof of knowledge of its secret coefficient does not verify.</summary>
    InvalidProof = 5,

    /// <summary>A party's secret share does not match the Feldman commitments it broadcast.</summary>
    InconsistentShare = 6,

    /// <summary>A party saw different round-one commitments than this party did (a dealer equivocated, or the party lies).</summary>
    TranscriptMismatch = 7,

    /// <summary>The parties did not all answer within the time allowed.</summary>
    Timeout = 8,

    /// <summary>The combined key is the point at infinity; no party can be blamed.</summary>
    DegenerateKey = 9,
}

/// <summary>The failure raised when a distributed key generation fails or rejects a message, naming the party to blame when there is one.</summary>
/// <remarks>
/// The DKG is the key generation of FROST (Komlo and Goldberg, 2020, figure 1): a party whose proof of knowledge is invalid or
/// whose share contradicts its commitments is named in <see cref="BlamedAccounts"/>.
/// </remarks>
public sealed class DkgException : EntropyException
{
    /// <summary>Creates a DKG failure.</summary>
    /// <param name="reason">Why the DKG failed.</param>
    /// <param name="culprits">The parties to blame, if any.</param>
    /// <param name="message">What went wrong, and where.</param>
    /// <param name="innerException">The failure that caused this one, if any.</param>
    internal DkgException(DkgFailureReason reason, IReadOnlyList<PartyId> culprits, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(culprits);
        Reason = reason;
        Culprits = [.. culprits];
    }

    /// <summary>Gets why the DKG failed.</summary>
    public DkgFailureReason Reason { get; }

    /// <summary>Gets the accounts to blame: the cheater for a protocol violation, the silent parties for a timeout; empty when nobody can be blamed.</summary>
    public IReadOnlyList<AccountId> BlamedAccounts => [.. Culprits.Select(p => new AccountId(p.ToArray()))];

    /// <summary>Gets the parties to blame (see <see cref="BlamedAccounts"/>).</summary>
    internal IReadOnlyList<PartyId> Culprits { get; }

    /// <summary>Gets the single party to blame, or <see langword="null"/> when none or several are blamed.</summary>
    internal PartyId? Culprit => Culprits.Count == 1 ? Culprits[0] : null;

    /// <summary>Gets a value indicating whether the session is unaffected by the rejected message and may still complete.</summary>
    internal bool IsRecoverable => Reason is DkgFailureReason.WrongSession or DkgFailureReason.UnknownSender;

    /// <inheritdoc/>
    public override bool IsTransient => Reason == DkgFailureReason.Timeout;

    internal static DkgException Blame(DkgFailureReason reason, PartyId culprit, string message, Exception? innerException = null) =>
        new(reason, [culprit], $"{message} (party {culprit}).", innerException);
}
