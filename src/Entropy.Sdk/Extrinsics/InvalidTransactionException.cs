using System.Text.Json;

namespace Entropy.Extrinsics;

/// <summary>Why the transaction pool refused a transaction (<c>TransactionValidityError</c> and pool errors).</summary>
/// <remarks>
/// The validity reasons are <c>sp_runtime::transaction_validity::{InvalidTransaction, UnknownTransaction}</c>; the pool reasons are the
/// <c>author</c> RPC errors 1012–1016 (<c>substrate/client/rpc-api/src/author/error.rs</c>).
/// </remarks>
public enum InvalidTransactionReason
{
    /// <summary>The node's answer could not be mapped to a known reason; see the exception message.</summary>
    Other,

    /// <summary>The call is not expected (<c>InvalidTransaction::Call</c>).</summary>
    Call,

    /// <summary>The signer cannot pay the fees (<c>InvalidTransaction::Payment</c>).</summary>
    Payment,

    /// <summary>The nonce is ahead of the account's (<c>InvalidTransaction::Future</c>).</summary>
    Future,

    /// <summary>The nonce was already used (<c>InvalidTransaction::Stale</c>).</summary>
    Stale,

    /// <summary>The signature does not verify over the payload the runtime rebuilt (<c>InvalidTransaction::BadProof</c>).</summary>
    BadProof,

    /// <summary>The era's birth block is unknown or too old (<c>InvalidTransaction::AncientBirthBlock</c>).</summary>
    AncientBirthBlock,

    /// <summary>The transaction would exhaust the block limits (<c>InvalidTransaction::ExhaustsResources</c>).</summary>
    ExhaustsResources,

    /// <summary>A runtime-specific reason; see <see cref="InvalidTransactionException.CustomCode"/> (<c>InvalidTransaction::Custom</c>).</summary>
    Custom,

    /// <summary>A mandatory call failed (<c>InvalidTransaction::BadMandatory</c>).</summary>
    BadMandatory,

    /// <summary>A mandatory dispatch was sent as a transaction (<c>InvalidTransaction::MandatoryValidation</c>/<c>MandatoryDispatch</c>).</summary>
    MandatoryDispatch,

    /// <summary>The signing address is invalid (<c>InvalidTransaction::BadSigner</c>).</summary>
    BadSigner,

    /// <summary>The implicit data could not be determined (<c>InvalidTransaction::IndeterminateImplicit</c>).</summary>
    IndeterminateImplicit,

    /// <summary>The origin is unknown (<c>InvalidTransaction::UnknownOrigin</c>).</summary>
    UnknownOrigin,

    /// <summary>Information needed to validate could not be looked up (<c>UnknownTransaction::CannotLookup</c>).</summary>
    CannotLookup,

    /// <summary>No validator exists for an unsigned transaction (<c>UnknownTransaction::NoUnsignedValidator</c>).</summary>
    NoUnsignedValidator,

    /// <summary>A runtime-specific unknown-validity reason (<c>UnknownTransaction::Custom</c>).</summary>
    UnknownCustom,

    /// <summary>The pool temporarily bans this transaction (error 1012).</summary>
    TemporarilyBanned,

    /// <summary>The pool already has this transaction (error 1013).</summary>
    AlreadyImported,

    /// <summary>A transaction with the same tag and a higher priority is in the pool (error 1014).</summary>
    PriorityTooLow,

    /// <summary>The pool is full and dropped the transaction at once (error 1016).</summary>
    ImmediatelyDropped,
}

/// <summary>The exception thrown when the node's transaction pool rejects a transaction (RPC errors 1010–1016).</summary>
/// <remarks>
/// The SDK never resubmits on this error. <see cref="InvalidTransactionReason.BadProof"/> almost always means the payload bytes differ from
/// what the runtime rebuilds: a wrong spec or transaction version, genesis or birth hash, or a signed extension the metadata lists differently.
/// </remarks>
public sealed class InvalidTransactionException : TransactionException
{
    /// <summary>The RPC error code for an invalid transaction.</summary>
    internal const int InvalidCode = 1010;

    /// <summary>The RPC error code for a transaction of unknown validity.</summary>
    internal const int UnknownValidityCode = 1011;

    /// <summary>Creates the exception.</summary>
    /// <param name="reason">Why the transaction was rejected.</param>
    /// <param name="customCode">The runtime's custom code, for <see cref="InvalidTransactionReason.Custom"/> and <see cref="InvalidTransactionReason.UnknownCustom"/>.</param>
    /// <param name="rpcCode">The JSON-RPC error code, when the rejection came as an RPC error.</param>
    /// <param name="message">What went wrong, and where.</param>
    /// <param name="innerException">The RPC error, if any.</param>
    public InvalidTransactionException(InvalidTransactionReason reason, byte? customCode, int? rpcCode, string message, Exception? innerException = null)
        : base(TransactionFailureKind.Invalid, null, message, innerException)
    {
        Reason = reason;
        CustomCode = customCode;
        RpcCode = rpcCode;
    }

    /// <summary>Gets why the transaction was rejected.</summary>
    public InvalidTransactionReason Reason { get; }

