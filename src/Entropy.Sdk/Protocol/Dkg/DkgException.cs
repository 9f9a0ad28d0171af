namespace Entropy.Protocol.Dkg;

/// <summary>Says why a distributed key generation failed or rejected a message.</summary>
public enum DkgFailureReason
{
    /// <summary>A message could not be decoded (truncated, trailing bytes, invalid point or scalar, unknown message kind).</summary>
    MalformedMessage = 0,

    /// <summary>A message belongs to a different DKG session; it was rejected and the session is unaffected (the devnet's stand-in only).</summary>
    WrongSession = 1,

    /// <summary>A message came from a party that is not in the committee, or from this party itself; it was rejected and the session is unaffected (the devnet's stand-in only).</summary>
    UnknownSender = 2,

    /// <summary>A message claims another sender or recipient than the transport reported, or is of the wrong kind for the round (the devnet's stand-in only).</summary>
    UnexpectedMessage = 3,

    /// <summary>A party sent two different messages for the same round (the devnet's stand-in only; synedrion reports it as <see cref="InvalidProof"/>).</summary>
    Equivocation = 4,

    /// <summary>A party misbehaved: a proof or a signature of its messages does not verify, or it broke the protocol's rules (synedrion names the rule in the message).</summary>
    InvalidProof = 5,

    /// <summary>A party's secret share does not match the Feldman commitments it broadcast (the devnet's stand-in only).</summary>
    InconsistentShare = 6,

    /// <summary>A party saw different round-one commitments than this party did (a dealer equivocated, or the party lies; the devnet's stand-in only).</summary>
    TranscriptMismatch = 7,

    /// <summary>The parties did not all answer within the time allowed.</summary>
    Timeout = 8,

    /// <summary>The combined key is the point at infinity; no party can be blamed (the devnet's stand-in only).</summary>
    DegenerateKey = 9,
}

/// <summary>The failure raised when a distributed key generation fails or rejects a message, naming the party to blame when there is one.</summary>
/// <remarks>
/// The client's key generation (Private mode) is synedrion 0.1.0's CGGMP'21, as Entropy's servers run it: a party whose message is
/// malformed or whose proof or signature does not verify is named in <see cref="BlamedAccounts"/>, and on a timeout the parties never
/// heard from. The devnet's servers raise it too, in their logs and metrics, including the reasons only its fast Public-mode stand-in
/// (<c>DevnetKeyGeneration.FastStandIn</c>) detects.
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

    /// <inheritdoc/>
    public override bool IsTransient => Reason == DkgFailureReason.Timeout;
}
