using Entropy.Hashing;

namespace Entropy.Protocol;

/// <summary>
/// A version of entropy-protocol's envelope around the key generation: the layout of the <c>SessionId</c> that parties subscribe to
/// (and sign), and the shared randomness the synedrion session is seeded with. Parties speaking different versions cannot talk:
/// a threshold server refuses a subscription in another version at once.
/// </summary>
public enum ProtocolEnvelope
{
    /// <summary>
    /// Release v0.0.10 (entropy-core <c>a9463b08</c>): <c>SessionId::Dkg(AccountId32)</c>, and the fixed shared randomness
    /// <c>b"123456"</c>. What a v0.0.10 runtime's threshold servers speak.
    /// </summary>
    V0010,

    /// <summary>
    /// Commit <c>d7a7f3c2</c> (2024-03-21, the last of the three-access-mode design): <c>SessionId::Dkg(AccountId32)</c> as in
    /// v0.0.10, but the shared randomness is <c>Blake2s256(bincode(session id))</c>. What the 2024-03-21 runtime's threshold servers speak.
    /// </summary>
    Registry20240321,

    /// <summary>
    /// From commit <c>68cc34ae</c> (2024-04-03) to release v0.2.0: <c>SessionId::Dkg { user, block_number }</c>, where
    /// <c>block_number</c> is the block that included <c>register</c>, and the randomness of <see cref="Registry20240321"/>.
    /// What Entropy's published wasm client (npm <c>@entropyxyz/entropy-protocol-nodejs</c> 0.2.0) speaks.
    /// </summary>
    SessionBlockNumber20240403,
}

/// <summary>What each <see cref="ProtocolEnvelope"/> puts on the wire: the DKG session id and the shared randomness.</summary>
internal static class ProtocolEnvelopes
{
    /// <summary>The constant shared randomness of v0.0.10 (<c>execute_protocol.rs @ a9463b08</c>: <c>b"123456"</c>).</summary>
    private static ReadOnlySpan<byte> FixedRandomness => "123456"u8;

    /// <summary>Checks that <paramref name="envelope"/> is one of the defined versions.</summary>
    /// <exception cref="ArgumentOutOfRangeException">It is not.</exception>
    public static ProtocolEnvelope Validate(ProtocolEnvelope envelope, string paramName) =>
        Enum.IsDefined(envelope) ? envelope : throw new ArgumentOutOfRangeException(paramName, envelope, "Not a known entropy-protocol envelope version.");

    /// <summary>Whether the envelope's session ids carry the block number (<c>SessionId::Dkg { user, block_number }</c>).</summary>
    public static bool HasBlockNumber(this ProtocolEnvelope envelope) => envelope == ProtocolEnvelope.SessionBlockNumber20240403;

    /// <summary>The session id of the DKG for <paramref name="user"/>, whose <c>register</c> was included in block <paramref name="blockNumber"/>.</summary>
    /// <param name="envelope">The envelope version.</param>
    /// <param name="user">The 32-byte signature-request account.</param>
    /// <param name="blockNumber">The block that included <c>register</c> (N; the committee is the one chosen at N+1).</param>
    /// <returns>The session id.</returns>
    public static SessionId DkgSessionId(this ProtocolEnvelope envelope, ReadOnlySpan<byte> user, uint blockNumber) =>
        Validate(envelope, nameof(envelope)).HasBlockNumber() ? SessionId.Dkg(user, blockNumber) : SessionId.Dkg(user);

    /// <summary>
    /// The seed of the synedrion session: <c>b"123456"</c> for <see cref="ProtocolEnvelope.V0010"/>, otherwise
    /// <c>SessionId::blake2</c> = <c>Blake2s256(bincode::serialize(&amp;session_id))</c>.
    /// </summary>
    /// <param name="envelope">The envelope version.</param>
    /// <param name="sessionId">The session id the parties subscribed to.</param>
    /// <returns>The shared randomness bytes.</returns>
    public static byte[] SharedRandomness(this ProtocolEnvelope envelope, SessionId sessionId)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return Validate(envelope, nameof(envelope)) == ProtocolEnvelope.V0010 ? FixedRandomness.ToArray() : Blake2s.Hash256(sessionId.ToBincode());
    }
}
