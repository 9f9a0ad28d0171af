using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Entropy.Simulator.Rpc;

/// <summary>Counts the bytes waiting to be sent on all connections of one server (<see cref="RpcLimits.MaxQueuedBytesTotal"/>).</summary>
internal sealed class SendBudget
{
    private long _queued;

    public long Queued => Interlocked.Read(ref _queued);

    public long Add(long bytes) => Interlocked.Add(ref _queued, bytes);
}

/// <summary>One client connection: its outgoing message queue (bounded: a client that does not read is dropped) and its live subscriptions.</summary>
internal sealed class RpcSession : IDisposable
{
    private const string IdAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private readonly Channel<byte[]> _outgoing = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly RpcLimits _limits;
    private readonly SendBudget _budget;
    private long _queuedBytes;
    private int _queuedMessages;
    private int _disposed;
    private int _overflowed;

    public RpcSession(bool supportsSubscriptions)
        : this(supportsSubscriptions, new RpcLimits(), new SendBudget())
    {
    }

    public RpcSession(bool supportsSubscriptions, RpcLimits limits, SendBudget budget)
    {
        SupportsSubscriptions = supportsSubscriptions;
        _limits = limits;
        _budget = budget;
    }

    public bool SupportsSubscriptions { get; }

    public ChannelReader<byte[]> Outgoing => _outgoing.Reader;

    public int SubscriptionCount => _subscriptions.Count;

    /// <summary>Runs once when the connection must be dropped because its client does not read what it asked for (a slow consumer).</summary>
    public Action? OnOverflow { get; set; }

    /// <summary>Gets whether the connection was dropped as a slow consumer.</summary>
    public bool Overflowed => Volatile.Read(ref _overflowed) != 0;

    /// <summary>Queues a message; past the connection's or the server's send budget the connection is dropped instead.</summary>
    public void Enqueue(byte[] message)
    {
        if (Overflowed)
        {
            return;
        }

        var bytes = Interlocked.Add(ref _queuedBytes, message.Length);
        var count = Interlocked.Increment(ref _queuedMessages);
        var total = _budget.Add(message.Length);
        if (bytes > _limits.MaxQueuedBytesPerConnection || count > _limits.MaxQueuedMessagesPerConnection || total > _limits.MaxQueuedBytesTotal)
        {
            Interlocked.Add(ref _queuedBytes, -message.Length);
            Interlocked.Decrement(ref _queuedMessages);
            _budget.Add(-message.Length);
            Overflow();
            return;
        }

        if (!_outgoing.Writer.TryWrite(message))
        {
            Sent(message.Length);
        }
    }

    /// <summary>Called by the send loop once a queued message has been written to the socket.</summary>
    public void Sent(int length)
    {
        Interlocked.Add(ref _queuedBytes, -length);
        Interlocked.Decrement(ref _queuedMessages);
        _budget.Add(-length);
    }

    /// <summary>Creates a subscription whose notifications are held back until <see cref="Subscription.Activate"/> (after the response).</summary>
    public Subscription CreateSubscription(string notificationMethod, string kind)
    {
        if (!SupportsSubscriptions)
        {
            throw new RpcException(RpcException.MethodNotFound, "Method not found", "Subscriptions need a WebSocket connection.");
        }

        if (_subscriptions.Count >= _limits.MaxSubscriptionsPerConnection)
        {
            throw new RpcException(RpcException.TooManySubscriptions, "Too many subscriptions on the connection",
                $"Exceeded max limit of {_limits.MaxSubscriptionsPerConnection}");
        }

        // jsonrpsee's default id provider: 16 random alphanumeric characters.
        Span<char> id = stackalloc char[16];
        for (var i = 0; i < id.Length; i++)
        {
            id[i] = IdAlphabet[RandomNumberGenerator.GetInt32(IdAlphabet.Length)];
        }

        var subscription = new Subscription(this, new string(id), notificationMethod, kind);
        _subscriptions[subscription.Id] = subscription;
        return subscription;
    }

