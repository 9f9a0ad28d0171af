using Entropy.Protocol.Dkg;
using Microsoft.Extensions.Logging;


namespace Entropy.Simulator.ThresholdServers;

/// <summary>The registrations of one block: DKG, store, replicate and confirm each account.</summary>
internal sealed partial class ThresholdServerHost
{
    /// <summary>
    /// Runs the DKG of every account in the message (PROTOCOL.md §5.2 <c>setup_dkg</c>). entropy-tss handles the accounts one after
    /// another and waits for each <c>confirm_register</c> to be in a block before the next DKG; that makes N registrations in one block
    /// take N blocks. Here up to <see cref="MaxConcurrentDkgs"/> accounts run at once, taken in message order (every committee member
    /// takes them in the same order, so the oldest unfinished account always runs on all members and nobody waits for a slot a peer
    /// holds), and a slot is freed as soon as the confirmation is in the pool: its inclusion is followed outside the slot. The
    /// extrinsics are built as entropy-tss builds them (immortal, consecutive nonces of the server's account); the key-generation
    /// messages are synedrion's (checked against Entropy's wasm client, not against a running entropy-tss), or the stand-in's, which
    /// nothing outside the simulator speaks. <see cref="ThresholdServerBehavior.V0010"/> runs the real servers' loop instead.
    /// </summary>
    private async Task SetupDkgAsync(OcwMessageDkg message, CancellationToken cancellationToken)
    {
        if (Behavior == ThresholdServerBehavior.V0010)
        {
            await SetupDkgAsV0010Async(message, cancellationToken).ConfigureAwait(false);
            return;
        }

        var accounts = message.SigRequestAccounts;
        var next = -1;
        var workers = Enumerable.Range(0, Math.Min(MaxConcurrentDkgs, accounts.Count)).Select(async _ =>
        {
            var inclusions = new List<Task>();
            int i;
            while ((i = Interlocked.Increment(ref next)) < accounts.Count)
            {
                var account = new AccountId(accounts[i]);
                try
                {
                    inclusions.Add(FollowConfirmationAsync(account, await RegisterOneAsync(message, account, cancellationToken).ConfigureAwait(false)));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    ReportFailure(account, e);
                }
            }

            await Task.WhenAll(inclusions).ConfigureAwait(false);
        });
        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    /// <summary>
    /// entropy-tss v0.0.10's <c>setup_dkg</c>: one account after another, each <c>confirm_register</c> followed into a block before the
    /// next DKG, and the first failure ends the whole batch (the rest of the block's accounts stay registering until pruned).
    /// </summary>
    private async Task SetupDkgAsV0010Async(OcwMessageDkg message, CancellationToken cancellationToken)
    {
        for (var i = 0; i < message.SigRequestAccounts.Count; i++)
        {
            var account = new AccountId(message.SigRequestAccounts[i]);
            try
            {
                await (await RegisterOneAsync(message, account, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ReportFailure(account, e);
                _logger.LogError("{Name} (v0.0.10 behaviour): abandoning the {Count} remaining account(s) of block #{Block}", Name, message.SigRequestAccounts.Count - i - 1, message.BlockNumber);
                return;
            }
        }
    }

    private async Task FollowConfirmationAsync(AccountId account, Task inclusion)
    {
        try
        {
            await inclusion.ConfigureAwait(false);
        }
        catch (EntropyConnectionException e)
        {
            // The node had accepted the confirmation (the watch was open): it is in its pool and will be included; only the watch is gone.
            _logger.LogWarning("{Name}: lost the watch of the confirmation of {Account} (it is in the pool): {Error}", Name, account, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ReportFailure(account, e);
        }
    }

    private void ReportFailure(AccountId account, Exception e)
    {
        LastDkgFailure = e;
        var culprits = e is DkgException dkg && dkg.Culprits.Count > 0 ? string.Join(", ", dkg.Culprits) : "none named";
        _logger.LogError("{Name}: the DKG for {Account} failed ({Culprits}): {Error}", Name, account, culprits, e.Message);
    }

    /// <summary>DKG, store, replicate, then submit <c>confirm_register</c>; returns once the pool accepted it, with a task that follows it into a block.</summary>
    private async Task<Task> RegisterOneAsync(OcwMessageDkg message, AccountId account, CancellationToken cancellationToken)
    {
        var chain = _chain!;
        if (Faults.HoldDkg is { } holdDkg)
        {
            await holdDkg.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var registering = await chain.GetStorageAsync(chain.RegisteringKey(account), null, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("Register Onchain first");

        // KeyVisibility::Private(x25519): the user is a DKG party too, and must connect with that x25519 key (PROTOCOL.md §5.2 do_dkg).
        var userX25519 = chain.DecodePrivateX25519Key(registering);
        var started = TimeProvider.System.GetTimestamp();
        using var share = await RunDkgAsync(message, account, userX25519, cancellationToken).ConfigureAwait(false);
        var dkgDone = TimeProvider.System.GetTimestamp();
        var verifyingKey = share.VerifyingKey.ToArray();
        var stored = share.StoredShare;
        var key = account.ToSs58();
        await Store.ReplaceAsync(key, stored, cancellationToken).ConfigureAwait(false);
        var storedAt = TimeProvider.System.GetTimestamp();
        _logger.LogInformation("{Name}: stored the share of {Account}, verifying key 0x{Key}", Name, account, Convert.ToHexStringLower(verifyingKey));

        await SendKeyToSubgroupAsync(key, stored, cancellationToken).ConfigureAwait(false);
        if (Faults.HoldConfirmation is { } holdConfirmation)
        {
            await holdConfirmation.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var sentAt = TimeProvider.System.GetTimestamp();

        if (Faults.SkipConfirmation)
        {
            _logger.LogWarning("{Name}: fault SkipConfirmation: not confirming {Account}", Name, account);
            return Task.CompletedTask;
        }

        if (Faults.ConfirmWrongKey)
        {
            verifyingKey[^1] ^= 0xff;
        }

        // Immortal, as entropy-tss's create_signed_with_nonce(.., Default::default()) builds it; the nonce comes from the session's
        // per-account reservation, so confirmations of several accounts in one block take consecutive nonces.
        var call = chain.EncodeConfirmRegister(account, Subgroup, verifyingKey);
        var extrinsic = await chain.SignImmortalAsync(call, _signer, cancellationToken).ConfigureAwait(false);
        var signedAt = TimeProvider.System.GetTimestamp();
        var inclusion = await SubmitConfirmationAsync(chain, extrinsic, account, cancellationToken).ConfigureAwait(false);
        return LogInclusionAsync(inclusion, account, message.BlockNumber, started, dkgDone, storedAt, sentAt, signedAt);
    }
}
