using System.Net.WebSockets;
using System.Numerics;
using Entropy.Synedrion.KeyGen;
using Entropy.Synedrion.Session;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Entropy.Protocol.Dkg;

/// <summary>Settings of the user's side of a Private-mode DKG.</summary>
internal sealed class UserDkgOptions
{
    /// <summary>Gets how long connecting to one server (TCP + WebSocket upgrade) may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets how long the handshake plus subscription may take per server (a server waits up to 10 s for its own session to start).</summary>
    public TimeSpan SubscribeTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Gets how long the key generation may take once every server is connected (the user's side searches two 1024-bit safe primes first).</summary>
    public TimeSpan DkgTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets how long the channels stay open after the run, so the servers read our last messages before the sockets close.</summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets the entropy-protocol envelope (session id layout, shared randomness) the subscribe message was made for.</summary>
    public ProtocolEnvelope Envelope { get; init; } = ProtocolEnvelope.V0010;

    /// <summary>Gets where the user's two Paillier safe primes come from; null (the default, and the only production setting) searches fresh
    /// ones. Tests give pre-generated primes (testdata/synedrion/safe-primes-1024.txt) to skip the search.</summary>
    public Func<int, BigInteger>? SafePrimeSource { get; init; }

    /// <summary>Gets the clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets the logger.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;
}

/// <summary>The user's side of a Private-mode DKG (PROTOCOL.md §1 step 4, §5.2 <c>do_dkg</c>, §6.3): dial every committee server's <c>/ws</c> with
/// Noise XK under the user's x25519 key, subscribe with the signature-request account's signed subscribe message, and run the DKG as the extra party.</summary>
/// <remarks>The DKG is synedrion 0.1.0's key generation (<see cref="SynedrionKeyGeneration"/>), n-of-n over the committee plus the user,
/// numbered as entropy-protocol numbers them: the committee in <c>validators_info</c> order, then the user.</remarks>
internal static class UserDkgParticipant
{
    /// <summary>Takes part in the DKG for <paramref name="subscribe"/>'s account, registered in block <paramref name="blockNumber"/>.</summary>
    /// <param name="committee">The DKG committee for block <paramref name="blockNumber"/> + 1 (from chain state).</param>
    /// <param name="blockNumber">The block that included <c>register</c>.</param>
    /// <param name="subscribe">The subscribe message for <c>SessionId::Dkg(account)</c>, signed by the signature-request account.</param>
    /// <param name="x25519Secret">The user's 32-byte x25519 secret; its public key is the one in <c>KeyVisibility::Private</c>.</param>
    /// <param name="userSigner">Signs the user's synedrion messages with the signature-request account's sr25519 key.</param>
    /// <param name="options">Timeouts, the envelope and the prime source.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The user's synedrion key share; the caller disposes it.</returns>
    /// <exception cref="PrivateKeyGenerationException">A committee server could not be reached, refused the user, or timed out (named).</exception>
    /// <exception cref="DkgException">The key generation failed (the culprits or silent parties named).</exception>
    public static async Task<KeyShare> RunAsync(
        IReadOnlyList<ThresholdServer> committee,
        uint blockNumber,
        SubscribeMessage subscribe,
        ReadOnlyMemory<byte> x25519Secret,
        ISynedrionSigner userSigner,
        UserDkgOptions? options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(committee);
        ArgumentNullException.ThrowIfNull(subscribe);
        ArgumentNullException.ThrowIfNull(userSigner);
        if (!userSigner.VerifierId.AsSpan().SequenceEqual(subscribe.AccountId))
        {
            throw new ArgumentException("The user's synedrion signer must be the key of the subscribing account.", nameof(userSigner));
        }

        options ??= new UserDkgOptions();
        var user = new PartyId(subscribe.AccountId);
        var connects = committee.Select(server => ConnectAsync(server, subscribe, x25519Secret, options, cancellationToken)).ToArray();
        try
        {
            await Task.WhenAll(connects).ConfigureAwait(false);
        }
        catch
        {
            foreach (var connect in connects.Where(c => c.IsCompletedSuccessfully))
            {
                await connect.Result.DisposeAsync().ConfigureAwait(false);
            }

            // The first failure in committee order, so the server named is deterministic.
            throw connects.First(c => c.IsFaulted || c.IsCanceled) is { IsFaulted: true } faulted ? faulted.Exception!.InnerException! : new OperationCanceledException(cancellationToken);
        }

        var channels = new Dictionary<PartyId, EncryptedWebSocketChannel>();
        for (int i = 0; i < committee.Count; i++)
        {
            channels[new PartyId(committee[i].TssAccount.AsSpan())] = connects[i].Result;
        }

        options.Logger.LogInformation("Private DKG for {Account} (block #{Block}): connected to {Count} committee servers", new AccountId(subscribe.AccountId), blockNumber, committee.Count);
        var transport = new ChannelDkgTransport(channels, self: user);
        var linger = TimeSpan.Zero;
        try
        {
            // entropy-protocol's party order (user.rs): the committee as validators_info lists it, then the user.
            var parties = committee.Select(s => new PartyId(s.TssAccount.AsSpan())).Append(user).ToList();
            var run = new SynedrionKeyGenerationRun(new AccountId(subscribe.AccountId), user, parties, options.Envelope.SharedRandomness(subscribe.SessionId), userSigner, transport, options.DkgTimeout)
            {
                PrimeSource = options.SafePrimeSource,
                TimeProvider = options.TimeProvider,
                Logger = options.Logger,
            };
            var share = await SynedrionKeyGeneration.RunAsync(run, cancellationToken).ConfigureAwait(false);
            linger = options.Linger;
            return share;
        }
        finally
        {
            // Closing at once would cancel the pending receives and abort the sockets, and a reset can make a server's kernel drop
            // our last share before the server read it: close in the background after a grace period.
            _ = CloseAsync(transport, linger, options.TimeProvider);
        }
    }

