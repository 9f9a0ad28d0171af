using System.Text.Json;
using System.Text.Json.Serialization;
using Entropy.Protocol;
using Entropy.Simulator.KeyStore;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;


namespace Entropy.Simulator.ThresholdServers;

/// <summary>Share replication inside a subgroup (PROTOCOL.md §5.3, §5.4): sending to the other members and <c>/user/receive_key</c>.</summary>
internal sealed partial class ThresholdServerHost
{
    /// <summary>
    /// Sends the shares of every server in the process: a connection to a member is kept for the next registration instead of a new
    /// one per share (a burst replicates hundreds). Idle connections close after a few seconds, so a stopped devnet leaves none open.
    /// </summary>
    private static readonly HttpClient s_keyReplication = new(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5) })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>PROTOCOL.md §5.4: the share goes, signed and encrypted, to every other member of this server's subgroup.</summary>
    private async Task SendKeyToSubgroupAsync(string key, byte[] value, CancellationToken cancellationToken)
    {
        var chain = _chain!;
        var members = (await chain.GetSigningGroupAsync(Subgroup, null, cancellationToken).ConfigureAwait(false)).Where(m => m != Stash).ToList();
        var servers = members.Count == 0 ? [] : await chain.GetThresholdServersAsync(members, null, cancellationToken).ConfigureAwait(false);
        var http = s_keyReplication;

        // entropy-tss sends to the members one after another; the members are independent, so send to all at once.
        await Task.WhenAll(servers.OfType<ServerRecord>().Select(SendToAsync)).ConfigureAwait(false);

        async Task SendToAsync(ServerRecord server)
        {
            var endpoint = server.Endpoint;
            var plaintext = JsonSerializer.SerializeToUtf8Bytes(new UserRegistrationInfo { Key = key, Value = value, ProactiveRefresh = false });
            SignedMessage signed;
            try
            {
                signed = SignedMessage.Create(_pair, plaintext, server.X25519PublicKey);
            }
            finally
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(plaintext); // It holds the share.
            }

            try
            {
                var body = signed.ToJson();
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                using var response = await http.PostAsync(new Uri($"http://{endpoint}/user/receive_key"), content, cancellationToken).ConfigureAwait(false);
                _logger.LogInformation("{Name}: sent the share of {Key} to {Endpoint}: {Status}", Name, key, endpoint, (int)response.StatusCode);
                Faults.KeySent?.Invoke(endpoint, body, (int)response.StatusCode);
            }
            catch (HttpRequestException e)
            {
                _logger.LogWarning("{Name}: could not send the share of {Key} to {Endpoint}: {Error}", Name, key, endpoint, e.Message);
            }
        }
    }

    /// <summary>PROTOCOL.md §5.3.</summary>
    private async Task HandleReceiveKeyAsync(HttpContext context)
    {
        var chain = _chain!;
        var body = await ReadBodyAsync(context.Request, 1 << 20, context.RequestAborted).ConfigureAwait(false);
        var (signed, info) = ReadReceiveKeyBody(body, _x25519Secret);
        using var wipeShare = new ZeroOnDispose(info.Value);
        var sender = new AccountId(signed.SenderPublicKey);
        var named = AccountId.TryParse(info.Key, out var account) ? account : (AccountId?)null;
        // Everything checked below, read at the best block in two requests (head, then one state_queryStorageAt).
        var state = await chain.GetReceiveKeyStateAsync(sender, Subgroup, named, context.RequestAborted).ConfigureAwait(false);
        if (state.SenderStash is not { } stash || !state.SigningGroup.Contains(stash))
        {
            throw new UserError(500, "Validator not in subgroup");
        }

        try
        {
            EncryptedKeyStore.EnsureNotForbidden(info.Key);
        }
        catch (KeyStoreException)
        {
            throw new UserError(500, "Forbidden key");
        }

        if (named is null || !state.Registering)
        {
            throw new UserError(500, "User is not registering");
        }

        // Replays. entropy-tss v0.0.10 (PROTOCOL.md §5.3 step 5) deletes and rewrites the key whenever the account is registering, so
        // a captured body can be replayed until the registration ends, and one captured in an earlier (pruned) registration of the
        // same account overwrites the new share with a stale one. Here (beyond entropy-tss) a share is accepted only from the member
        // of this subgroup in the committee that runs the account's current registration, as the verified OcwMessageDkg named it
        // and the chain confirms (no newer registration of the account waits in Dkg), and each body only once: the digests of
        // accepted bodies are kept in the key store, so a replay after a restart is refused too.
        var repeated = $"Data is repeated: the share of {info.Key} was already received";
        await CheckCurrentCommitteeAsync(chain, account, sender, state, context.RequestAborted).ConfigureAwait(false);
        var digest = System.Security.Cryptography.SHA256.HashData(signed.Signature);
        var gate = _receiveKeyLocks[(int)((uint)account.GetHashCode() % (uint)_receiveKeyLocks.Length)];
        await gate.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            if (await Ledger.WasReceivedAsync(account, digest, context.RequestAborted).ConfigureAwait(false))
            {
                throw new UserError(500, repeated);
            }

            var existing = await Store.GetAsync(info.Key, context.RequestAborted).ConfigureAwait(false);
            if (existing is not null)
            {
                using var wipeExisting = new ZeroOnDispose(existing);
                if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(existing, info.Value))
                {
                    throw new UserError(500, repeated);
                }
            }

            await Store.ReplaceAsync(info.Key, info.Value, context.RequestAborted).ConfigureAwait(false);
            await Ledger.AddReceivedAsync(account, digest, context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }

        context.Response.StatusCode = 200;
    }

    /// <summary>
    /// Refuses a share unless <paramref name="sender"/> is this subgroup's member of the committee that runs the account's current
    /// registration: the one named by the last verified <c>OcwMessageDkg</c> listing the account (waiting briefly, as the message
    /// for the same block may still be in hand), and no newer registration of the account is recorded in <c>Dkg</c> on chain (as read
    /// in <paramref name="state"/>, or read again when the message had to be waited for).
    /// </summary>
    private async Task CheckCurrentCommitteeAsync(ServerChain chain, AccountId account, AccountId sender, ReceiveKeyState state, CancellationToken cancellationToken)
    {
        var deadline = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var waited = false;
            uint block;
            AccountId member;
            while (!Ledger.TryGetCurrent(account, out block, out member))
            {
                if (TimeProvider.System.GetElapsedTime(deadline) > s_registrationRecordWait)
                {
                    throw new UserError(500, $"No registration of {account} is known to this server: it saw no verified OcwMessageDkg listing the account.");
                }

                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
                waited = true;
            }

            if (waited)
            {
                state = await chain.GetReceiveKeyStateAsync(sender, Subgroup, account, cancellationToken).ConfigureAwait(false);
            }

            var head = state.Head;
            uint? newer = null;
            for (var b = Math.Max(block + 1, head >= ReceiveKeyState.DkgBlocks - 1 ? head - (ReceiveKeyState.DkgBlocks - 1) : 0); b <= head && newer is null; b++)
            {
                newer = state.DkgAccounts[b].Any(a => a.AsSpan().SequenceEqual(account.AsSpan())) ? b : null;
            }

            if (newer is { } again)
            {
                // The chain records a newer registration than the last OcwMessageDkg this server took: that message may still be in
                // hand (a share of the new registration can overtake it), so wait for it briefly before calling the share stale.
                if (TimeProvider.System.GetElapsedTime(deadline) > s_registrationRecordWait)
                {
                    throw new UserError(500, $"Stale share: {account} registered again at block #{again}, after the registration of block #{block} this share may belong to.");
                }

                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
                state = await chain.GetReceiveKeyStateAsync(sender, Subgroup, account, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (sender != member)
            {
                throw new UserError(500, $"Validator {sender} did not run the current registration of {account} (block #{block}): subgroup {Subgroup}'s committee member was {member}.");
            }

            return;
        }
    }

    /// <summary>PROTOCOL.md §5.3 body checks: parses the <c>SignedMessage</c> JSON, verifies its signature, decrypts and parses the plaintext.</summary>
    /// <exception cref="UserError">The body is malformed, badly signed, not for this server, or its plaintext is not a registration record (HTTP 500).</exception>
    internal static (SignedMessage Signed, UserRegistrationInfo Info) ReadReceiveKeyBody(byte[] body, ReadOnlySpan<byte> x25519Secret)
    {
        SignedMessage signed;
        try
        {
            signed = SignedMessage.FromJson(body);
        }
        catch (Exception e) when (e is EntropyProtocolException or JsonException or FormatException)
        {
            throw new UserError(500, $"Json error: {e.Message}");
        }

        if (!signed.Verify())
        {
            throw new UserError(500, "Invalid Signature");
        }

        UserRegistrationInfo info;
        byte[]? plaintext = null;
        try
        {
            plaintext = signed.Decrypt(x25519Secret);
            info = JsonSerializer.Deserialize<UserRegistrationInfo>(plaintext) ?? throw new JsonException("empty");
        }
        catch (Exception e) when (e is EntropyProtocolException or JsonException)
        {
            throw new UserError(500, $"Decryption failed: {e.Message}");
        }
        finally
        {
            if (plaintext is not null)
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(plaintext); // It holds the share.
            }
        }

        return (signed, info);
    }

    /// <summary>The JSON plaintext of <c>/user/receive_key</c> (PROTOCOL.md §5.3, V10).</summary>
    internal sealed class UserRegistrationInfo
    {
        [JsonPropertyName("key")]
        public string Key { get; set; } = string.Empty;

        [JsonPropertyName("value")]
        [JsonConverter(typeof(ByteArrayAsNumbers))]
        public byte[] Value { get; set; } = [];

        [JsonPropertyName("proactive_refresh")]
        public bool ProactiveRefresh { get; set; }
    }

    /// <summary>serde writes <c>Vec&lt;u8&gt;</c> as an array of numbers, not base64.</summary>
    private sealed class ByteArrayAsNumbers : JsonConverter<byte[]>
    {
        public override byte[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var bytes = new List<byte>();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new JsonException("expected an array of bytes");
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                bytes.Add(reader.GetByte());
            }

            return [.. bytes];
        }

        public override void Write(Utf8JsonWriter writer, byte[] value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var b in value)
            {
                writer.WriteNumberValue(b);
            }

            writer.WriteEndArray();
        }
    }
}