    /// <summary>Gets the runtime's custom code for a custom reason; otherwise <see langword="null"/>.</summary>
    public byte? CustomCode { get; }

    /// <summary>Gets the JSON-RPC error code (1010 invalid, 1011 unknown validity, 1012–1016 pool), when there was one.</summary>
    public int? RpcCode { get; }

    /// <summary>Gets a value indicating whether the transaction was judged of unknown validity (1011) rather than invalid.</summary>
    public bool IsUnknownValidity => Reason is InvalidTransactionReason.CannotLookup or InvalidTransactionReason.NoUnsignedValidator
        or InvalidTransactionReason.UnknownCustom || RpcCode == UnknownValidityCode;

    /// <summary>Maps a pool RPC error to this exception, or returns <see langword="null"/> when the code is not a pool rejection.</summary>
    /// <param name="error">The node's error.</param>
    /// <param name="hash">The transaction hash, for the message.</param>
    internal static InvalidTransactionException? FromRpcError(EntropyRpcException error, string hash)
    {
        (InvalidTransactionReason reason, byte? custom)? parsed = error.Code switch
        {
            InvalidCode or UnknownValidityCode => ParseValidity(error.Code == InvalidCode, error.ServerMessage, error.Data),
            1012 => (InvalidTransactionReason.TemporarilyBanned, null),
            1013 => (InvalidTransactionReason.AlreadyImported, null),
            1014 => (InvalidTransactionReason.PriorityTooLow, null),
            1016 => (InvalidTransactionReason.ImmediatelyDropped, null),
            _ => null,
        };
        if (parsed is null)
        {
            return null;
        }

        (InvalidTransactionReason r, byte? c) = parsed.Value;
        string detail = error.Data is null ? error.ServerMessage : $"{error.ServerMessage}: {error.Data}";
        return new InvalidTransactionException(
            r, c, error.Code,
            $"The node rejected transaction {hash} ({error.Method}, error {error.Code}): {Describe(r, c)}. Node said: {detail}",
            error);
    }

    /// <summary>Creates the exception for an <c>invalid</c> status in the watch stream.</summary>
    internal static InvalidTransactionException FromStatus(TransactionStatus status, string hash) =>
        new(status.Reason ?? InvalidTransactionReason.Other, status.CustomCode, null,
            $"Transaction {hash} became invalid while watched: {Describe(status.Reason ?? InvalidTransactionReason.Other, status.CustomCode)}.");

    internal static string Describe(InvalidTransactionReason reason, byte? custom) => reason switch
    {
        InvalidTransactionReason.BadProof => "BadProof (the signature does not match the payload the runtime rebuilt: check spec/tx version, genesis, birth hash and signed extensions)",
        InvalidTransactionReason.Stale => "Stale (the nonce was already used)",
        InvalidTransactionReason.Future => "Future (the nonce is ahead of the account's)",
        InvalidTransactionReason.Payment => "Payment (the signer cannot pay the fees)",
        InvalidTransactionReason.AncientBirthBlock => "AncientBirthBlock (the era's birth block is unknown or too old)",
        InvalidTransactionReason.Custom or InvalidTransactionReason.UnknownCustom => $"{reason}({custom})",
        _ => reason.ToString(),
    };

    /// <summary>Parses a 1010/1011 error's message and data, in Substrate's text form or chopsticks' JSON form.</summary>
    internal static (InvalidTransactionReason Reason, byte? Custom) ParseValidity(bool invalid, string message, string? data)
    {
        foreach (string? text in (ReadOnlySpan<string?>)[data, message])
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            string trimmed = text.Trim();
            if (trimmed.StartsWith('{'))
            {
                try
                {
                    using var document = JsonDocument.Parse(trimmed);
                    if (TryParseValidityJson(document.RootElement, out InvalidTransactionReason jsonReason, out byte? jsonCustom))
                    {
                        return (jsonReason, jsonCustom);
                    }
                }
                catch (JsonException)
                {
                    // Not JSON after all: fall through to the text forms.
                }
            }

            if (TryParseValidityText(trimmed, out InvalidTransactionReason textReason, out byte? textCustom))
            {
                return (!invalid && textReason == InvalidTransactionReason.Custom ? InvalidTransactionReason.UnknownCustom : textReason, textCustom);
            }
        }

