using Entropy.Hashing;
using Entropy.Scale;

namespace Entropy.Simulator.Runtime;

/// <summary>A decoded extrinsic v4 (SUBSTRATE.md §3): signed (<c>0x84</c>) with MultiAddress, MultiSignature and Entropy's extra, or unsigned (<c>0x04</c>).</summary>
internal sealed class Extrinsic
{
    private Extrinsic(byte[] encoded, bool signed, byte[]? signer, byte signatureType, byte[]? signature, Era era, uint nonce, UInt128 tip,
        byte[] callBytes, byte[] extraBytes, Call call)
    {
        Encoded = encoded;
        Hash = Blake2b.Hash256(encoded);
        IsSigned = signed;
        Signer = signer;
        SignatureType = signatureType;
        Signature = signature;
        Era = era;
        Nonce = nonce;
        Tip = tip;
        CallBytes = callBytes;
        ExtraBytes = extraBytes;
        Call = call;
    }

    /// <summary>Gets the extrinsic with its compact length prefix, as stored in a block body and hashed for its id.</summary>
    public byte[] Encoded { get; }

    public byte[] Hash { get; }

    public bool IsSigned { get; }

    /// <summary>Gets the signer's account id, or <see langword="null"/> when the address is not a <c>MultiAddress::Id</c>.</summary>
    public byte[]? Signer { get; }

    /// <summary>Gets the <c>MultiSignature</c> variant: 0 Ed25519, 1 Sr25519, 2 Ecdsa.</summary>
    public byte SignatureType { get; }

    public byte[]? Signature { get; }

    public Era Era { get; }

    public uint Nonce { get; }

    public UInt128 Tip { get; }

    public byte[] CallBytes { get; }

    public byte[] ExtraBytes { get; }

    public Call Call { get; }

    public int Length => Encoded.Length;

    /// <summary>Gets or sets the era birth hash under which the signature was last verified, so authoring does not verify it twice.</summary>
    public byte[]? VerifiedBirthHash { get; set; }

    /// <summary>Decodes a whole extrinsic (compact length prefix included).</summary>
    /// <exception cref="ScaleFormatException">The bytes are not an extrinsic of this runtime.</exception>
    public static Extrinsic Decode(byte[] encoded, RuntimeFlavor flavor)
    {
        var reader = new ScaleReader(encoded);
        var length = reader.ReadCompactU32();
        if (length != reader.Remaining)
        {
            throw new ScaleFormatException($"The extrinsic's length prefix says {length} bytes but {reader.Remaining} follow", 0);
        }

        var version = reader.ReadU8();
        if ((version & 0x7f) != 4)
        {
            throw new ScaleFormatException($"Invalid transaction version {version & 0x7f}; only 4 is supported", reader.BytesConsumed - 1);
        }

        var signed = (version & 0x80) != 0;
        byte[]? signer = null;
        byte[]? signature = null;
        byte signatureType = 0;
        var era = Era.Immortal;
        uint nonce = 0;
        UInt128 tip = 0;
        var extraBytes = Array.Empty<byte>();
        if (signed)
        {
            var addressVariant = reader.ReadVariantIndex();
            switch (addressVariant)
            {
                case 0:
                    signer = reader.ReadBytes(32).ToArray();
                    break;
                case 1:
                    reader.ReadCompactU32();
                    break;
                case 2:
                    reader.ReadByteVec();
                    break;
                case 3:
                    reader.ReadBytes(32);
                    break;
                case 4:
                    reader.ReadBytes(20);
                    break;
                default:
                    throw new ScaleFormatException($"Could not decode `MultiAddress`: invalid variant {addressVariant}", reader.BytesConsumed - 1);
            }

            signatureType = reader.ReadVariantIndex();
            signature = signatureType switch
            {
                0 or 1 => reader.ReadBytes(64).ToArray(),
                2 => reader.ReadBytes(65).ToArray(),
                _ => throw new ScaleFormatException($"Could not decode `MultiSignature`: invalid variant {signatureType}", reader.BytesConsumed - 1),
            };

            // Extra, in the metadata's signed-extension order: CheckMortality (Era), CheckNonce (Compact<u32>),
            // ChargeTransactionPayment (Compact<u128> tip); every other extension of both runtimes encodes to nothing.
            var extraStart = reader.BytesConsumed;
            era = Era.Read(ref reader);
            nonce = reader.ReadCompactU32();
            tip = reader.ReadCompactU128();
            extraBytes = encoded.AsSpan(extraStart, reader.BytesConsumed - extraStart).ToArray();
        }

        var callStart = reader.BytesConsumed;
        var call = CallDecoder.Decode(ref reader, flavor);
        reader.EnsureEnd();
        var callBytes = encoded.AsSpan(callStart).ToArray();
        return new Extrinsic(encoded, signed, signer, signatureType, signature, era, nonce, tip, callBytes, extraBytes, call);
    }

    /// <summary>Builds the bytes the signer signed: <c>call ‖ extra ‖ spec ‖ tx ‖ genesis ‖ birth hash</c>, blake2b-256'd when over 256 bytes.</summary>
    public byte[] SigningPayload(uint specVersion, uint transactionVersion, ReadOnlySpan<byte> genesisHash, ReadOnlySpan<byte> birthHash)
    {
        var payload = new byte[CallBytes.Length + ExtraBytes.Length + 8 + 64];
        var span = payload.AsSpan();
        CallBytes.CopyTo(span);
        span = span[CallBytes.Length..];
        ExtraBytes.CopyTo(span);
        span = span[ExtraBytes.Length..];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(span, specVersion);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(span[4..], transactionVersion);
        genesisHash.CopyTo(span[8..]);
        birthHash.CopyTo(span[40..]);
        return payload.Length > 256 ? Blake2b.Hash256(payload) : payload;
    }
}

/// <summary><c>sp_runtime::generic::Era</c>: immortal (<c>0x00</c>) or mortal (two bytes: period and quantized phase).</summary>
internal readonly record struct Era(ulong Period, ulong Phase)
{
    public static Era Immortal => default;

    public bool IsImmortal => Period == 0;

    public static Era Read(ref ScaleReader reader)
    {
        var first = reader.ReadU8();
        if (first == 0)
        {
            return Immortal;
        }

        var encoded = (ulong)first | ((ulong)reader.ReadU8() << 8);
        var period = 2UL << (int)(encoded % (1 << 4));
        var quantizeFactor = Math.Max(period >> 12, 1);
        var phase = (encoded >> 4) * quantizeFactor;
        if (period < 4 || phase >= period)
        {
            throw new ScaleFormatException("Invalid period and phase in `Era`", reader.BytesConsumed - 2);
        }

        return new Era(period, phase);
    }

    /// <summary>The block the era started at, relative to <paramref name="current"/> (Substrate's <c>Era::birth</c>).</summary>
    public ulong Birth(ulong current) => IsImmortal ? 0 : ((Math.Max(current, Phase) - Phase) / Period * Period) + Phase;

    /// <summary>The first block at which the era is over (Substrate's <c>Era::death</c>).</summary>
    public ulong Death(ulong current) => IsImmortal ? ulong.MaxValue : Birth(current) + Period;
}
