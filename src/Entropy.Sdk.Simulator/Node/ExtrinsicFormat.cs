using System.Buffers;
using System.Buffers.Binary;
using Entropy.Hashing;
using Entropy.Scale;
using Entropy.Simulator.Runtime;

namespace Entropy.Simulator.Node;

/// <summary>
/// The node's decoder and signing-payload rebuilder for <c>UncheckedExtrinsic</c> v4, driven by the runtime metadata: the address,
/// signature and call types and the signed extensions (their extras in the extrinsic, their additional signed data in the payload)
/// come from the metadata's extrinsic section. The SDK's extrinsic builder is not used, so an SDK signing bug shows up as a refusal.
/// </summary>
internal sealed class ExtrinsicFormat
{
    /// <summary>The signed extensions whose extra or additional data the node understands.</summary>
    private static readonly HashSet<string> s_known = new(StringComparer.Ordinal)
    {
        "CheckNonZeroSender", "CheckSpecVersion", "CheckTxVersion", "CheckGenesis", "CheckMortality", "CheckEra", "CheckNonce", "CheckWeight",
        "ChargeTransactionPayment", "CheckMetadataHash", "ValidateElectricityPayment", "ValidateConfirmRegistered",
    };

    private readonly Dictionary<byte, byte> _signatureSchemes = [];
    private readonly byte? _addressIdVariant;

    public ExtrinsicFormat(NodeMetadata metadata)
    {
        Metadata = metadata;
        foreach (var extension in metadata.SignedExtensions)
        {
            if (!s_known.Contains(extension.Identifier) && !IsEmpty(extension.AdditionalType))
            {
                throw new InvalidOperationException(
                    $"The runtime declares the signed extension {extension.Identifier}, whose additional signed data the node cannot produce.");
            }
        }

        foreach (var variant in metadata.Type(metadata.SignatureType).Variants)
        {
            byte? scheme = variant.Name switch { "Ed25519" => 0, "Sr25519" => 1, "Ecdsa" => 2, _ => null };
            if (scheme is { } s)
            {
                _signatureSchemes[variant.Index] = s;
            }
        }

        var address = metadata.Type(metadata.AddressType);
        _addressIdVariant = address.Kind == NodeTypeKind.Variant ? address.Variants.FirstOrDefault(v => v.Name == "Id")?.Index : null;
    }

    public NodeMetadata Metadata { get; }

    /// <summary>Decodes a whole extrinsic (compact length prefix included).</summary>
    /// <remarks>
    /// A signed extrinsic whose address is not <c>MultiAddress::Id</c> decodes with a <see langword="null"/> signer; validation answers it
    /// with <c>1011 CannotLookup</c>, as a node does. A call the devnet does not implement decodes as an <see cref="UnsupportedCall"/>.
    /// </remarks>
    /// <exception cref="ScaleFormatException">The bytes are not an extrinsic of this runtime.</exception>
    public Extrinsic Decode(byte[] encoded, RuntimeFlavor flavor)
    {
        var reader = new ScaleReader(encoded);
        var declared = reader.ReadCompactU32();
        if (declared != reader.Remaining)
        {
            throw new ScaleFormatException($"The length prefix says {declared} bytes but {reader.Remaining} follow", 0);
        }

        var versionAt = reader.BytesConsumed;
        var version = reader.ReadU8();
        if ((version & 0x7f) != Metadata.ExtrinsicVersion)
        {
            throw new ScaleFormatException($"Invalid transaction version {version & 0x7f} (the runtime's is {Metadata.ExtrinsicVersion})", versionAt);
        }

        var signed = (version & 0x80) != 0;
        byte[]? signer = null;
        byte scheme = 0;
        byte[]? signature = null;
        var era = Mortality.Immortal;
        uint nonce = 0;
        UInt128 tip = 0;
        byte[] extra = [];
        if (signed)
        {
            var addressAt = reader.BytesConsumed;
            Metadata.Skip(ref reader, Metadata.AddressType);
            var address = encoded.AsSpan(addressAt, reader.BytesConsumed - addressAt);
            if (_addressIdVariant is { } id && address.Length == 33 && address[0] == id)
            {
                signer = address[1..].ToArray();
            }

            var signatureAt = reader.BytesConsumed;
            Metadata.Skip(ref reader, Metadata.SignatureType);
            var encodedSignature = encoded.AsSpan(signatureAt, reader.BytesConsumed - signatureAt);
            scheme = _signatureSchemes.TryGetValue(encodedSignature[0], out var s) ? s : byte.MaxValue;
            signature = encodedSignature[1..].ToArray();

            var extraAt = reader.BytesConsumed;
            foreach (var extension in Metadata.SignedExtensions)
            {
                var at = reader.BytesConsumed;
                Metadata.Skip(ref reader, extension.ExtraType);
                var bytes = encoded.AsSpan(at, reader.BytesConsumed - at);
                switch (extension.Identifier)
                {
                    case "CheckMortality" or "CheckEra":
                        era = Mortality.Decode(bytes, at);
                        break;
                    case "CheckNonce":
                        {
                            var nonceReader = new ScaleReader(bytes);
                            nonce = nonceReader.ReadCompactU32();
                            break;
                        }

                    case "ChargeTransactionPayment":
                        {
                            var tipReader = new ScaleReader(bytes);
                            tip = tipReader.ReadCompactU128();
                            break;
                        }

                    case "CheckMetadataHash" when bytes.Length != 1 || bytes[0] != 0:
                        throw new ScaleFormatException("CheckMetadataHash: only mode Disabled is supported by the devnet", at);
                }
            }

            extra = encoded.AsSpan(extraAt, reader.BytesConsumed - extraAt).ToArray();
        }

        var callAt = reader.BytesConsumed;
        var call = CallDecoder.Decode(ref reader, this, flavor, 0);
        reader.EnsureEnd();
        return new Extrinsic(encoded, Blake2b.Hash256(encoded), signed, signer, scheme, signature, era, nonce, tip,
            encoded.AsSpan(callAt).ToArray(), extra, call);
    }