    /// <summary>Ends a subscription of the given kind; returns whether it existed.</summary>
    public bool Unsubscribe(string id, string kind)
    {
        if (_subscriptions.TryGetValue(id, out var subscription) && subscription.Kind == kind && _subscriptions.TryRemove(id, out _))
        {
            subscription.Dispose();
            return true;
        }

        return false;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var subscription in _subscriptions.Values)
        {
            subscription.Dispose();
        }

        _subscriptions.Clear();
        _outgoing.Writer.TryComplete();
        DrainQueue();
    }

    private void Overflow()
    {
        if (Interlocked.Exchange(ref _overflowed, 1) != 0)
        {
            return;
        }

        _outgoing.Writer.TryComplete();
        DrainQueue();
        OnOverflow?.Invoke();
    }

    /// <summary>Returns what is still queued to the budgets (the messages will never be sent).</summary>
    private void DrainQueue()
    {
        while (_outgoing.Reader.TryRead(out var message))
        {
            Sent(message.Length);
        }
    }

    internal void Remove(Subscription subscription) => _subscriptions.TryRemove(subscription.Id, out _);

    /// <summary>A server-to-client notification stream.</summary>
    internal sealed class Subscription : IDisposable
    {
        private readonly Lock _lock = new();
        private readonly RpcSession _session;
        private List<byte[]>? _pending = [];
        private bool _closed;

        public Subscription(RpcSession session, string id, string method, string kind)
        {
            _session = session;
            Id = id;
            Method = method;
            Kind = kind;
        }

        public string Id { get; }

        public string Method { get; }

        public string Kind { get; }

        public bool IsClosed => _closed;

        /// <summary>Runs when the subscription ends (unsubscribe, disconnect, or <see cref="Close"/>).</summary>
        public Action? OnDispose { get; set; }

        public void Notify(JsonNode? result) => Send(Serialize(result));

        /// <summary>Notifies with an already serialized JSON result (shared by every subscriber of a block).</summary>
        public void NotifyRaw(ReadOnlySpan<byte> resultJson)
        {
            // {"jsonrpc":"2.0","method":M,"params":{"subscription":ID,"result":RESULT}}
            var prefix = System.Text.Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"method\":\"{Method}\",\"params\":{{\"subscription\":\"{Id}\",\"result\":");
            var message = new byte[prefix.Length + resultJson.Length + 2];
            prefix.CopyTo(message, 0);
            resultJson.CopyTo(message.AsSpan(prefix.Length));
            message[^2] = (byte)'}';
            message[^1] = (byte)'}';
            Send(message);
        }

        private void Send(byte[] message)
        {
            lock (_lock)
            {
                if (_closed)
                {
                    return;
                }

                if (_pending is not null)
                {
                    _pending.Add(message);
                    return;
                }

                // Inside the lock so notifications keep the order in which the chain raised them.
                _session.Enqueue(message);
            }
        }

        /// <summary>Sends what was notified before the subscription id reached the client, then streams directly.</summary>
        public void Activate()
        {
            lock (_lock)
            {
                if (_pending is null)
                {
                    return;
                }

                foreach (var message in _pending)
                {
                    _session.Enqueue(message);
                }

                _pending = null;
            }
        }

        /// <summary>Ends the subscription from the server side (e.g. a watched extrinsic reached a final state).</summary>
        public void Close()
        {
            _session.Remove(this);
            Dispose();
        }

        public void Dispose()
        {
            Action? onDispose;
            lock (_lock)
            {
                if (_closed)
                {
                    return;
                }

                _closed = true;
                onDispose = OnDispose;
                OnDispose = null;
            }

            onDispose?.Invoke();
        }

        private byte[] Serialize(JsonNode? result)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("jsonrpc", "2.0");
                writer.WriteString("method", Method);
                writer.WriteStartObject("params");
                writer.WriteString("subscription", Id);
                writer.WritePropertyName("result");
                if (result is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    result.WriteTo(writer);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            return buffer.ToArray();
        }
    }
}
