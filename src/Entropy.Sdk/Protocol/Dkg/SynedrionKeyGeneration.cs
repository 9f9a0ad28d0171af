using System.Numerics;
using Entropy.Synedrion;
using Entropy.Synedrion.KeyGen;
using Entropy.Synedrion.Session;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Entropy.Protocol.Dkg;

/// <summary>One party's synedrion key generation over a <see cref="DkgTransport"/> (the input of <see cref="SynedrionKeyGeneration.RunAsync"/>).</summary>
/// <param name="Account">The account whose key is generated (for messages).</param>
/// <param name="Self">This party.</param>
/// <param name="Parties">Every party in entropy-protocol's order: the committee as <c>OcwMessageDkg.validators_info</c> lists it, then the
/// user in Private mode. synedrion numbers the parties by this position, so every party must pass the same list.</param>
/// <param name="SharedRandomness">The seed of <c>make_key_gen_session</c> (<see cref="ProtocolEnvelopes.SharedRandomness"/> of the session id).</param>
/// <param name="Signer">Signs this party's session messages with its sr25519 key.</param>
/// <param name="Transport">The channels to the other parties, framing entropy-protocol's <c>ProtocolMessage</c>.</param>
/// <param name="Timeout">The time the whole run may take.</param>
internal sealed record SynedrionKeyGenerationRun(
    AccountId Account,
    PartyId Self,
    IReadOnlyList<PartyId> Parties,
    byte[] SharedRandomness,
    ISynedrionSigner Signer,
    DkgTransport Transport,
    TimeSpan Timeout)
{
    /// <summary>Gets where the two 1024-bit Paillier safe primes come from: null searches them inline (the user's side; a real server's
    /// first registration), a <see cref="SafePrimePool"/>'s source takes pre-generated ones (the devnet's servers).</summary>
    public Func<int, BigInteger>? PrimeSource { get; init; }

    /// <summary>Gets where the CPU-bound steps run (creating the session, each received message's checks): null = the thread pool. The
    /// devnet's servers pass their own lower-priority threads, so these seconds-long steps never queue ahead of request handling and
    /// block production in the pool.</summary>
    public TaskScheduler? ComputeScheduler { get; init; }

    /// <summary>Gets the clock of the timeout.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets the logger (never secrets).</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;
}

/// <summary>
/// synedrion 0.1.0's <c>make_key_gen_session</c> (CGGMP'21 KeyInit + KeyRefresh, <c>ProductionParams</c>) driven over entropy-protocol's
/// channels: what entropy-tss runs on each committee server and what Entropy's clients run as the user of a Private-mode registration.
/// The result is synedrion's <c>KeyShare&lt;ProductionParams&gt;</c> (bincode: what entropy-tss stores and the wasm's <c>KeyShare.fromBytes</c> reads).
/// </summary>
internal static class SynedrionKeyGeneration
{
    /// <summary>The protocol's name, for logs.</summary>
    public const string Name = "synedrion 0.1.0 (CGGMP'21, ProductionParams)";

