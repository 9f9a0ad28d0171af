using System.Collections;
using System.Security.Cryptography;
using System.Text;
using Entropy.Crypto;
using Entropy.Protocol;
using Entropy.Simulator;
using Entropy.Simulator.ThresholdServers;
using Entropy.Tests.Simulator;
using Microsoft.Extensions.Logging;

namespace Entropy.Tests.Security;

/// <summary>
/// No secret reaches a log: a full registration on the devnet (Public, and Private where the client joins the DKG) with every logger
/// (client, RPC, chain, off-chain worker, threshold servers) at Trace, captured; no secret byte string may appear in any form a log
/// sink could print.
/// </summary>
[Category("Security")]
public class SecretHygieneTests
{
    [TestCase(AccessMode.Public)]
    [TestCase(AccessMode.Private)]
    public async Task RegisterAsync_AllLogsAtTrace_ContainNoSecret(AccessMode accessMode)
    {
        var logs = new CapturingLoggerFactory();
        string password = "hygiene-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var secrets = new List<(string What, byte[] Bytes)> { ("key-store password", Encoding.UTF8.GetBytes(password)) };
        var texts = new List<(string What, string Text)> { ("key-store password", password) };
        var running = await DevnetFixture.StartAsync(
            options =>
            {
                options.DkgTimeout = PrivateModeBudget.KeyGeneration;
                options.KeyStorePassword = password;
                options.LoggerFactory = logs;
            },
            options =>
            {
                options.RegistrationTimeout = PrivateModeBudget.Registration;
                options.KeyGenerationTimeout = PrivateModeBudget.KeyGeneration;
                options.SafePrimeSource = TestSafePrimes.Source();
                options.LoggerFactory = logs;
            });
        await using (running)
        {
            var (devnet, client) = (running.Devnet, running.Client);
            using var user = Sr25519KeyPair.FromSecretUri("//Charlie");
            secrets.Add(("user secret key", Export(user)));
            secrets.Add(("dev phrase mini secret", DevMiniSecret()));
            foreach (var validator in devnet.Chain.Node.Validators)
            {
                using var tss = validator.CreateTssKeyPair();
                secrets.Add(($"{validator.Name} TSS secret key", Export(tss)));
                secrets.Add(($"{validator.Name} x25519 secret", ThresholdServerKeys.DeriveX25519StaticSecret(tss)));
                texts.Add(($"{validator.Name} TSS secret URI / phrase", validator.TssSecret));
            }

            using var signer = Sr25519Signer.FromKeyPair(user);
            var request = new RegisterRequest(signer);
            request.Programs.Add(new ProgramInstance(TestPrograms.AllowAllPointer, []));
            using var x25519 = X25519KeyPair.Generate();
            if (accessMode == AccessMode.Private)
            {
                // The user joins the DKG: its x25519 secret is the Noise static key, and it ends up holding a share of its own.
                var x25519Secret = new byte[X25519KeyPair.SecretKeyLength];
                x25519.CopySecretTo(x25519Secret);
                secrets.Add(("user x25519 secret", x25519Secret));
                request.AccessMode = AccessMode.Private;
                request.UserX25519KeyPair = x25519;
            }

            var operation = await client.RegisterAsync(WaitUntil.Completed, request);
            Assert.That(operation.Value.VerifyingKey.IsEmpty, Is.False);
            Assert.That(operation.Value.AccessMode, Is.EqualTo(accessMode));
            if (accessMode == AccessMode.Private)
            {
                using var share = operation.KeyShare;
                Assert.That(share, Is.Not.Null, "the client holds the user's share");
                var userShare = new byte[PrivateKeyShare.SecretLength];
                share!.ExportSecret(userShare);
                secrets.Add(("user private key share", userShare));
                AddSynedrionSecrets(secrets, "user", share.ExportKeyShare());
                SecretDisplayTests.AssertHides(operation, [.. secrets.Select(x => x.Bytes)]);
                SecretDisplayTests.AssertHides(share, [.. secrets.Select(x => x.Bytes)]);
            }

            foreach (var server in devnet.Servers)
            {
                var stored = await server.Store.GetAsync(new AccountId(user.PublicKey.ToArray()).ToSs58());
                Assert.That(stored, Is.Not.Null, $"{server.Name} stored no share");
                secrets.Add(($"{server.Name} key share", ThresholdServerHost.ParseShare(stored!).Secret));
                if (accessMode == AccessMode.Private)
                {
                    AddSynedrionSecrets(secrets, server.Name, stored!);
                }
            }
        }

        string captured = logs.Text;
        Assert.That(captured, Does.Contain("Registered").Or.Contain("registered"), "the capture holds the registration's logs");
        Assert.That(logs.Count, Is.GreaterThan(50), "every component logged at Trace/Debug");
        if (accessMode == AccessMode.Private)
        {
            Assert.That(captured, Does.Contain("Private DKG").And.Contain("Key generation for"), "the capture holds the client's side of the DKG");
        }

        Assert.Multiple(() =>
        {
            foreach (var (what, bytes) in secrets)
            {
                foreach (var (form, text) in Forms(bytes))
                {
                    Assert.That(captured, Does.Not.Contain(text), $"{what} appears in the logs as {form}");
                }
            }

            foreach (var (what, text) in texts)
            {
                Assert.That(captured, Does.Not.Contain(text), $"{what} appears in the logs");
            }
        });
    }

