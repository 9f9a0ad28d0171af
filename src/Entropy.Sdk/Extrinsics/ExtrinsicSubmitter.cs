using System.Runtime.CompilerServices;
using Entropy.Chain;
using Entropy.Metadata;
using Entropy.Rpc;

namespace Entropy.Extrinsics;

/// <summary>How long <see cref="ExtrinsicSubmitter.SubmitAndWatchAsync"/> waits.</summary>
internal enum TransactionWaitFor
{
    /// <summary>Until the transaction is in a block (best chain, not yet final).</summary>
    InBlock,

    /// <summary>Until the including block is finalized.</summary>
    Finalized,
}

/// <summary>Submits signed extrinsics and follows them into a block: <c>author_submitExtrinsic</c> and <c>author_submitAndWatchExtrinsic</c>.</summary>
/// <remarks>
/// <para>
/// Pool rejections (RPC errors 1010–1016) become <see cref="InvalidTransactionException"/>; an included transaction whose call failed
/// becomes <see cref="DispatchException"/>. A transaction is never submitted twice, not even after a lost connection (the watch then ends
/// with an <see cref="EntropyConnectionException"/> and the caller resumes from chain state).
/// </para>
/// <para>See <see href="https://github.com/paritytech/polkadot-sdk/blob/master/substrate/client/rpc-api/src/author/mod.rs">author RPC</see>.</para>
/// </remarks>
internal class ExtrinsicSubmitter
{
    private readonly SubstrateClient? _chain;

    /// <summary>Creates a submitter over a chain client, whose current metadata decodes the events of the including block.</summary>
    /// <param name="chain">The chain client.</param>
    /// <exception cref="ArgumentNullException"><paramref name="chain"/> is <see langword="null"/>.</exception>
    public ExtrinsicSubmitter(SubstrateClient chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        _chain = chain;
    }

    /// <summary>Initializes a submitter for mocks.</summary>
    protected ExtrinsicSubmitter()
    {
    }

    private SubstrateClient Chain => _chain ?? throw new InvalidOperationException("This submitter was created for mocking and has no chain client.");

    private RuntimeMetadata Metadata => Chain.Metadata;

    /// <summary>Submits an extrinsic to the pool and returns its hash, without waiting for inclusion (<c>author_submitExtrinsic</c>).</summary>
    /// <param name="extrinsic">The signed extrinsic.</param>
    /// <param name="cancellationToken">Cancels the wait for the node's answer (the node may still have received the extrinsic).</param>
    /// <returns>The transaction hash the node returned, <c>0x</c>-hex.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="extrinsic"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidTransactionException">The pool rejected the transaction.</exception>
    /// <exception cref="EntropyRpcException">The node answered with another error.</exception>
    /// <exception cref="EntropyConnectionException">The connection was lost.</exception>
    public virtual async Task<string> SubmitAsync(SignedExtrinsic extrinsic, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(extrinsic);
        try
        {
            return Hex.Encode(await Chain.SubmitExtrinsicAsync(extrinsic.Encoded, cancellationToken).ConfigureAwait(false));
        }
        catch (EntropyRpcException e) when (InvalidTransactionException.FromRpcError(e, HashHex(extrinsic)) is { } invalid)
        {
            throw invalid;
        }
    }

    /// <summary>Submits an extrinsic and streams its status updates until a final one (<c>author_submitAndWatchExtrinsic</c>).</summary>
    /// <param name="extrinsic">The signed extrinsic.</param>
    /// <param name="cancellationToken">Stops watching (the transaction stays in the pool).</param>
    /// <returns>The status updates, in order; the stream ends after a final status.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="extrinsic"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidTransactionException">The pool rejected the transaction on submission.</exception>
    /// <exception cref="EntropyConnectionException">The connection was lost while watching.</exception>
    public virtual async IAsyncEnumerable<TransactionStatus> WatchAsync(SignedExtrinsic extrinsic, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(extrinsic);
        ChainSubscription<TransactionStatus> subscription = await OpenWatchAsync(extrinsic, cancellationToken).ConfigureAwait(false);
        await using (((IAsyncDisposable)subscription).ConfigureAwait(false))
        {
            await foreach (TransactionStatus status in subscription.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                yield return status;
                if (status.IsFinal)
                {
                    yield break;
                }
            }
        }
    }

