using Entropy.Hashing;
using Entropy.Simulator.KeyStore;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;


namespace Entropy.Simulator.ThresholdServers;

/// <summary>The <c>/user/new</c> endpoint: checks the off-chain worker's message and starts the block's DKGs.</summary>
internal sealed partial class ThresholdServerHost
{
    private const string InvalidSigner = "Invalid Signer: Invalid Signer in Signing group";

    /// <summary>
    /// PROTOCOL.md §5.2. The checks read the node and run on the request: when the off-chain worker hangs up first (its 2 s deadline),
    /// they stop and the block is not taken, as a real server's handler is dropped then. Once the message is verified, taking the block
    /// (recording it, marking it seen, starting the DKGs) no longer depends on the request, as entropy-tss spawns <c>setup_dkg</c> and
    /// answers: a slow key store or a busy machine must not leave the block half taken — a committee member that never starts its DKG,
    /// or a subgroup member that then refuses the share it is sent.
    /// </summary>
    private async Task HandleNewUserAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context.Request, 1 << 20, context.RequestAborted).ConfigureAwait(false);
        OcwMessageDkg message;
        try
        {
            message = OcwMessageDkg.Decode(body);
        }
        catch (Scale.ScaleFormatException e)
        {
            throw new UserError(500, $"Codec decoding error: {e.Message}");
        }

        if (message.SigRequestAccounts.Count == 0)
        {
            context.Response.StatusCode = 204;
            return;
        }

        // A server outside the committee answers "Invalid Signer" as entropy-tss does, but first checks the message like a member and,
        // when it is genuine, records who runs the accounts' DKG in its subgroup: /user/receive_key accepts shares only from them.
        var isMember = message.ValidatorsInfo.Any(v => v.TssAccount.AsSpan().SequenceEqual(Account.AsSpan()));
        Task accepting;
        try
        {
            var committee = await VerifyNewUserAsync(message, isMember, context.RequestAborted).ConfigureAwait(false);
            accepting = TrackBackground(AcceptNewUserAsync(message, committee, isMember, context.RequestAborted));
            var aborted = context.RequestAborted;
            _ = accepting.ContinueWith(
                t => _logger.Log(aborted.IsCancellationRequested ? LogLevel.Warning : LogLevel.Debug, "{Name} /user/new for block #{Block}: not taken: {Error}", Name, message.BlockNumber, t.Exception!.GetBaseException().Message),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted,
                TaskScheduler.Default);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            _logger.LogWarning("{Name} /user/new for block #{Block}: the off-chain worker hung up before the message was verified; the block's {Count} registration(s) are not taken here", Name, message.BlockNumber, message.SigRequestAccounts.Count);
            throw;
        }
        catch (UserError e) when (!isMember && e.Message != InvalidSigner)
        {
            _logger.LogDebug("{Name} /user/new (not in the committee): {Error}", Name, e.Message);
            throw new UserError(500, InvalidSigner);
        }

        try
        {
            await accepting.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            _logger.LogWarning("{Name} /user/new for block #{Block}: the off-chain worker hung up after the message was verified; the block is taken all the same", Name, message.BlockNumber);
            throw;
        }
        catch (UserError e) when (!isMember && e.Message != InvalidSigner)
        {
            _logger.LogDebug("{Name} /user/new (not in the committee): {Error}", Name, e.Message);
            throw new UserError(500, InvalidSigner);
        }

        if (!isMember)
        {
            throw new UserError(500, InvalidSigner);
        }

        context.Response.StatusCode = 200;
    }

    /// <summary>The checks of <c>validate_new_user</c> (and the committee, beyond v0.0.10): returns the committee the chain selects at N+1.</summary>
    private async Task<IReadOnlyList<ServerRecord>> VerifyNewUserAsync(OcwMessageDkg message, bool isMember, CancellationToken cancellationToken)
    {
        if (Faults.VerifyingNewUser is { } hook)
        {
            await hook(message.BlockNumber, cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (isMember && await IsRepeatedAsync(message.BlockNumber, cancellationToken).ConfigureAwait(false))
        {
            throw new UserError(500, "Data is repeated");
        }

        var chain = _chain!;
        var (head, headHash) = await chain.GetBestHeadAsync(cancellationToken).ConfigureAwait(false);
        if (head - 1 != message.BlockNumber)
        {
            throw new UserError(500, $"Data is stale: chain head is #{head}, message is for #{message.BlockNumber}");
        }

        var onChain = await chain.GetStorageAsync(chain.DkgKey(message.BlockNumber), headHash, cancellationToken).ConfigureAwait(false) ?? [0];
        if (!Blake2s.Hash256([1, .. OcwMessageDkg.EncodeAccounts(message.SigRequestAccounts)]).AsSpan().SequenceEqual(Blake2s.Hash256([1, .. onChain])))
        {
            throw new UserError(500, "Data is not verifiable");
        }

        // Beyond entropy-tss v0.0.10, which trusts validators_info: it must be the committee the chain selects at N+1 (PROTOCOL.md
        // §2.6). Otherwise a forged message sent first, with the real account list and invented validators, would be marked seen
        // and the genuine one refused as repeated: the registration would never complete.
        var committee = await chain.GetCommitteeAsync(message.BlockNumber + 1, headHash, cancellationToken).ConfigureAwait(false);
        if (!IsCommittee(message.ValidatorsInfo, committee))
        {
            throw new UserError(500, $"Invalid validators_info: not the committee the chain selects for block #{message.BlockNumber + 1} ({string.Join(", ", committee.Select(c => c.Endpoint))})");
        }

        return committee;
    }

    /// <summary>
    /// Takes a verified block: records who runs its accounts in this subgroup, marks it seen (a committee member) and starts its DKGs,
    /// whether or not the request is still open. Only the key store is touched; it stops only when the server stops.
    /// </summary>
    private async Task AcceptNewUserAsync(OcwMessageDkg message, IReadOnlyList<ServerRecord> committee, bool isMember, CancellationToken requestAborted)
    {
        var running = _running?.Token ?? new CancellationToken(canceled: true);
        if (Faults.AcceptingNewUser is { } hook)
        {
            await hook(message.BlockNumber, requestAborted).WaitAsync(running).ConfigureAwait(false);
        }

        await _newUserLock.WaitAsync(running).ConfigureAwait(false);
        try
        {
            // Checked again under the lock: two copies of one message may both have passed the first check.
            if (isMember && await IsRepeatedAsync(message.BlockNumber, running).ConfigureAwait(false))
            {
                throw new UserError(500, "Data is repeated");
            }

            if (Subgroup < committee.Count)
            {
                await Ledger.RecordBlockAsync(message.BlockNumber, message.SigRequestAccounts, committee[Subgroup].TssAccount, running).ConfigureAwait(false);
            }

            if (!isMember)
            {
                return;
            }

            var be = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(be, message.BlockNumber);
            await Store.ReplaceAsync(EncryptedKeyStore.LatestBlockNumberNewUser, be, running).ConfigureAwait(false);
        }
        finally
        {
            _newUserLock.Release();
        }

        _ = TrackBackground(Task.Run(() => SetupDkgAsync(message, running), CancellationToken.None));
    }

    /// <summary>Whether this server already took a message for <paramref name="block"/> or a later block (<c>LATEST_BLOCK_NUMBER_NEW_USER</c>).</summary>
    private async Task<bool> IsRepeatedAsync(uint block, CancellationToken cancellationToken)
    {
        var latestBytes = await Store.GetAsync(EncryptedKeyStore.LatestBlockNumberNewUser, cancellationToken).ConfigureAwait(false);
        return latestBytes is { Length: 4 } && System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(latestBytes) >= block;
    }

    /// <summary>Keeps a background task of this server (awaited, briefly, when it stops) and returns it.</summary>
    private Task TrackBackground(Task task)
    {
        lock (_background)
        {
            _background.RemoveAll(t => t.IsCompleted);
            _background.Add(task);
        }

        return task;
    }

    /// <summary>Whether <paramref name="validators"/> lists exactly <paramref name="committee"/>, in order, with the same keys and endpoints.</summary>
    private static bool IsCommittee(IReadOnlyList<ValidatorInfo> validators, IReadOnlyList<ServerRecord> committee) =>
        validators.Count == committee.Count
        && validators.Zip(committee).All(p =>
            p.First.TssAccount.AsSpan().SequenceEqual(p.Second.TssAccount.AsSpan())
            && p.First.X25519PublicKey.AsSpan().SequenceEqual(p.Second.X25519PublicKey)
            && p.First.Endpoint == p.Second.Endpoint);
}
