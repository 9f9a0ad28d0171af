namespace Entropy.Extrinsics;

/// <summary>An extrinsic decoded per the runtime's signed-extension list: signer, signature, extra values and call bytes.</summary>
/// <remarks>Produced by <see cref="ExtrinsicBuilder.Decode(ReadOnlySpan{byte})"/>. Layout: SUBSTRATE.md §3, format version 4.</remarks>
internal sealed class DecodedExtrinsic
{
    internal DecodedExtrinsic(
        byte[] encoded,
        bool isSigned,
        byte[]? signer,
        SignatureScheme signatureScheme,
        byte[]? signature,
        Era era,
        ulong nonce,
        UInt128 tip,
        byte? metadataHashMode,
        int extraOffset,
        int extraLength,
        int callOffset)
    {
        Encoded = encoded;
        IsSigned = isSigned;
        Signer = signer is null ? null : new AccountId(signer);
        SignatureScheme = signatureScheme;
        Signature = signature is null ? default(ReadOnlyMemory<byte>?) : signature;
        Era = era;
        Nonce = nonce;
        Tip = tip;
        MetadataHashMode = metadataHashMode;
        Extra = encoded.AsMemory(extraOffset, extraLength);
        Call = encoded.AsMemory(callOffset);
        Hash = ExtrinsicBuilder.HashOf(encoded);
    }

    /// <summary>Gets the whole extrinsic as decoded, including its compact length prefix.</summary>
    public ReadOnlyMemory<byte> Encoded { get; }

    /// <summary>Gets the transaction hash: blake2b-256 of <see cref="Encoded"/>.</summary>
    public ReadOnlyMemory<byte> Hash { get; }

    /// <summary>Gets a value indicating whether the extrinsic is signed (a transaction) rather than unsigned (an inherent).</summary>
    public bool IsSigned { get; }

    /// <summary>Gets the signer's account id (<c>MultiAddress::Id</c>); <see langword="null"/> when unsigned.</summary>
    public AccountId? Signer { get; }

    /// <summary>Gets the signature scheme; meaningful only when <see cref="IsSigned"/>.</summary>
    public SignatureScheme SignatureScheme { get; }

    /// <summary>Gets the signature bytes; <see langword="null"/> when unsigned.</summary>
    public ReadOnlyMemory<byte>? Signature { get; }

    /// <summary>Gets the era from <c>CheckMortality</c>; immortal when unsigned or when the runtime has no such extension.</summary>
    public Era Era { get; }

    /// <summary>Gets the nonce from <c>CheckNonce</c>; 0 when unsigned.</summary>
    public ulong Nonce { get; }

    /// <summary>Gets the tip from <c>ChargeTransactionPayment</c> or <c>ChargeAssetTxPayment</c>; 0 when unsigned.</summary>
    public UInt128 Tip { get; }

    /// <summary>Gets the <c>CheckMetadataHash</c> mode (0 Disabled, 1 Enabled); <see langword="null"/> when the runtime has no such extension.</summary>
    public byte? MetadataHashMode { get; }

    /// <summary>Gets the encoded extra exactly as it appears in the extrinsic (empty when unsigned).</summary>
    public ReadOnlyMemory<byte> Extra { get; }

    /// <summary>Gets the call bytes: pallet index, call index and SCALE arguments.</summary>
    public ReadOnlyMemory<byte> Call { get; }
}