    /// <summary>
    /// Builds the signing payload the runtime checks: <c>call ‖ extra ‖ additional signed</c> of every extension in metadata order
    /// (spec and transaction version, genesis hash, the era's birth hash, …), blake2b-256'd when longer than 256 bytes.
    /// </summary>
    public byte[] SigningPayload(Extrinsic extrinsic, uint specVersion, uint transactionVersion, ReadOnlySpan<byte> genesisHash, ReadOnlySpan<byte> birthHash)
    {
        var buffer = new ArrayBufferWriter<byte>(extrinsic.CallBytes.Length + extrinsic.ExtraBytes.Length + 80);
        buffer.Write(extrinsic.CallBytes);
        buffer.Write(extrinsic.ExtraBytes);
        Span<byte> word = stackalloc byte[4];
        foreach (var extension in Metadata.SignedExtensions)
        {
            switch (extension.Identifier)
            {
                case "CheckSpecVersion":
                    BinaryPrimitives.WriteUInt32LittleEndian(word, specVersion);
                    buffer.Write(word);
                    break;
                case "CheckTxVersion":
                    BinaryPrimitives.WriteUInt32LittleEndian(word, transactionVersion);
                    buffer.Write(word);
                    break;
                case "CheckGenesis":
                    buffer.Write(genesisHash);
                    break;
                case "CheckMortality" or "CheckEra":
                    buffer.Write(birthHash);
                    break;
                case "CheckMetadataHash":
                    buffer.Write<byte>([0]); // Option<[u8; 32]>::None: mode Disabled
                    break;
            }
        }

        var payload = buffer.WrittenSpan;
        return payload.Length > 256 ? Blake2b.Hash256(payload) : payload.ToArray();
    }

    private bool IsEmpty(uint type)
    {
        var t = Metadata.Type(type);
        return t.Kind is NodeTypeKind.Composite or NodeTypeKind.Tuple && t.Fields.All(f => IsEmpty(f.Type));
    }
}

/// <summary>A transaction's era (<c>sp_runtime::generic::Era</c>): immortal, or mortal with a period and phase.</summary>
internal readonly record struct Mortality(ulong Period, ulong Phase)
{
    public static Mortality Immortal => default;

    public bool IsImmortal => Period == 0;

    /// <summary>Decodes the one-byte immortal or two-byte mortal encoding, refusing what <c>Era::decode</c> refuses.</summary>
    public static Mortality Decode(ReadOnlySpan<byte> bytes, int offset)
    {
        if (bytes.Length == 1 && bytes[0] == 0)
        {
            return Immortal;
        }

        if (bytes.Length != 2)
        {
            throw new ScaleFormatException("Invalid era encoding", offset);
        }

        var encoded = (ulong)(bytes[0] | (bytes[1] << 8));
        var period = 2UL << (int)(encoded % 16);
        var quantizeFactor = Math.Max(period >> 12, 1);
        var phase = (encoded >> 4) * quantizeFactor;
        if (period < 4 || phase >= period)
        {
            throw new ScaleFormatException("Invalid period and phase", offset);
        }

        return new Mortality(period, phase);
    }

    /// <summary>The block the era starts at, seen from block <paramref name="current"/> (0, the genesis, for an immortal era).</summary>
    public ulong Birth(ulong current) => IsImmortal ? 0 : ((Math.Max(current, Phase) - Phase) / Period * Period) + Phase;

    /// <summary>The first block at which the transaction is no longer valid.</summary>
    public ulong Death(ulong current) => IsImmortal ? ulong.MaxValue : Birth(current) + Period;
}
