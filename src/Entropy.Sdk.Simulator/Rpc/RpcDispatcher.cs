using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Entropy.Simulator.Rpc;

/// <summary>A JSON-RPC method implementation.</summary>
internal delegate ValueTask<JsonNode?> RpcMethod(RpcCall call);

/// <summary>The parameters and context of one JSON-RPC call.</summary>
internal sealed class RpcCall
{
    private List<Action>? _afterResponse;

    public RpcCall(string method, JsonElement parameters, RpcSession session, CancellationToken cancellationToken)
    {
        Method = method;
        Params = parameters;
        Session = session;
        CancellationToken = cancellationToken;
    }

    public string Method { get; }

    public JsonElement Params { get; }

    public RpcSession Session { get; }

    public CancellationToken CancellationToken { get; }

    internal List<Action>? AfterResponseActions => _afterResponse;

    /// <summary>Queues work that must run after the response is sent (e.g. a subscription's first notification).</summary>
    public void AfterResponse(Action action) => (_afterResponse ??= []).Add(action);

    /// <summary>Gets positional parameter <paramref name="index"/>, or <see langword="null"/> when absent or JSON null.</summary>
    public JsonElement? Arg(int index)
    {
        if (Params.ValueKind != JsonValueKind.Array || index >= Params.GetArrayLength())
        {
            return null;
        }

        var element = Params[index];
        return element.ValueKind == JsonValueKind.Null ? null : element;
    }

    public string RequiredString(int index, string name) =>
        OptionalString(index, name) ?? throw RpcException.Params($"parameter {index} ({name}) is required");

    public string? OptionalString(int index, string name)
    {
        var element = Arg(index);
        if (element is null)
        {
            return null;
        }

        return element.Value.ValueKind == JsonValueKind.String
            ? element.Value.GetString()
            : throw RpcException.Params($"parameter {index} ({name}) must be a string");
    }

    public byte[] RequiredHex(int index, string name) =>
        OptionalHex(index, name) ?? throw RpcException.Params($"parameter {index} ({name}) is required");

    public byte[]? OptionalHex(int index, string name)
    {
        var text = OptionalString(index, name);
        return text is null ? null : Hex.Decode(text, $"parameter {index} ({name})");
    }

    /// <summary>Reads an unsigned number given as a JSON number, a decimal string or a 0x-hex string.</summary>
    public ulong? OptionalNumber(int index, string name)
    {
        var element = Arg(index);
        if (element is null)
        {
            return null;
        }

        var value = element.Value;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString()!;
            if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                && ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out number))
            {
                return number;
            }

            if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out number))
            {
                return number;
            }
        }

        throw RpcException.Params($"parameter {index} ({name}) must be an unsigned number");
    }
}

/// <summary>Parses JSON-RPC 2.0 requests (single or batch), routes them to methods and writes the responses.</summary>
internal sealed class RpcDispatcher
{
    private static readonly JsonDocumentOptions s_documentOptions = new() { MaxDepth = 64 };
    private readonly Dictionary<string, RpcMethod> _methods = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    public RpcDispatcher(ILogger logger, RpcLimits? limits = null)
    {
        _logger = logger;
        Limits = limits ?? new RpcLimits();
    }

    /// <summary>Gets the batch length and response size limits this dispatcher enforces.</summary>
    public RpcLimits Limits { get; }

    public IEnumerable<string> MethodNames => _methods.Keys.Order(StringComparer.Ordinal);

    /// <summary>Gets or sets the port measurements are tagged with (<c>server.port</c>); 0 for the in-process dispatcher, which is not measured.</summary>
    public int Port { get; set; }

    public void Register(string name, RpcMethod method) => _methods[name] = method;

    public RpcMethod Get(string name) => _methods[name];

    /// <summary>Handles one request message; returns the response bytes (null when nothing is to be sent) and the follow-up actions.</summary>
    public async ValueTask<(byte[]? Response, List<Action>? After)> DispatchAsync(
        ReadOnlyMemory<byte> message, RpcSession session, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            // JsonDocument checks a string's UTF-8 only when it is read (then throws InvalidOperationException): refuse it up front.
            if (!System.Text.Unicode.Utf8.IsValid(message.Span))
            {
                throw new JsonException("The message is not valid UTF-8.");
            }

            document = JsonDocument.Parse(message, s_documentOptions);
        }
        catch (JsonException)
        {
            return (ErrorResponse(default, RpcException.ParseError, "Parse error", null), null);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                if (root.GetArrayLength() == 0)
                {
                    return (ErrorResponse(default, RpcException.InvalidRequest, "Invalid request", null), null);
                }

                if (root.GetArrayLength() > Limits.MaxBatchLength)
                {
                    return (ErrorResponse(default, RpcException.TooBigBatch, "The batch request was too large", $"Exceeded max limit of {Limits.MaxBatchLength}"), null);
                }

                var responses = new List<byte[]>();
                List<Action>? after = null;
                long size = 2;
                foreach (var element in root.EnumerateArray())
                {
                    var (response, actions) = await HandleAsync(element, session, cancellationToken).ConfigureAwait(false);
                    if (response is not null)
                    {
                        size += response.Length + 1;
                        if (size > Limits.MaxResponseBytes)
                        {
                            // As jsonrpsee: the whole batch is answered by one error; what was built is dropped at once.
                            return (OversizedResponse(default), after);
                        }

                        responses.Add(response);
                    }

                    if (actions is not null)
                    {
                        (after ??= []).AddRange(actions);
                    }
                }

                return (responses.Count == 0 ? null : JoinBatch(responses), after);
            }

