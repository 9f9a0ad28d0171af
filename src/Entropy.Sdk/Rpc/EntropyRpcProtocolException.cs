namespace Entropy.Rpc;

/// <summary>The node sent something that is not a valid JSON-RPC 2.0 message (invalid JSON, a response without a result or an error, or an oversized frame).</summary>
public sealed class EntropyRpcProtocolException : EntropyRpcException
{
    /// <summary>The JSON-RPC "parse error" code, used when the node's message is not JSON.</summary>
    internal const int ParseErrorCode = -32700;

    /// <summary>The JSON-RPC "invalid request" code, used when the node's message is JSON but not a valid response.</summary>
    internal const int InvalidMessageCode = -32600;

    /// <summary>Creates an exception for a malformed message from the node.</summary>
    /// <param name="code"><see cref="ParseErrorCode"/> or <see cref="InvalidMessageCode"/>.</param>
    /// <param name="problem">What is wrong with the message.</param>
    /// <param name="method">The JSON-RPC method the message answered, or a description when it cannot be told.</param>
    /// <param name="endpoint">The node's endpoint.</param>
    /// <param name="elapsed">How long the request had been running.</param>
    /// <param name="innerException">The parser's exception, if any.</param>
    internal EntropyRpcProtocolException(int code, string problem, string method, Uri? endpoint, TimeSpan elapsed, Exception? innerException = null)
        : base(code, problem, null, method, endpoint, elapsed,
            $"The node at {endpoint} sent an invalid JSON-RPC message for '{method}' after {elapsed.TotalMilliseconds:0} ms: {problem}", innerException)
    {
    }

    /// <summary>Gets <see langword="false"/>: a node that sends garbage will probably do it again.</summary>
    public override bool IsTransient => false;
}
