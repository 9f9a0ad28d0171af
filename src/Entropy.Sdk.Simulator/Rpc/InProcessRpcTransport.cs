using System.Buffers;
using Entropy.Rpc;

namespace Entropy.Simulator.Rpc;

/// <summary>
/// An <see cref="RpcTransport"/> that hands JSON-RPC messages straight to the node's dispatcher, with no socket: for code that runs
/// inside the node (the off-chain worker), which a restart of the node's JSON-RPC server or a dropped connection does not affect.
/// </summary>
/// <remarks>Each <see cref="ConnectAsync"/> opens a fresh session (its own subscriptions), as a new WebSocket connection would.</remarks>
internal sealed class InProcessRpcTransport(RpcDispatcher dispatcher) : RpcTransport
{
    private RpcSession? _session;

    public override Task ConnectAsync(Uri endpoint, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Exchange(ref _session, new RpcSession(supportsSubscriptions: true))?.Dispose();
        return Task.CompletedTask;
    }

    public override async ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        var session = Volatile.Read(ref _session) ?? throw NotConnected();

        // The caller reuses its buffer once the send returns; the dispatcher may still read it while a method runs.
        var (response, after) = await dispatcher.DispatchAsync(message.ToArray(), session, cancellationToken).ConfigureAwait(false);
        if (response is not null)
        {
            session.Enqueue(response);
        }

        if (after is not null)
        {
            foreach (var action in after)
            {
                action();
            }
        }
    }

    public override async ValueTask<bool> ReceiveAsync(IBufferWriter<byte> destination, CancellationToken cancellationToken = default)
    {
        var session = Volatile.Read(ref _session) ?? throw NotConnected();
        while (await session.Outgoing.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (session.Outgoing.TryRead(out var message))
            {
                destination.Write(message);
                return true;
            }
        }

        return false;
    }

    public override Task CloseAsync(CancellationToken cancellationToken = default)
    {
        Volatile.Read(ref _session)?.Dispose();
        return Task.CompletedTask;
    }

    public override ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _session, null)?.Dispose();
        return ValueTask.CompletedTask;
    }

    private static EntropyConnectionException NotConnected() =>
        new(ConnectionFailureType.ConnectionLost, "The in-process JSON-RPC session is not open.");
}