            var (single, followUp) = await HandleAsync(root, session, cancellationToken).ConfigureAwait(false);
            if (single is not null && single.Length > Limits.MaxResponseBytes)
            {
                return (OversizedResponse(root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var id) ? id : default), followUp);
            }

            return (single, followUp);
        }
    }

    private byte[] OversizedResponse(JsonElement id) =>
        ErrorResponse(id, RpcException.OversizedResponse, "Response is too big", $"Exceeded max limit of {Limits.MaxResponseBytes}");

    internal static byte[] ErrorResponse(JsonElement id, int code, string message, JsonNode? data)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc", "2.0");
            writer.WriteStartObject("error");
            writer.WriteNumber("code", code);
            writer.WriteString("message", message);
            if (data is not null)
            {
                writer.WritePropertyName("data");
                data.WriteTo(writer);
            }

            writer.WriteEndObject();
            WriteId(writer, id);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteId(Utf8JsonWriter writer, JsonElement id)
    {
        writer.WritePropertyName("id");
        if (id.ValueKind == JsonValueKind.Undefined)
        {
            writer.WriteNullValue();
        }
        else
        {
            id.WriteTo(writer);
        }
    }

    private static byte[] ResultResponse(JsonElement id, JsonNode? result)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc", "2.0");
            writer.WritePropertyName("result");
            if (result is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                result.WriteTo(writer);
            }

            WriteId(writer, id);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static byte[] JoinBatch(List<byte[]> responses)
    {
        using var buffer = new MemoryStream();
        buffer.WriteByte((byte)'[');
        for (var i = 0; i < responses.Count; i++)
        {
            if (i > 0)
            {
                buffer.WriteByte((byte)',');
            }

            buffer.Write(responses[i]);
        }

        buffer.WriteByte((byte)']');
        return buffer.ToArray();
    }

    private async ValueTask<(byte[]? Response, List<Action>? After)> HandleAsync(
        JsonElement request, RpcSession session, CancellationToken cancellationToken)
    {
        if (request.ValueKind != JsonValueKind.Object)
        {
            return (ErrorResponse(default, RpcException.InvalidRequest, "Invalid request", null), null);
        }

        var hasId = request.TryGetProperty("id", out var id);
        if (hasId && id.ValueKind is not (JsonValueKind.Number or JsonValueKind.String or JsonValueKind.Null))
        {
            return (ErrorResponse(default, RpcException.InvalidRequest, "Invalid request", null), null);
        }

        if (!request.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || version.GetString() != "2.0"
            || !request.TryGetProperty("method", out var methodElement) || methodElement.ValueKind != JsonValueKind.String)
        {
            return (ErrorResponse(id, RpcException.InvalidRequest, "Invalid request", null), null);
        }

        var parameters = request.TryGetProperty("params", out var p) ? p : default;
        if (parameters.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Array or JsonValueKind.Null))
        {
            return hasId ? (ErrorResponse(id, RpcException.InvalidParams, "Invalid params", "only positional (array) parameters are supported"), null) : (null, null);
        }

        var name = methodElement.GetString()!;
        if (!_methods.TryGetValue(name, out var method))
        {
            return hasId ? (ErrorResponse(id, RpcException.MethodNotFound, "Method not found", null), null) : (null, null);
        }

        var call = new RpcCall(name, parameters, session, cancellationToken);
        var started = Port != 0 && Diagnostics.DevnetTelemetry.RpcServerDuration.Enabled ? System.Diagnostics.Stopwatch.GetTimestamp() : 0;
        byte[] response;
        try
        {
            var result = await method(call).ConfigureAwait(false);
            response = ResultResponse(id, result);
            RecordCall(started, name, null);
        }
        catch (RpcException e)
        {
            response = ErrorResponse(id, e.Code, e.Message, e.Data);
            RecordCall(started, name, e.Code.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A failing handler must not take the connection down; the client gets an internal error.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _logger.LogError(e, "JSON-RPC method {Method} failed", name);
            response = ErrorResponse(id, RpcException.InternalError, "Internal error", e.Message);
            RecordCall(started, name, RpcException.InternalError.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return hasId ? (response, call.AfterResponseActions) : (null, call.AfterResponseActions);
    }

    private void RecordCall(long started, string method, string? errorType)
    {
        if (started == 0)
        {
            return;
        }

        var tags = new System.Diagnostics.TagList { { "rpc.system.name", "jsonrpc" }, { "rpc.method", method }, { "server.port", Port } };
        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        Diagnostics.DevnetTelemetry.RpcServerDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }
}
