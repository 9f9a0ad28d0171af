using System.Buffers;
using Entropy.Crypto;
using Entropy.Metadata;
using Entropy.Scale;

namespace Entropy.Extrinsics;

/// <summary>Builds, signs and decodes format-v4 extrinsics for one runtime, from the signed extensions its metadata declares.</summary>
/// <remarks>
/// <para>
/// The signing payload is <c>call ‖ extra ‖ additional</c>, where the extra and the additional signed data are built from the
/// metadata's signed-extension list in order; a payload longer than 256 bytes is signed through its blake2b-256 hash. The
/// extrinsic is <c>Compact(len) ‖ 0x84 ‖ 0x00 ‖ AccountId ‖ 0x01 ‖ signature ‖ extra ‖ call</c>. See
/// <see href="https://github.com/paritytech/polkadot-sdk/blob/master/docs/sdk/src/reference_docs/extrinsic_encoding.rs">extrinsic_encoding.rs</see>.
/// </para>
/// <para>An instance is immutable and thread-safe; create one per runtime version and reuse it.</para>
/// </remarks>
internal sealed class ExtrinsicBuilder
{
    /// <summary>Payloads longer than this are hashed with blake2b-256 before signing.</summary>
    internal const int MaxUnhashedPayloadLength = 256;

    private const byte SignedV4 = 0x84;
    private const byte UnsignedV4 = 0x04;
    private const byte AddressId = 0x00;

    private readonly SignedExtensionPlan _plan;
    private readonly byte[] _genesisHash;

    /// <summary>Creates a builder for a runtime from its metadata and version, on a chain identified by its genesis hash.</summary>
    /// <param name="metadata">The runtime metadata; its signed-extension list decides the extra and additional signed data.</param>
    /// <param name="specVersion">The runtime's <c>specVersion</c> (from <c>state_getRuntimeVersion</c>).</param>
    /// <param name="transactionVersion">The runtime's <c>transactionVersion</c>.</param>
    /// <param name="genesisHash">The chain's 32-byte genesis hash (<c>chain_getBlockHash(0)</c>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="metadata"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="genesisHash"/> is not 32 bytes.</exception>
    /// <exception cref="MetadataException">The metadata's extrinsic format is not version 4.</exception>
    /// <exception cref="UnsupportedSignedExtensionException">
    /// The runtime declares a signed extension the SDK does not know whose extra or additional-signed type is not empty.
    /// </exception>
    public ExtrinsicBuilder(RuntimeMetadata metadata, uint specVersion, uint transactionVersion, ReadOnlySpan<byte> genesisHash)
        : this(SignedExtensionPlan.Create(metadata), specVersion, transactionVersion, genesisHash)
    {
    }

    internal ExtrinsicBuilder(SignedExtensionPlan plan, uint specVersion, uint transactionVersion, ReadOnlySpan<byte> genesisHash)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (genesisHash.Length != 32)
        {
            throw new ArgumentException($"A genesis hash has 32 bytes, not {genesisHash.Length}.", nameof(genesisHash));
        }

