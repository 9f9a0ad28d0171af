using System.Security.Cryptography;
using System.Text.Json;
using Entropy.Crypto;
using Entropy.Hashing;
using Entropy.Protocol;
using Entropy.Protocol.Noise;

namespace Entropy.Simulator.ThresholdServers;

/// <summary>
/// The v0.0.10 <c>SignedMessage</c> that threshold servers POST to <c>/user/receive_key</c>: ChaCha20-Poly1305 under the raw X25519
/// shared secret, signed with sr25519 over Blake2s256(ciphertext ‖ recipient key).
/// </summary>
/// <remarks>
/// PROTOCOL.md §6.2 (entropy-core a9463b08 <c>crates/protocol/src/sign_and_encrypt/mod.rs</c>). JSON:
/// <c>{"msg":"0x…","sig":"…128 hex…","pk":[32 numbers],"recip":[32 numbers],"a":[32 numbers],"nonce":[12 numbers]}</c>.
/// </remarks>
internal sealed class SignedMessage
{
    private const int NonceLength = 12;

    private readonly byte[] _ciphertext;
    private readonly byte[] _signature;
    private readonly byte[] _senderPublicKey;
    private readonly byte[] _recipient;
    private readonly byte[] _senderX25519;
    private readonly byte[] _nonce;

    private SignedMessage(byte[] ciphertext, byte[] signature, byte[] senderPublicKey, byte[] recipient, byte[] senderX25519, byte[] nonce)
    {
        _ciphertext = ciphertext;
        _signature = signature;
        _senderPublicKey = senderPublicKey;
        _recipient = recipient;
        _senderX25519 = senderX25519;
        _nonce = nonce;
    }

    /// <summary>Gets the ChaCha20-Poly1305 ciphertext (with its 16-byte tag).</summary>
    public ReadOnlySpan<byte> Ciphertext => _ciphertext;

    /// <summary>Gets the 64-byte sr25519 signature.</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    /// <summary>Gets the sender's sr25519 public key (its account id).</summary>
    public ReadOnlySpan<byte> SenderPublicKey => _senderPublicKey;

    /// <summary>Gets the recipient's X25519 public key.</summary>
    public ReadOnlySpan<byte> RecipientX25519PublicKey => _recipient;

    /// <summary>Gets the sender's X25519 public key.</summary>
    public ReadOnlySpan<byte> SenderX25519PublicKey => _senderX25519;

    /// <summary>Gets the 12-byte nonce.</summary>
    public ReadOnlySpan<byte> Nonce => _nonce;

    /// <summary>Encrypts <paramref name="plaintext"/> to <paramref name="recipientX25519PublicKey"/> and signs it with <paramref name="sender"/>.</summary>
    /// <param name="sender">The sender's sr25519 pair; its X25519 key is derived from it (§6.1).</param>
    /// <param name="plaintext">The message (for receive_key: JSON of <c>UserRegistrationInfo</c>).</param>
    /// <param name="recipientX25519PublicKey">The recipient server's X25519 public key from the chain.</param>
    /// <exception cref="EntropyProtocolException">The recipient key is not a usable Curve25519 point.</exception>
    public static SignedMessage Create(Sr25519KeyPair sender, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> recipientX25519PublicKey) =>
        Create(sender, plaintext, recipientX25519PublicKey, RandomNumberGenerator.GetBytes(NonceLength));

