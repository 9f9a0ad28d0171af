using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Entropy.Rpc;

/// <content>Parsing and dispatching incoming messages: nothing a node sends escapes this code (malformed messages are logged and dropped).</content>
internal partial class RpcClient
{
    private void Dispatch(ReadOnlyMemory<byte> message)
    {
        // The dispatcher runs on the receive loop: whatever a message holds, it is logged and dropped, never thrown.
        try
        {
            DispatchDocument(message);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            OnGarbage($"the message could not be dispatched ({ex.GetType().Name}: {RpcText.Cap(ex.Message)})");
        }
    }

    private void DispatchDocument(ReadOnlyMemory<byte> message)
    {
        // JsonDocument checks the UTF-8 of strings only when they are read, which would throw InvalidOperationException mid-dispatch.
        if (!System.Text.Unicode.Utf8.IsValid(message.Span))
        {
            OnGarbage("the message is not valid UTF-8");
            return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            OnGarbage($"the message is not JSON ({RpcText.Cap(ex.Message)})");
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in root.EnumerateArray())
                {
                    DispatchOneSafely(item);
                }
            }
            else
            {
                DispatchOne(root);
            }
        }
    }

    private void DispatchOneSafely(JsonElement message)
    {
        try
        {
            DispatchOne(message);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            OnGarbage($"a batch item could not be dispatched ({ex.GetType().Name}: {RpcText.Cap(ex.Message)})");
        }
    }

    private void DispatchOne(JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            OnGarbage($"expected a JSON object, got {message.ValueKind}");
            return;
        }

        var hasId = message.TryGetProperty("id"u8, out var idElement) && idElement.ValueKind != JsonValueKind.Null;
        if (hasId)
        {
            DispatchResponse(message, idElement);
            return;
        }

        if (message.TryGetProperty("method"u8, out var method) && method.ValueKind == JsonValueKind.String
            && message.TryGetProperty("params"u8, out var parameters) && parameters.ValueKind == JsonValueKind.Object
            && parameters.TryGetProperty("subscription"u8, out var subscriptionId))
        {
            DispatchNotification(method.GetString()!, parameters, subscriptionId);
            return;
        }

        if (message.TryGetProperty("error"u8, out var error))
        {
            // An error with a null id answers a request the node could not parse; it cannot be matched to one, so the requests in
            // flight carry on (each ends by its answer or its timeout).
            OnGarbage($"an error without a request id: {RpcText.Cap(error.GetRawText())}");
            return;
        }

        OnGarbage("a message that is neither a response nor a subscription notification");
    }

    private void DispatchResponse(JsonElement message, JsonElement idElement)
    {
        long id;
        if (idElement.ValueKind == JsonValueKind.Number && idElement.TryGetInt64(out var numeric))
        {
            id = numeric;
        }
        else if (idElement.ValueKind == JsonValueKind.String && long.TryParse(idElement.GetString(), out var parsed))
        {
            id = parsed;
        }
        else
        {
            OnGarbage($"a response with an id we never sent: {RpcText.Cap(idElement.GetRawText())}");
            return;
        }

        if (!_pending.TryRemove(id, out var pending))
        {
            _logger.LogDebug("Ignoring a response to request {Id}, which is no longer waiting.", id);
            return;
        }

        try
        {
            CompleteResponse(message, pending);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The request was taken off the pending list: it must end here, not by its timeout.
            pending.Completion.TrySetException(new EntropyRpcProtocolException(
                EntropyRpcProtocolException.InvalidMessageCode,
                $"the response could not be read ({ex.GetType().Name}: {RpcText.Cap(ex.Message)})",
                pending.Method,
                Endpoint,
                _time.GetElapsedTime(pending.Start)));
        }
    }

    private void CompleteResponse(JsonElement message, PendingRequest pending)
    {
        var elapsed = _time.GetElapsedTime(pending.Start);
        if (message.TryGetProperty("error"u8, out var error))
        {
            if (error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("code"u8, out var code) && code.ValueKind == JsonValueKind.Number && code.TryGetInt32(out var codeValue))
            {
                var text = error.TryGetProperty("message"u8, out var m) && m.ValueKind == JsonValueKind.String ? RpcText.Cap(m) : string.Empty;
                var data = error.TryGetProperty("data"u8, out var d) ? RpcText.CapRaw(d) : null;
                pending.Completion.TrySetException(new EntropyRpcException(codeValue, text, data, pending.Method, Endpoint, elapsed));
            }
            else
            {
                pending.Completion.TrySetException(new EntropyRpcProtocolException(
                    EntropyRpcProtocolException.InvalidMessageCode, $"malformed error object {RpcText.CapRaw(error)}", pending.Method, Endpoint, elapsed));
            }

            return;
        }

        if (!message.TryGetProperty("result"u8, out var result))
        {
            pending.Completion.TrySetException(new EntropyRpcProtocolException(
                EntropyRpcProtocolException.InvalidMessageCode, "the response has neither 'result' nor 'error'", pending.Method, Endpoint, elapsed));
            return;
        }

        if (pending.Subscription is { } subscription)
        {
            // Register before completing: the node may push the first notification right behind this response.
            string subscriptionId;
            if (result.ValueKind == JsonValueKind.String)
            {
                subscriptionId = result.GetString()!;
            }
            else if (result.ValueKind == JsonValueKind.Number)
            {
                subscriptionId = result.GetRawText();
            }
            else
            {
                pending.Completion.TrySetException(new EntropyRpcProtocolException(
                    EntropyRpcProtocolException.InvalidMessageCode, $"a subscription id must be a string or a number, got {result.ValueKind}", pending.Method, Endpoint, elapsed));
                return;
            }

            subscription.Id = subscriptionId;
            _subscriptionsById[subscriptionId] = subscription;
        }

        pending.Completion.TrySetResult(result.Clone());
    }

    private void DispatchNotification(string method, JsonElement parameters, JsonElement subscriptionId)
    {
        var key = subscriptionId.ValueKind == JsonValueKind.String ? subscriptionId.GetString()! : subscriptionId.GetRawText();
        if (!_subscriptionsById.TryGetValue(key, out var subscription))
        {
            _logger.LogDebug("Ignoring a '{Method}' notification for unknown subscription {Id}.", method, key);
            return;
        }

        if (parameters.TryGetProperty("error"u8, out var error))
        {
            _subscriptionsById.TryRemove(key, out _);
            // Any shape is accepted here: a code that is not an integer (a string, a fraction, an object) reads as 0.
            var code = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("code"u8, out var c)
                && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var v) ? v : 0;
            var text = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message"u8, out var m) && m.ValueKind == JsonValueKind.String
                ? RpcText.Cap(m)
                : RpcText.CapRaw(error);
            subscription.End(new EntropyRpcException(code, text, null, subscription.SubscribeMethod, Endpoint, TimeSpan.Zero));
            return;
        }

        var payload = parameters.TryGetProperty("result"u8, out var result) ? result : s_nullElement;
        if (!subscription.Deliver(payload.Clone(), System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(payload).Length))
        {
            _logger.LogWarning("Ended the '{Method}' subscription {Id}: too many notifications waited unread.", subscription.SubscribeMethod, key);
            _subscriptionsById.TryRemove(key, out _);
            _ = UnsubscribeQuietlyAsync(subscription);
        }
    }

    private void OnGarbage(string problem)
    {
        // Logged and dropped: the connection, the requests in flight and the subscriptions carry on (a request whose answer this was
        // ends by its timeout). Failing every request in flight would let one bad message from the node break unrelated calls.
        // Metered before counted: whoever sees the count sees the measurement too.
        CountDropped();
        Interlocked.Increment(ref _droppedMessages);
        _logger.LogWarning("The node at {Endpoint} sent an invalid JSON-RPC message, which was dropped: {Problem}", Endpoint, problem);
    }

    private void FailPending(Func<PendingRequest, Exception> error)
    {
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var pending))
            {
                pending.Completion.TrySetException(error(pending));
            }
        }
    }

    private long ElapsedMs(PendingRequest pending) => (long)_time.GetElapsedTime(pending.Start).TotalMilliseconds;
}
