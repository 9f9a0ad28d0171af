using Entropy.Scale;
using Entropy.Simulator.Node;

namespace Entropy.Simulator.Runtime;

/// <summary>A decoded extrinsic v4 (SUBSTRATE.md §3): signed (<c>0x84</c>) with MultiAddress, MultiSignature and Entropy's extra, or unsigned (<c>0x04</c>).</summary>
internal sealed class Extrinsic
{
    internal Extrinsic(byte[] encoded, byte[] hash, bool signed, byte[]? signer, byte signatureType, byte[]? signature, Mortality era, uint nonce, UInt128 tip,
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

    /// <summary>Gets the signature scheme: 0 Ed25519, 1 Sr25519, 2 Ecdsa, 255 one the node does not know.</summary>
    public byte SignatureType { get; }

    public byte[]? Signature { get; }

    public Mortality Era { get; }

    public uint Nonce { get; }

    public UInt128 Tip { get; }

    public byte[] CallBytes { get; }

    public byte[] ExtraBytes { get; }

    public Call Call { get; }

    public int Length => Encoded.Length;

    /// <summary>Gets or sets the era birth hash under which the signature was last verified, so authoring does not verify it twice.</summary>
    public byte[]? VerifiedBirthHash { get; set; }

    /// <summary>Decodes a whole extrinsic (compact length prefix included) with the node's own metadata-driven decoder.</summary>
    /// <remarks>
    /// A signed extrinsic whose <c>MultiAddress</c> is not <c>Id</c> decodes with a <see langword="null"/> <see cref="Signer"/>;
    /// validation answers it with <c>1011 CannotLookup</c>, as a node does.
    /// </remarks>
    /// <exception cref="ScaleFormatException">The bytes are not an extrinsic of this runtime.</exception>
    public static Extrinsic Decode(byte[] encoded, RuntimeFlavor flavor) => flavor.Format.Decode(encoded, flavor);
}