    /// <summary>Submits an extrinsic, waits until it is in a block (or finalized) and returns where it landed and what it did.</summary>
    /// <param name="extrinsic">The signed extrinsic.</param>
    /// <param name="waitFor">Whether to return at <c>inBlock</c> or at <c>finalized</c>.</param>
    /// <param name="progress">Receives every status update; may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops waiting (the transaction stays in the pool and may still be included).</param>
    /// <returns>The including block, the extrinsic's index and its events; the call succeeded.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="extrinsic"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidTransactionException">The pool rejected the transaction, on submission or later.</exception>
    /// <exception cref="DispatchException">The transaction was included but its call failed (<c>System.ExtrinsicFailed</c>).</exception>
    /// <exception cref="TransactionException">The transaction was dropped, usurped, or its block's finality timed out.</exception>
    /// <exception cref="EntropyConnectionException">The connection was lost while watching; the transaction is not resubmitted.</exception>
    public virtual async Task<ExtrinsicResult> SubmitAndWatchAsync(
        SignedExtrinsic extrinsic,
        TransactionWaitFor waitFor = TransactionWaitFor.InBlock,
        IProgress<TransactionStatus>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(extrinsic);
        return await SubmitAndWatchCoreAsync(extrinsic, waitFor, progress, onSubmitted: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Like <see cref="SubmitAndWatchAsync"/>, and calls <paramref name="onSubmitted"/> once the node accepted the submission (before any status).</summary>
    /// <param name="extrinsic">The signed extrinsic.</param>
    /// <param name="waitFor">Whether to return at <c>inBlock</c> or at <c>finalized</c>.</param>
    /// <param name="progress">Receives every status update; may be <see langword="null"/>.</param>
    /// <param name="onSubmitted">Called once the watch is open, so a caller can tell a refused submission from a lost watch.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    internal async Task<ExtrinsicResult> SubmitAndWatchCoreAsync(
        SignedExtrinsic extrinsic,
        TransactionWaitFor waitFor,
        IProgress<TransactionStatus>? progress,
        Action? onSubmitted,
        CancellationToken cancellationToken)
    {
        string hash = HashHex(extrinsic);
        ChainSubscription<TransactionStatus> subscription = await OpenWatchAsync(extrinsic, cancellationToken).ConfigureAwait(false);
        try
        {
            onSubmitted?.Invoke();
            await foreach (TransactionStatus status in subscription.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                progress?.Report(status);
                switch (status.Kind)
                {
                    case TransactionStatusKind.InBlock when waitFor == TransactionWaitFor.InBlock:
                        return await GetResultAsync(extrinsic, BlockHash.Parse(status.BlockHash!), isFinalized: false, cancellationToken).ConfigureAwait(false);
                    case TransactionStatusKind.Finalized:
                        return await GetResultAsync(extrinsic, BlockHash.Parse(status.BlockHash!), isFinalized: true, cancellationToken).ConfigureAwait(false);
                    case TransactionStatusKind.Invalid:
                        throw InvalidTransactionException.FromStatus(status, hash);
                    case TransactionStatusKind.Dropped:
                    case TransactionStatusKind.Usurped:
                    case TransactionStatusKind.FinalityTimeout:
                        throw new TransactionException(TransactionFailureKind.Dropped, status, $"Transaction {hash} ended with status {status} before reaching {waitFor}; it is not resubmitted.");
                    default:
                        break;
                }
            }
        }
        finally
        {
            // Unwatching is a courtesy: a stalled node must not hold the caller up for a request timeout.
            BackgroundDisposal.Start(subscription);
        }

        throw new EntropyException($"The node ended the watch of transaction {hash} without a final status; it is not resubmitted.");
    }

    /// <summary>Reads the including block and the extrinsic's events, and raises <see cref="DispatchException"/> when the call failed.</summary>
    /// <param name="extrinsic">The included extrinsic.</param>
    /// <param name="blockHash">The including block's hash.</param>
    /// <param name="isFinalized">Whether the node reported that block finalized.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    internal async Task<ExtrinsicResult> GetResultAsync(SignedExtrinsic extrinsic, BlockHash blockHash, bool isFinalized, CancellationToken cancellationToken)
    {
        ExtrinsicResult found = await Chain.GetExtrinsicResultAsync(blockHash, extrinsic.Encoded, cancellationToken).ConfigureAwait(false)
            ?? throw new EntropyException($"Block {blockHash} was reported to include transaction {HashHex(extrinsic)}, but its body does not contain it.");
        ExtrinsicResult result = isFinalized ? found.AsFinalized() : found;
        EventRecord? failed = result.Events.FirstOrDefault(e => e.Pallet == "System" && e.Name == "ExtrinsicFailed");
        if (failed is not null)
        {
            throw ToDispatchException(failed, result);
        }

        return result;
    }

    private DispatchException ToDispatchException(EventRecord failed, ExtrinsicResult result)
    {
        ScaleValue? error = failed.Fields.TryGetField("dispatch_error", out ScaleValue? named) ? named : failed.Fields.Count > 0 ? failed.Fields[0] : null;
        if (error is not null && Metadata.FindModuleError(error) is { } module)
        {
            string docs = string.Join(" ", module.Docs).Trim();
            return new DispatchException(
                "Module", module.Pallet, module.Name, module.Docs, result,
                $"Transaction {result.ExtrinsicHash} failed in block #{result.BlockNumber} ({result.BlockHash}): {module.Pallet}.{module.Name}"
                + (docs.Length > 0 ? $": {docs}" : "."));
        }

        string kind = "Unknown";
        string? inner = null;
        if (error?.Unwrap() is VariantValue variant)
        {
            kind = variant.Name;
            if (variant.Fields.Count == 1 && variant.Fields[0].Unwrap() is VariantValue innerVariant)
            {
                inner = innerVariant.Name;
            }
        }

        return new DispatchException(
            kind, null, inner, [], result,
            $"Transaction {result.ExtrinsicHash} failed in block #{result.BlockNumber} ({result.BlockHash}): {kind}{(inner is null ? string.Empty : "." + inner)}.");
    }

    private async Task<ChainSubscription<TransactionStatus>> OpenWatchAsync(SignedExtrinsic extrinsic, CancellationToken cancellationToken)
    {
        try
        {
            return await Chain.WatchExtrinsicAsync(extrinsic.Encoded, cancellationToken).ConfigureAwait(false);
        }
        catch (EntropyRpcException e) when (InvalidTransactionException.FromRpcError(e, HashHex(extrinsic)) is { } invalid)
        {
            throw invalid;
        }
    }

    private static string HashHex(SignedExtrinsic extrinsic) => "0x" + Convert.ToHexStringLower(extrinsic.Hash.Span);
}
