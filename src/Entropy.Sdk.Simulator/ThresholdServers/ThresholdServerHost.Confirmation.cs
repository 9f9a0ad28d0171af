using Entropy.Extrinsics;
using Microsoft.Extensions.Logging;


namespace Entropy.Simulator.ThresholdServers;

/// <summary>Submitting <c>confirm_register</c> and following it into a block.</summary>
internal sealed partial class ThresholdServerHost
{
    /// <summary>
    /// Submits <c>confirm_register</c> and returns, once the node has it, a task that follows it into a block. When the connection to
    /// the node breaks before the node answered, the same signed bytes are sent again after the reconnect: that is harmless (a pool
    /// that already has them answers 1013 "already imported", and once included their nonce is stale), whereas giving up would leave
    /// the registration unconfirmed, with the server's nonce reservation pointing past a transaction the node never saw.
    /// </summary>
    private async Task<Task> SubmitConfirmationAsync(ServerChain chain, SignedExtrinsic extrinsic, AccountId account, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var submitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var inclusion = chain.SubmitAndWatchAsync(extrinsic, Account, () => submitted.TrySetResult(), cancellationToken);
            await Task.WhenAny(submitted.Task, inclusion).ConfigureAwait(false);
            if (submitted.Task.IsCompleted)
            {
                return inclusion;
            }

            try
            {
                await inclusion.ConfigureAwait(false);
                return inclusion;
            }
            catch (EntropyConnectionException e) when (attempt < MaxConfirmationAttempts && !cancellationToken.IsCancellationRequested)
            {
                _logger.LogWarning("{Name}: the connection broke while submitting the confirmation of {Account} (attempt {Attempt}); sending the same bytes again: {Error}", Name, account, attempt, e.Message);
            }
            catch (InvalidTransactionException e) when (attempt > 1 && e.Reason is InvalidTransactionReason.AlreadyImported or InvalidTransactionReason.Stale)
            {
                // An earlier attempt reached the node after all: it is in the pool (or already in a block).
                _logger.LogInformation("{Name}: the confirmation of {Account} had reached the node ({Reason})", Name, account, e.Reason);
                return Task.CompletedTask;
            }
        }
    }

    private async Task LogInclusionAsync(Task inclusion, AccountId account, uint blockNumber, long started, long dkgDone, long storedAt, long sentAt, long signedAt)
    {
        await inclusion.ConfigureAwait(false);
        _logger.LogInformation(
            "{Name}: confirmed {Account} for subgroup {Subgroup} (block #{Block}: DKG {Dkg:F1} ms, store {Store:F1} ms, replicate {Send:F1} ms, sign {Sign:F1} ms, in block after {Wait:F1} ms)",
            Name,
            account,
            Subgroup,
            blockNumber,
            TimeProvider.System.GetElapsedTime(started, dkgDone).TotalMilliseconds,
            TimeProvider.System.GetElapsedTime(dkgDone, storedAt).TotalMilliseconds,
            TimeProvider.System.GetElapsedTime(storedAt, sentAt).TotalMilliseconds,
            TimeProvider.System.GetElapsedTime(sentAt, signedAt).TotalMilliseconds,
            TimeProvider.System.GetElapsedTime(signedAt).TotalMilliseconds);
    }
}
