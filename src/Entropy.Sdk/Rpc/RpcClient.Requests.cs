using System.Collections;
using System.Text.Json;

namespace Entropy.Rpc;

/// <content>Sending requests: correlation ids, timeouts and JSON serialisation of the parameters.</content>
internal partial class RpcClient
{
    private async Task<JsonElement> SendRequestAsync(
        string method, IReadOnlyList<object?> parameters, RpcSubscription? subscription, CancellationToken cancellationToken)
    {
        var start = _time.GetTimestamp();
        var activity = StartCallActivity(method); // null while no one listens
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var token = linked.Token;
        long id = 0;
        try
        {
            await WaitConnectedAsync(token).ConfigureAwait(false);
            id = Interlocked.Increment(ref _nextId);
            activity?.SetTag("jsonrpc.request.id", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var pending = new PendingRequest(method, start, subscription);
            _pending[id] = pending;
            using (var message = new PooledBufferWriter(256))
            {
                WriteRequest(message, id, method, parameters);
                await _sendLock.WaitAsync(token).ConfigureAwait(false);
                try
                {
                    // Marked before sending, so an answer that beats this line still clears it.
                    Interlocked.CompareExchange(ref _firstUnansweredSend, _time.GetTimestamp(), 0);
                    await _transport.SendAsync(message.WrittenMemory, token).ConfigureAwait(false);
                }
                catch (EntropyConnectionException ex)
                {
                    throw new EntropyConnectionException(
                        ConnectionFailureType.ConnectionLost,
                        $"'{method}' could not be sent to {Endpoint} after {_time.GetElapsedTime(start).TotalMilliseconds:0} ms: the connection was lost.",
                        ex);
                }
                finally
                {
                    _sendLock.Release();
                }
            }

            var result = await pending.Completion.Task.WaitAsync(token).ConfigureAwait(false);
            EndCall(activity, method, start, null);
            return result;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var timedOut = new EntropyTimeoutException(method, Endpoint, _options.RequestTimeout, _time.GetElapsedTime(start));
            EndCall(activity, method, start, timedOut);
            throw timedOut;
        }
        catch (Exception ex) when (EndCall(activity, method, start, ex))
        {
            throw; // never reached: the filter records the failure and returns false, so the exception goes on untouched
        }
        finally
        {
            if (id != 0)
            {
                _pending.TryRemove(id, out _);
            }
        }
    }

    private async Task WaitConnectedAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var connected = Volatile.Read(ref _connected).Task;
        if (!connected.IsCompletedSuccessfully)
        {
            await connected.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }


    private static void WriteRequest(PooledBufferWriter destination, long id, string method, IReadOnlyList<object?> parameters)
    {
        using var writer = new Utf8JsonWriter(destination, new JsonWriterOptions { SkipValidation = true });
        writer.WriteStartObject();
        writer.WriteString("jsonrpc"u8, "2.0"u8);
        writer.WriteNumber("id"u8, id);
        writer.WriteString("method"u8, method);
        writer.WriteStartArray("params"u8);
        foreach (var parameter in parameters)
        {
            WriteValue(writer, parameter);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case JsonElement e:
                e.WriteTo(writer);
                break;
            case byte[] bytes:
                writer.WriteStringValue(Hex.Encode(bytes));
                break;
            case ReadOnlyMemory<byte> memory:
                writer.WriteStringValue(Hex.Encode(memory.Span));
                break;
            case int or long or uint or ulong or short or ushort or byte or sbyte or decimal:
                writer.WriteNumberValue(Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case double or float when double.IsFinite(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)):
                writer.WriteNumberValue(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case IDictionary dictionary:
                // A map parameter (e.g. dev_newBlock's {count}) is a JSON object, not an array of key/value pairs.
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    writer.WritePropertyName(Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
                    WriteValue(writer, entry.Value);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                // No reflection-based serialisation (the SDK is trimming- and AOT-safe): anything else is the caller's mistake.
                throw new ArgumentException(
                    $"A JSON-RPC parameter of type {value.GetType()} cannot be sent: pass strings, finite numbers, booleans, null, byte arrays, "
                    + "a JsonElement (for any other JSON, e.g. JsonSerializer.SerializeToElement with a source-generated JsonTypeInfo), "
                    + "or lists and string-keyed dictionaries of these.",
                    "parameters");
        }
    }

    /// <summary>
    /// How long the node has sent nothing at all since a request it was asked (answered or not, cancelled or not): <see langword="null"/>
    /// when every request so far was followed by some message, or the connection is not open.
    /// </summary>
    internal TimeSpan? UnansweredFor() =>
        State == RpcConnectionState.Connected && Volatile.Read(ref _firstUnansweredSend) is var sent and not 0
            ? _time.GetElapsedTime(sent)
            : null;

    /// <summary>How long since the node sent anything (a reply or a notification), or since the connection opened.</summary>
    internal TimeSpan SinceLastMessage => _time.GetElapsedTime(Volatile.Read(ref _lastReceived));

    private sealed class PendingRequest(string method, long start, RpcSubscription? subscription)
    {
        public string Method { get; } = method;

        public long Start { get; } = start;

        public RpcSubscription? Subscription { get; } = subscription;

        public TaskCompletionSource<JsonElement> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
