using Entropy.Crypto;
using Entropy.Extrinsics;
using Microsoft.Extensions.Logging;

namespace Entropy;

/// <content>The steps of <see cref="EntropyClient.RegisterAsync(WaitUntil, RegisterRequest, IProgress{RegistrationProgress}?, CancellationToken)"/> after signing: submit and follow into a block, the Private-mode key generation, the wait.</content>
public partial class RegisterOperation
{
    private volatile bool _mayBeOnChain;
    private Exception? _lastFailure;

    /// <summary>Gets a value indicating whether the transaction may have reached the node (so a failure must hand the id back).</summary>
    private bool MayBeOnChain => _mayBeOnChain;

    /// <summary>Tells whether the transaction may still sit in a pool unseen: sent, not seen in a block, not ended, and (when <paramref name="head"/> is known) its era not passed.</summary>
    internal bool MayStillBeInPool(uint? head) =>
        _mayBeOnChain && Read(t => t.RegisterBlock is null && !t.IsFinished && (head is not { } h || t.EraDeath is not { } death || h < death));

    /// <summary>
    /// Runs a registration after signing, within one <see cref="EntropyClientOptions.RegistrationTimeout"/>: submission and the watch into a
    /// block, the Private-mode key generation, and (for <see cref="WaitUntil.Completed"/>) the wait until registered. Every wait ends by
    /// the deadline, the caller's token or the client's disposal; any failure after the node may have the transaction carries <see cref="Id"/>.
    /// </summary>
    internal async Task<RegisterOperation> RunAsync(
        WaitUntil waitUntil,
        SignedExtrinsic extrinsic,
        Sr25519Signer signer,
        X25519KeyPair? privateModeKey,
        IProgress<RegistrationProgress>? progress,
        CancellationToken cancellationToken)
    {
        var client = Client;
        using var scope = BeginWait(cancellationToken, client.Lifetime);
        using var attachment = Attach(progress);
        return await RunWithinDeadlineAsync(scope, async () =>
        {
            await SubmitAsync(extrinsic, scope.Token).ConfigureAwait(false);
            if (privateModeKey is not null)
            {
                // The user is a DKG party: without it the servers cannot finish, so this runs even for WaitUntil.Started.
                await GenerateKeyShareAsync(signer, privateModeKey, scope.Token).ConfigureAwait(false);
            }

            if (waitUntil == WaitUntil.Completed)
            {
                await PollUntilCompletedAsync(client.Options.PollingInterval, scope).ConfigureAwait(false);
            }

            return this;
        }).ConfigureAwait(false);
    }

    /// <summary>Submits the signed <c>register</c> and follows it into a block (<see cref="WaitUntil.Started"/> semantics).</summary>
    private async Task SubmitAsync(SignedExtrinsic extrinsic, CancellationToken cancellationToken)
    {
        var client = Client;
        var session = client.Session;
        var (head, _) = await session.GetBestHeadAsync(cancellationToken).ConfigureAwait(false);
        Mutate(t => t.StartScanAt(head));
        NoteSubmissionHead(head);

        ExtrinsicResult result;
        var submitted = false;
        _mayBeOnChain = true;
        try
        {
            result = await session.SubmitAndWatchAsync(
                extrinsic,
                Account,
                () =>
                {
                    submitted = true;
                    client.Logger.LogInformation("Submitted register for {Account}: transaction {Hash}", Account, extrinsic);
                    Mutate(t => t.Submitted());
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidTransactionException)
        {
            _mayBeOnChain = false;
            throw;
        }
        catch (EntropyConnectionException e) when (submitted && !cancellationToken.IsCancellationRequested)
        {
            Volatile.Write(ref _lastFailure, e);
            // Never resubmit: find the transaction's effect in chain state instead.
            client.Logger.LogWarning(e, "Lost the watch of register for {Account}; resuming from chain state", Account);
            await ResumeAfterLostWatchAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (EntropyConnectionException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The connection broke during the submission itself: the node may have received it. Look before answering.
            if (await WasReceivedAsync(extrinsic, cancellationToken).ConfigureAwait(false))
            {
                client.Logger.LogWarning(e, "The connection broke while submitting register for {Account}, but the node has it; resuming from chain state", Account);
                Mutate(t => t.Submitted());
                await ResumeAfterLostWatchAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            _mayBeOnChain = false;
            session.ReleaseNonce(Account);
            throw new EntropyConnectionException(
                e.FailureType,
                $"The connection to {client.Endpoint} broke while submitting register for {Account}; after reconnecting, the node has no trace of it (not in its pool, the account is not registering), so it was not sent. Registering again is safe.",
                e);
        }

        if (!RegistrationEvent.Select(result.Events, session.Runtime.RegistrationPallet, Account).Any(e => e.Name == "SignalRegister"))
        {
            throw new EntropyException($"register for {Account} was included in block #{result.BlockNumber} but emitted no SignalRegister event.");
        }

        Mutate(t => t.Included(result.BlockNumber, result.BlockHash));
    }

    /// <summary>After a submission whose answer was lost: is the transaction in the node's pool, or has it already had its effect? Looks until the node answers (or the deadline).</summary>
    private async Task<bool> WasReceivedAsync(SignedExtrinsic extrinsic, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await WasReceivedOnceAsync(extrinsic, cancellationToken).ConfigureAwait(false);
            }
            catch (EntropyException e) when (e.IsTransient && !cancellationToken.IsCancellationRequested)
            {
                Volatile.Write(ref _lastFailure, e);
                Client.Logger.LogDebug("Looking for register of {Account} after a broken submission failed ({Reason}); looking again", Account, e.Message);
                await Task.Delay(Client.Options.PollingInterval, Time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<bool> WasReceivedOnceAsync(SignedExtrinsic extrinsic, CancellationToken cancellationToken)
    {
        var session = Client.Session;
        try
        {
            // Pool first, then state: a transaction included in between shows up in the state read.
            var pending = await session.Chain.GetPendingExtrinsicsAsync(cancellationToken).ConfigureAwait(false);
            if (pending.Any(x => x.AsSpan().SequenceEqual(extrinsic.Encoded.Span)))
            {
                return true;
            }
        }
        catch (EntropyRpcException)
        {
            // A node without author_pendingExtrinsics (unsafe RPC off): rely on chain state alone.
        }

        var runtime = session.Runtime;
        var state = await session.GetStoragesAsync([runtime.RegisteringKey(Account), runtime.RegisteredKey(Account)], null, cancellationToken).ConfigureAwait(false);
        return state.Any(v => v is not null);
    }

    /// <summary>Follows the chain until the transaction is seen in a block (or the registration moved on), after the watch was lost.</summary>
    private async Task ResumeAfterLostWatchAsync(CancellationToken cancellationToken)
    {
        var client = Client;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (await UpdateStatusAsync(cancellationToken).ConfigureAwait(false) || Read(t => t.RegisterBlock) is not null)
                {
                    return;
                }
            }
            catch (EntropyException e) when (e.IsTransient && !cancellationToken.IsCancellationRequested)
            {
                Volatile.Write(ref _lastFailure, e);
                client.Logger.LogDebug("Reading the state of {Account} failed ({Reason}); the client reconnects, looking again", Account, e.Message);
            }

            await WaitForChangeAsync(client.Options.PollingInterval, cancellationToken).ConfigureAwait(false);
        }
    }
}
