using Entropy.Protocol.Dkg;

namespace Entropy.Simulator.ThresholdServers.StandIn;

/// <summary>How the stand-in DKG (<see cref="PedersenDkg"/>) raises and classifies the SDK's <see cref="DkgException"/>.</summary>
internal static class StandInDkgFailures
{
    /// <summary>Creates a failure that blames one party.</summary>
    /// <param name="reason">Why the message or run failed.</param>
    /// <param name="culprit">The party to blame.</param>
    /// <param name="message">What went wrong; the party is appended.</param>
    /// <param name="innerException">The failure that caused this one, if any.</param>
    /// <returns>The exception, to throw.</returns>
    public static DkgException Blame(DkgFailureReason reason, PartyId culprit, string message, Exception? innerException = null) =>
        new(reason, [culprit], $"{message} (party {culprit}).", innerException);

    /// <summary>Returns whether the session is unaffected by the rejected message and may still complete (a message of another session,
    /// or from a party outside the committee: it is dropped).</summary>
    /// <param name="exception">A failure a stand-in session raised.</param>
    /// <returns><see langword="true"/> when the session goes on.</returns>
    public static bool IsRecoverable(DkgException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Reason is DkgFailureReason.WrongSession or DkgFailureReason.UnknownSender;
    }
}
