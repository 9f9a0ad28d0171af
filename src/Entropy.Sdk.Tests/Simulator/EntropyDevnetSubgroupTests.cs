using Entropy.Tests.Protocol;
using System.Text;
using System.Text.Json.Nodes;
using Entropy.Crypto;
using Entropy.Protocol;
using Entropy.Simulator;
using Entropy.Simulator.ThresholdServers;
using Sr25519Signer = Entropy.Crypto.Sr25519Signer;
using NBitcoin.Secp256k1;
using Scalar = NBitcoin.Secp256k1.Scalar;

namespace Entropy.Tests.Simulator;

/// <summary>A devnet of 2 subgroups × 3 validators (PROTOCOL.md §2.6, §3.1, §5.3, §5.4) over real loopback.</summary>
public class EntropyDevnetSubgroupTests
{
    private EntropyDevnet _devnet = null!;
    private EntropyClient _client = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _devnet = new EntropyDevnet(new EntropyDevnetOptions
        {
            BlockInterval = TimeSpan.FromMilliseconds(300),
            KeyStoreScryptCost = 1 << 10,
            Subgroups = 2,
            ValidatorsPerSubgroup = 3,
            DkgTimeout = TimeSpan.FromSeconds(10),
            LoggerFactory = new ProgressLoggerFactory(),
        });
        await _devnet.StartAsync();
        _client = await EntropyClient.ConnectAsync(_devnet.Endpoint, new EntropyClientOptions { PollingInterval = TimeSpan.FromMilliseconds(100), RegistrationTimeout = TimeSpan.FromSeconds(30) });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _client.DisposeAsync();
        await _devnet.DisposeAsync();
    }

    [Test]
    public void Validators_BeyondTheThird_HaveRealKeysAndTheDevTableIsKept()
    {
        var validators = _devnet.Chain.Node.Validators;

        Assert.That(validators, Has.Count.EqualTo(6));
        Assert.Multiple(() =>
        {
            // PROTOCOL.md §10: TSS Alice, Bob, Charlie.
            Assert.That(Convert.ToHexStringLower(validators[0].TssAccount), Is.EqualTo("e0543c102def9f6ef0e8b8ffa31aa259167a9391566929fd718a1ccdaabdb876"));
            Assert.That(Convert.ToHexStringLower(validators[1].TssAccount), Is.EqualTo("2a8200850770290c7ea3b50a8ff64c6761c882ff8393dc95fccb5d1475eff17f"));
            Assert.That(Convert.ToHexStringLower(validators[2].X25519PublicKey), Is.EqualTo("f5de63c959e377ec8ed94aab3aa28ca50768d224c4e3d0feaf64e232ef548d0d"));
            for (var i = 0; i < validators.Count; i++)
            {
                using var pair = validators[i].CreateTssKeyPair();
                Assert.That(pair.PublicKey.ToArray(), Is.EqualTo(validators[i].TssAccount), validators[i].Name);
                Assert.That(ThresholdServerKeys.DeriveX25519PublicKey(pair), Is.EqualTo(validators[i].X25519PublicKey), validators[i].Name);
                Assert.That(_devnet.Servers[i].Account.AsSpan().ToArray(), Is.EqualTo(validators[i].TssAccount), validators[i].Name);
            }

            Assert.That(validators[3].TssSecret, Is.EqualTo("//Dave//tss"));
        });
    }

    [Test]
    public async Task GetDkgCommitteeAsync_ConsecutiveBlocks_RotatesAndAnUnselectedServerRejectsUserNew()
    {
        var committees = new List<IReadOnlyList<ThresholdServer>>();
        for (uint n = 30; n < 33; n++)
        {
            committees.Add(await _client.GetDkgCommitteeAsync(n));
        }

        // §2.6: sel = block % 3 in each subgroup; subgroup g holds validators g, g + 2, g + 4.
        var stashes = _devnet.Chain.Node.Validators.Select(v => new AccountId(v.Stash)).ToArray();
        for (var k = 0; k < 3; k++)
        {
            var sel = (30 + k) % 3;
            Assert.That(committees[k].Select(c => c.Subgroup), Is.EqualTo(new byte[] { 0, 1 }));
            Assert.That(committees[k].Select(c => c.Stash), Is.EqualTo(new[] { stashes[2 * sel], stashes[(2 * sel) + 1] }), $"block #{30 + k}");
        }

        Assert.That(committees.Select(c => c[0].Stash).Distinct().Count(), Is.EqualTo(3));

        var committee = committees[0];
        var outsider = _devnet.Servers.First(s => committee.All(c => c.TssAccount != s.Account));
        using var http = new HttpClient();
        var message = new OcwMessageDkg(29, [new byte[32]], [.. committee.Select(c => new ValidatorInfo(c.X25519PublicKey.ToArray(), Encoding.UTF8.GetBytes(c.Endpoint), c.TssAccount.AsSpan().ToArray()))]);
        using var content = new ByteArrayContent(message.Encode());
        using var response = await http.PostAsync(new Uri($"http://{outsider.Endpoint}/user/new"), content);

        Assert.That((int)response.StatusCode, Is.EqualTo(500));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("Invalid Signer"));
    }

    [Test]
    public async Task RegisterAsync_TwoSubgroupsOfThree_EveryMemberHoldsItsSubgroupsShareAlsoAfterARestart()
    {
        using var user = Sr25519Signer.FromSecretUri("//Charlie");

        var registration = (await _client.RegisterAsync(WaitUntil.Completed, user)).Value;

        var bySubgroup = new Dictionary<byte, List<byte[]>>();
        foreach (var server in _devnet.Servers)
        {
            var stored = await server.Store.GetAsync(user.AccountId.ToSs58());
            Assert.That(stored, Is.Not.Null, $"{server.Name} holds no share");
            var (key, secret) = ThresholdServerHost.ParseShare(stored!);
            Assert.That(key, Is.EqualTo(registration.VerifyingKey.ToArray()), $"{server.Name} stored another key");
            bySubgroup.TryAdd(server.Subgroup, []);
            bySubgroup[server.Subgroup].Add(secret);
        }

        Assert.That(bySubgroup.Keys, Is.EquivalentTo(new byte[] { 0, 1 }));
        foreach (var (subgroup, shares) in bySubgroup)
        {
            Assert.That(shares, Has.Count.EqualTo(3));
            Assert.That(shares.Skip(1), Is.All.EqualTo(shares[0]), $"subgroup {subgroup} members hold different shares");
        }

        Assert.That(DkgTestNetwork.CombineShares([bySubgroup[0][0], bySubgroup[1][0]]), Is.EqualTo(registration.VerifyingKey.ToArray()));

        // A restarted server reopens its key store with the password and still holds the share.
        var restarted = _devnet.Servers[4];
        var before = await restarted.Store.GetAsync(user.AccountId.ToSs58());
        await _devnet.StopServerAsync(4);
        Assert.That(restarted.IsRunning, Is.False);
        await _devnet.RestartServerAsync(4);
        using var http = new HttpClient();
        using var health = await http.GetAsync(new Uri($"http://{restarted.Endpoint}/healthz"));
        Assert.That(await restarted.Store.GetAsync(user.AccountId.ToSs58()), Is.EqualTo(before));
        Assert.That((int)health.StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task ReceiveKey_FromOutsideTheSubgroup_IsRefusedAndStoresNothing()
    {
        // Bob's TSS (subgroup 1) sends to Alice's (subgroup 0).
        var (status, body, stored) = await SendKeyAsync(senderIndex: 1, recipientIndex: 0, "//Two", tamper: false);

        Assert.That(status, Is.EqualTo(500));
        Assert.That(body, Does.Contain("not in subgroup"));
        Assert.That(stored, Is.False);
    }

    [Test]
    public async Task ReceiveKey_BadSignature_IsRefusedAndStoresNothing()
    {
        var (status, body, stored) = await SendKeyAsync(senderIndex: 2, recipientIndex: 0, "//Two", tamper: true);

        Assert.That(status, Is.EqualTo(500));
        Assert.That(body, Does.Contain("Invalid Signature"));
        Assert.That(stored, Is.False);
    }

    [Test]
    public async Task ReceiveKey_ForANonRegisteringAccount_IsRefusedAndStoresNothing()
    {
        // Charlie's TSS is in Alice's subgroup (0), but //Two is not registering.
        var (status, body, stored) = await SendKeyAsync(senderIndex: 2, recipientIndex: 0, "//Two", tamper: false);

        Assert.That(status, Is.EqualTo(500));
        Assert.That(body, Does.Contain("not registering"));
        Assert.That(stored, Is.False);
    }

    [Test]
    public async Task ReceiveKey_ReplayedAfterRegistration_IsRefusedAndTheStoredShareIsUnchanged()
    {
        // A receive_key for an account that has finished registering (a replay of the replication message, or a forged one
        // from a subgroup member) must neither be accepted nor overwrite the share every member already holds.
        using var user = Sr25519Signer.FromSecretUri("//Bob");
        await _client.RegisterAsync(WaitUntil.Completed, user);
        var key = user.AccountId.ToSs58();
        var before = await _devnet.Servers[0].Store.GetAsync(key);
        Assert.That(before, Is.Not.Null, "the recipient holds the share after the registration");

        var first = await SendKeyAsync(senderIndex: 2, recipientIndex: 0, "//Bob", tamper: false);
        var replay = await SendKeyAsync(senderIndex: 2, recipientIndex: 0, "//Bob", tamper: false);

        Assert.That(first.Status, Is.EqualTo(500));
        Assert.That(first.Body, Does.Contain("not registering"));
        Assert.That(replay.Status, Is.EqualTo(500));
        Assert.That(await _devnet.Servers[0].Store.GetAsync(key), Is.EqualTo(before), "the stored share was overwritten");
    }

    private async Task<(int Status, string Body, bool Stored)> SendKeyAsync(int senderIndex, int recipientIndex, string userUri, bool tamper)
    {
        using var user = Sr25519Signer.FromSecretUri(userUri);
        var recipient = _devnet.Servers[recipientIndex];
        using var senderPair = _devnet.Chain.Node.Validators[senderIndex].CreateTssKeyPair();
        var key = user.AccountId.ToSs58();
        var plaintext = Encoding.UTF8.GetBytes($"{{\"key\":\"{key}\",\"value\":[1,2,3],\"proactive_refresh\":false}}");
        var json = SignedMessage.Create(senderPair, plaintext, recipient.X25519PublicKey).ToJson();
        if (tamper)
        {
            var node = JsonNode.Parse(json)!;
            var sig = node["sig"]!.GetValue<string>();
            node["sig"] = (sig[0] == '0' ? "1" : "0") + sig[1..];
            json = Encoding.UTF8.GetBytes(node.ToJsonString());
        }

        using var http = new HttpClient();
        using var content = new ByteArrayContent(json);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(new Uri($"http://{recipient.Endpoint}/user/receive_key"), content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), await recipient.Store.GetAsync(key) is not null);
    }


    private sealed class ProgressLoggerFactory : Microsoft.Extensions.Logging.ILoggerFactory, Microsoft.Extensions.Logging.ILogger
    {
        public void AddProvider(Microsoft.Extensions.Logging.ILoggerProvider provider) { }
        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => this;
        public void Dispose() { }
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Information;
        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            TestContext.Progress.WriteLine($"{logLevel}: {formatter(state, exception)}");
    }
}
