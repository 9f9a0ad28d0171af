namespace Entropy.Extrinsics;

/// <summary>A signed extrinsic ready to submit, with its transaction hash.</summary>
internal sealed class SignedExtrinsic
{
    internal SignedExtrinsic(byte[] encoded, TransactionParameters parameters)
    {
        Encoded = encoded;
        Hash = ExtrinsicBuilder.HashOf(encoded);
        Parameters = parameters;
    }

    /// <summary>Gets the extrinsic as submitted: <c>Compact(len) ‖ 0x84 ‖ address ‖ signature ‖ extra ‖ call</c>.</summary>
    public ReadOnlyMemory<byte> Encoded { get; }

    /// <summary>Gets the transaction hash: blake2b-256 of <see cref="Encoded"/>, the value <c>author_submitExtrinsic</c> returns.</summary>
    public ReadOnlyMemory<byte> Hash { get; }

    /// <summary>Gets the nonce, tip and era the extrinsic was built with.</summary>
    public TransactionParameters Parameters { get; }

    /// <summary>Returns the extrinsic as <c>0x</c>-prefixed lowercase hex, the form the JSON-RPC methods take.</summary>
    /// <returns>The hex string.</returns>
    public string ToHex() => "0x" + Convert.ToHexStringLower(Encoded.Span);

    /// <summary>Returns the transaction hash as <c>0x</c>-prefixed lowercase hex.</summary>
    /// <returns>A short description of the extrinsic.</returns>
    public override string ToString() => "Extrinsic 0x" + Convert.ToHexStringLower(Hash.Span);
}
