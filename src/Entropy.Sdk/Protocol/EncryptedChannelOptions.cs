namespace Entropy.Protocol;

/// <summary>Limits and timeouts of an <see cref="EncryptedWebSocketChannel"/>.</summary>
internal sealed class EncryptedChannelOptions
{
    /// <summary>Gets the defaults.</summary>
    public static EncryptedChannelOptions Default { get; } = new();

    /// <summary>Gets how long the whole handshake plus subscribe exchange may take (the TSS waits 20 s for peers).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Gets how long one <see cref="EncryptedWebSocketChannel.ReceiveAsync"/> may wait; <see cref="Timeout.InfiniteTimeSpan"/> waits for ever.</summary>
    public TimeSpan ReceiveTimeout { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>Gets how long one <see cref="EncryptedWebSocketChannel.SendAsync"/> may take.</summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the largest websocket frame (ciphertext) accepted, in bytes.</summary>
    public int MaxFrameLength { get; init; } = 64 * 1024 * 1024;

    /// <summary>Gets the envelope version a responder parses subscribe messages in (the session id layout).</summary>
    public ProtocolEnvelope Envelope { get; init; } = ProtocolEnvelope.V0010;

    /// <summary>Gets the clock used for timeouts.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
