using Entropy.Rpc;
using Microsoft.Extensions.Logging;

namespace Entropy;

/// <summary>Settings of an <see cref="EntropyClient"/>; validated once by <see cref="EntropyClient.ConnectAsync"/>.</summary>
public sealed class EntropyClientOptions
{
    /// <summary>Gets the settings of the JSON-RPC connection to the node (timeouts, retries of reads, reconnects, transport).</summary>
    public RpcClientOptions Rpc { get; } = new();

    /// <summary>Gets or sets how long <see cref="RegisterOperation.WaitForCompletionAsync(CancellationToken)"/> waits for a registration.</summary>
    /// <value>The default value is 2 minutes (the protocol needs 2–3 blocks of 6 s).</value>
    public TimeSpan RegistrationTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets how often chain state is polled when no new-head notification arrives.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the mortality of submitted transactions, in blocks (rounded up to a power of two by the era encoding); 0 makes them immortal.</summary>
    /// <value>The default value is 64 blocks.</value>
    public ulong MortalityPeriod { get; set; } = 64;

    /// <summary>Gets or sets how long the Private-mode key generation may take once the client reached every committee server (the servers wait 20 s).</summary>
    /// <value>The default value is 20 seconds.</value>
    public TimeSpan KeyGenerationTimeout { get; set; } = TimeSpan.FromSeconds(20);

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
    }
}
