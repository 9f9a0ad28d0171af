using System.Text.Json;

namespace Entropy.Extrinsics;

/// <summary>The states a watched transaction goes through, as <c>author_submitAndWatchExtrinsic</c> reports them.</summary>
/// <remarks>
/// See <c>sc_transaction_pool_api::TransactionStatus</c>:
/// <see href="https://github.com/paritytech/polkadot-sdk/blob/master/substrate/client/transaction-pool/api/src/lib.rs">transaction-pool/api</see>.
/// <see cref="Finalized"/>, <see cref="FinalityTimeout"/>, <see cref="Usurped"/>, <see cref="Dropped"/> and <see cref="Invalid"/> are final.
/// </remarks>
internal enum TransactionStatusKind
{
    /// <summary>In the pool but not yet valid (its nonce is ahead of the account's).</summary>
    Future,

    /// <summary>In the pool and ready to be included.</summary>
    Ready,

    /// <summary>Gossiped to the listed peers.</summary>
    Broadcast,

    /// <summary>Included in a block (not yet final).</summary>
    InBlock,

    /// <summary>The block that included it is no longer on the best chain.</summary>
    Retracted,

    /// <summary>The node stopped waiting for the including block's finality (final; the transaction may still be finalized).</summary>
    FinalityTimeout,

    /// <summary>Included in a finalized block (final).</summary>
    Finalized,

    /// <summary>Replaced by another transaction with the same tag, for example the same nonce (final).</summary>
    Usurped,

    /// <summary>Removed from the pool, for example because the pool is full (final).</summary>
    Dropped,

    /// <summary>No longer valid in the current state (final).</summary>
    Invalid,
}

/// <summary>One update of a watched transaction.</summary>
internal sealed class TransactionStatus
{
    internal TransactionStatus(TransactionStatusKind kind, string? blockHash = null, IReadOnlyList<string>? peers = null, InvalidTransactionReason? reason = null, byte? customCode = null)
    {
        Kind = kind;
        BlockHash = blockHash;
        Peers = peers ?? [];
        Reason = reason;
        CustomCode = customCode;
    }

    /// <summary>Gets the state.</summary>
    public TransactionStatusKind Kind { get; }

    /// <summary>
    /// Gets the <c>0x</c>-hex block hash for <see cref="TransactionStatusKind.InBlock"/>, <see cref="TransactionStatusKind.Retracted"/>,
    /// <see cref="TransactionStatusKind.FinalityTimeout"/> and <see cref="TransactionStatusKind.Finalized"/>, or the hash of the replacing
    /// transaction for <see cref="TransactionStatusKind.Usurped"/>; otherwise <see langword="null"/>.
    /// </summary>
    public string? BlockHash { get; }

    /// <summary>Gets the peers a <see cref="TransactionStatusKind.Broadcast"/> went to; otherwise empty.</summary>
    public IReadOnlyList<string> Peers { get; }

    /// <summary>Gets why the transaction is invalid, when the node said so (some nodes report a validity error in the watch stream).</summary>
    public InvalidTransactionReason? Reason { get; }

    /// <summary>Gets the runtime's custom code when <see cref="Reason"/> is a custom one.</summary>
    public byte? CustomCode { get; }

    /// <summary>Gets a value indicating whether no further update follows.</summary>
    public bool IsFinal => Kind is TransactionStatusKind.Finalized or TransactionStatusKind.FinalityTimeout
        or TransactionStatusKind.Usurped or TransactionStatusKind.Dropped or TransactionStatusKind.Invalid;

    /// <summary>Returns the state and, when there is one, the block hash.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => BlockHash is null ? Kind.ToString() : $"{Kind} {BlockHash}";

    /// <summary>Parses one <c>author_extrinsicUpdate</c> payload.</summary>
    /// <remarks>
    /// Substrate sends unit variants as strings (<c>"ready"</c>) and data variants as one-member objects (<c>{"inBlock":"0x…"}</c>);
    /// chopsticks sends PascalCase objects (<c>{"Ready":null}</c>, <c>{"InBlock":"0x…"}</c>) and, when the pool rejects the
    /// transaction while building a block, the validity error itself (<c>{"invalid":{"badProof":null}}</c>). All are accepted.
    /// </remarks>
    /// <exception cref="EntropyException">The payload is not a transaction status.</exception>
    internal static TransactionStatus Parse(JsonElement payload)
    {
        string name;
        JsonElement value = default;
        if (payload.ValueKind == JsonValueKind.String)
        {
            name = payload.GetString()!;
        }
        else if (payload.ValueKind == JsonValueKind.Object && TrySingleMember(payload, out name, out value))
        {
        }
        else
        {
            throw Malformed(payload);
        }

        switch (name.ToUpperInvariant())
        {
            case "FUTURE":
                return new TransactionStatus(TransactionStatusKind.Future);
            case "READY":
                return new TransactionStatus(TransactionStatusKind.Ready);
            case "BROADCAST":
                var peers = new List<string>();
                if (value.ValueKind == JsonValueKind.Array)
                {
                    foreach (JsonElement peer in value.EnumerateArray())
                    {
                        peers.Add(peer.ToString());
                    }
                }

                return new TransactionStatus(TransactionStatusKind.Broadcast, peers: peers);
            case "INBLOCK":
                return new TransactionStatus(TransactionStatusKind.InBlock, HashOf(value, payload));
            case "RETRACTED":
                return new TransactionStatus(TransactionStatusKind.Retracted, HashOf(value, payload));
            case "FINALITYTIMEOUT":
                return new TransactionStatus(TransactionStatusKind.FinalityTimeout, HashOf(value, payload));
            case "FINALIZED":
                return new TransactionStatus(TransactionStatusKind.Finalized, HashOf(value, payload));
            case "USURPED":
                return new TransactionStatus(TransactionStatusKind.Usurped, HashOf(value, payload));
            case "DROPPED":
                return new TransactionStatus(TransactionStatusKind.Dropped);
            case "INVALID":
                if (value.ValueKind == JsonValueKind.Object)
                {
                    // chopsticks: a TransactionValidityError, {"invalid":{"badProof":null}}.
                    (InvalidTransactionReason reason, byte? custom) = InvalidTransactionException.ParseValidityVariant(true, value);
                    return new TransactionStatus(TransactionStatusKind.Invalid, reason: reason, customCode: custom);
                }

                return new TransactionStatus(TransactionStatusKind.Invalid);
            case "UNKNOWN":
                (InvalidTransactionReason unknownReason, byte? unknownCustom) = InvalidTransactionException.ParseValidityVariant(false, value);
                return new TransactionStatus(TransactionStatusKind.Invalid, reason: unknownReason, customCode: unknownCustom);
            default:
                throw Malformed(payload);
        }
    }

    private static bool TrySingleMember(JsonElement obj, out string name, out JsonElement value)
    {
        name = string.Empty;
        value = default;
        int count = 0;
        foreach (JsonProperty property in obj.EnumerateObject())
        {
            name = property.Name;
            value = property.Value;
            count++;
        }

        return count == 1;
    }

    private static string HashOf(JsonElement value, JsonElement payload) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Malformed(payload);

    private static EntropyException Malformed(JsonElement payload)
    {
        string text = payload.GetRawText();
        return new EntropyException($"'author_extrinsicUpdate' sent '{(text.Length > 200 ? text[..200] + "…" : text)}', which is not a transaction status.");
    }
}
