namespace Entropy;

/// <summary>The node answered a JSON-RPC request with an error object.</summary>
/// <remarks>
/// See the JSON-RPC 2.0 specification, section 5.1 (https://www.jsonrpc.org/specification#error_object), for the meaning of the
/// reserved codes; Substrate nodes add their own (for example 1010 for an invalid transaction).
/// </remarks>
public class EntropyRpcException : EntropyException
{
    /// <summary>The JSON-RPC code of a server-busy answer (jsonrpsee), which is worth retrying.</summary>
    internal const int ServerBusyCode = -32009;

    /// <summary>The JSON-RPC code some gateways use for rate limiting, which is worth retrying.</summary>
    internal const int LimitExceededCode = -32005;

    /// <summary>Creates an exception for an error object returned by the node.</summary>
    /// <param name="code">The JSON-RPC error code.</param>
    /// <param name="serverMessage">The error message the node sent.</param>
    /// <param name="data">The error's <c>data</c> member as raw JSON text, or <see langword="null"/> when absent.</param>
    /// <param name="method">The JSON-RPC method that failed.</param>
    /// <param name="endpoint">The node's endpoint.</param>
    /// <param name="elapsed">How long the request had been running.</param>
    public EntropyRpcException(int code, string serverMessage, string? data, string method, Uri? endpoint, TimeSpan elapsed)
        : this(code, serverMessage, data, method, endpoint, elapsed, FormatMessage(code, serverMessage, data, method, endpoint, elapsed), null)
    {
    }

    /// <summary>Creates an exception with a message of the caller's choosing (used by derived types).</summary>
    /// <param name="code">The JSON-RPC error code.</param>
    /// <param name="serverMessage">The error message the node sent.</param>
    /// <param name="data">The error's <c>data</c> member as raw JSON text, or <see langword="null"/> when absent.</param>
    /// <param name="method">The JSON-RPC method that failed.</param>
    /// <param name="endpoint">The node's endpoint.</param>
    /// <param name="elapsed">How long the request had been running.</param>
    /// <param name="message">The exception message.</param>
    /// <param name="innerException">The failure that caused this one.</param>
    protected EntropyRpcException(
        int code, string serverMessage, string? data, string method, Uri? endpoint, TimeSpan elapsed, string message, Exception? innerException)
        : base(message, innerException)
    {
        Code = code;
        ServerMessage = serverMessage;
        Data = data;
        Method = method;
        Endpoint = endpoint;
        Elapsed = elapsed;
    }

    /// <summary>Gets the JSON-RPC error code.</summary>
    public int Code { get; }

    /// <summary>Gets the error message exactly as the node sent it.</summary>
    public string ServerMessage { get; }

    /// <summary>Gets the error's <c>data</c> member as raw JSON text, or <see langword="null"/> when the node sent none.</summary>
    public new string? Data { get; }

    /// <summary>Gets the JSON-RPC method that failed.</summary>
    public string Method { get; }

    /// <summary>Gets the endpoint of the node that answered.</summary>
    public Uri? Endpoint { get; }

    /// <summary>Gets how long the request had been running when it failed.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Gets a value indicating whether the node said it is busy or rate limited, so that retrying a read may succeed.</summary>
    public override bool IsTransient => Code is ServerBusyCode or LimitExceededCode;

    private static string FormatMessage(int code, string serverMessage, string? data, string method, Uri? endpoint, TimeSpan elapsed) =>
        $"The node at {endpoint} answered '{method}' with error {code}: {Truncate(serverMessage, 1024)}"
        + (data is null ? string.Empty : $" (data: {Truncate(data, 512)})")
        + $" after {elapsed.TotalMilliseconds:0} ms.";

    private static string Truncate(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…");
}
