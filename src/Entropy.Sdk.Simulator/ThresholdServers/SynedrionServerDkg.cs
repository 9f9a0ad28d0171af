using System.Numerics;
using Entropy.Protocol;
using Entropy.Protocol.Dkg;
using Entropy.Synedrion;
using Entropy.Synedrion.KeyGen;

namespace Entropy.Simulator.ThresholdServers;

/// <summary>
/// The key generation entropy-tss runs behind <see cref="IServerDkg"/>: synedrion 0.1.0's <c>make_key_gen_session</c> (KeyInit and
/// KeyRefresh, <c>ProductionParams</c>) over entropy-protocol's <see cref="ProtocolMessage"/> frames, seeded with the envelope's shared
/// randomness (<see cref="SynedrionKeyGeneration"/>); the stored share is the bincode <c>KeyShare&lt;ProductionParams&gt;</c> entropy-tss stores.
/// </summary>
/// <remarks>
/// Parties are numbered in <see cref="ServerDkgRun.Parties"/> order (the committee as in <c>OcwMessageDkg</c>, then the user): synedrion
/// numbers them by position, and entropy-tss and the wasm client use that order. Session messages are signed with the server's sr25519 key.
/// The Paillier safe primes come from <see cref="SafePrimes"/> (the devnet's pool); without one each run searches them inline.
/// Fault switches honoured: <see cref="ThresholdServerFaults.DropMessages"/>, <see cref="ThresholdServerFaults.DelayMessages"/>,
/// <see cref="ThresholdServerFaults.FirstDkgMessageReceived"/>, and <see cref="ThresholdServerFaults.SendInconsistentShare"/> (round 3's
/// direct message is altered after signing, so its receivers name this server).
/// </remarks>
internal sealed class SynedrionServerDkg : IServerDkg
{
    /// <summary>Gets an instance that searches its safe primes inline (no pool).</summary>
    public static SynedrionServerDkg Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => SynedrionKeyGeneration.Name;

    /// <summary>Gets where the Paillier safe primes come from (a <see cref="SafePrimePool"/>, or test primes); null searches inline.</summary>
    public Func<int, BigInteger>? SafePrimes { get; init; }

    /// <summary>Gets the threads the CPU-bound steps run on (the devnet's <see cref="ComputeThreads"/>); null = the thread pool.</summary>
    public TaskScheduler? ComputeScheduler { get; init; }

    /// <summary>Gets a capture hook (tests): sees every frame a server sends (false) or receives (true), with the server's party.</summary>
    public Action<PartyId, ProtocolMessage, bool>? Observe { get; init; }

    /// <inheritdoc/>
    public async Task<ServerDkgResult> RunAsync(ServerDkgRun run, CancellationToken cancellationToken)
    {
        var faults = run.Faults;
        var observe = Observe;
        var channels = new ChannelDkgTransport(run.Channels, run.Self);
        run.DisposeWithChannels(channels);
        DkgTransport wire = observe is null ? channels : new ObservedDkgTransport(channels, run.Self, run.Channels.Keys, (m, received) => observe(run.Self, m, received));
        var faulty = new FaultyDkgTransport(wire, () => faults.DropMessages, () => faults.DelayMessages, p => faults.SendInconsistentShare ? TamperRound3Direct(p) : p, run.TimeProvider);
        var synedrion = new SynedrionKeyGenerationRun(
            run.Account,
            run.Self,
            run.Parties,
            run.Envelope.SharedRandomness(run.SessionId),
            Sr25519SessionSignatures.FromKeyPair(run.Pair),
            new HookedDkgTransport(faulty, faults, run.Account),
            run.Timeout)
        {
            PrimeSource = SafePrimes,
            ComputeScheduler = ComputeScheduler,
            Logger = run.Logger,
            TimeProvider = run.TimeProvider,
        };
        using var share = await SynedrionKeyGeneration.RunAsync(synedrion, cancellationToken).ConfigureAwait(false);
        return new ServerDkgResult(share.VerifyingKey.ToCompressed(), share.ToBytes());
    }

    /// <inheritdoc/>
    public (byte[] VerifyingKey, byte[] Secret) ParseShare(byte[] stored)
    {
        using var share = KeyShare.FromBytes(stored, SynedrionParams.Production);
        var secret = new byte[32];
        share.SecretShare.WriteToSpan(secret);
        return (share.VerifyingKey.ToCompressed(), secret);
    }

    /// <summary>A cheating server (fault injection): the last byte of round 3's direct payload (inside the proofs) is flipped after signing.</summary>
    private static ReadOnlyMemory<byte> TamperRound3Direct(ReadOnlyMemory<byte> signedMessage)
    {
        // SignedMessage: session id (u64 32 + 32 bytes), round u8, message type u32 (0 = direct), payload (u64 length + bytes), signature.
        var span = signedMessage.Span;
        const int Round = 40, Type = 41, PayloadLength = 45, Payload = 53;
        if (span.Length <= Payload || span[Round] != 3 || System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(span[Type..]) != 0)
        {
            return signedMessage;
        }

        var length = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(span[PayloadLength..]);
        if (length == 0 || length > (ulong)(span.Length - Payload))
        {
            return signedMessage;
        }

        var tampered = signedMessage.ToArray();
        tampered[Payload + (int)length - 1] ^= 1;
        return tampered;
    }
}
