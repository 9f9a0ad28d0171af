using Microsoft.Extensions.Logging;
using Polly;

namespace Entropy.Rpc;

/// <summary>Connection settings of the client's JSON-RPC connection to the node (<see cref="EntropyClientOptions.Rpc"/>): timeouts, read retries and reconnection.</summary>
public sealed class RpcClientOptions
{
    /// <summary>Gets or sets how long one request may wait for its response (each retry gets its own).</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long connecting may take overall: opening the connection and, for <c>SubstrateClient.ConnectAsync</c> and <c>EntropyClient.ConnectAsync</c>, the initial reads (genesis, runtime version, metadata); each reconnect attempt gets the same time to open the connection.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the retry settings for idempotent node reads (a submission is never retried).</summary>
    /// <value>The default value is three retries with exponential backoff from 200 ms, with jitter.</value>
    public RpcRetryOptions Retry { get; } = new();

    /// <summary>Gets the reconnection settings used after a connection is lost.</summary>
    /// <value>The default value is ten attempts, the first immediately, then exponential backoff from 500 ms capped at 30 s.</value>
    public RpcReconnectOptions Reconnect { get; } = new();

    /// <summary>Gets or sets a pipeline that replaces the one built from <see cref="Retry"/> for idempotent reads.</summary>
    /// <value>The default value is <see langword="null"/> (build from <see cref="Retry"/>).</value>
    /// <remarks>Submissions never go through it: the SDK never resends an extrinsic.</remarks>
    internal ResiliencePipeline? ReadPipeline { get; set; }

    /// <summary>Gets or sets the clock used for timeouts, retry delays and reconnection backoff.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    internal TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets the logger for connection events and protocol problems (never message contents).</summary>
    /// <value>The default value is <see langword="null"/> (no logging).</value>
    internal ILogger? Logger { get; set; }

    /// <summary>Gets or sets the transport; one client owns and disposes it.</summary>
    /// <value>The default value is <see langword="null"/>, which means a new <see cref="WebSocketRpcTransport"/>.</value>
    internal RpcTransport? Transport { get; set; }

    internal void Validate()
    {
        if (RequestTimeout <= TimeSpan.Zero && RequestTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException("RequestTimeout must be positive or Timeout.InfiniteTimeSpan.", nameof(RequestTimeout));
        }

        if (ConnectTimeout <= TimeSpan.Zero && ConnectTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException("ConnectTimeout must be positive or Timeout.InfiniteTimeSpan.", nameof(ConnectTimeout));
        }

        if (TimeProvider is null)
        {
            throw new ArgumentException("TimeProvider must not be null.", nameof(TimeProvider));
        }

        Retry.Validate();
        Reconnect.Validate();
    }
}

/// <summary>Retry settings for idempotent reads.</summary>
public sealed class RpcRetryOptions
{
    /// <summary>Gets or sets how many times a failed read is retried; 0 disables retries.</summary>
    /// <value>The default value is 3.</value>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>Gets or sets the base delay between retries.</summary>
    /// <value>The default value is 200 milliseconds.</value>
    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets or sets how the delay grows from one retry to the next.</summary>
    /// <value>The default value is <see cref="DelayBackoffType.Exponential"/>.</value>
    public DelayBackoffType BackoffType { get; set; } = DelayBackoffType.Exponential;

    /// <summary>Gets or sets a value indicating whether random jitter is added to the delays.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool UseJitter { get; set; } = true;

    internal void Validate()
    {
        if (MaxRetryAttempts < 0)
        {
            throw new ArgumentException("Retry.MaxRetryAttempts must not be negative.", nameof(MaxRetryAttempts));
        }

        if (Delay < TimeSpan.Zero)
        {
            throw new ArgumentException("Retry.Delay must not be negative.", nameof(Delay));
        }
    }
}

/// <summary>Reconnection settings: how the client re-opens a lost connection.</summary>
public sealed class RpcReconnectOptions
{
    /// <summary>Gets or sets how many times the client tries to re-open a lost connection before it gives up; 0 disables reconnection.</summary>
    /// <value>The default value is 10.</value>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Gets or sets the delay before the second attempt (the first is immediate); later ones back off exponentially.</summary>
    /// <value>The default value is 500 milliseconds.</value>
    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets the longest delay between two attempts.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        if (MaxAttempts < 0)
        {
            throw new ArgumentException("Reconnect.MaxAttempts must not be negative.", nameof(MaxAttempts));
        }

        if (Delay < TimeSpan.Zero || MaxDelay < Delay)
        {
            throw new ArgumentException("Reconnect.Delay must not be negative nor larger than Reconnect.MaxDelay.", nameof(Delay));
        }
    }
}

/// <summary>The states of an <see cref="RpcClient"/>'s connection.</summary>
internal enum RpcConnectionState
{
    /// <summary>The connection is open.</summary>
    Connected = 1,

    /// <summary>The connection was lost and the client is re-opening it; requests wait for it.</summary>
    Reconnecting = 2,

    /// <summary>The client was disposed or gave up reconnecting; requests fail at once.</summary>
    Closed = 3,
}
