using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using Entropy.Crypto;
using Entropy.Protocol.Dkg;
using Entropy.Protocol.Noise;
using Entropy.Simulator;
using Entropy.Simulator.KeyStore;
using Entropy.Simulator.ThresholdServers.StandIn;
using Entropy.Tests.Protocol;
using Entropy.Tests.Simulator.ThresholdServers.StandIn;

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
    public void PrivateKeyShare_ToStringAndDebuggerDisplay_HideTheSecretBeforeAndAfterDispose()
    {
        // synedrion shares of a 3-party key generation (TestParams: the display does not depend on the prime size).
        var shares = Entropy.Tests.Protocol.SynedrionTestKeys.Generate(Entropy.Synedrion.SynedrionParams.Test, 3);
        foreach (var share in shares)
        {
            using (share)
            {
                var account = new AccountId(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
                using var privateShare = new PrivateKeyShare(account, 7, [], share);
                var secret = new byte[PrivateKeyShare.SecretLength];
                privateShare.ExportSecret(secret);
                Assert.That(secret, Is.Not.All.EqualTo(0), "the share holds a secret to hide");
                var paillier = share.PaillierSecret.P.ToByteArray(isUnsigned: true, isBigEndian: true);
                AssertHides(privateShare, secret, paillier, share.ElGamalSecret.ToBytes());
                Assert.That(DebuggerDisplay(privateShare), Does.Contain(account.ToSs58()), "the display names the account");

                privateShare.Dispose();
                AssertHides(privateShare, secret);
                Assert.That(DebuggerDisplay(privateShare), Does.Contain("disposed"));
                Assert.That(() => privateShare.ExportKeyShare(), Throws.TypeOf<ObjectDisposedException>());
            }
        }
    }

    [Test]
    public void PrivateRegisterRequest_ToStringAndDebuggerDisplay_HideTheSignerAndX25519Secrets()
    {
        using var pair = Sr25519KeyPair.FromMiniSecret(s_seed);
        using var signer = Sr25519Signer.FromKeyPair(pair);
        var x25519Secret = Convert.FromHexString("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"); // RFC 7748 §6.1, Alice
        using var x25519 = X25519KeyPair.Import(x25519Secret);
        var request = new RegisterRequest(signer) { AccessMode = AccessMode.Private, UserX25519KeyPair = x25519 };
        request.Programs.Add(new ProgramInstance(TestPrograms.AllowAllPointer, []));
        var secret = new byte[Sr25519KeyPair.SecretKeyLength];
        pair.ExportSecretKey(secret);

        AssertHides(request, secret, s_seed, x25519Secret);
        AssertHides(request.UserX25519KeyPair!, x25519Secret);
        Assert.That(DebuggerDisplay(x25519), Does.Contain("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"), "the display shows the RFC 7748 public key");
    }

    [Test]
    public void UserDkgSessionState_ToStringAndDebuggerDisplay_HideTheCoefficientsAndShares()
    {
        // The fast stand-in's session (PedersenDkgSession, the devnet's Public mode in test suites): between round 1 and the end it
        // holds the secret polynomial and the shares received so far.
        using var network = new DkgTestNetwork(3);
        network.StartAll();
        var session = (PedersenDkgSession)network.Sessions.Values.First();
        var coefficients = ((NBitcoin.Secp256k1.Scalar[])typeof(PedersenDkgSession).GetField("_coefficients", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(session)!)
            .Select(c => c.ToBytes()).ToArray();
        Assert.That(coefficients, Is.Not.Empty, "round 1 holds the secret polynomial");
        AssertHides(session, coefficients);

        network.Pump();
        foreach (var (_, running) in network.Sessions)
        {
            using var share = running.TakeResult();
            var secret = new byte[DkgSecretShare.Length];
            share.SecretShare.CopyTo(secret);
            AssertHides(running, [.. coefficients, secret]);
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

    internal static void AssertHides(object value, params byte[][] secrets)
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

    internal static string Describe(object value) => value.ToString() + "\n" + DebuggerDisplay(value);

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