        return (invalid ? InvalidTransactionReason.Other : InvalidTransactionReason.UnknownCustom, null);
    }

    /// <summary>Parses the inside of <c>{"invalid": …}</c> or <c>{"unknown": …}</c>: <c>"stale"</c>, <c>{"badProof":null}</c>, <c>{"custom":3}</c>.</summary>
    internal static (InvalidTransactionReason Reason, byte? Custom) ParseValidityVariant(bool invalid, JsonElement variant)
    {
        string? name = null;
        JsonElement value = default;
        if (variant.ValueKind == JsonValueKind.String)
        {
            name = variant.GetString();
        }
        else if (variant.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty property in variant.EnumerateObject())
            {
                name = property.Name;
                value = property.Value;
                break;
            }
        }

        if (name is null)
        {
            return (invalid ? InvalidTransactionReason.Other : InvalidTransactionReason.UnknownCustom, null);
        }

        byte? custom = value.ValueKind == JsonValueKind.Number && value.TryGetByte(out byte code) ? code : null;
        InvalidTransactionReason reason = name.ToUpperInvariant() switch
        {
            "CALL" => InvalidTransactionReason.Call,
            "PAYMENT" => InvalidTransactionReason.Payment,
            "FUTURE" => InvalidTransactionReason.Future,
            "STALE" => InvalidTransactionReason.Stale,
            "BADPROOF" => InvalidTransactionReason.BadProof,
            "ANCIENTBIRTHBLOCK" => InvalidTransactionReason.AncientBirthBlock,
            "EXHAUSTSRESOURCES" => InvalidTransactionReason.ExhaustsResources,
            "CUSTOM" => invalid ? InvalidTransactionReason.Custom : InvalidTransactionReason.UnknownCustom,
            "BADMANDATORY" => InvalidTransactionReason.BadMandatory,
            "MANDATORYVALIDATION" or "MANDATORYDISPATCH" => InvalidTransactionReason.MandatoryDispatch,
            "BADSIGNER" => InvalidTransactionReason.BadSigner,
            "INDETERMINATEIMPLICIT" => InvalidTransactionReason.IndeterminateImplicit,
            "UNKNOWNORIGIN" => InvalidTransactionReason.UnknownOrigin,
            "CANNOTLOOKUP" => InvalidTransactionReason.CannotLookup,
            "NOUNSIGNEDVALIDATOR" => InvalidTransactionReason.NoUnsignedValidator,
            _ => invalid ? InvalidTransactionReason.Other : InvalidTransactionReason.UnknownCustom,
        };
        return (reason, custom);
    }

    private static bool TryParseValidityJson(JsonElement root, out InvalidTransactionReason reason, out byte? custom)
    {
        reason = InvalidTransactionReason.Other;
        custom = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (JsonProperty property in root.EnumerateObject())
        {
            string name = property.Name.ToUpperInvariant();
            if (name is "INVALID" or "UNKNOWN")
            {
                (reason, custom) = ParseValidityVariant(name == "INVALID", property.Value);
                return true;
            }
        }

        return false;
    }

    // The Display strings of sp_runtime::transaction_validity (From<InvalidTransaction> for &str) and the author RPC's data forms.
    private static bool TryParseValidityText(string text, out InvalidTransactionReason reason, out byte? custom)
    {
        custom = null;
        reason = InvalidTransactionReason.Other;
        (string Needle, InvalidTransactionReason Reason)[] table =
        [
            ("bad signature", InvalidTransactionReason.BadProof),
            ("BadProof", InvalidTransactionReason.BadProof),
            ("is outdated", InvalidTransactionReason.Stale),
            ("Stale", InvalidTransactionReason.Stale),
            ("valid in the future", InvalidTransactionReason.Future),
            ("Future", InvalidTransactionReason.Future),
            ("Inability to pay", InvalidTransactionReason.Payment),
            ("Payment", InvalidTransactionReason.Payment),
            ("ancient birth block", InvalidTransactionReason.AncientBirthBlock),
            ("AncientBirthBlock", InvalidTransactionReason.AncientBirthBlock),
            ("exhaust the block limits", InvalidTransactionReason.ExhaustsResources),
            ("ExhaustsResources", InvalidTransactionReason.ExhaustsResources),
            ("call is not expected", InvalidTransactionReason.Call),
            ("labelled as mandatory", InvalidTransactionReason.BadMandatory),
            ("dispatch is mandatory", InvalidTransactionReason.MandatoryDispatch),
            ("Invalid signing address", InvalidTransactionReason.BadSigner),
            ("CannotLookup", InvalidTransactionReason.CannotLookup),
            ("Could not lookup", InvalidTransactionReason.CannotLookup),
            ("NoUnsignedValidator", InvalidTransactionReason.NoUnsignedValidator),
            ("unsigned validator", InvalidTransactionReason.NoUnsignedValidator),
        ];
        foreach ((string needle, InvalidTransactionReason r) in table)
        {
            if (text.Contains(needle, StringComparison.OrdinalIgnoreCase))
            {
                reason = r;
                return true;
            }
        }

        // "Custom error: 3" (InvalidTransaction::Custom) or "Custom(3)" (UnknownTransaction, Debug form).
        int at = text.IndexOf("Custom", StringComparison.OrdinalIgnoreCase);
        if (at >= 0)
        {
            ReadOnlySpan<char> rest = text.AsSpan(at + "Custom".Length);
            int start = rest.IndexOfAnyInRange('0', '9');
            if (start >= 0)
            {
                rest = rest[start..];
                int end = rest.IndexOfAnyExceptInRange('0', '9');
                if (byte.TryParse(end < 0 ? rest : rest[..end], out byte code))
                {
                    custom = code;
                }
            }

            reason = InvalidTransactionReason.Custom;
            return true;
        }

        return false;
    }
}
