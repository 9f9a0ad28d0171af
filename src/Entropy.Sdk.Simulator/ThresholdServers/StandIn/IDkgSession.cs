using Entropy.Protocol.Dkg;

namespace Entropy.Simulator.ThresholdServers.StandIn;

/// <summary>The state of a <see cref="IDkgSession"/>.</summary>
internal enum DkgSessionState
{
    /// <summary><see cref="IDkgSession.Start"/> was not called yet.</summary>
    NotStarted,

    /// <summary>Waiting for the messages of some round.</summary>
    Running,

    /// <summary>The key share is ready.</summary>
    Completed,

    /// <summary>The run failed; the session only throws from now on.</summary>
    Failed,
}

/// <summary>One party's side of one run of the simulator's stand-in DKG (<see cref="PedersenDkg"/>), sans I/O: it consumes incoming messages and produces outgoing ones, round by round.</summary>
/// <remarks>
/// The driver delivers every outgoing message (encrypting the point-to-point ones) and feeds every incoming message to
/// <see cref="Receive"/> together with the sender the transport authenticated. Timeouts are the driver's business; it can
/// name the silent parties with <see cref="WaitingFor"/>. A session is not thread-safe.
/// </remarks>
internal interface IDkgSession : IDisposable
{
    /// <summary>Gets this party.</summary>
    PartyId Self { get; }

    /// <summary>Gets the run this session belongs to.</summary>
    DkgSessionContext Context { get; }

    /// <summary>Gets the state of the session.</summary>
    DkgSessionState State { get; }

    /// <summary>Gets the current round, starting at 1; 0 before <see cref="Start"/>.</summary>
    int Round { get; }

    /// <summary>Gets the parties whose message for the current round has not arrived yet; empty when completed.</summary>
    IReadOnlyList<PartyId> WaitingFor { get; }

    /// <summary>Starts the run and returns the first round's messages.</summary>
    /// <returns>The messages to deliver.</returns>
    /// <exception cref="InvalidOperationException">The session was already started.</exception>
    IReadOnlyList<DkgOutgoingMessage> Start();

    /// <summary>Consumes one message and returns the messages it triggers (the next round's, when it completed a round).</summary>
    /// <param name="from">The sender, as authenticated by the transport.</param>
    /// <param name="payload">The message bytes.</param>
    /// <returns>The messages to deliver; often none.</returns>
    /// <exception cref="DkgException">The message is rejected (<see cref="StandInDkgFailures.IsRecoverable"/>: the session goes on) or the run failed, naming the culprit.</exception>
    /// <exception cref="InvalidOperationException">The session is not started, already completed or failed.</exception>
    IReadOnlyList<DkgOutgoingMessage> Receive(PartyId from, ReadOnlySpan<byte> payload);

    /// <summary>Hands over the key share; the caller owns (and disposes) it.</summary>
    /// <returns>The key share.</returns>
    /// <exception cref="InvalidOperationException">The session has not completed, or the share was already taken.</exception>
    DkgKeyShare TakeResult();
}
