using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Entropy.Simulator.Rpc;

/// <summary>One client connection: its outgoing message queue and its live subscriptions.</summary>
internal sealed class RpcSession : IDisposable
{
    private const string IdAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private readonly Channel<byte[]> _outgoing = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);
    private int _disposed;

    public RpcSession(bool supportsSubscriptions)
    {
        SupportsSubscriptions = supportsSubscriptions;
    }

    public bool SupportsSubscriptions { get; }

    public ChannelReader<byte[]> Outgoing => _outgoing.Reader;

    public int SubscriptionCount => _subscriptions.Count;

    public void Enqueue(byte[] message) => _outgoing.Writer.TryWrite(message);

    /// <summary>Creates a subscription whose notifications are held back until <see cref="Subscription.Activate"/> (after the response).</summary>
    public Subscription CreateSubscription(string notificationMethod, string kind)
    {
        if (!SupportsSubscriptions)
        {
            throw new RpcException(RpcException.MethodNotFound, "Method not found", "Subscriptions need a WebSocket connection.");
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

        public void Notify(JsonNode? result)
        {
            var message = Serialize(result);
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