    private static async Task<EncryptedWebSocketChannel> ConnectAsync(ThresholdServer server, SubscribeMessage subscribe, ReadOnlyMemory<byte> x25519Secret, UserDkgOptions options, CancellationToken cancellationToken)
    {
        var uri = new Uri($"ws://{server.Endpoint}/ws");
        var socket = new ClientWebSocket();
        try
        {
            using (var connectTimeout = new CancellationTokenSource(options.ConnectTimeout, options.TimeProvider))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connectTimeout.Token))
            {
                try
                {
                    await socket.ConnectAsync(uri, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (connectTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new PrivateKeyGenerationException(PrivateKeyGenerationFailure.Timeout, server, $"Committee server {server.Endpoint} (subgroup {server.Subgroup}, stash {server.Stash}) did not accept a connection to {uri} within {options.ConnectTimeout}.", e);
                }
                catch (Exception e) when (e is WebSocketException or HttpRequestException or System.Net.Sockets.SocketException)
                {
                    throw new PrivateKeyGenerationException(PrivateKeyGenerationFailure.ServerUnreachable, server, $"Committee server {server.Endpoint} (subgroup {server.Subgroup}, stash {server.Stash}) is unreachable at {uri}: {e.Message}", e);
                }
            }

            var channelOptions = new EncryptedChannelOptions { HandshakeTimeout = options.SubscribeTimeout, TimeProvider = options.TimeProvider };
            try
            {
                return await EncryptedWebSocketChannel.ConnectAsync(socket, x25519Secret, server.X25519PublicKey, subscribe, channelOptions, cancellationToken).ConfigureAwait(false);
            }
            catch (EntropyProtocolException e)
            {
                var failure = e.Kind switch
                {
                    EntropyProtocolErrorKind.SubscribeRejected => PrivateKeyGenerationFailure.SubscriptionRefused,
                    EntropyProtocolErrorKind.Timeout => PrivateKeyGenerationFailure.Timeout,
                    EntropyProtocolErrorKind.ConnectionClosed => PrivateKeyGenerationFailure.ConnectionLost,
                    _ => PrivateKeyGenerationFailure.HandshakeFailed,
                };
                throw new PrivateKeyGenerationException(failure, server, $"Committee server {server.Endpoint} (subgroup {server.Subgroup}, stash {server.Stash}): {e.Message}", e);
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task CloseAsync(ChannelDkgTransport transport, TimeSpan linger, TimeProvider timeProvider)
    {
        try
        {
            if (linger > TimeSpan.Zero)
            {
                await Task.Delay(linger, timeProvider).ConfigureAwait(false);
            }

            await transport.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Best effort: the channels are gone either way.
        }
    }
}
