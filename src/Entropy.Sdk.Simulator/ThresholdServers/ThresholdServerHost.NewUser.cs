using Entropy.Hashing;
using Entropy.Simulator.KeyStore;
using Microsoft.AspNetCore.Http;


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

        if (!message.ValidatorsInfo.Any(v => v.TssAccount.AsSpan().SequenceEqual(Account.AsSpan())))
        {
            throw new UserError(500, "Invalid Signer: Invalid Signer in Signing group");
        }

        var chain = _chain!;
        await _newUserLock.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            var latestBytes = await Store.GetAsync(EncryptedKeyStore.LatestBlockNumberNewUser, context.RequestAborted).ConfigureAwait(false);
            var latest = latestBytes is { Length: 4 } ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(latestBytes) : 0u;
            if (latestBytes is not null && latest >= message.BlockNumber)
            {
                throw new UserError(500, "Data is repeated");
            }

            var (head, _) = await chain.GetBestHeadAsync(context.RequestAborted).ConfigureAwait(false);
            if (head - 1 != message.BlockNumber)
            {
                throw new UserError(500, $"Data is stale: chain head is #{head}, message is for #{message.BlockNumber}");
            }

            var onChain = await chain.GetStorageAsync(chain.DkgKey(message.BlockNumber), null, context.RequestAborted).ConfigureAwait(false) ?? [0];
            if (!Blake2s.Hash256([1, .. OcwMessageDkg.EncodeAccounts(message.SigRequestAccounts)]).AsSpan().SequenceEqual(Blake2s.Hash256([1, .. onChain])))
            {
                throw new UserError(500, "Data is not verifiable");
            }

            if (latestBytes is not null)
            {
                await Store.DeleteAsync(EncryptedKeyStore.LatestBlockNumberNewUser, context.RequestAborted).ConfigureAwait(false);
            }

            var reservation = await Store.ReserveKeyAsync(EncryptedKeyStore.LatestBlockNumberNewUser, context.RequestAborted).ConfigureAwait(false);
            var be = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(be, message.BlockNumber);
            await Store.PutAsync(reservation, be, context.RequestAborted).ConfigureAwait(false);
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
}
