using Entropy.Crypto;
using Entropy.Protocol;
using Entropy.Protocol.Dkg;
using Microsoft.Extensions.Logging;

namespace Entropy.Simulator.ThresholdServers;

/// <summary>
/// The DKG a threshold server runs for one account once its channels to every other party are open: the seam where the key
/// generation protocol plugs in. The server owns everything around it (the <c>/user/new</c> checks, dialling and accepting the
/// channels, storing the share, replicating it, confirming the verifying key); an implementation only exchanges its messages
/// over <see cref="ServerDkgRun.Channels"/> and returns the key share in its own stored format.
/// </summary>
internal interface IServerDkg
{
    /// <summary>Gets the name of the protocol, for logs and figures (e.g. "Pedersen/Feldman (simulator)").</summary>
    string Name { get; }

    /// <summary>Runs this server's side of the DKG.</summary>
    /// <param name="run">The run: the account, the parties, this server's keys and the open channels.</param>
    /// <param name="cancellationToken">Cancelled when the server stops.</param>
    /// <returns>The verifying key and the share to store; the caller disposes it (the stored bytes are wiped).</returns>
    /// <exception cref="DkgException">A party cheated, sent garbage or stayed silent past <see cref="ServerDkgRun.Timeout"/> (culprits named).</exception>
    Task<ServerDkgResult> RunAsync(ServerDkgRun run, CancellationToken cancellationToken);

    /// <summary>Reads a share stored by <see cref="RunAsync"/>: the verifying key (33-byte compressed secp256k1) and the secret (for tests).</summary>
    /// <param name="stored">The stored bytes.</param>
    /// <returns>The verifying key and the secret scalar.</returns>
    (byte[] VerifyingKey, byte[] Secret) ParseShare(byte[] stored);
}

/// <summary>One server's DKG run for one account (the input of <see cref="IServerDkg.RunAsync"/>).</summary>
/// <param name="Account">The account being registered.</param>
/// <param name="BlockNumber">The block whose <c>Dkg</c> list named the account (the <c>OcwMessageDkg</c> block number).</param>
/// <param name="Self">This server's party (its TSS account).</param>
/// <param name="Parties">Every party in committee order, then the user when it takes part (Private mode).</param>
/// <param name="SessionId">The session the channels were subscribed for.</param>
/// <param name="Envelope">The entropy-protocol envelope the server speaks (its shared randomness seeds a synedrion session).</param>
/// <param name="Channels">One open, authenticated channel per other party; the server closes them after the run.</param>
/// <param name="Pair">This server's sr25519 key pair (owned by the server; do not dispose).</param>
/// <param name="Timeout">The time the whole run may take.</param>
/// <param name="Faults">The server's fault switches (tests); an implementation honours those it can.</param>
/// <param name="Logger">The server's logger.</param>
internal sealed record ServerDkgRun(
    AccountId Account,
    uint BlockNumber,
    PartyId Self,
    IReadOnlyList<PartyId> Parties,
    SessionId SessionId,
    ProtocolEnvelope Envelope,
    IReadOnlyDictionary<PartyId, EncryptedWebSocketChannel> Channels,
    Sr25519KeyPair Pair,
    TimeSpan Timeout,
    ThresholdServerFaults Faults,
    ILogger Logger)
{
    private readonly List<IAsyncDisposable> _closeWithChannels = [];

    /// <summary>Gets the clock <see cref="Timeout"/> runs on (the devnet's <see cref="EntropyDevnetOptions.TimeProvider"/>).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets what the server disposes after the channels' grace period (e.g. a transport reading from them).</summary>
    internal IReadOnlyList<IAsyncDisposable> CloseWithChannels => _closeWithChannels;

    /// <summary>Hands a resource that reads from the channels to the server, which disposes it when it closes them (after a grace period on success, so a peer still gets our last message).</summary>
    /// <param name="resource">The resource.</param>
    public void DisposeWithChannels(IAsyncDisposable resource) => _closeWithChannels.Add(resource);
}

/// <summary>The outcome of <see cref="IServerDkg.RunAsync"/>: the verifying key and the bytes the server stores (wiped on dispose).</summary>
internal sealed class ServerDkgResult(byte[] verifyingKey, byte[] storedShare) : IDisposable
{
    /// <summary>Gets the group's verifying key (33-byte compressed secp256k1), as <c>confirm_register</c> carries it.</summary>
    public byte[] VerifyingKey { get; } = verifyingKey;

    /// <summary>Gets the share as the key store keeps it (and as replication sends it to the other subgroup members).</summary>
    public byte[] StoredShare { get; } = storedShare;

    /// <inheritdoc/>
    public void Dispose() => System.Security.Cryptography.CryptographicOperations.ZeroMemory(StoredShare);
}

/// <summary>Runs <see cref="ThresholdServerFaults.FirstDkgMessageReceived"/> before the first received message is processed.</summary>
internal sealed class HookedDkgTransport(DkgTransport inner, ThresholdServerFaults faults, AccountId account) : DkgTransport
{
    private int _received;

    public override Task SendAsync(DkgOutgoingMessage message, CancellationToken cancellationToken = default) => inner.SendAsync(message, cancellationToken);

    public override void Release(DkgIncomingMessage message) => inner.Release(message);

    public override async Task<DkgIncomingMessage> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        var message = await inner.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        if (Interlocked.Exchange(ref _received, 1) == 0 && faults.FirstDkgMessageReceived is { } hook)
        {
            await hook(account, cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return message;
    }
}
