using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using Entropy.Crypto;
using Entropy.Protocol.Dkg;
using Entropy.Protocol.Noise;
using Entropy.Simulator;
using Entropy.Simulator.KeyStore;
using Entropy.Tests.Protocol;

namespace Entropy.Tests.Security;

/// <summary>Secret-holding types: neither <c>ToString()</c> nor the debugger display (evaluated as the debugger would) reveals the secret.</summary>
[Category("Security")]
public partial class SecretDisplayTests
{
    private static readonly byte[] s_seed = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");

    [Test]
    public void Sr25519KeyPair_ToStringAndDebuggerDisplay_HideTheSecret()
    {
        using var pair = Sr25519KeyPair.FromMiniSecret(s_seed);
        var secret = new byte[Sr25519KeyPair.SecretKeyLength];
        pair.ExportSecretKey(secret);
        AssertHides(pair, secret, s_seed);
        Assert.That(DebuggerDisplay(pair), Does.Contain(pair.PublicKey.ToString()), "the display shows the public key");
    }

    [Test]
    public void Sr25519Signer_ToStringAndDebuggerDisplay_HideTheSecret()
    {
        using var pair = Sr25519KeyPair.FromMiniSecret(s_seed);
        using var signer = Sr25519Signer.FromKeyPair(pair);
        using var fromUri = Sr25519Signer.FromSecretUri("0x" + Convert.ToHexStringLower(s_seed));
        var secret = new byte[Sr25519KeyPair.SecretKeyLength];
        pair.ExportSecretKey(secret);
        AssertHides(signer, secret, s_seed);
        AssertHides(fromUri, secret, s_seed);
        AssertHides(new RegisterRequest(signer), secret, s_seed);
    }

    [Test]
    public void SecretUriAndJunction_ToStringAndDebuggerDisplay_HideTheSecret()
    {
        const string suri = "bottom drive obey lake curtain smoke basket hold race lonely fit walk//Alice///hunter2";
        var parsed = SecretUri.Parse(suri);
        Assert.That(Describe(parsed), Does.Not.Contain("bottom drive").And.Not.Contain("hunter2"));
        foreach (var junction in parsed.Junctions)
        {
            Assert.That(Describe(junction), Does.Not.Contain(Convert.ToHexStringLower(junction.ChainCode)));
        }

        parsed.Clear();
    }

    [Test]
    public void X25519KeyPair_ToStringAndDebuggerDisplay_HideTheSecret()
    {
        using var pair = X25519KeyPair.Import(s_seed);
        AssertHides(pair, s_seed);
        Assert.That(DebuggerDisplay(pair), Does.Contain(pair.PublicKey.ToString()));
    }

    [Test]
    public void DkgShares_ToStringAndDebuggerDisplay_HideTheSecret()
    {
        using var network = new DkgTestNetwork(2);
        network.Run();
        foreach (var share in network.TakeResults().Values)
        {
            using (share)
            {
                var secret = new byte[DkgSecretShare.Length];
                share.SecretShare.CopyTo(secret);
                AssertHides(share, secret);
                AssertHides(share.SecretShare, secret);
            }
        }
    }

    [Test]
    public void NoiseStates_ToStringAndDebuggerDisplay_HideTheKeys()
    {
        var (initiator, responder) = NoiseHandshakeStateTests.Establish(out byte[] initiatorStatic);
        using (initiator)
        using (responder)
        {
            AssertHides(initiator, initiatorStatic);
            AssertHides(responder, initiatorStatic);
        }
    }

    [Test]
    public async Task KeyStoreAndDevnetOptions_ToStringAndDebuggerDisplay_HideThePassword()
    {
        const string password = "correct horse battery staple";
        var directory = Directory.CreateTempSubdirectory("entropy-display-");
        try
        {
            await using var store = await EncryptedKeyStore.OpenAsync(directory.FullName, password, new KeyStoreOptions { ScryptCost = 1 << 10 });
            Assert.That(Describe(store), Does.Not.Contain(password));
            Assert.That(Describe(new EntropyDevnetOptions { KeyStorePassword = password }), Does.Not.Contain(password));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static void AssertHides(object value, params byte[][] secrets)
    {
        string shown = Describe(value);
        Assert.Multiple(() =>
        {
            foreach (var secret in secrets)
            {
                foreach (var (form, text) in SecretHygieneTests.Forms(secret))
                {
                    Assert.That(shown, Does.Not.Contain(text), $"{value.GetType().Name} shows its secret as {form}");
                }
            }
        });
    }

    private static string Describe(object value) => value.ToString() + "\n" + DebuggerDisplay(value);

    /// <summary>Evaluates <see cref="DebuggerDisplayAttribute"/> the way the debugger does for simple member expressions.</summary>
    private static string DebuggerDisplay(object value)
    {
        var attribute = value.GetType().GetCustomAttribute<DebuggerDisplayAttribute>(inherit: true);
        if (attribute is null)
        {
            return string.Empty;
        }

        return MemberExpression().Replace(attribute.Value, match =>
        {
            string member = match.Groups[1].Value.Trim();
            const BindingFlags flags = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.FlattenHierarchy;
            object? result = member.EndsWith("()", StringComparison.Ordinal)
                ? value.GetType().GetMethod(member[..^2], flags, Type.EmptyTypes)?.Invoke(value, null)
                : value.GetType().GetProperty(member, flags)?.GetValue(value) ?? value.GetType().GetField(member, flags)?.GetValue(value);
            return result?.ToString() ?? "null";
        });
    }

    [GeneratedRegex(@"\{([^},]+)(,nq)?\}")]
    private static partial Regex MemberExpression();
}
