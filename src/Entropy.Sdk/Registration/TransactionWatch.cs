using System.Text.Json;
using Entropy.Extrinsics;
using Entropy.Metadata;
using Entropy.Rpc;
using Microsoft.Extensions.Logging;

namespace Entropy;

/// <summary>Where a transaction landed and what it emitted.</summary>
internal sealed record InBlockResult(string BlockHash, uint BlockNumber, int ExtrinsicIndex, IReadOnlyList<EventRecord> Events);

/// <summary>Submits a signed extrinsic with <c>author_submitAndWatchExtrinsic</c> and follows it into a block; never resubmits.</summary>
internal static class TransactionWatch
{
    /// <summary>JSON-RPC codes of the author API for invalid (1010), unknown-validity (1011) and temporarily banned / pool errors (1012–1016).</summary>
    private static bool IsPoolRejection(int code) => code is >= 1010 and <= 1016;

    public static async Task<RpcSubscription> SubmitAsync(ChainSession session, SignedExtrinsic extrinsic, AccountId signer, CancellationToken cancellationToken)
    {
        try
        {
            return await session.Rpc.SubscribeAsync(
                "author_submitAndWatchExtrinsic",
                "author_unwatchExtrinsic",
                [extrinsic.Encoded.ToArray()],
                resubscribeOnReconnect: false,
                cancellationToken).ConfigureAwait(false);
        }
        catch (EntropyRpcException e) when (IsPoolRejection(e.Code))
        {
            session.ReleaseNonce(signer);
            var reason = ParseReason(e);
            throw new TransactionRejectedException(reason, $"The node refused transaction 0x{Convert.ToHexStringLower(extrinsic.Hash.Span)} ({e.Code} {e.ServerMessage}: {reason}).{Advice(reason)}", e);
        }
    }

    /// <summary>Reads watch notifications until the transaction is in a block; throws for terminal failures.</summary>
    public static async Task<InBlockResult> WaitInBlockAsync(ChainSession session, RpcSubscription watch, SignedExtrinsic extrinsic, ILogger logger, CancellationToken cancellationToken)
    {
        var hashHex = "0x" + Convert.ToHexStringLower(extrinsic.Hash.Span);
        while (true)
        {
            var status = await watch.ReadAsync(cancellationToken).ConfigureAwait(false);
            string? blockHash = null;
            string kind;
            if (status.ValueKind == JsonValueKind.String)
            {
                kind = status.GetString()!;
            }
            else if (status.ValueKind == JsonValueKind.Object && status.EnumerateObject().FirstOrDefault() is { Name: { } name } property)
            {
                kind = name;
                blockHash = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
            }
            else
            {
                throw new EntropyRpcProtocolException(-32600, $"unexpected transaction status {status}", "author_submitAndWatchExtrinsic", session.Rpc.Endpoint, TimeSpan.Zero);
            }

            logger.LogDebug("Transaction {Hash}: {Status} {Block}", hashHex, kind, blockHash);
            switch (kind)
            {
                case "future" or "ready" or "broadcast" or "retracted":
                    continue;
                case "inBlock" or "finalized" when blockHash is not null:
                    return await ResolveAsync(session, blockHash, extrinsic, cancellationToken).ConfigureAwait(false);
                case "dropped" or "invalid" or "usurped" or "finalityTimeout":
                    throw new TransactionDroppedException(kind, hashHex);
                default:
                    logger.LogWarning("Transaction {Hash}: unknown status {Status}", hashHex, kind);
                    continue;
            }
        }
    }

    public static async Task<InBlockResult> SubmitAndWaitInBlockAsync(ChainSession session, SignedExtrinsic extrinsic, AccountId signer, Action? onSubmitted, ILogger logger, CancellationToken cancellationToken)
    {
        var watch = await SubmitAsync(session, extrinsic, signer, cancellationToken).ConfigureAwait(false);
        await using (((IAsyncDisposable)watch).ConfigureAwait(false))
        {
            onSubmitted?.Invoke();
            return await WaitInBlockAsync(session, watch, extrinsic, logger, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Finds the extrinsic in its block, picks its own events and turns <c>ExtrinsicFailed</c> into a <see cref="DispatchException"/>.</summary>
    public static async Task<InBlockResult> ResolveAsync(ChainSession session, string blockHash, SignedExtrinsic extrinsic, CancellationToken cancellationToken)
    {
        var number = await session.GetBlockNumberAsync(blockHash, cancellationToken).ConfigureAwait(false);
        var index = await session.FindExtrinsicIndexAsync(blockHash, extrinsic.Hash, cancellationToken).ConfigureAwait(false)
            ?? throw new EntropyException($"Block {blockHash} was reported to include transaction 0x{Convert.ToHexStringLower(extrinsic.Hash.Span)}, but it does not.");
        var events = (await session.GetEventsAsync(blockHash, cancellationToken).ConfigureAwait(false))
            .Where(e => e.ExtrinsicIndex == (uint)index).ToArray();
        if (events.FirstOrDefault(e => e is { Pallet: "System", Name: "ExtrinsicFailed" }) is { } failed)
        {
            var error = failed.Fields.Count > 0 ? failed.Fields[0] : ScaleValue.Unit;
            if (session.Metadata.FindModuleError(error) is { } module)
            {
                throw new DispatchException(module.Pallet, module.Name, string.Join(" ", module.Docs).Trim(), blockHash);
            }

            throw new DispatchException(null, error.Unwrap() is VariantValue v ? v.Name : error.ToString(), string.Empty, blockHash);
        }

        return new InBlockResult(blockHash, number, index, events);
    }

    private static string ParseReason(EntropyRpcException e)
    {
        if (e.Data is { Length: > 0 } data)
        {
            try
            {
                using var doc = JsonDocument.Parse(data);
                var element = doc.RootElement;
                var path = new List<string>();
                while (element.ValueKind == JsonValueKind.Object && element.EnumerateObject().FirstOrDefault() is { Name: { } name } p)
                {
                    path.Add(name);
                    element = p.Value;
                }

                if (path.Count > 0)
                {
                    return path[^1] is "custom" && element.ValueKind == JsonValueKind.Number ? $"custom({element.GetInt32()})" : path[^1];
                }

                if (element.ValueKind == JsonValueKind.String)
                {
                    return Normalize(element.GetString()!);
                }
            }
            catch (JsonException)
            {
                return Normalize(data);
            }
        }

        return Normalize(e.ServerMessage);
    }

    private static string Normalize(string text) => text switch
    {
        _ when text.Contains("bad signature", StringComparison.OrdinalIgnoreCase) || text.Contains("BadProof", StringComparison.OrdinalIgnoreCase) => "badProof",
        _ when text.Contains("outdated", StringComparison.OrdinalIgnoreCase) || text.Contains("stale", StringComparison.OrdinalIgnoreCase) => "stale",
        _ when text.Contains("pay", StringComparison.OrdinalIgnoreCase) || text.Contains("balance", StringComparison.OrdinalIgnoreCase) => "payment",
        _ when text.Contains("ancient", StringComparison.OrdinalIgnoreCase) => "ancientBirthBlock",
        _ => text,
    };

    private static string Advice(string reason) => reason switch
    {
        "badProof" => " The signature does not match what the runtime rebuilt: check the signer and that the SDK was connected to this runtime.",
        "stale" => " The nonce was already used: another transaction from this account was included meanwhile.",
        "payment" => " The account cannot pay the fee: fund it.",
        "ancientBirthBlock" => " The era's birth block is too old or unknown: sign again.",
        _ => string.Empty,
    };
}