    /// <summary>Every printable form of a secret, whole and by 16-byte window (a logged half of a key is a leak too).</summary>
    internal static IEnumerable<(string Form, string Text)> Forms(byte[] secret)
    {
        var pieces = new List<byte[]> { secret };
        for (int i = 0; i + 16 <= secret.Length && secret.Length > 16; i += 8)
        {
            pieces.Add(secret[i..(i + 16)]);
        }

        foreach (var piece in pieces)
        {
            yield return ("lowercase hex", Convert.ToHexStringLower(piece));
            yield return ("uppercase hex", Convert.ToHexString(piece));
            yield return ("base64", Convert.ToBase64String(piece).TrimEnd('='));
            yield return ("decimal array", string.Join(",", piece));
            yield return ("decimal array with spaces", string.Join(", ", piece));
        }
    }

    /// <summary>Adds the secrets inside a synedrion KeyShare: the Paillier primes (big-endian) and the ElGamal secret.</summary>
    private static void AddSynedrionSecrets(List<(string What, byte[] Bytes)> secrets, string owner, byte[] keyShare)
    {
        using var share = Entropy.Synedrion.KeyGen.KeyShare.FromBytes(keyShare, Entropy.Synedrion.SynedrionParams.Production);
        secrets.Add(($"{owner} Paillier p", share.PaillierSecret.P.ToByteArray(isUnsigned: true, isBigEndian: true)));
        secrets.Add(($"{owner} Paillier q", share.PaillierSecret.Q.ToByteArray(isUnsigned: true, isBigEndian: true)));
        secrets.Add(($"{owner} ElGamal secret", share.ElGamalSecret.ToBytes()));
    }

    private static byte[] Export(Sr25519KeyPair pair)
    {
        var secret = new byte[Sr25519KeyPair.SecretKeyLength];
        pair.ExportSecretKey(secret);
        return secret;
    }

    private static byte[] DevMiniSecret()
    {
        var mini = new byte[32];
        Mnemonic.DeriveMiniSecret(Mnemonic.DevPhrase, null, mini);
        return mini;
    }

    /// <summary>Captures every log entry at every level: the formatted message, the exception, and each structured value (byte arrays in hex, base64 and decimal).</summary>
    internal sealed class CapturingLoggerFactory : ILoggerFactory, ILoggerProvider
    {
        private readonly StringBuilder _text = new();
        private int _count;

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString();
                }
            }
        }

        public int Count => Volatile.Read(ref _count);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private void Append(string category, LogLevel level, string message, object? state, Exception? exception)
        {
            var line = new StringBuilder().Append(level).Append(' ').Append(category).Append(": ").Append(message);
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    line.Append(" | ").Append(key).Append('=').Append(Render(value));
                }
            }

            if (exception is not null)
            {
                line.Append(" | ").Append(exception);
            }

            Interlocked.Increment(ref _count);
            lock (_text)
            {
                _text.AppendLine(line.ToString());
            }
        }

        /// <summary>What a structured sink (JSON console, Seq, OpenTelemetry) would print for a value.</summary>
        private static string Render(object? value) => value switch
        {
            null => "null",
            byte[] bytes => $"{Convert.ToHexStringLower(bytes)} {Convert.ToBase64String(bytes)} [{string.Join(",", bytes)}]",
            ReadOnlyMemory<byte> memory => Render(memory.ToArray()),
            Memory<byte> memory => Render(memory.ToArray()),
            string text => text,
            IEnumerable sequence => "[" + string.Join(",", sequence.Cast<object?>().Select(Render)) + "]",
            _ => value.ToString() ?? string.Empty,
        };

        private sealed class Logger(CapturingLoggerFactory owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull
            {
                owner.Append(category, LogLevel.Trace, "scope " + state, state, null);
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Append(category, logLevel, formatter(state, exception), state, exception);
        }
    }
}
