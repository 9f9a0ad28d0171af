using Entropy.Rpc;
using Microsoft.Extensions.Logging;

namespace Entropy;

/// <summary>Settings of an <see cref="EntropyClient"/>; validated and copied by <see cref="EntropyClient.ConnectAsync"/>, so later changes do not affect a connected client.</summary>
/// <remarks>The clock (<see cref="TimeProvider"/>) and the loggers (<see cref="LoggerFactory"/>) are set here once and flow down to the
/// JSON-RPC connection and the key generation.</remarks>
public sealed class EntropyClientOptions
{
    /// <summary>Gets the settings of the JSON-RPC connection to the node (timeouts, retries of reads, reconnects, transport).</summary>
    public RpcClientOptions Rpc { get; } = new();

    /// <summary>Gets or sets how long a registration may take once signed: <see cref="EntropyClient.RegisterAsync(WaitUntil, RegisterRequest, IProgress{RegistrationProgress}?, CancellationToken)"/>
    /// from submission to its return, and each <see cref="EntropyOperation{TValue, TProgress}.WaitForCompletionAsync(CancellationToken)"/>. Every wait ends by then, whatever the node does.</summary>
    /// <value>The default value is 2 minutes (the protocol needs 2–3 blocks of 6 s).</value>
    public TimeSpan RegistrationTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets how often chain state is polled when no new-head notification arrives.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the tip paid to the block author with each transaction, in the chain's smallest unit.</summary>
    /// <value>The default value is 0.</value>
    public UInt128 Tip { get; set; }

    /// <summary>Gets or sets the mortality of submitted transactions, in blocks (rounded up to a power of two by the era encoding); 0 makes them immortal.</summary>
    /// <value>The default value is 64 blocks.</value>
    public ulong MortalityPeriod { get; set; } = 64;

    /// <summary>Gets or sets how long the Private-mode key generation (synedrion's CGGMP'21) may take once the client reached every committee server.</summary>
    /// <value>The default value is 2 minutes: the client first searches two 1024-bit safe primes (seconds to tens of seconds of one core,
    /// by luck of the search), then proves and checks the Paillier and ring-Pedersen proofs of every party. The key generation is part of
    /// the registration, so <see cref="RegistrationTimeout"/> bounds it too: raise both on a slow machine.</value>
    public TimeSpan KeyGenerationTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets how long connecting, the Noise handshake and the subscription may take per committee server in Private mode.</summary>
    /// <value>The default value is 20 seconds (a server waits up to 10 s for its own DKG session to start).</value>
    public TimeSpan KeyGenerationConnectTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Gets or sets the entropy-protocol envelope the client speaks to the committee in Private mode (session id layout, shared randomness).</summary>
    /// <value>The default value, <see langword="null"/>, follows the runtime: <see cref="Protocol.ProtocolEnvelope.V0010"/> on a <c>Relayer</c>
    /// runtime, <see cref="Protocol.ProtocolEnvelope.Registry20240321"/> on a <c>Registry</c> one. Threshold servers that speak another
    /// version refuse the subscription.</value>
    public Protocol.ProtocolEnvelope? ProtocolEnvelope { get; set; }

    /// <summary>Gets or sets the clock used for timeouts and polling delays.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets where the Private-mode key generation takes its two Paillier safe primes. Test-only: the repository's tests
    /// give pre-generated, public primes (testdata/synedrion) to skip the search; null, the only production setting, searches fresh ones.</summary>
    internal Func<int, System.Numerics.BigInteger>? SafePrimeSource { get; set; }

    /// <summary>Gets or sets the logger factory for the client's progress and diagnostics (never secrets).</summary>
    /// <value>The default value is <see langword="null"/> (no logging).</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    internal void Validate()
    {
        if (RegistrationTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(RegistrationTimeout)} must be positive; got {RegistrationTimeout}.", nameof(RegistrationTimeout));
        }

        if (PollingInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(PollingInterval)} must be positive; got {PollingInterval}.", nameof(PollingInterval));
        }

        if (ProtocolEnvelope is { } envelope && !Enum.IsDefined(envelope))
        {
            throw new ArgumentException($"{nameof(ProtocolEnvelope)} {envelope} is not a known envelope version.", nameof(ProtocolEnvelope));
        }

        if (KeyGenerationTimeout <= TimeSpan.Zero || KeyGenerationConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(KeyGenerationTimeout)} and {nameof(KeyGenerationConnectTimeout)} must be positive; got {KeyGenerationTimeout} and {KeyGenerationConnectTimeout}.", nameof(KeyGenerationTimeout));
        }

        if (MortalityPeriod is not 0 and (< 4 or > 65536))
        {
            throw new ArgumentException($"{nameof(MortalityPeriod)} must be 0 (immortal) or between 4 and 65536 blocks; got {MortalityPeriod}.", nameof(MortalityPeriod));
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        if (Rpc.TimeProvider != TimeProvider.System && Rpc.TimeProvider != TimeProvider)
        {
            throw new ArgumentException($"Set the clock once, on {nameof(EntropyClientOptions)}.{nameof(TimeProvider)}; it flows down to the connection. Leave {nameof(Rpc)}.{nameof(RpcClientOptions.TimeProvider)} unset.", nameof(Rpc));
        }

        if (Rpc.Logger is not null)
        {
            throw new ArgumentException($"Set logging once, on {nameof(EntropyClientOptions)}.{nameof(LoggerFactory)}; it flows down to the connection. Leave {nameof(Rpc)}.{nameof(RpcClientOptions.Logger)} unset.", nameof(Rpc));
        }
    }

    /// <summary>Copies the options as validated, with the clock and the logger filled in for the connection: what a client keeps.</summary>
    internal EntropyClientOptions Snapshot()
    {
        var copy = new EntropyClientOptions
        {
            RegistrationTimeout = RegistrationTimeout,
            PollingInterval = PollingInterval,
            Tip = Tip,
            MortalityPeriod = MortalityPeriod,
            KeyGenerationTimeout = KeyGenerationTimeout,
            KeyGenerationConnectTimeout = KeyGenerationConnectTimeout,
            ProtocolEnvelope = ProtocolEnvelope,
            SafePrimeSource = SafePrimeSource,
            TimeProvider = TimeProvider,
            LoggerFactory = LoggerFactory,
        };
        var rpc = copy.Rpc;
        rpc.RequestTimeout = Rpc.RequestTimeout;
        rpc.ConnectTimeout = Rpc.ConnectTimeout;
        rpc.ReadPipeline = Rpc.ReadPipeline;
        rpc.Transport = Rpc.Transport;
        rpc.TimeProvider = TimeProvider;
        rpc.Logger = LoggerFactory?.CreateLogger<RpcClient>();
        rpc.Retry.MaxRetryAttempts = Rpc.Retry.MaxRetryAttempts;
        rpc.Retry.Delay = Rpc.Retry.Delay;
        rpc.Retry.BackoffType = Rpc.Retry.BackoffType;
        rpc.Retry.UseJitter = Rpc.Retry.UseJitter;
        rpc.Reconnect.MaxAttempts = Rpc.Reconnect.MaxAttempts;
        rpc.Reconnect.Delay = Rpc.Reconnect.Delay;
        rpc.Reconnect.MaxDelay = Rpc.Reconnect.MaxDelay;
        return copy;
    }
}
