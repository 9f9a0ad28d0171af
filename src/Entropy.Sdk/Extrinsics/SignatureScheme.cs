namespace Entropy.Extrinsics;

/// <summary>The signature variants of <c>sp_runtime::MultiSignature</c>, numbered as encoded.</summary>
internal enum SignatureScheme
{
    /// <summary>Ed25519, 64 bytes.</summary>
    Ed25519 = 0,

    /// <summary>Sr25519 (Schnorrkel on Ristretto255), 64 bytes.</summary>
    Sr25519 = 1,

    /// <summary>ECDSA secp256k1 recoverable, 65 bytes.</summary>
    Ecdsa = 2,
}