    /// <summary>Runs this party's side to the end.</summary>
    /// <param name="run">The run.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>This party's key share; the caller disposes it.</returns>
    /// <exception cref="DkgException">A party cheated or sent garbage (<see cref="DkgException.Culprits"/> names it), or the run timed out
    /// (the parties never heard from are named).</exception>
    public static async Task<KeyShare> RunAsync(SynedrionKeyGenerationRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var verifiers = run.Parties.Select(p => p.ToArray()).ToList();
        using var timeout = new CancellationTokenSource(run.Timeout, run.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var started = run.TimeProvider.GetTimestamp();
        var heard = new HashSet<PartyId>();
        try
        {
            // Round 1's local work (two 1024-bit safe primes, Π^prm) and every proof check are CPU-bound: off the caller's thread. They
            // do not observe cancellation, so the wait for them does: on timeout or cancellation the run ends at once and the abandoned
            // computation finishes in the background, its result dropped.
            var session = await ComputeAsync(run, () => KeyGenSession.Create(SynedrionParams.Production, run.SharedRandomness, run.Signer, verifiers, Sr25519SessionSignatures.Verifier, run.PrimeSource), linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
            run.Logger.LogDebug("synedrion key generation for {Account}: party {Index} of {Count}, round 1 ready after {Elapsed} ms", run.Account, session.PartyIndex, verifiers.Count, (long)run.TimeProvider.GetElapsedTime(started).TotalMilliseconds);
            await SendAsync(run.Transport, session.Start(), linked.Token).ConfigureAwait(false);
            while (!session.IsFinished)
            {
                var incoming = await run.Transport.ReceiveAsync(linked.Token).ConfigureAwait(false);
                heard.Add(incoming.From);
                IReadOnlyList<OutgoingMessage> outgoing;
                try
                {
                    var payload = incoming.Payload.ToArray();
                    outgoing = await ComputeAsync(run, () => session.Receive(incoming.From.ToArray(), payload), linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
                }
                catch (SynedrionProtocolException e)
                {
                    var culprit = e.CulpritId is { Length: PartyId.Length } id ? new PartyId(id) : run.Parties[Math.Clamp(e.CulpritIndex, 0, run.Parties.Count - 1)];
                    var reason = e.InnerException is Synedrion.Encoding.SynedrionFormatException ? DkgFailureReason.MalformedMessage : DkgFailureReason.InvalidProof;
                    throw new DkgException(reason, [culprit], $"synedrion key generation for {run.Account}: {culprit} misbehaved in round {e.Round}: {e.Reason}", e);
                }
                finally
                {
                    run.Transport.Release(incoming);
                }

                await SendAsync(run.Transport, outgoing, linked.Token).ConfigureAwait(false);
            }

            run.Logger.LogDebug("synedrion key generation for {Account} done after {Elapsed} ms", run.Account, (long)run.TimeProvider.GetElapsedTime(started).TotalMilliseconds);
            return session.Result;
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var silent = run.Parties.Where(p => p != run.Self && !heard.Contains(p)).ToList();
            var elapsed = run.TimeProvider.GetElapsedTime(started);
            throw new DkgException(
                DkgFailureReason.Timeout,
                silent,
                $"The synedrion key generation for {run.Account} timed out after {elapsed.TotalSeconds:0.#} s (limit {run.Timeout}); "
                + (silent.Count > 0 ? $"never heard from: {string.Join(", ", silent)}." : "every party answered at least once; a later round did not complete in time."),
                e);
        }
    }

    /// <summary>
    /// Runs a CPU-bound step (not started once cancelled) on <see cref="SynedrionKeyGenerationRun.ComputeScheduler"/>, or else on a thread
    /// of its own: a step takes up to seconds, and on the thread pool it would hold a pool thread the application's other work (request
    /// handling, the RPC client's receive loop) waits for. The caller resumes on the thread pool, never on the compute thread, and the
    /// step sees the default scheduler as its own (work it starts goes to the pool).
    /// </summary>
    private static Task<T> ComputeAsync<T>(SynedrionKeyGenerationRun run, Func<T> step, CancellationToken cancellationToken)
    {
        var options = TaskCreationOptions.DenyChildAttach | TaskCreationOptions.HideScheduler;
        var computed = run.ComputeScheduler is { } scheduler
            ? Task.Factory.StartNew(step, cancellationToken, options, scheduler)
            : Task.Factory.StartNew(step, cancellationToken, options | TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return computed.ContinueWith(static t => t, CancellationToken.None, TaskContinuationOptions.DenyChildAttach, TaskScheduler.Default).Unwrap();
    }

    private static async Task SendAsync(DkgTransport transport, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        foreach (var message in messages)
        {
            // A copy: a broadcast's destinations share one array, and the transport wipes what it sent point to point.
            await transport.SendAsync(new DkgOutgoingMessage(new PartyId(message.To), message.Bytes.ToArray()), cancellationToken).ConfigureAwait(false);
        }
    }
}
