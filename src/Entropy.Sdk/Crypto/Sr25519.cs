using System.Security.Cryptography;

namespace Entropy.Crypto;

/// <summary>Verification of sr25519 (schnorrkel Schnorr signatures over Ristretto255) with the Substrate signing context.</summary>
/// <remarks>
/// Byte-compatible with schnorrkel 0.11, <c>sp-core</c> and <c>@scure/sr25519</c>: the message is signed in the
/// <c>"substrate"</c> signing context. See <see href="https://github.com/w3f/schnorrkel">schnorrkel</see>.
/// </remarks>
public static class Sr25519
{
    // Merlin("SigningContext") with append("", "substrate"): the prefix every Substrate signature transcript shares.
    private static readonly MerlinTranscript s_substrateContext = CreateSubstrateContext();

    private static MerlinTranscript CreateSubstrateContext()
    {
        var t = MerlinTranscript.Create("SigningContext"u8);
        t.AppendMessage(""u8, "substrate"u8);
        return t;
    }

    /// <summary>Verifies an sr25519 signature made in the <c>"substrate"</c> signing context.</summary>
    /// <param name="publicKey">The signer's public key.</param>
    /// <param name="message">The signed message.</param>
    /// <param name="signature">The signature.</param>
    /// <returns>
    /// <see langword="true"/> if the signature is valid; <see langword="false"/> for a wrong signature, a signature without
    /// the schnorrkel marker bit, a non-canonical s, or a public key that is not a valid (non-identity) point.
    /// </returns>
    public static bool Verify(Sr25519PublicKey publicKey, ReadOnlySpan<byte> message, Sr25519Signature signature)
    {
        Span<byte> sig = stackalloc byte[Sr25519Signature.Length];
        signature.CopyTo(sig);
        Span<byte> pk = stackalloc byte[Sr25519PublicKey.Length];
        publicKey.CopyTo(pk);
        return VerifyCore(pk, message, sig);
    }

    internal static bool VerifyCore(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if ((signature[63] & 0x80) == 0)
        {
            return false;
        }

        Span<byte> sBytes = stackalloc byte[32];
        signature[32..].CopyTo(sBytes);
        sBytes[31] &= 0x7F;
        if (!Scalar.IsCanonical(sBytes))
        {
            return false;
        }

        if (!Ristretto255.TryDecode(publicKey, out var a) || Ristretto255.IsIdentity(a))
        {
            return false;
        }

        var t = s_substrateContext;
        t.AppendMessage("sign-bytes"u8, message);
        t.AppendMessage("proto-name"u8, "Schnorr-sig"u8);
        t.AppendMessage("sign:pk"u8, publicKey);
        t.AppendMessage("sign:R"u8, signature[..32]);
        var k = t.ChallengeScalar("sign:c"u8);

        // R' = s·B - k·A; comparing encodings is equivalent to decoding R and comparing points.
        var s = Scalar.FromBytesUnreduced(sBytes);
        var rPrime = ScalarMultiplication.DoubleScalarMulBaseVartime(k, a.Negate(), s);
        Span<byte> encoded = stackalloc byte[32];
        Ristretto255.Encode(rPrime, encoded);
        return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(encoded, signature[..32]);
    }

    /// <summary>Signs in the "substrate" context; <paramref name="key"/> is the unscaled scalar ‖ nonce (schnorrkel layout).</summary>
    internal static void SignCore(ReadOnlySpan<byte> key, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> random32, Span<byte> signature)
    {
        var t = s_substrateContext;
        t.AppendMessage("sign-bytes"u8, message);
        t.AppendMessage("proto-name"u8, "Schnorr-sig"u8);
        t.AppendMessage("sign:pk"u8, publicKey);

        Span<byte> wide = stackalloc byte[64];
        t.WitnessBytes("signing"u8, wide, key[32..], default, twoSeeds: false, random32);
        var r = Scalar.FromBytesWide(wide);
        CryptographicOperations.ZeroMemory(wide);

        Ristretto255.Encode(ScalarMultiplication.MultiplyBase(r), signature[..32]);
        t.AppendMessage("sign:R"u8, signature[..32]);
        var k = t.ChallengeScalar("sign:c"u8);
        t.Clear();

        var a = Scalar.FromBytesModOrder(key[..32]);
        var s = Scalar.MulAdd(k, a, r);
        s.ToBytes(signature[32..]);
        signature[63] |= 0x80;
    }

    /// <summary>
    /// Runs the soft-derivation transcript (schnorrkel <c>derive_scalar_and_chaincode</c>) and returns it positioned after
    /// the chain-code challenge, with the derived scalar in <paramref name="scalar"/>.
    /// </summary>
    internal static MerlinTranscript SoftDerivationTranscript(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> chainCode, out Scalar scalar)
    {
        var t = MerlinTranscript.Create("SchnorrRistrettoHDKD"u8);
        t.AppendMessage("sign-bytes"u8, ReadOnlySpan<byte>.Empty);
        t.AppendMessage("chain-code"u8, chainCode);
        t.AppendMessage("public-key"u8, publicKey);
        scalar = t.ChallengeScalar("HDKD-scalar"u8);
        Span<byte> childChainCode = stackalloc byte[32];
        t.ChallengeBytes("HDKD-chaincode"u8, childChainCode);
        return t;
    }

    internal static void CheckChainCode(ReadOnlySpan<byte> chainCode)
    {
        if (chainCode.Length != 32)
        {
            throw new ArgumentException($"A derivation chain code is 32 bytes, but {chainCode.Length} were given.", nameof(chainCode));
        }
    }

    internal static bool TryDecodeHex(string? hex, Span<byte> destination)
    {
        if (hex is null)
        {
            return false;
        }

        ReadOnlySpan<char> digits = hex.AsSpan();
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
        }

        if (digits.Length != destination.Length * 2)
        {
            return false;
        }

        return Convert.FromHexString(digits, destination, out _, out int written) == System.Buffers.OperationStatus.Done
            && written == destination.Length;
    }
}
