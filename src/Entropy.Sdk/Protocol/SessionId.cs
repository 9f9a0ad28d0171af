namespace Entropy.Protocol;

/// <summary>The kind of protocol session a websocket subscribes to (the variants of entropy-protocol's <c>SessionId</c>).</summary>
internal enum SessionKind : uint
{
    /// <summary>A distributed key generation for a user account.</summary>
    Dkg = 0,

    /// <summary>A proactive refresh of a user's key shares.</summary>
    ProactiveRefresh = 1,

    /// <summary>A signing session.</summary>
    Sign = 2,
}

/// <summary>Identifies a protocol session; serialized with bincode as a u32 variant tag, the SS58 account id, and for signing the 32-byte message hash.</summary>
/// <remarks>Mirrors <c>entropy_protocol::SessionId</c> at entropy-core a9463b08 (PROTOCOL.md §6.3).</remarks>
internal sealed class SessionId : IEquatable<SessionId>
{
    private readonly byte[] _accountId;
    private readonly byte[]? _messageHash;

    private SessionId(SessionKind kind, ReadOnlySpan<byte> accountId, ReadOnlySpan<byte> messageHash)
    {
        if (accountId.Length != 32)
        {
            throw new ArgumentException($"An account id is 32 bytes, not {accountId.Length}.", nameof(accountId));
        }

        if (kind == SessionKind.Sign && messageHash.Length != 32)
        {
            throw new ArgumentException($"A signing session's message hash is 32 bytes, not {messageHash.Length}.", nameof(messageHash));
        }

        Kind = kind;
        _accountId = accountId.ToArray();
        _messageHash = kind == SessionKind.Sign ? messageHash.ToArray() : null;
    }

    /// <summary>Gets the session kind.</summary>
    public SessionKind Kind { get; }

    /// <summary>Gets the 32-byte account id of the user the session is for.</summary>
    public ReadOnlySpan<byte> AccountId => _accountId;

    /// <summary>Gets the 32-byte message hash of a signing session (empty for the other kinds).</summary>
    public ReadOnlySpan<byte> MessageHash => _messageHash;

    /// <summary>Creates <c>SessionId::Dkg(account)</c>.</summary>
    public static SessionId Dkg(ReadOnlySpan<byte> accountId) => new(SessionKind.Dkg, accountId, default);

    /// <summary>Creates <c>SessionId::ProactiveRefresh(account)</c>.</summary>
    public static SessionId ProactiveRefresh(ReadOnlySpan<byte> accountId) => new(SessionKind.ProactiveRefresh, accountId, default);

    /// <summary>Creates <c>SessionId::Sign(SigningSessionInfo { account_id, message_hash })</c>.</summary>
    public static SessionId Sign(ReadOnlySpan<byte> accountId, ReadOnlySpan<byte> messageHash) => new(SessionKind.Sign, accountId, messageHash);

    /// <summary>Returns <c>bincode::serialize(&amp;session_id)</c>, the bytes a subscriber signs.</summary>
    public byte[] ToBincode()
    {
        var writer = new BincodeWriter();
        Write(writer);
        return writer.ToArray();
    }

    /// <summary>Writes the bincode form.</summary>
    public void Write(BincodeWriter writer)
    {
        writer.WriteU32((uint)Kind);
        writer.WriteString(Ss58Text.Encode(_accountId));
        if (_messageHash is not null)
        {
            writer.WriteFixed(_messageHash);
        }
    }

    /// <summary>Reads the bincode form.</summary>
    /// <exception cref="EntropyProtocolException">The bytes are not a valid session id.</exception>
    public static SessionId Read(ref BincodeReader reader)
    {
        uint tag = reader.ReadU32();
        if (tag > (uint)SessionKind.Sign)
        {
            throw reader.Error($"unknown SessionId variant {tag}");
        }

        byte[] account = Ss58Text.Decode(reader.ReadString(), "SessionId account");
        var kind = (SessionKind)tag;
        return kind == SessionKind.Sign ? Sign(account, reader.ReadFixed(32)) : new SessionId(kind, account, default);
    }

    /// <inheritdoc/>
    public bool Equals(SessionId? other) =>
        other is not null && Kind == other.Kind && AccountId.SequenceEqual(other.AccountId) && MessageHash.SequenceEqual(other.MessageHash);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SessionId);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, BitConverterHash(_accountId));

    /// <inheritdoc/>
    public override string ToString() => $"{Kind}({Ss58Text.Encode(_accountId)})";

    private static int BitConverterHash(byte[] bytes)
    {
        var hash = new HashCode();
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }
}
