using System.Text.Json.Nodes;

namespace Entropy.Simulator.Rpc;

/// <summary>A JSON-RPC error object a method handler raises; the dispatcher turns it into the response's <c>error</c>.</summary>
internal sealed class RpcException : Exception
{
    /// <summary>JSON-RPC 2.0: invalid JSON was received.</summary>
    public const int ParseError = -32700;

    /// <summary>JSON-RPC 2.0: the JSON sent is not a valid request object.</summary>
    public const int InvalidRequest = -32600;

    /// <summary>JSON-RPC 2.0: the method does not exist.</summary>
    public const int MethodNotFound = -32601;

    /// <summary>JSON-RPC 2.0: invalid method parameters.</summary>
    public const int InvalidParams = -32602;

    /// <summary>JSON-RPC 2.0: internal error.</summary>
    public const int InternalError = -32603;

    /// <summary>jsonrpsee's "Request is too big" (<c>OVERSIZED_REQUEST_CODE</c>).</summary>
    public const int OversizedRequest = -32007;

    /// <summary>jsonrpsee's <c>OVERSIZED_RESPONSE_CODE</c>: "Response is too big".</summary>
    public const int OversizedResponse = -32008;

    /// <summary>jsonrpsee's <c>TOO_MANY_SUBSCRIPTIONS_CODE</c>: "Too many subscriptions on the connection".</summary>
    public const int TooManySubscriptions = -32006;

    /// <summary>jsonrpsee's <c>TOO_BIG_BATCH_REQUEST_CODE</c>: "The batch request was too large".</summary>
    public const int TooBigBatch = -32010;

    /// <summary>Substrate author API: the extrinsic has an invalid format (<c>BAD_FORMAT</c>).</summary>
    public const int BadFormat = 1001;

    /// <summary>Substrate author API: the runtime could not verify the transaction (<c>VERIFICATION_ERROR</c>).</summary>
    public const int VerificationError = 1002;

    /// <summary>Substrate author API: the transaction's priority is too low to replace a pooled one with the same nonce.</summary>
    public const int PoolTooLowPriority = 1014;

    /// <summary>Substrate state API: the runtime call failed (<c>state::error::Error::Client</c>).</summary>
    public const int StateClientError = 4003;

    /// <summary>Substrate author API: the pool rejected the transaction as invalid (<c>POOL_INVALID_TX</c>).</summary>
    public const int PoolInvalidTx = 1010;

    /// <summary>Substrate author API: the validity of the transaction cannot be determined (<c>POOL_UNKNOWN_VALIDITY</c>).</summary>
    public const int PoolUnknownValidity = 1011;

    /// <summary>Substrate author API: the transaction is already in the pool (<c>POOL_ALREADY_IMPORTED</c>).</summary>
    public const int PoolAlreadyImported = 1013;

    /// <summary>Substrate author API: the transaction could not enter the pool because of its limits (<c>POOL_IMMEDIATELY_DROPPED</c>).</summary>
    public const int PoolImmediatelyDropped = 1016;

    public RpcException(int code, string message, JsonNode? data = null)
        : base(message)
    {
        Code = code;
        Data = data;
    }

    public int Code { get; }

    public new JsonNode? Data { get; }

    public static RpcException Params(string message) => new(InvalidParams, "Invalid params", message);
}