    /// <summary>Creates a message with a fixed nonce (test seam).</summary>
    internal static SignedMessage Create(Sr25519KeyPair sender, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> recipientX25519PublicKey, ReadOnlySpan<byte> nonce)
    {
        ArgumentNullException.ThrowIfNull(sender);
        if (recipientX25519PublicKey.Length != 32)
        {
            throw new ArgumentException($"An X25519 public key is 32 bytes, not {recipientX25519PublicKey.Length}.", nameof(recipientX25519PublicKey));
        }

        if (nonce.Length != NonceLength)
        {
            throw new ArgumentException($"The nonce is {NonceLength} bytes, not {nonce.Length}.", nameof(nonce));
        }

        byte[] senderSecret = ThresholdServerKeys.DeriveX25519StaticSecret(sender);
        Span<byte> key = stackalloc byte[32];
        try
        {
            NoiseCrypto.Dh(senderSecret, recipientX25519PublicKey, key, EntropyProtocolErrorKind.WrongRecipient);
            var ciphertext = new byte[plaintext.Length + 16];
            using (var aead = new ChaCha20Poly1305(key))
            {
                aead.Encrypt(nonce, plaintext, ciphertext.AsSpan(0, plaintext.Length), ciphertext.AsSpan(plaintext.Length), default);
            }

            byte[] signature = sender.Sign(SignedDigest(ciphertext, recipientX25519PublicKey)).ToArray();
            return new SignedMessage(ciphertext, signature, sender.PublicKey.ToArray(), recipientX25519PublicKey.ToArray(), NoiseCrypto.PublicKeyOf(senderSecret), nonce.ToArray());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(senderSecret);
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Checks the sr25519 signature over Blake2s256(ciphertext ‖ recipient) against <see cref="SenderPublicKey"/>.</summary>
    public bool Verify() => Sr25519.VerifyCore(_senderPublicKey, SignedDigest(_ciphertext, _recipient), _signature);

    /// <summary>Verifies the signature, checks the message is addressed to this key, and decrypts it.</summary>
    /// <param name="recipientX25519Secret">The recipient's 32-byte X25519 static secret.</param>
    /// <exception cref="EntropyProtocolException">
    /// <see cref="EntropyProtocolErrorKind.InvalidSignature"/>, <see cref="EntropyProtocolErrorKind.WrongRecipient"/> or
    /// <see cref="EntropyProtocolErrorKind.DecryptionFailed"/>.
    /// </exception>
    public byte[] Decrypt(ReadOnlySpan<byte> recipientX25519Secret)
    {
        if (!Verify())
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.InvalidSignature, $"The signed message from {Ss58Text.Encode(_senderPublicKey)} has an invalid sr25519 signature.");
        }

        if (!CryptographicOperations.FixedTimeEquals(NoiseCrypto.PublicKeyOf(recipientX25519Secret), _recipient))
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.WrongRecipient, $"The signed message from {Ss58Text.Encode(_senderPublicKey)} is addressed to x25519 key {Convert.ToHexStringLower(_recipient)}, not to this server.");
        }

        Span<byte> key = stackalloc byte[32];
        try
        {
            NoiseCrypto.Dh(recipientX25519Secret, _senderX25519, key, EntropyProtocolErrorKind.DecryptionFailed);
            if (_ciphertext.Length < 16)
            {
                throw new EntropyProtocolException(EntropyProtocolErrorKind.DecryptionFailed, $"The ciphertext is {_ciphertext.Length} bytes, shorter than its 16-byte tag.");
            }

            var plaintext = new byte[_ciphertext.Length - 16];
            using var aead = new ChaCha20Poly1305(key);
            aead.Decrypt(_nonce, _ciphertext.AsSpan(0, plaintext.Length), _ciphertext.AsSpan(plaintext.Length), plaintext, default);
            return plaintext;
        }
        catch (CryptographicException ex)
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.DecryptionFailed, $"The signed message from {Ss58Text.Encode(_senderPublicKey)} failed ChaCha20-Poly1305 authentication.", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Serializes to the JSON serde gives the Rust struct (field order as declared).</summary>
    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("msg", "0x" + Convert.ToHexStringLower(_ciphertext));
            writer.WriteString("sig", Convert.ToHexStringLower(_signature));
            WriteArray(writer, "pk", _senderPublicKey);
            WriteArray(writer, "recip", _recipient);
            WriteArray(writer, "a", _senderX25519);
            WriteArray(writer, "nonce", _nonce);
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>Parses the JSON form.</summary>
    /// <exception cref="EntropyProtocolException">The JSON is malformed or a field is missing or has the wrong shape (<see cref="EntropyProtocolErrorKind.MalformedMessage"/>).</exception>
    public static SignedMessage FromJson(ReadOnlySpan<byte> json)
    {
        // JsonDocument validates a string's UTF-8 only when it is read, and then throws InvalidOperationException.
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            throw Malformed("the body is not valid UTF-8");
        }

        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Malformed("the JSON value is not an object");
            }

            byte[] ciphertext = ReadHex(root, "msg", requirePrefix: true, expectedLength: null);
            byte[] signature = ReadHex(root, "sig", requirePrefix: false, expectedLength: 64);
            return new SignedMessage(ciphertext, signature, ReadArray(root, "pk", 32), ReadArray(root, "recip", 32), ReadArray(root, "a", 32), ReadArray(root, "nonce", NonceLength));
        }
        catch (JsonException ex)
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.MalformedMessage, $"SignedMessage: invalid JSON: {ex.Message}", ex);
        }
    }

    private static byte[] SignedDigest(ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> recipient)
    {
        // Blake2s256(ciphertext ‖ recipient), over one buffer: the message is public, nothing to wipe.
        var data = new byte[ciphertext.Length + recipient.Length];
        ciphertext.CopyTo(data);
        recipient.CopyTo(data.AsSpan(ciphertext.Length));
        return Blake2s.Hash256(data);
    }

    private static void WriteArray(Utf8JsonWriter writer, string name, byte[] bytes)
    {
        writer.WriteStartArray(name);
        foreach (byte b in bytes)
        {
            writer.WriteNumberValue(b);
        }

        writer.WriteEndArray();
    }

    private static JsonElement Property(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) ? value : throw Malformed($"the field \"{name}\" is missing");

    private static byte[] ReadHex(JsonElement root, string name, bool requirePrefix, int? expectedLength)
    {
        JsonElement value = Property(root, name);
        string text = value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Malformed($"\"{name}\" is not a string");
        bool prefixed = text.StartsWith("0x", StringComparison.Ordinal);
        if (requirePrefix && !prefixed)
        {
            throw Malformed($"\"{name}\" must start with 0x");
        }

        ReadOnlySpan<char> hex = prefixed ? text.AsSpan(2) : text;
        byte[] bytes;
        try
        {
            bytes = Convert.FromHexString(hex);
        }
        catch (FormatException ex)
        {
            throw new EntropyProtocolException(EntropyProtocolErrorKind.MalformedMessage, $"SignedMessage: \"{name}\" is not hex.", ex);
        }

        if (expectedLength is int length && bytes.Length != length)
        {
            throw Malformed($"\"{name}\" is {bytes.Length} bytes, expected {length}");
        }

        return bytes;
    }

    private static byte[] ReadArray(JsonElement root, string name, int length)
    {
        JsonElement value = Property(root, name);
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != length)
        {
            throw Malformed($"\"{name}\" must be an array of {length} numbers");
        }

        var bytes = new byte[length];
        int i = 0;
        foreach (JsonElement item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetByte(out bytes[i]))
            {
                throw Malformed($"\"{name}\"[{i}] is not a number from 0 to 255");
            }

            i++;
        }

        return bytes;
    }

    private static EntropyProtocolException Malformed(string message) => new(EntropyProtocolErrorKind.MalformedMessage, $"SignedMessage: {message}.");
}
