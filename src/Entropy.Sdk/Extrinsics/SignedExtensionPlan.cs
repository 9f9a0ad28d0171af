using System.Buffers;
using Entropy.Metadata;
using Entropy.Scale;

namespace Entropy.Extrinsics;

/// <summary>One signed extension as the runtime metadata declares it.</summary>
/// <param name="Identifier">The extension's identifier, for example <c>CheckMortality</c>.</param>
/// <param name="ExtraTypeId">The type id of what the extension adds to the extrinsic (the "extra").</param>
/// <param name="AdditionalTypeId">The type id of what the extension adds only to the signed payload (the "additional signed").</param>
/// <param name="ExtraIsEmpty">Whether the extra type encodes to zero bytes.</param>
/// <param name="AdditionalIsEmpty">Whether the additional-signed type encodes to zero bytes.</param>
internal readonly record struct SignedExtensionDescriptor(
    string Identifier, int ExtraTypeId, int AdditionalTypeId, bool ExtraIsEmpty, bool AdditionalIsEmpty);

/// <summary>How the SDK fills in one signed extension.</summary>
internal enum SignedExtensionKind
{
    /// <summary>Nothing in the extra nor in the additional signed (CheckWeight, CheckNonZeroSender, zero-sized custom ones).</summary>
    Empty,

    /// <summary>Additional signed <c>u32</c> spec version.</summary>
    CheckSpecVersion,

    /// <summary>Additional signed <c>u32</c> transaction version.</summary>
    CheckTxVersion,

    /// <summary>Additional signed genesis hash.</summary>
    CheckGenesis,

    /// <summary>Extra era; additional signed birth block hash.</summary>
    CheckMortality,

    /// <summary>Extra <c>Compact</c> nonce.</summary>
    CheckNonce,

    /// <summary>Extra <c>Compact</c> tip.</summary>
    ChargeTransactionPayment,

    /// <summary>Extra <c>Compact</c> tip and <c>Option&lt;AssetId&gt;</c>.</summary>
    ChargeAssetTxPayment,

    /// <summary>Extra <c>u8</c> mode; additional signed <c>Option&lt;[u8; 32]&gt;</c>.</summary>
    CheckMetadataHash,
}

/// <summary>The runtime's signed-extension list resolved to what the SDK writes for each, in metadata order.</summary>
/// <remarks>
/// Built once per runtime; an extension the SDK does not know is accepted only when both its extra and additional-signed
/// types are empty (SUBSTRATE.md §3, "Other chains' extensions").
/// </remarks>
internal sealed class SignedExtensionPlan
{
    private readonly SignedExtensionDescriptor[] _descriptors;
    private readonly SignedExtensionKind[] _kinds;

    private SignedExtensionPlan(SignedExtensionDescriptor[] descriptors, SignedExtensionKind[] kinds, ulong maxNonce, string nonceType)
    {
        _descriptors = descriptors;
        _kinds = kinds;
        MaxNonce = maxNonce;
        NonceType = nonceType;
        Identifiers = Array.AsReadOnly(Array.ConvertAll(descriptors, d => d.Identifier));
    }

    /// <summary>Gets the extension identifiers in metadata order.</summary>
    public IReadOnlyList<string> Identifiers { get; }

    /// <summary>Gets the resolved kind of each extension, in metadata order.</summary>
    public ReadOnlySpan<SignedExtensionKind> Kinds => _kinds;

    /// <summary>Gets the descriptors in metadata order.</summary>
    public ReadOnlySpan<SignedExtensionDescriptor> Descriptors => _descriptors;

    /// <summary>Gets the largest nonce the runtime's <c>CheckNonce</c> type holds (<see cref="uint.MaxValue"/> for Entropy's <c>u32</c>).</summary>
    public ulong MaxNonce { get; }

    /// <summary>Gets the name of the runtime's nonce type, for messages (for example <c>u32</c>).</summary>
    public string NonceType { get; }