        _plan = plan;
        _genesisHash = genesisHash.ToArray();
        SpecVersion = specVersion;
        TransactionVersion = transactionVersion;
    }

    /// <summary>Gets the runtime spec version the payload commits to (<c>CheckSpecVersion</c>).</summary>
    public uint SpecVersion { get; }

    /// <summary>Gets the runtime transaction version the payload commits to (<c>CheckTxVersion</c>).</summary>
    public uint TransactionVersion { get; }

    /// <summary>Gets the chain's genesis hash (<c>CheckGenesis</c>).</summary>
    public ReadOnlyMemory<byte> GenesisHash => _genesisHash;

    /// <summary>Gets the runtime's signed-extension identifiers, in the order they are encoded.</summary>
    public IReadOnlyList<string> SignedExtensions => _plan.Identifiers;

    internal SignedExtensionPlan Plan => _plan;

    /// <summary>Creates the bytes a signer signs for a call: <c>call ‖ extra ‖ additional</c> (not yet hashed).</summary>
    /// <param name="call">The encoded call (pallet index, call index, arguments).</param>
    /// <param name="parameters">Nonce, tip and era.</param>
    /// <returns>The signing payload.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The call is empty, a mortal era has no 32-byte birth block hash, or the nonce does not fit the runtime's <c>CheckNonce</c> type (<c>u32</c> in Entropy's runtimes).</exception>
    public byte[] CreateSigningPayload(ReadOnlySpan<byte> call, TransactionParameters parameters)
    {
        ValidateCall(call);
        ArgumentNullException.ThrowIfNull(parameters);
        var buffer = new ArrayBufferWriter<byte>(call.Length + 128);
        var writer = new ScaleWriter(buffer);
        writer.WriteBytes(call);
        _plan.WriteExtra(writer, parameters);
        _plan.WriteAdditional(writer, SpecVersion, TransactionVersion, _genesisHash, parameters.Era, parameters.BirthBlockHash.Span);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Rebuilds the signing payload of a decoded extrinsic, as a node does to check its signature.</summary>
    /// <param name="extrinsic">A signed extrinsic decoded by this builder.</param>
    /// <param name="birthBlockHash">
    /// The hash of block <c>extrinsic.Era.Birth(current)</c>; ignored (the genesis hash is used) when the era is immortal.
    /// </param>
    /// <returns>The signing payload (not yet hashed).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="extrinsic"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The extrinsic is unsigned, or a mortal era has no 32-byte birth block hash.</exception>
    /// <exception cref="NotSupportedException">The extrinsic enables <c>CheckMetadataHash</c>, whose hash the SDK does not compute.</exception>
    public byte[] CreateSigningPayload(DecodedExtrinsic extrinsic, ReadOnlySpan<byte> birthBlockHash)
    {
        ArgumentNullException.ThrowIfNull(extrinsic);
        if (!extrinsic.IsSigned)
        {
            throw new ArgumentException("An unsigned extrinsic has no signing payload.", nameof(extrinsic));
        }

        if (extrinsic.MetadataHashMode == 1)
        {
            throw new NotSupportedException("The extrinsic enables CheckMetadataHash; the SDK does not compute the metadata hash.");
        }

        var buffer = new ArrayBufferWriter<byte>(extrinsic.Call.Length + extrinsic.Extra.Length + 128);
        var writer = new ScaleWriter(buffer);
        writer.WriteBytes(extrinsic.Call.Span);
        writer.WriteBytes(extrinsic.Extra.Span);
        _plan.WriteAdditional(writer, SpecVersion, TransactionVersion, _genesisHash, extrinsic.Era, birthBlockHash);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Returns what is actually signed for a payload: the payload itself, or its blake2b-256 hash when it is longer than 256 bytes.</summary>
    /// <param name="payload">The signing payload.</param>
    /// <returns>The message to sign or verify.</returns>
    internal static byte[] MessageToSign(byte[] payload) =>
        payload.Length > MaxUnhashedPayloadLength ? Blake2b256(payload) : payload;

    /// <summary>Signs a call with a local sr25519 key pair and assembles the signed extrinsic.</summary>
    /// <param name="call">The encoded call (pallet index, call index, arguments).</param>
    /// <param name="keyPair">The signer's key pair; its public key is the account id.</param>
    /// <param name="parameters">Nonce, tip and era.</param>
    /// <returns>The signed extrinsic and its hash.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="keyPair"/> or <paramref name="parameters"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The call is empty, a mortal era has no 32-byte birth block hash, or the nonce does not fit the runtime's <c>CheckNonce</c> type (<c>u32</c> in Entropy's runtimes).</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="keyPair"/> was disposed.</exception>
    public SignedExtrinsic Sign(ReadOnlySpan<byte> call, Sr25519KeyPair keyPair, TransactionParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(keyPair);
        byte[] payload = CreateSigningPayload(call, parameters);
        Sr25519Signature signature = keyPair.Sign(MessageToSign(payload));
        Span<byte> signatureBytes = stackalloc byte[Sr25519Signature.Length];
        signature.CopyTo(signatureBytes);
        Span<byte> accountId = stackalloc byte[Sr25519PublicKey.Length];
        keyPair.PublicKey.CopyTo(accountId);
        return Assemble(call, accountId, signatureBytes, parameters);
    }

    /// <summary>Signs a call with an asynchronous sr25519 signer (a wallet, an HSM or a local key) and assembles the signed extrinsic.</summary>
    /// <param name="call">The encoded call (pallet index, call index, arguments).</param>
    /// <param name="signer">The signer; its public key is the account id.</param>
    /// <param name="parameters">Nonce, tip and era.</param>
    /// <param name="cancellationToken">Cancels the signature request.</param>
    /// <returns>The signed extrinsic and its hash.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="signer"/> or <paramref name="parameters"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The call is empty, a mortal era has no 32-byte birth block hash, or the nonce does not fit the runtime's <c>CheckNonce</c> type (<c>u32</c> in Entropy's runtimes).</exception>
    public async Task<SignedExtrinsic> SignAsync(ReadOnlyMemory<byte> call, Sr25519Signer signer, TransactionParameters parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(parameters);
        byte[] payload = CreateSigningPayload(call.Span, parameters);
        Sr25519Signature signature = await signer.SignAsync(MessageToSign(payload), cancellationToken).ConfigureAwait(false);
        return Assemble(call.Span, signer.AccountId.AsSpan(), signature.ToArray(), parameters);
    }

    /// <summary>Signs with fixed witness randomness, so that signatures are reproducible against published vectors.</summary>
    internal SignedExtrinsic Sign(ReadOnlySpan<byte> call, Sr25519KeyPair keyPair, ReadOnlySpan<byte> witnessRandom32, TransactionParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(keyPair);
        byte[] witness = witnessRandom32.ToArray();
        return Sign(call, keyPair.PublicKey.ToArray(), message => keyPair.Sign(message, witness).ToArray(), parameters);
    }

    /// <summary>Checks the sr25519 signature of a decoded extrinsic over the payload this runtime rebuilds, as the transaction pool does.</summary>
    /// <param name="extrinsic">A signed extrinsic decoded by this builder.</param>
    /// <param name="birthBlockHash">The hash of block <c>extrinsic.Era.Birth(current)</c>; ignored when the era is immortal.</param>
    /// <returns><see langword="true"/> when the signature is an sr25519 signature by the signer over the payload (hashed when over 256 bytes).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="extrinsic"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The extrinsic is unsigned, or a mortal era has no 32-byte birth block hash.</exception>
    /// <exception cref="NotSupportedException">The extrinsic enables <c>CheckMetadataHash</c>.</exception>
    public bool VerifySignature(DecodedExtrinsic extrinsic, ReadOnlySpan<byte> birthBlockHash)
    {
        byte[] payload = CreateSigningPayload(extrinsic, birthBlockHash);
        if (extrinsic.SignatureScheme != SignatureScheme.Sr25519)
        {
            return false;
        }

        return Sr25519.VerifyCore(extrinsic.Signer!.Value.AsSpan(), MessageToSign(payload), extrinsic.Signature!.Value.Span);
    }

    /// <summary>Signs a call with a key and assembles the extrinsic, with the signature supplied by a synchronous function.</summary>
    /// <param name="call">The encoded call.</param>
    /// <param name="signerAccountId">The signer's 32-byte account id (its sr25519 public key).</param>
    /// <param name="sign">Signs the message (payload or its hash) and returns the 64-byte sr25519 signature.</param>
    /// <param name="parameters">Nonce, tip and era.</param>
    internal SignedExtrinsic Sign(ReadOnlySpan<byte> call, ReadOnlySpan<byte> signerAccountId, Func<byte[], byte[]> sign, TransactionParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(sign);
        byte[] payload = CreateSigningPayload(call, parameters);
        byte[] signature = sign(MessageToSign(payload));
        return Assemble(call, signerAccountId, signature, parameters);
    }

    /// <summary>Assembles a signed extrinsic from its parts.</summary>
    /// <param name="call">The encoded call.</param>
    /// <param name="signerAccountId">The signer's 32-byte account id.</param>
    /// <param name="sr25519Signature">The 64-byte sr25519 signature over the payload (or its hash).</param>
    /// <param name="parameters">The parameters the payload was built with.</param>
    internal SignedExtrinsic Assemble(ReadOnlySpan<byte> call, ReadOnlySpan<byte> signerAccountId, ReadOnlySpan<byte> sr25519Signature, TransactionParameters parameters)
    {
        ValidateCall(call);
        ArgumentNullException.ThrowIfNull(parameters);
        if (signerAccountId.Length != 32)
        {
            throw new ArgumentException($"An account id has 32 bytes, not {signerAccountId.Length}.", nameof(signerAccountId));
        }

        if (sr25519Signature.Length != 64)
        {
            throw new ArgumentException($"An sr25519 signature has 64 bytes, not {sr25519Signature.Length}.", nameof(sr25519Signature));
        }

        var extraBuffer = new ArrayBufferWriter<byte>(16);
        _plan.WriteExtra(new ScaleWriter(extraBuffer), parameters);
        ReadOnlySpan<byte> extra = extraBuffer.WrittenSpan;

        int bodyLength = 1 + 1 + 32 + 1 + 64 + extra.Length + call.Length;
        int prefixLength = ScaleCodec.CompactLength((ulong)bodyLength);
        byte[] encoded = new byte[prefixLength + bodyLength];
        var buffer = new FixedBufferWriter(encoded);
        var writer = new ScaleWriter(buffer);
        writer.WriteCompact((ulong)bodyLength);
        writer.WriteU8(SignedV4);
        writer.WriteU8(AddressId);
        writer.WriteBytes(signerAccountId);
        writer.WriteU8((byte)SignatureScheme.Sr25519);
        writer.WriteBytes(sr25519Signature);
        writer.WriteBytes(extra);
        writer.WriteBytes(call);
        return new SignedExtrinsic(encoded, parameters);
    }

    /// <summary>Decodes a format-v4 extrinsic (signed or unsigned, with its compact length prefix) per this runtime's extensions.</summary>
    /// <param name="extrinsic">The extrinsic as submitted or as found in a block body.</param>
    /// <returns>The decoded extrinsic.</returns>
    /// <exception cref="ScaleFormatException">
    /// The bytes are truncated, have trailing data, are not format version 4, use an address or signature variant the SDK does
    /// not decode, or their extra does not match the runtime's signed extensions.
    /// </exception>
    public DecodedExtrinsic Decode(ReadOnlySpan<byte> extrinsic) => DecodeCore(extrinsic, _plan, lenientAddress: false);

    /// <summary>
    /// Decodes a format-v4 extrinsic per <paramref name="plan"/>. With <paramref name="lenientAddress"/>, a signed extrinsic whose
    /// <c>MultiAddress</c> is not <c>Id</c> (Index, Raw, Address32, Address20) decodes with a <see langword="null"/>
    /// <see cref="DecodedExtrinsic.Signer"/> instead of failing: a node's pool decodes it and answers it at validation
    /// (<c>1011 UnknownTransaction::CannotLookup</c>); the simulator relies on that.
    /// </summary>
    internal static DecodedExtrinsic DecodeCore(ReadOnlySpan<byte> extrinsic, SignedExtensionPlan plan, bool lenientAddress)
    {
        byte[] encoded = extrinsic.ToArray();
        var reader = new ScaleReader(encoded);
        int length = reader.ReadLength();
        if (length != reader.Remaining)
        {
            throw new ScaleFormatException($"The extrinsic's length prefix says {length} bytes but {reader.Remaining} follow", 0);
        }

        int versionOffset = reader.BytesConsumed;
        byte version = reader.ReadU8();
        if (version == UnsignedV4)
        {
            int unsignedCall = reader.BytesConsumed;
            EnsureCall(reader.Remaining, unsignedCall);
            return new DecodedExtrinsic(encoded, false, null, SignatureScheme.Sr25519, null, Era.Immortal, 0, UInt128.Zero, null, unsignedCall, 0, unsignedCall);
        }

        if (version != SignedV4)
        {
            throw new ScaleFormatException($"Extrinsic version byte 0x{version:x2} is not 0x84 (signed v4) or 0x04 (unsigned v4)", versionOffset);
        }

        int addressOffset = reader.BytesConsumed;
        byte addressKind = reader.ReadU8();
        byte[]? signer = null;
        if (addressKind == AddressId)
        {
            signer = reader.ReadBytes(32).ToArray();
        }
        else if (!lenientAddress || !SkipUnresolvedAddress(ref reader, addressKind))
        {
            throw new ScaleFormatException($"MultiAddress variant {addressKind} is not supported; only Id (0) is", addressOffset);
        }

        int signatureOffset = reader.BytesConsumed;
        byte schemeByte = reader.ReadU8();
        int signatureLength = schemeByte switch
        {
            (byte)SignatureScheme.Ed25519 or (byte)SignatureScheme.Sr25519 => 64,
            (byte)SignatureScheme.Ecdsa => 65,
            _ => throw new ScaleFormatException($"MultiSignature variant {schemeByte} is unknown", signatureOffset),
        };
        byte[] signature = reader.ReadBytes(signatureLength).ToArray();

        int extraOffset = reader.BytesConsumed;
        DecodedExtra extra = plan.ReadExtra(ref reader);
        int callOffset = reader.BytesConsumed;
        EnsureCall(reader.Remaining, callOffset);
        return new DecodedExtrinsic(
            encoded, true, signer, (SignatureScheme)schemeByte, signature, extra.Era, extra.Nonce, extra.Tip, extra.MetadataHashMode,
            extraOffset, callOffset - extraOffset, callOffset);
    }

    /// <summary>Computes the transaction hash of an encoded extrinsic (blake2b-256 over all of it, length prefix included).</summary>
    internal static byte[] HashOf(ReadOnlySpan<byte> encoded) => Blake2b256(encoded);

    /// <summary>Skips a <c>MultiAddress</c> other than <c>Id</c>; <see langword="false"/> for an unknown variant.</summary>
    private static bool SkipUnresolvedAddress(ref ScaleReader reader, byte addressKind)
    {
        switch (addressKind)
        {
            case 1: // Index(Compact<AccountIndex>)
                reader.ReadCompactU32();
                return true;
            case 2: // Raw(Vec<u8>)
                reader.ReadByteVec();
                return true;
            case 3: // Address32([u8; 32])
                reader.ReadBytes(32);
                return true;
            case 4: // Address20([u8; 20])
                reader.ReadBytes(20);
                return true;
            default:
                return false;
        }
    }

    private static void EnsureCall(int remaining, int offset)
    {
        if (remaining < 2)
        {
            throw new ScaleFormatException("The extrinsic has no call (a call needs at least a pallet and a call index)", offset);
        }
    }

    private static void ValidateCall(ReadOnlySpan<byte> call)
    {
        if (call.Length < 2)
        {
            throw new ArgumentException("A call has at least a pallet index and a call index.", nameof(call));
        }
    }

    private static byte[] Blake2b256(ReadOnlySpan<byte> data) => Hashing.Blake2b.Hash256(data);

    /// <summary>An <see cref="IBufferWriter{T}"/> over a pre-sized array, so assembling an extrinsic copies nothing twice.</summary>
    private sealed class FixedBufferWriter(byte[] target) : IBufferWriter<byte>
    {
        private int _written;

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => target.AsMemory(_written);

        public Span<byte> GetSpan(int sizeHint = 0) => target.AsSpan(_written);
    }
}
