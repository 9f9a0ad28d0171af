using System.Buffers.Binary;
using System.Text;
using Entropy.Crypto;
using Entropy.Protocol;
using Entropy.Protocol.Dkg;
using Entropy.Synedrion;
using Entropy.Synedrion.Encoding;
using Entropy.Synedrion.KeyGen;
using Entropy.Synedrion.Session;
using Microsoft.Extensions.Logging;

namespace Entropy.Simulator.ThresholdServers;

/// <summary>
/// The key generation entropy-tss runs behind <see cref="IServerDkg"/>: synedrion 0.1.0's <c>make_key_gen_session</c> (KeyInit and
/// KeyRefresh, <c>ProductionParams</c>) over entropy-protocol's <see cref="ProtocolMessage"/> frames, seeded with the envelope's shared
/// randomness; the stored share is the bincode <c>KeyShare&lt;ProductionParams&gt;</c> entropy-tss stores.
/// </summary>
/// <remarks>
/// Parties are numbered in <see cref="ServerDkgRun.Parties"/> order (the committee as in <c>OcwMessageDkg</c>, then the user): synedrion
/// numbers them by position, and entropy-tss and the wasm client use that order. Session messages are signed with the server's
/// sr25519 key (sp-core <c>Pair::sign</c> of the prehash, context "substrate"), whose serde form in bincode is a u64 128 and 128 hex digits.
/// </remarks>
internal sealed class SynedrionServerDkg : IServerDkg
{
    /// <summary>Gets the instance (production parameters).</summary>
    public static SynedrionServerDkg Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "synedrion 0.1.0 (CGGMP'21, ProductionParams)";

    /// <summary>Gets a capture hook (tests): sees every frame a server sends (false) or receives (true), with the server's party.</summary>
    public Action<PartyId, ProtocolMessage, bool>? Observe { get; init; }

    /// <inheritdoc/>
    public async Task<ServerDkgResult> RunAsync(ServerDkgRun run, CancellationToken cancellationToken)
    {
        var randomness = run.Envelope.SharedRandomness(run.SessionId);
        var verifiers = run.Parties.Select(p => p.ToArray()).ToList();
        var observe = Observe;
        var channels = new ChannelDkgTransport(run.Channels, run.Self);
        run.DisposeWithChannels(channels);
        DkgTransport transport = observe is null ? channels : new ObservedDkgTransport(channels, run.Self, run.Channels.Keys, (m, received) => observe(run.Self, m, received));
        using var timeout = new CancellationTokenSource(run.Timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var heard = new HashSet<PartyId>();
        try
        {
            // Round 1's local work (two 1024-bit safe primes, Π^prm) and every proof check are CPU-bound: off the request threads.
            var session = await Task.Run(() => KeyGenSession.Create(SynedrionParams.Production, randomness, new Sr25519SessionSigner(run.Pair), verifiers, Sr25519SessionVerifier.Instance), linked.Token).ConfigureAwait(false);
            await SendAsync(transport, session.Start(), linked.Token).ConfigureAwait(false);
            while (!session.IsFinished)
            {
                var incoming = await transport.ReceiveAsync(linked.Token).ConfigureAwait(false);
                heard.Add(incoming.From);
                IReadOnlyList<OutgoingMessage> outgoing;
                try
                {
                    outgoing = await Task.Run(() => session.Receive(incoming.From.ToArray(), incoming.Payload), linked.Token).ConfigureAwait(false);
                }
                catch (SynedrionProtocolException e)
                {
                    var culprit = e.CulpritId is { Length: PartyId.Length } id ? new PartyId(id) : run.Parties[Math.Clamp(e.CulpritIndex, 0, run.Parties.Count - 1)];
                    throw new DkgException(DkgFailureReason.InvalidProof, [culprit], $"synedrion key generation for {run.Account}: {culprit} misbehaved in round {e.Round}: {e.Reason}", e);
                }

                await SendAsync(transport, outgoing, linked.Token).ConfigureAwait(false);
            }

            using var share = session.Result;
            return new ServerDkgResult(share.VerifyingKey.ToCompressed(), share.ToBytes());
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var silent = run.Parties.Where(p => p != run.Self && !heard.Contains(p)).ToList();
            throw new DkgException(DkgFailureReason.Timeout, silent, $"The synedrion key generation for {run.Account} timed out after {run.Timeout}; never heard from: {string.Join(", ", silent)}.", e);
        }
    }

    /// <inheritdoc/>
    public (byte[] VerifyingKey, byte[] Secret) ParseShare(byte[] stored)
    {
        using var share = KeyShare.FromBytes(stored, SynedrionParams.Production);
        var secret = new byte[32];
        share.SecretShare.WriteToSpan(secret);
        return (share.VerifyingKey.ToCompressed(), secret);
    }

    private static async Task SendAsync(DkgTransport transport, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        foreach (var message in messages)
        {
            // A copy: a broadcast's destinations share one array, and the transport wipes what it sent point to point.
            await transport.SendAsync(new DkgOutgoingMessage(new PartyId(message.To), message.Bytes.ToArray()), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Signs synedrion's prehash as entropy-protocol's <c>PairWrapper</c> does: <c>sr25519::Pair::sign(prehash)</c>.</summary>
    private sealed class Sr25519SessionSigner(Sr25519KeyPair pair) : ISynedrionSigner
    {
        public byte[] VerifierId { get; } = pair.PublicKey.ToArray();

        public byte[] SignPrehash(ReadOnlySpan<byte> prehash) => Sr25519SessionVerifier.Encode(pair.Sign(prehash).ToArray());
    }

    /// <summary>Verifies with sp-core's <c>Pair::verify</c>; the signature is bincode of its serde form (u64 128, 128 lowercase hex digits).</summary>
    private sealed class Sr25519SessionVerifier : ISynedrionVerifier
    {
        private const int HexLength = 128;

        public static Sr25519SessionVerifier Instance { get; } = new();

        public static byte[] Encode(byte[] signature)
        {
            var bytes = new byte[8 + HexLength];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, HexLength);
            Encoding.ASCII.GetBytes(Convert.ToHexStringLower(signature), bytes.AsSpan(8));
            return bytes;
        }

        public bool VerifyPrehash(ReadOnlySpan<byte> verifierId, ReadOnlySpan<byte> prehash, ReadOnlySpan<byte> signature)
        {
            if (verifierId.Length != 32 || SignatureLength(signature) != signature.Length)
            {
                return false;
            }

            try
            {
                var raw = Convert.FromHexString(Encoding.ASCII.GetString(signature[8..]));
                return Sr25519.VerifyCore(verifierId, prehash, raw);
            }
            catch (FormatException)
            {
                return false;
            }
        }

        public int SignatureLength(ReadOnlySpan<byte> bincode) =>
            bincode.Length >= 8 + HexLength && BinaryPrimitives.ReadUInt64LittleEndian(bincode) == HexLength ? 8 + HexLength : -1;
    }
}
