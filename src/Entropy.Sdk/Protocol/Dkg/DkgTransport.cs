namespace Entropy.Protocol.Dkg;

/// <summary>A message as the transport delivered it: the authenticated sender and the bytes.</summary>
/// <param name="From">The sender the transport authenticated (Noise channel plus sr25519 subscription in real Entropy).</param>
/// <param name="Payload">The message bytes.</param>
internal readonly record struct DkgIncomingMessage(PartyId From, ReadOnlyMemory<byte> Payload);

/// <summary>A message a key generation wants delivered.</summary>
/// <param name="Recipient">The party to deliver it to, or <see langword="null"/> to deliver it to every other party.</param>
/// <param name="Payload">The message bytes. Point-to-point messages may carry a secret share: the transport must encrypt them.</param>
internal sealed record DkgOutgoingMessage(PartyId? Recipient, ReadOnlyMemory<byte> Payload)
{
    /// <summary>Gets a value indicating whether the message goes to every other party.</summary>
    public bool IsBroadcast => Recipient is null;
}

/// <summary>The channel a key generation runs over (<see cref="SynedrionKeyGeneration"/>; the simulator's stand-in too): authenticated, and
/// encrypting point-to-point messages.</summary>
internal abstract class DkgTransport
{
    /// <summary>Delivers a message to its recipient, or to every other party when it is a broadcast.</summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the message is handed to the network.</returns>
    public abstract Task SendAsync(DkgOutgoingMessage message, CancellationToken cancellationToken = default);

    /// <summary>Waits for the next message addressed to this party.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The message.</returns>
    public abstract Task<DkgIncomingMessage> ReceiveAsync(CancellationToken cancellationToken = default);

    /// <summary>Tells the transport that the session has read a received message; a transport that owns the buffer wipes it (it may hold a secret share).</summary>
    /// <param name="message">A message returned by <see cref="ReceiveAsync"/>.</param>
    public virtual void Release(DkgIncomingMessage message)
    {
    }
}
