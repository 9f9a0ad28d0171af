using System.Runtime.CompilerServices;
using System.Text.Json;
using Entropy.Metadata;
using Entropy.Rpc;

namespace Entropy.Extrinsics;

/// <summary>How long <see cref="ExtrinsicSubmitter.SubmitAndWatchAsync"/> waits.</summary>
public enum TransactionWaitFor
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
public class ExtrinsicSubmitter
{
    // twox128("System") ‖ twox128("Events").
    private const string SystemEventsKey = "0x26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7";

    private readonly RpcClient? _rpc;
    private readonly RuntimeMetadata? _metadata;

    /// <summary>Creates a submitter over a JSON-RPC connection.</summary>
    /// <param name="rpc">The node connection.</param>
    /// <param name="metadata">The runtime metadata, used to decode the events of the including block.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public ExtrinsicSubmitter(RpcClient rpc, RuntimeMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        ArgumentNullException.ThrowIfNull(metadata);
        _rpc = rpc;
        _metadata = metadata;
    }

    /// <summary>Initializes a submitter for mocks.</summary>
    protected ExtrinsicSubmitter()
    {
    }

    private RpcClient Rpc => _rpc ?? throw new InvalidOperationException("This submitter was created for mocking and has no connection.");

    private RuntimeMetadata Metadata => _metadata ?? throw new InvalidOperationException("This submitter was created for mocking and has no metadata.");

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
            JsonElement result = await Rpc.InvokeAsync("author_submitExtrinsic", [extrinsic.ToHex()], cancellationToken).ConfigureAwait(false);
            return result.GetString() ?? throw new EntropyException("author_submitExtrinsic returned no hash.");
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
        RpcSubscription subscription = await OpenWatchAsync(extrinsic, cancellationToken).ConfigureAwait(false);
        await using (((IAsyncDisposable)subscription).ConfigureAwait(false))
        {
            await foreach (JsonElement payload in subscription.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                TransactionStatus status = TransactionStatus.Parse(payload);
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
    /// <exception cref="TransactionDroppedException">The transaction was dropped, usurped, or its block's finality timed out.</exception>
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
        RpcSubscription subscription = await OpenWatchAsync(extrinsic, cancellationToken).ConfigureAwait(false);
        await using (((IAsyncDisposable)subscription).ConfigureAwait(false))
        {
            onSubmitted?.Invoke();
            await foreach (JsonElement payload in subscription.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                TransactionStatus status = TransactionStatus.Parse(payload);
                progress?.Report(status);
                switch (status.Kind)
                {
                    case TransactionStatusKind.InBlock when waitFor == TransactionWaitFor.InBlock:
                        return await GetResultAsync(extrinsic, status.BlockHash!, isFinalized: false, cancellationToken).ConfigureAwait(false);
                    case TransactionStatusKind.Finalized:
                        return await GetResultAsync(extrinsic, status.BlockHash!, isFinalized: true, cancellationToken).ConfigureAwait(false);
                    case TransactionStatusKind.Invalid:
                        throw InvalidTransactionException.FromStatus(status, hash);
                    case TransactionStatusKind.Dropped:
                    case TransactionStatusKind.Usurped:
                    case TransactionStatusKind.FinalityTimeout:
                        throw new TransactionDroppedException(status, $"Transaction {hash} ended with status {status} before reaching {waitFor}; it is not resubmitted.");
                    default:
                        break;
                }
            }
        }

        throw new EntropyException($"The node ended the watch of transaction {hash} without a final status; it is not resubmitted.");
    }

    /// <summary>Reads the including block and the extrinsic's events, and raises <see cref="DispatchException"/> when the call failed.</summary>
    /// <param name="extrinsic">The included extrinsic.</param>
    /// <param name="blockHash">The including block's hash.</param>
    /// <param name="isFinalized">Whether the node reported that block finalized.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    internal async Task<ExtrinsicResult> GetResultAsync(SignedExtrinsic extrinsic, string blockHash, bool isFinalized, CancellationToken cancellationToken)
    {
        string hex = extrinsic.ToHex();
        string hash = HashHex(extrinsic);
        JsonElement block = await Rpc.InvokeIdempotentAsync("chain_getBlock", [blockHash], cancellationToken).ConfigureAwait(false);
        if (block.ValueKind != JsonValueKind.Object
            || !block.TryGetProperty("block", out JsonElement body)
            || !body.TryGetProperty("header", out JsonElement header)
            || !body.TryGetProperty("extrinsics", out JsonElement extrinsics))
        {
            throw new EntropyException($"chain_getBlock({blockHash}) did not return a block with a header and extrinsics.");
        }

        ulong number = ParseNumber(header, blockHash);
        int index = -1;
        int i = 0;
        foreach (JsonElement item in extrinsics.EnumerateArray())
        {
            if (string.Equals(item.GetString(), hex, StringComparison.OrdinalIgnoreCase))
            {
                index = i;
                break;
            }

            i++;
        }

        if (index < 0)
        {
            throw new EntropyException($"Block {blockHash} was reported to include transaction {hash}, but its body does not contain it.");
        }

        JsonElement storage = await Rpc.InvokeIdempotentAsync("state_getStorage", [SystemEventsKey, blockHash], cancellationToken).ConfigureAwait(false);
        IReadOnlyList<EventRecord> all = storage.ValueKind == JsonValueKind.String && Hex.TryDecode(storage.GetString(), out byte[] eventBytes)
            ? Metadata.DecodeEvents(eventBytes)
            : [];
        EventRecord[] own = all.Where(e => e.ExtrinsicIndex == (uint)index).ToArray();
        var result = new ExtrinsicResult(hash, blockHash, number, index, isFinalized, own);

        EventRecord? failed = own.FirstOrDefault(e => e.Pallet == "System" && e.Name == "ExtrinsicFailed");
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

    private async Task<RpcSubscription> OpenWatchAsync(SignedExtrinsic extrinsic, CancellationToken cancellationToken)
    {
        try
        {
            return await Rpc.SubscribeAsync(
                "author_submitAndWatchExtrinsic", "author_unwatchExtrinsic", [extrinsic.ToHex()], resubscribeOnReconnect: false, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (EntropyRpcException e) when (InvalidTransactionException.FromRpcError(e, HashHex(extrinsic)) is { } invalid)
        {
            throw invalid;
        }
    }

    private static ulong ParseNumber(JsonElement header, string blockHash)
    {
        if (header.TryGetProperty("number", out JsonElement n))
        {
            if (n.ValueKind == JsonValueKind.Number && n.TryGetUInt64(out ulong direct))
            {
                return direct;
            }

            string? text = n.GetString();
            if (text is not null && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                && ulong.TryParse(text.AsSpan(2), System.Globalization.NumberStyles.HexNumber, null, out ulong parsed))
            {
                return parsed;
            }
        }

        throw new EntropyException($"chain_getBlock({blockHash}) returned a header without a valid number.");
    }

    private static string HashHex(SignedExtrinsic extrinsic) => "0x" + Convert.ToHexStringLower(extrinsic.Hash.Span);
}
