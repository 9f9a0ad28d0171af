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

/// <summary>Identifies a protocol session; serialized with bincode as a u32 variant tag, the SS58 account id, then the DKG's block number
/// (<see cref="ProtocolEnvelope.SessionBlockNumber20240403"/> only) or the signing session's 32-byte message hash.</summary>
/// <remarks>
/// Mirrors <c>entropy_protocol::SessionId</c> at entropy-core a9463b08 (PROTOCOL.md §6.3): <c>Dkg(AccountId32)</c>,
/// <c>ProactiveRefresh(AccountId32)</c>, <c>Sign(SigningSessionInfo { account_id, message_hash })</c>; and the DKG variant of
/// 68cc34ae (2024-04-03), <c>Dkg { user: AccountId32, block_number: u32 }</c>, which the wasm client 0.2.0 speaks. The other variants
/// of that later version are not supported (no envelope here uses them).
/// </remarks>
internal sealed class SessionId : IEquatable<SessionId>
{
    private readonly byte[] _accountId;
    private readonly byte[]? _messageHash;

    private SessionId(SessionKind kind, ReadOnlySpan<byte> accountId, ReadOnlySpan<byte> messageHash, uint? blockNumber = null)
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
        BlockNumber = blockNumber;
    }

    /// <summary>Gets the session kind.</summary>
    public SessionKind Kind { get; }

    /// <summary>Gets the 32-byte account id of the user the session is for.</summary>
    public ReadOnlySpan<byte> AccountId => _accountId;

    /// <summary>Gets the 32-byte message hash of a signing session (empty for the other kinds).</summary>
    public ReadOnlySpan<byte> MessageHash => _messageHash;

    /// <summary>Gets the block number of a <c>SessionId::Dkg { user, block_number }</c>; null in the layout without it.</summary>
    public uint? BlockNumber { get; }

    /// <summary>Creates <c>SessionId::Dkg(account)</c> (v0.0.10 to d7a7f3c2).</summary>
    public static SessionId Dkg(ReadOnlySpan<byte> accountId) => new(SessionKind.Dkg, accountId, default);

    /// <summary>Creates <c>SessionId::Dkg { user, block_number }</c> (from 68cc34ae; the wasm client 0.2.0).</summary>
    /// <param name="accountId">The user's 32-byte account.</param>
    /// <param name="blockNumber">The block that included <c>register</c>.</param>
    public static SessionId Dkg(ReadOnlySpan<byte> accountId, uint blockNumber) => new(SessionKind.Dkg, accountId, default, blockNumber);

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
        if (BlockNumber is { } block)
        {
            writer.WriteU32(block);
        }

        if (_messageHash is not null)
        {
            writer.WriteFixed(_messageHash);
        }
    }

    /// <summary>Reads the bincode form of the v0.0.10 layout.</summary>
    /// <exception cref="EntropyProtocolException">The bytes are not a valid session id.</exception>
    public static SessionId Read(ref BincodeReader reader) => Read(ref reader, ProtocolEnvelope.V0010);

    /// <summary>Reads the bincode form in the layout of <paramref name="envelope"/>.</summary>
    /// <exception cref="EntropyProtocolException">The bytes are not a valid session id of that layout.</exception>
    public static SessionId Read(ref BincodeReader reader, ProtocolEnvelope envelope)
    {
        uint tag = reader.ReadU32();
        if (tag > (uint)SessionKind.Sign)
        {
            throw reader.Error($"unknown SessionId variant {tag}");
        }

        var kind = (SessionKind)tag;
        if (envelope.HasBlockNumber() && kind != SessionKind.Dkg)
        {
            throw reader.Error($"SessionId variant {kind} is not supported in the {envelope} envelope (only Dkg)");
        }

        byte[] account = Ss58Text.Decode(reader.ReadString(), "SessionId account");
        return kind switch
        {
            SessionKind.Sign => Sign(account, reader.ReadFixed(32)),
            SessionKind.Dkg when envelope.HasBlockNumber() => Dkg(account, reader.ReadU32()),
            _ => new SessionId(kind, account, default),
        };
    }

    /// <inheritdoc/>
    public bool Equals(SessionId? other) =>
        other is not null && Kind == other.Kind && BlockNumber == other.BlockNumber && AccountId.SequenceEqual(other.AccountId) && MessageHash.SequenceEqual(other.MessageHash);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SessionId);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, BlockNumber, BitConverterHash(_accountId));

    /// <inheritdoc/>
    public override string ToString() => BlockNumber is { } block ? $"{Kind}({Ss58Text.Encode(_accountId)}, #{block})" : $"{Kind}({Ss58Text.Encode(_accountId)})";

    private static int BitConverterHash(byte[] bytes)
    {
        var hash = new HashCode();
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }
}
