using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Entropy.Simulator.Rpc;

/// <summary>Kestrel on 127.0.0.1 serving JSON-RPC 2.0 over WebSocket (with subscriptions) and HTTP POST on the same port.</summary>
internal sealed class RpcHost : IAsyncDisposable
{
    private readonly RpcDispatcher _dispatcher;
    private readonly int _maxRequestBytes;
    private readonly ILogger _logger;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<HttpContext, byte> _connections = new();
    private readonly SendBudget _budget = new();
    private int _webSockets;
    private WebApplication? _app;

    public RpcHost(RpcDispatcher dispatcher, int maxRequestBytes, ILoggerFactory? loggerFactory)
    {
        _dispatcher = dispatcher;
        _maxRequestBytes = maxRequestBytes;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory?.CreateLogger("Entropy.Simulator.Rpc") ?? NullLogger.Instance;
    }

    public int Port { get; private set; }

    /// <summary>Gets how many bytes wait to be sent on all connections (bounded by <see cref="RpcLimits.MaxQueuedBytesTotal"/>).</summary>
    public long QueuedBytes => _budget.Queued;

    /// <summary>Gets how many connections were dropped because their client did not read its answers.</summary>
    public int SlowConsumersDropped => Volatile.Read(ref _slowConsumersDropped);

    private int _slowConsumersDropped;

    public async Task StartAsync(int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(RpcHost).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port);
            kestrel.Limits.MaxRequestBodySize = _maxRequestBytes + 1L;
        });
        builder.Services.AddRouting();
        if (_loggerFactory is not null)
        {
            builder.Services.AddSingleton(_loggerFactory);
        }
        else
        {
            builder.Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        }

        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.Run(HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(address).Port;
    }

    /// <summary>Aborts every open WebSocket connection at the TCP level (a fault hook: clients see the connection drop).</summary>
    public int AbortConnections()
    {
        var count = 0;
        foreach (var context in _connections.Keys)
        {
            try
            {
                context.Abort();
                count++;
            }
            catch (ObjectDisposedException)
            {
                // The request ended between the snapshot and the abort (Kestrel already disposed its features): nothing to abort.
            }
        }

        return count;
    }

    public async ValueTask DisposeAsync()
    {
        // Abort first: once the shutdown token fires, handlers end and Kestrel disposes their contexts while we would iterate them.
        AbortConnections();
        await _shutdown.CancelAsync().ConfigureAwait(false);
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        _shutdown.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.WebSockets.IsWebSocketRequest)
        {
            await HandleWebSocketAsync(context).ConfigureAwait(false);
        }
        else if (HttpMethods.IsPost(context.Request.Method))
        {
            await HandleHttpAsync(context).ConfigureAwait(false);
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "POST";
        }
    }

    private async Task HandleHttpAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        var (body, oversized) = await ReadBodyAsync(context.Request.Body, cancellationToken).ConfigureAwait(false);
        context.Response.ContentType = "application/json; charset=utf-8";
        if (oversized)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await context.Response.Body.WriteAsync(
                RpcDispatcher.ErrorResponse(default, RpcException.OversizedRequest, "Request is too big", $"Exceeded max limit of {_maxRequestBytes}"),
                cancellationToken).ConfigureAwait(false);
            return;
        }

        using var session = new RpcSession(supportsSubscriptions: false, _dispatcher.Limits, _budget);
        var (response, after) = await _dispatcher.DispatchAsync(body, session, cancellationToken).ConfigureAwait(false);
        if (after is not null)
        {
            foreach (var action in after)
            {
                action();
            }
        }

        if (response is not null)
        {
            await context.Response.Body.WriteAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(ReadOnlyMemory<byte> Body, bool Oversized)> ReadBodyAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > _maxRequestBytes)
                {
                    return (ReadOnlyMemory<byte>.Empty, true);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (ReadOnlyMemory<byte>.Empty, true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return (buffer.ToArray(), false);
    }

    private async Task HandleWebSocketAsync(HttpContext context)
    {
        if (Interlocked.Increment(ref _webSockets) > _dispatcher.Limits.MaxConnections)
        {
            Interlocked.Decrement(ref _webSockets);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync($"Too many connections (the devnet accepts {_dispatcher.Limits.MaxConnections}).", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        try
        {
            await ServeWebSocketAsync(context).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _webSockets);
        }
    }

    private async Task ServeWebSocketAsync(HttpContext context)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        _connections[context] = 0;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _shutdown.Token);
        var cancellationToken = linked.Token;
        using var session = new RpcSession(supportsSubscriptions: true, _dispatcher.Limits, _budget);
        session.OnOverflow = () =>
        {
            // A slow consumer: it asked for more than it reads. Drop it at the TCP level (what it queued is already released).
            Interlocked.Increment(ref _slowConsumersDropped);
            _logger.LogWarning("Dropping a JSON-RPC connection whose client does not read its answers (send queue over its limit)");
            try
            {
                context.Abort();
            }
            catch (ObjectDisposedException)
            {
            }
        };
        var sender = SendLoopAsync(socket, session, cancellationToken);
        try
        {
            await ReceiveLoopAsync(socket, session, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (WebSocketException e)
        {
            _logger.LogDebug(e, "WebSocket connection ended abruptly");
        }
        finally
        {
            _connections.TryRemove(context, out _);
            session.Dispose();
            await linked.CancelAsync().ConfigureAwait(false);
            try
            {
                await sender.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            catch (WebSocketException)
            {
            }
        }
    }

    private async Task ReceiveLoopAsync(WebSocket socket, RpcSession session, CancellationToken cancellationToken)
    {
        var chunk = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (socket.State == WebSocketState.Open)
        {
            message.SetLength(0);
            var oversized = false;
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(chunk, cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken).ConfigureAwait(false);
                    }

                    return;
                }

                // Keep reading an oversized message to its end (discarding it) so the connection stays usable.
                if (!oversized && message.Length + result.Count > _maxRequestBytes)
                {
                    oversized = true;
                    message.SetLength(0);
                }

                if (!oversized)
                {
                    message.Write(chunk, 0, result.Count);
                }
            }
            while (!result.EndOfMessage);

            if (oversized)
            {
                session.Enqueue(RpcDispatcher.ErrorResponse(default, RpcException.OversizedRequest, "Request is too big", $"Exceeded max limit of {_maxRequestBytes}"));
                continue;
            }

            var (response, after) = await _dispatcher.DispatchAsync(message.GetBuffer().AsMemory(0, (int)message.Length), session, cancellationToken)
                .ConfigureAwait(false);
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
    }

    private static async Task SendLoopAsync(WebSocket socket, RpcSession session, CancellationToken cancellationToken)
    {
        await foreach (var message in session.Outgoing.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (socket.State != WebSocketState.Open && socket.State != WebSocketState.CloseReceived)
            {
                return;
            }

            try
            {
                await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                session.Sent(message.Length);
            }
        }
    }
}
