using NBitcoin.Secp256k1;

namespace Entropy.Tests.Protocol;

/// <summary>secp256k1 arithmetic the tests check key shares with (computed here in the tests, never in the code under test).</summary>
internal static class KeyShareMath
{
    /// <summary>Σ shares · G, compressed, for raw 32-byte additive secret shares (as servers store them or the user exports them).</summary>
    /// <param name="secretShares">The shares, big-endian scalars.</param>
    /// <returns>The 33-byte SEC1 compressed point.</returns>
    public static byte[] CombineShares(IEnumerable<byte[]> secretShares)
    {
        var sum = Scalar.Zero;
        foreach (var share in secretShares)
        {
            sum = sum.Add(new Scalar(share));
        }

        var point = ECMultGenContext.Instance.MultGen(sum).ToGroupElement();
        return new ECPubKey(point, NBitcoin.Secp256k1.Context.Instance).ToBytes(true);
    }

    /// <summary>scalar · G, compressed.</summary>
    /// <param name="scalar">A 32-byte big-endian scalar.</param>
    /// <returns>The 33-byte SEC1 compressed point.</returns>
    public static byte[] ScalarTimesG(ReadOnlySpan<byte> scalar) =>
        new ECPubKey(ECMultGenContext.Instance.MultGen(new Scalar(scalar)).ToGroupElement(), NBitcoin.Secp256k1.Context.Instance).ToBytes(true);
}
