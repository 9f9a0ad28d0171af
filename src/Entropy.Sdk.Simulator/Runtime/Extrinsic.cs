using Entropy.Extrinsics;
using Entropy.Hashing;
using Entropy.Scale;

namespace Entropy.Simulator.Runtime;

/// <summary>A decoded extrinsic v4 (SUBSTRATE.md §3): signed (<c>0x84</c>) with MultiAddress, MultiSignature and Entropy's extra, or unsigned (<c>0x04</c>).</summary>
internal sealed class Extrinsic
{
    private Extrinsic(byte[] encoded, byte[] hash, bool signed, byte[]? signer, byte signatureType, byte[]? signature, Era era, uint nonce, UInt128 tip,
        byte[] callBytes, byte[] extraBytes, Call call)
    {
        Encoded = encoded;
        Hash = hash;
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

    /// <summary>Decodes a whole extrinsic (compact length prefix included) with the SDK's decoder and the runtime's signed extensions.</summary>
    /// <remarks>
    /// A signed extrinsic whose <c>MultiAddress</c> is not <c>Id</c> decodes with a <see langword="null"/> <see cref="Signer"/>;
    /// validation answers it with <c>1011 CannotLookup</c>, as a node does.
    /// </remarks>
    /// <exception cref="ScaleFormatException">The bytes are not an extrinsic of this runtime.</exception>
    public static Extrinsic Decode(byte[] encoded, RuntimeFlavor flavor)
    {
        var decoded = ExtrinsicBuilder.DecodeCore(encoded, flavor.ExtensionPlan, lenientAddress: true);
        if (decoded.Nonce > uint.MaxValue)
        {
            // The runtime's Index is u32: its CheckNonce extra is a Compact<u32>.
            throw new ScaleFormatException($"The nonce {decoded.Nonce} does not fit the runtime's u32 Index", encoded.Length - decoded.Call.Length - 1);
        }

        var reader = new ScaleReader(encoded);
        var callStart = encoded.Length - decoded.Call.Length;
        reader.ReadBytes(callStart);
        var call = CallDecoder.Decode(ref reader, flavor);
        reader.EnsureEnd();
        return new Extrinsic(
            encoded, decoded.Hash.ToArray(), decoded.IsSigned, decoded.Signer?.ToArray(), decoded.IsSigned ? (byte)decoded.SignatureScheme : (byte)0,
            decoded.Signature?.ToArray(), decoded.Era, (uint)decoded.Nonce, decoded.Tip, decoded.Call.ToArray(), decoded.Extra.ToArray(), call);
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