    /// <summary>Gets a value indicating whether the runtime checks a mortality era (otherwise only immortal transactions make sense).</summary>
    public bool HasMortality => Array.IndexOf(_kinds, SignedExtensionKind.CheckMortality) >= 0;

    /// <summary>Resolves the signed-extension list of runtime metadata.</summary>
    /// <exception cref="MetadataException">The metadata's extrinsic format is not version 4.</exception>
    /// <exception cref="UnsupportedSignedExtensionException">An extension is unknown and not empty, or a known one has an unexpected shape.</exception>
    public static SignedExtensionPlan Create(RuntimeMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.Extrinsic.Version != 4)
        {
            throw new MetadataException($"The runtime's extrinsic format is version {metadata.Extrinsic.Version}; the SDK builds version 4.");
        }

        var extensions = metadata.Extrinsic.SignedExtensions;
        var nonce = extensions.FirstOrDefault(e => e.Identifier == "CheckNonce");
        var (maxNonce, nonceType) = nonce is null ? (ulong.MaxValue, "u64") : NonceRange(metadata.Types, nonce.ExtraTypeId);
        return Create(
            extensions.Select(e => new SignedExtensionDescriptor(e.Identifier, e.ExtraTypeId, e.AdditionalSignedTypeId, e.IsExtraZeroSized, e.IsAdditionalSignedZeroSized)),
            maxNonce,
            nonceType);
    }

    /// <summary>The range of <c>CheckNonce</c>'s extra: <c>CheckNonce&lt;T&gt;(#[codec(compact)] T::Nonce)</c>, a one-field struct around a compact unsigned integer.</summary>
    /// <exception cref="UnsupportedSignedExtensionException">The extra is not an unsigned integer (possibly wrapped).</exception>
    private static (ulong Max, string Name) NonceRange(TypeRegistry types, int typeId)
    {
        for (int depth = 0; depth < 8; depth++)
        {
            switch (types[typeId].Definition)
            {
                case CompositeDefinition { Fields.Count: 1 } composite:
                    typeId = composite.Fields[0].TypeId;
                    continue;
                case CompactDefinition compact:
                    typeId = compact.InnerTypeId;
                    continue;
                case PrimitiveDefinition primitive:
                    return primitive.Primitive switch
                    {
                        PrimitiveKind.U8 => (byte.MaxValue, "u8"),
                        PrimitiveKind.U16 => (ushort.MaxValue, "u16"),
                        PrimitiveKind.U32 => (uint.MaxValue, "u32"),
                        PrimitiveKind.U64 => (ulong.MaxValue, "u64"),
                        PrimitiveKind.U128 or PrimitiveKind.U256 => (ulong.MaxValue, primitive.Primitive.ToString().ToLowerInvariant()),
                        _ => throw NotANonce(types, typeId),
                    };
                default:
                    throw NotANonce(types, typeId);
            }
        }

        throw NotANonce(types, typeId);
    }

    private static UnsupportedSignedExtensionException NotANonce(TypeRegistry types, int typeId) => new(
        "CheckNonce",
        $"The runtime's CheckNonce extra is {types.GetDisplayName(typeId)} (type {typeId}), not an unsigned integer; the SDK cannot write its nonce.");

    /// <summary>Resolves the metadata's extension list.</summary>
    /// <exception cref="UnsupportedSignedExtensionException">An extension is unknown and not empty, or a known one has an unexpected shape.</exception>
    public static SignedExtensionPlan Create(IEnumerable<SignedExtensionDescriptor> extensions) => Create(extensions, ulong.MaxValue, "u64");

    /// <summary>Resolves the metadata's extension list, with the range of its nonce type.</summary>
    /// <exception cref="UnsupportedSignedExtensionException">An extension is unknown and not empty, or a known one has an unexpected shape.</exception>
    public static SignedExtensionPlan Create(IEnumerable<SignedExtensionDescriptor> extensions, ulong maxNonce, string nonceType)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        SignedExtensionDescriptor[] descriptors = extensions.ToArray();
        var kinds = new SignedExtensionKind[descriptors.Length];
        for (int i = 0; i < descriptors.Length; i++)
        {
            kinds[i] = Resolve(descriptors[i]);
        }

        return new SignedExtensionPlan(descriptors, kinds, maxNonce, nonceType);
    }

    private static SignedExtensionKind Resolve(SignedExtensionDescriptor d)
    {
        (SignedExtensionKind kind, bool extraEmpty, bool additionalEmpty)? expected = d.Identifier switch
        {
            "CheckSpecVersion" => (SignedExtensionKind.CheckSpecVersion, true, false),
            "CheckTxVersion" => (SignedExtensionKind.CheckTxVersion, true, false),
            "CheckGenesis" => (SignedExtensionKind.CheckGenesis, true, false),
            "CheckMortality" or "CheckEra" => (SignedExtensionKind.CheckMortality, false, false),
            "CheckNonce" => (SignedExtensionKind.CheckNonce, false, true),
            "CheckWeight" or "CheckNonZeroSender" => (SignedExtensionKind.Empty, true, true),
            "ChargeTransactionPayment" => (SignedExtensionKind.ChargeTransactionPayment, false, true),
            "ChargeAssetTxPayment" => (SignedExtensionKind.ChargeAssetTxPayment, false, true),
            "CheckMetadataHash" => (SignedExtensionKind.CheckMetadataHash, false, false),
            _ => null,
        };

        if (expected is null)
        {
            if (d.ExtraIsEmpty && d.AdditionalIsEmpty)
            {
                return SignedExtensionKind.Empty;
            }

            throw new UnsupportedSignedExtensionException(
                d.Identifier,
                $"The runtime's signed extension '{d.Identifier}' is unknown to the SDK and is not empty " +
                $"(extra type {d.ExtraTypeId} {(d.ExtraIsEmpty ? "empty" : "non-empty")}, " +
                $"additional-signed type {d.AdditionalTypeId} {(d.AdditionalIsEmpty ? "empty" : "non-empty")}); " +
                "the SDK cannot build a transaction this runtime would accept.");
        }

        (SignedExtensionKind kind, bool extraEmpty, bool additionalEmpty) = expected.Value;
        if (extraEmpty != d.ExtraIsEmpty || additionalEmpty != d.AdditionalIsEmpty)
        {
            throw new UnsupportedSignedExtensionException(
                d.Identifier,
                $"The runtime's signed extension '{d.Identifier}' has an unexpected shape: extra type {d.ExtraTypeId} is " +
                $"{(d.ExtraIsEmpty ? "empty" : "non-empty")} (expected {(extraEmpty ? "empty" : "non-empty")}), additional-signed type " +
                $"{d.AdditionalTypeId} is {(d.AdditionalIsEmpty ? "empty" : "non-empty")} (expected {(additionalEmpty ? "empty" : "non-empty")}).");
        }

        return kind;
    }

    /// <summary>Writes the extra (what goes into the extrinsic after the signature).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The nonce does not fit the runtime's <c>CheckNonce</c> type.</exception>
    public void WriteExtra(ScaleWriter writer, TransactionParameters parameters)
    {
        if (parameters.Nonce > MaxNonce && Array.IndexOf(_kinds, SignedExtensionKind.CheckNonce) >= 0)
        {
            // A node decodes the compact nonce as its Nonce type and would reject the bytes as undecodable (not even a typed 1010).
            throw new ArgumentOutOfRangeException(
                nameof(parameters),
                parameters.Nonce,
                $"The nonce {parameters.Nonce} does not fit the runtime's CheckNonce type {NonceType} (0 to {MaxNonce}); no node could decode "
                + "this extrinsic. Use the account's next nonce (System.Account / system_accountNextIndex).");
        }

        foreach (SignedExtensionKind kind in _kinds)
        {
            switch (kind)
            {
                case SignedExtensionKind.CheckMortality:
                    parameters.Era.Write(writer);
                    break;
                case SignedExtensionKind.CheckNonce:
                    writer.WriteCompact(parameters.Nonce);
                    break;
                case SignedExtensionKind.ChargeTransactionPayment:
                    writer.WriteCompact(parameters.Tip);
                    break;
                case SignedExtensionKind.ChargeAssetTxPayment:
                    writer.WriteCompact(parameters.Tip);
                    writer.WriteOptionNone();
                    break;
                case SignedExtensionKind.CheckMetadataHash:
                    writer.WriteU8(0); // Mode::Disabled
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>Writes the additional signed data (only in the signing payload).</summary>
    /// <exception cref="ArgumentException">The era is mortal but the birth block hash is missing or not 32 bytes.</exception>
    public void WriteAdditional(ScaleWriter writer, uint specVersion, uint transactionVersion, ReadOnlySpan<byte> genesisHash, Era era, ReadOnlySpan<byte> birthBlockHash)
    {
        foreach (SignedExtensionKind kind in _kinds)
        {
            switch (kind)
            {
                case SignedExtensionKind.CheckSpecVersion:
                    writer.WriteU32(specVersion);
                    break;
                case SignedExtensionKind.CheckTxVersion:
                    writer.WriteU32(transactionVersion);
                    break;
                case SignedExtensionKind.CheckGenesis:
                    writer.WriteBytes(genesisHash);
                    break;
                case SignedExtensionKind.CheckMortality:
                    if (era.IsImmortal)
                    {
                        writer.WriteBytes(genesisHash);
                    }
                    else
                    {
                        if (birthBlockHash.Length != 32)
                        {
                            throw new ArgumentException("A mortal era needs the 32-byte hash of its birth block.", nameof(birthBlockHash));
                        }

                        writer.WriteBytes(birthBlockHash);
                    }

                    break;
                case SignedExtensionKind.CheckMetadataHash:
                    writer.WriteOptionNone();
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>Reads the extra of an extrinsic at the reader's position.</summary>
    /// <exception cref="ScaleFormatException">The bytes do not match the runtime's extension list.</exception>
    public DecodedExtra ReadExtra(ref ScaleReader reader)
    {
        Era era = Era.Immortal;
        ulong nonce = 0;
        UInt128 tip = UInt128.Zero;
        byte? metadataHashMode = null;
        for (int i = 0; i < _kinds.Length; i++)
        {
            switch (_kinds[i])
            {
                case SignedExtensionKind.CheckMortality:
                    era = Era.Read(ref reader);
                    break;
                case SignedExtensionKind.CheckNonce:
                    nonce = reader.ReadCompactU64();
                    break;
                case SignedExtensionKind.ChargeTransactionPayment:
                    tip = reader.ReadCompactU128();
                    break;
                case SignedExtensionKind.ChargeAssetTxPayment:
                    tip = reader.ReadCompactU128();
                    int tagOffset = reader.BytesConsumed;
                    if (reader.ReadOptionTag())
                    {
                        // The SDK only builds fee payment in the native token (asset None); it does not decode asset ids.
                        throw new ScaleFormatException("ChargeAssetTxPayment names an asset id, which the SDK does not decode", tagOffset);
                    }

                    break;
                case SignedExtensionKind.CheckMetadataHash:
                    int modeOffset = reader.BytesConsumed;
                    byte mode = reader.ReadU8();
                    if (mode > 1)
                    {
                        throw new ScaleFormatException($"CheckMetadataHash mode {mode} is not Disabled (0) or Enabled (1)", modeOffset);
                    }

                    metadataHashMode = mode;
                    break;
                default:
                    if (!_descriptors[i].ExtraIsEmpty)
                    {
                        throw new ScaleFormatException($"Signed extension '{_descriptors[i].Identifier}' cannot be decoded", reader.BytesConsumed);
                    }

                    break;
            }
        }

        return new DecodedExtra(era, nonce, tip, metadataHashMode);
    }
}

/// <summary>The values the SDK reads from an extrinsic's extra.</summary>
internal readonly record struct DecodedExtra(Era Era, ulong Nonce, UInt128 Tip, byte? MetadataHashMode);
