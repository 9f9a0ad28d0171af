using Entropy.Hashing;
using Entropy.Simulator.KeyStore;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;


namespace Entropy.Simulator.ThresholdServers;

/// <summary>The <c>/user/new</c> endpoint: checks the off-chain worker's message and starts the block's DKGs.</summary>
internal sealed partial class ThresholdServerHost
{
    /// <summary>PROTOCOL.md §5.2.</summary>
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
        const string InvalidSigner = "Invalid Signer: Invalid Signer in Signing group";
        var chain = _chain!;
        await _newUserLock.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            var latestBytes = isMember ? await Store.GetAsync(EncryptedKeyStore.LatestBlockNumberNewUser, context.RequestAborted).ConfigureAwait(false) : null;
            var latest = latestBytes is { Length: 4 } ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(latestBytes) : 0u;
            if (latestBytes is not null && latest >= message.BlockNumber)
            {
                throw new UserError(500, "Data is repeated");
            }

            var (head, headHash) = await chain.GetBestHeadAsync(context.RequestAborted).ConfigureAwait(false);
            if (head - 1 != message.BlockNumber)
            {
                throw new UserError(500, $"Data is stale: chain head is #{head}, message is for #{message.BlockNumber}");
            }

            var onChain = await chain.GetStorageAsync(chain.DkgKey(message.BlockNumber), headHash, context.RequestAborted).ConfigureAwait(false) ?? [0];
            if (!Blake2s.Hash256([1, .. OcwMessageDkg.EncodeAccounts(message.SigRequestAccounts)]).AsSpan().SequenceEqual(Blake2s.Hash256([1, .. onChain])))
            {
                throw new UserError(500, "Data is not verifiable");
            }

            // Beyond entropy-tss v0.0.10, which trusts validators_info: it must be the committee the chain selects at N+1 (PROTOCOL.md
            // §2.6). Otherwise a forged message sent first, with the real account list and invented validators, would be marked seen
            // and the genuine one refused as repeated: the registration would never complete.
            var committee = await chain.GetCommitteeAsync(message.BlockNumber + 1, headHash, context.RequestAborted).ConfigureAwait(false);
            if (!IsCommittee(message.ValidatorsInfo, committee))
            {
                throw new UserError(500, $"Invalid validators_info: not the committee the chain selects for block #{message.BlockNumber + 1} ({string.Join(", ", committee.Select(c => c.Endpoint))})");
            }

            if (Subgroup < committee.Count)
            {
                await Ledger.RecordBlockAsync(message.BlockNumber, message.SigRequestAccounts, committee[Subgroup].TssAccount, context.RequestAborted).ConfigureAwait(false);
            }

            if (!isMember)
            {
                throw new UserError(500, InvalidSigner);
            }

            var be = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(be, message.BlockNumber);
            await Store.ReplaceAsync(EncryptedKeyStore.LatestBlockNumberNewUser, be, context.RequestAborted).ConfigureAwait(false);
        }
        catch (UserError e) when (!isMember && e.Message != InvalidSigner)
        {
            _logger.LogDebug("{Name} /user/new (not in the committee): {Error}", Name, e.Message);
            throw new UserError(500, InvalidSigner);
        }
        finally
        {
            _newUserLock.Release();
        }

        var running = _running?.Token ?? new CancellationToken(canceled: true);
        var task = Task.Run(() => SetupDkgAsync(message, running));
        lock (_background)
        {
            _background.RemoveAll(t => t.IsCompleted);
            _background.Add(task);
        }

        context.Response.StatusCode = 200;
    }

    /// <summary>Whether <paramref name="validators"/> lists exactly <paramref name="committee"/>, in order, with the same keys and endpoints.</summary>
    private static bool IsCommittee(IReadOnlyList<ValidatorInfo> validators, IReadOnlyList<ServerRecord> committee) =>
        validators.Count == committee.Count
        && validators.Zip(committee).All(p =>
            p.First.TssAccount.AsSpan().SequenceEqual(p.Second.TssAccount.AsSpan())
            && p.First.X25519PublicKey.AsSpan().SequenceEqual(p.Second.X25519PublicKey)
            && p.First.Endpoint == p.Second.Endpoint);
}
