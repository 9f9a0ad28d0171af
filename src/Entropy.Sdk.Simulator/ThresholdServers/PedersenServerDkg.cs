using Entropy.Protocol.Dkg;
using Entropy.Simulator.ThresholdServers.StandIn;

namespace Entropy.Simulator.ThresholdServers;

/// <summary>
/// The fast stand-in behind <see cref="IServerDkg"/> (<see cref="DevnetKeyGeneration.FastStandIn"/>, Public mode only; not interoperable): the SDK's Pedersen/Feldman DKG (<see cref="PedersenDkg"/>) over the
/// channels, with the servers' fault switches (drop, delay, inconsistent share, first-message hook).
/// </summary>
internal sealed class PedersenServerDkg : IServerDkg
{
    private const string ShareFormatVersion = "entropy-simulator-share-v1";

    /// <summary>Gets the instance.</summary>
    public static PedersenServerDkg Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "Pedersen/Feldman (simulator)";

    /// <inheritdoc/>
    public async Task<ServerDkgResult> RunAsync(ServerDkgRun run, CancellationToken cancellationToken)
    {
        var faults = run.Faults;
        var context = DkgSessionContext.Create(run.Account.AsSpan(), run.BlockNumber, run.Parties);
        using var session = PedersenDkg.Instance.CreateSession(context, run.Self);
        var transport = new ChannelDkgTransport(run.Channels, run.Self);
        run.DisposeWithChannels(transport);
        var faulty = new FaultyDkgTransport(transport, () => faults.DropMessages, () => faults.DelayMessages, p => faults.SendInconsistentShare ? CorruptShare(p) : p, run.TimeProvider);
        using var share = await DkgRunner.RunAsync(session, new HookedDkgTransport(faulty, faults, run.Account), run.Timeout, run.TimeProvider, run.Logger, cancellationToken).ConfigureAwait(false);
        return new ServerDkgResult(share.VerifyingKey.ToArray(), SerializeShare(share));
    }

    /// <summary>A cheating dealer (fault injection): the round-2 share is changed by one bit, so it no longer matches the dealer's commitments.</summary>
    private static ReadOnlyMemory<byte> CorruptShare(ReadOnlyMemory<byte> payload)
    {
        if (DkgMessageCodec.ReadHeader(payload.Span, out _) != DkgMessageKind.Share)
        {
            return payload;
        }

        using var share = DkgMessageCodec.DecodeShare(payload.Span);
        var corrupted = share.Share.ToArray();
        corrupted[^1] ^= 1; // big-endian scalar: the lowest bit
        using var cheat = new ShareMessage
        {
            SessionId = share.SessionId,
            Sender = share.Sender,
            Recipient = share.Recipient,
            Transcript = share.Transcript,
            Share = corrupted,
        };
        return DkgMessageCodec.Encode(cheat);
    }

    private static byte[] SerializeShare(DkgKeyShare share)
    {
        var secret = new byte[DkgSecretShare.Length];
        try
        {
            share.SecretShare.CopyTo(secret);
            return [.. System.Text.Encoding.ASCII.GetBytes(ShareFormatVersion), .. share.VerifyingKey, .. secret];
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <inheritdoc/>
    public (byte[] VerifyingKey, byte[] Secret) ParseShare(byte[] stored) => Parse(stored);

    /// <summary>Tells whether stored bytes are a stand-in share (they start with the format tag; a synedrion share starts with its index).</summary>
    /// <param name="stored">The stored bytes.</param>
    /// <returns>Whether <see cref="Parse"/> reads them.</returns>
    internal static bool IsStandInShare(ReadOnlySpan<byte> stored) => stored.StartsWith(System.Text.Encoding.ASCII.GetBytes(ShareFormatVersion));

    /// <summary>Reads a stored share (static form of <see cref="ParseShare"/>).</summary>
    internal static (byte[] VerifyingKey, byte[] Secret) Parse(byte[] stored)
    {
        var prefix = ShareFormatVersion.Length;
        return (stored[prefix..(prefix + 33)], stored[(prefix + 33)..]);
    }
}
