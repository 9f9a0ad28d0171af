using CsCheck;
using Entropy.Crypto;

namespace Entropy.Tests.Crypto;

/// <summary>Property tests for derivation paths: a path is the composition of its junctions, and soft derivation commutes with taking the public key.</summary>
public class DerivationPropertyTests
{
    private static readonly Gen<(string Text, bool Hard)[]> s_path =
        Gen.Select(Gen.Char["abcxyzABC0123456789"].Array[1, 8].Select(c => new string(c)), Gen.Bool).Array[1, 4];

    [Test]
    public void FromSecretUri_AnyPath_EqualsJunctionByJunctionDerivation()
    {
        Gen.Select(Gen.Byte.Array[32], s_path).Sample((seed, path) =>
        {
            string suri = "0x" + Convert.ToHexStringLower(seed) + string.Concat(path.Select(j => (j.Hard ? "//" : "/") + j.Text));
            using var fromUri = Sr25519KeyPair.FromSecretUri(suri);
            var current = Sr25519KeyPair.FromMiniSecret(seed);
            foreach (var (text, hard) in path)
            {
                var junction = DeriveJunction.FromText(text, hard);
                var next = hard ? current.DeriveHard(junction.ChainCode) : current.DeriveSoft(junction.ChainCode);
                current.Dispose();
                current = next;
            }

            using (current)
            {
                return fromUri.PublicKey.Equals(current.PublicKey);
            }
        }, iter: 40);
    }

    [Test]
    public void DeriveSoft_AnyKeyAndChainCode_PublicDerivationMatches()
    {
        Gen.Select(Gen.Byte.Array[32], Gen.Byte.Array[32]).Sample((seed, chainCode) =>
        {
            using var parent = Sr25519KeyPair.FromMiniSecret(seed);
            using var child = parent.DeriveSoft(chainCode);
            var message = "derived"u8.ToArray();
            return child.PublicKey.Equals(parent.PublicKey.DeriveSoft(chainCode))
                && Sr25519.Verify(child.PublicKey, message, child.Sign(message))
                && !child.PublicKey.Equals(parent.PublicKey);
        }, iter: 40);
    }

    [Test]
    public void FromSecretUri_AnyMalformedText_OnlyFormatException()
    {
        Gen.Char["/0x1234abcdefg /\\ž"].Array[0, 40].Select(c => new string(c)).Sample(text =>
        {
            try
            {
                Sr25519KeyPair.FromSecretUri(text).Dispose();
                return true;
            }
            catch (FormatException ex)
            {
                return text.Length < 12 || !ex.Message.Contains(text, StringComparison.Ordinal);
            }
        }, iter: 2000);
    }
}
