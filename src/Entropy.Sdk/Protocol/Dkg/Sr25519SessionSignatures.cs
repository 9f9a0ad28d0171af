using System.Buffers.Binary;
using System.Text;
using Entropy.Crypto;
using Entropy.Synedrion.Session;

namespace Entropy.Protocol.Dkg;

/// <summary>
/// entropy-protocol's signatures of synedrion session messages: <c>sr25519::Pair::sign(prehash)</c> (signing context "substrate"), carried
/// as sp-core's serde form of <c>sr25519::Signature</c>, which bincode writes as a u64 128 and 128 lowercase hex digits.
/// </summary>
internal static class Sr25519SessionSignatures
{
    private const int HexLength = 128;

    /// <summary>Gets the verifier (sp-core <c>Pair::verify</c>).</summary>
    public static ISynedrionVerifier Verifier { get; } = new Sr25519SessionVerifier();

    /// <summary>Creates a signer from a key pair (a server's TSS key); the caller keeps the pair alive for the run.</summary>
    /// <param name="pair">The key pair.</param>
    /// <returns>The signer.</returns>
    public static ISynedrionSigner FromKeyPair(Sr25519KeyPair pair) => new KeyPairSessionSigner(pair);

    /// <summary>Creates a signer from an SDK signer (the user's account key). synedrion signs inside its rounds, which run on a worker
    /// thread: each signature waits there for <see cref="Sr25519Signer.SignAsync"/> (an in-memory signer answers at once).</summary>
    /// <param name="signer">The signer.</param>
    /// <param name="cancellationToken">Cancels a pending signature.</param>
    /// <returns>The session signer.</returns>
    public static ISynedrionSigner FromSigner(Sr25519Signer signer, CancellationToken cancellationToken) => new AsyncSessionSigner(signer, cancellationToken);

    /// <summary>Encodes a 64-byte signature as synedrion's <c>Sig</c> bytes.</summary>
    /// <param name="signature">The signature.</param>
    /// <returns>u64 128 ‖ 128 lowercase hex digits.</returns>
    public static byte[] Encode(ReadOnlySpan<byte> signature)
    {
        var bytes = new byte[8 + HexLength];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, HexLength);
        Encoding.ASCII.GetBytes(Convert.ToHexStringLower(signature), bytes.AsSpan(8));
        return bytes;
    }

    private sealed class KeyPairSessionSigner(Sr25519KeyPair pair) : ISynedrionSigner
    {
        public byte[] VerifierId { get; } = pair.PublicKey.ToArray();

        public byte[] SignPrehash(ReadOnlySpan<byte> prehash) => Encode(pair.Sign(prehash).ToArray());
    }

    private sealed class AsyncSessionSigner(Sr25519Signer signer, CancellationToken cancellationToken) : ISynedrionSigner
    {
        public byte[] VerifierId { get; } = signer.PublicKey.ToArray();

        public byte[] SignPrehash(ReadOnlySpan<byte> prehash) =>
            Encode(signer.SignAsync(prehash.ToArray(), cancellationToken).GetAwaiter().GetResult().ToArray());
    }

    private sealed class Sr25519SessionVerifier : ISynedrionVerifier
    {
        public bool VerifyPrehash(ReadOnlySpan<byte> verifierId, ReadOnlySpan<byte> prehash, ReadOnlySpan<byte> signature)
        {
            if (verifierId.Length != 32 || SignatureLength(signature) != signature.Length)
            {
                return false;
            }

            Span<byte> raw = stackalloc byte[64];
            return Convert.FromHexString(Encoding.ASCII.GetString(signature[8..]), raw, out _, out var written) == System.Buffers.OperationStatus.Done
                && written == 64
                && Sr25519.VerifyCore(verifierId, prehash, raw);
        }

        public int SignatureLength(ReadOnlySpan<byte> bincode) =>
            bincode.Length >= 8 + HexLength && BinaryPrimitives.ReadUInt64LittleEndian(bincode) == HexLength ? 8 + HexLength : -1;
    }
}
