using Entropy.Tests.Protocol;
using Entropy.Tests.Registration;
using System.Collections.Concurrent;
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
public class EntropyDevnetSubgroupTests : DevnetFixture
{
    protected override void ConfigureDevnet(EntropyDevnetOptions options)
    {
        options.Subgroups = 2;
        options.ValidatorsPerSubgroup = 3;
        options.LoggerFactory = new ProgressLoggerFactory();
    }

    protected override void ConfigureClient(EntropyClientOptions options)
    {
        options.RegistrationTimeout = TimeSpan.FromSeconds(30);
    }

    [Test]
    public void Validators_BeyondTheThird_HaveRealKeysAndTheDevTableIsKept()
    {
        var validators = Devnet.Chain.Node.Validators;

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
                Assert.That(Devnet.Servers[i].Account.AsSpan().ToArray(), Is.EqualTo(validators[i].TssAccount), validators[i].Name);
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
            committees.Add(await Client.GetDkgCommitteeAsync(n));
        }

        // §2.6: sel = block % 3 in each subgroup; subgroup g holds validators g, g + 2, g + 4.
        var stashes = Devnet.Chain.Node.Validators.Select(v => new AccountId(v.Stash)).ToArray();
        for (var k = 0; k < 3; k++)
        {
            var sel = (30 + k) % 3;
            Assert.That(committees[k].Select(c => c.Subgroup), Is.EqualTo(new byte[] { 0, 1 }));
            Assert.That(committees[k].Select(c => c.Stash), Is.EqualTo(new[] { stashes[2 * sel], stashes[(2 * sel) + 1] }), $"block #{30 + k}");
        }

        Assert.That(committees.Select(c => c[0].Stash).Distinct().Count(), Is.EqualTo(3));

        var committee = committees[0];
        var outsider = Devnet.Servers.First(s => committee.All(c => c.TssAccount != s.Account));
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

        var registration = (await Client.RegisterAsync(WaitUntil.Completed, user, TestPrograms.AllowAllPointer)).Value;

        var bySubgroup = new Dictionary<byte, List<byte[]>>();
        foreach (var server in Devnet.Servers)
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

        Assert.That(KeyShareMath.CombineShares([bySubgroup[0][0], bySubgroup[1][0]]), Is.EqualTo(registration.VerifyingKey.ToArray()));

        // A restarted server reopens its key store with the password and still holds the share.
        var restarted = Devnet.Servers[4];
        var before = await restarted.Store.GetAsync(user.AccountId.ToSs58());
        await Devnet.StopServerAsync(4);
        Assert.That(restarted.IsRunning, Is.False);
        await Devnet.RestartServerAsync(4);
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
        await Client.RegisterAsync(WaitUntil.Completed, user, TestPrograms.AllowAllPointer);
        var key = user.AccountId.ToSs58();
        var before = await Devnet.Servers[0].Store.GetAsync(key);
        Assert.That(before, Is.Not.Null, "the recipient holds the share after the registration");

        var first = await SendKeyAsync(senderIndex: 2, recipientIndex: 0, "//Bob", tamper: false);
        var replay = await SendKeyAsync(senderIndex: 2, recipientIndex: 0, "//Bob", tamper: false);

        Assert.That(first.Status, Is.EqualTo(500));
        Assert.That(first.Body, Does.Contain("not registering"));
        Assert.That(replay.Status, Is.EqualTo(500));
        Assert.That(await Devnet.Servers[0].Store.GetAsync(key), Is.EqualTo(before), "the stored share was overwritten");
    }

    [Test]
    public async Task ReceiveKey_GenuineBodyReplayedWhileTheAccountIsRegistering_IsRefusedAndNoStoredShareChanges()
    {
        // Hold both committee servers after they stored and replicated the share, before confirm_register: the account stays
        // registering, every member holds the share, and the genuine receive_key bodies the committee sent are captured.
        using var user = Sr25519Signer.FromSecretUri("//Alice//replay-while-registering");
        await RegistrationAudit.FundAsync(Client, user.AccountId);
        var key = user.AccountId.ToSs58();
        var servers = Devnet.Servers;
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sent = HoldConfirmationsAndCaptureKeysSent(hold.Task);

        try
        {
            var operation = await Client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);
            await WaitForAsync(() => Task.FromResult(sent.Count == 4)); // each subgroup's committee server to its two other members
            var held = await Client.GetRegisteringAsync(user.AccountId);
            var before = await RegistrationAudit.ReadSharesAsync(Devnet, user.AccountId);

            Assert.Multiple(() =>
            {
                Assert.That(held, Is.Not.Null, "the account is still registering");
                Assert.That(held!.Confirmations, Is.Zero);
                Assert.That(sent.Select(x => x.Status), Is.All.EqualTo(200), "the genuine deliveries were accepted");
                Assert.That(before, Has.All.Not.Null, "every member holds its subgroup's share");
            });

            var (committeeServer, endpoint, genuine, _) = sent.First();
            var addressee = servers.Single(s => s.Endpoint == endpoint);
            var bystander = servers.First(s => s.Subgroup == addressee.Subgroup && s != addressee && s != committeeServer);
            var repeated = $"Data is repeated: the share of {key} was already received";

            var replay = await PostReceiveKeyAsync(addressee, genuine);
            var replayAgain = await PostReceiveKeyAsync(addressee, genuine);
            var misdirected = await PostReceiveKeyAsync(bystander, genuine);
            var addresseeIndex = servers.ToList().IndexOf(addressee);
            await Devnet.StopServerAsync(addresseeIndex); // a member: nothing of the held registration runs on it
            await Devnet.RestartServerAsync(addresseeIndex);
            var replayAfterRestart = await PostReceiveKeyAsync(addressee, genuine);

            Assert.Multiple(async () =>
            {
                Assert.That(replay, Is.EqualTo((500, repeated)));
                Assert.That(replayAgain, Is.EqualTo((500, repeated)));
                Assert.That(misdirected, Is.EqualTo((500, $"Decryption failed: The signed message from {committeeServer.Account.ToSs58()} is addressed to x25519 key {Convert.ToHexStringLower(addressee.X25519PublicKey)}, not to this server.")));
                Assert.That(replayAfterRestart, Is.EqualTo((500, repeated)), "the restarted member (its store reopened with the password) still refuses");
                for (var i = 0; i < servers.Count; i++)
                {
                    Assert.That(await servers[i].Store.GetAsync(key), Is.EqualTo(before[i]), $"{servers[i].Name}'s share changed");
                }

                Assert.That(await Client.GetRegisteringAsync(user.AccountId), Is.Not.Null, "still registering");
            });

            hold.SetResult();
            var registration = await operation.WaitForCompletionAsync();

            Assert.Multiple(() =>
            {
                Assert.That(registration.VerifyingKey.ToArray(), Is.EqualTo(ThresholdServerHost.ParseShare(before[0]!).VerifyingKey));
                Assert.That(RegistrationAudit.RegisterSubmissions(Devnet.Chain, user.AccountId), Is.EqualTo(1));
            });
            Assert.That(await RegistrationAudit.SharesSurviveRestartAsync(Devnet, user.AccountId), Is.EqualTo(before));
        }
        finally
        {
            hold.TrySetResult();
            ClearHoldsAndCapture();
        }
    }

    [Test]
    public async Task ReceiveKey_BodyFromAPrunedRegistrationReplayedDuringTheNextOne_IsRefusedAndTheNewShareStays()
    {
        // entropy-tss v0.0.10 would accept this one: the account is registering again, so the stale share would overwrite the new one.
        using var user = Sr25519Signer.FromSecretUri("//Alice//replay-stale-registration");
        await RegistrationAudit.FundAsync(Client, user.AccountId);
        var key = user.AccountId.ToSs58();
        var servers = Devnet.Servers;
        var firstHold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondHold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sent = HoldConfirmationsAndCaptureKeysSent(firstHold.Task);

        try
        {
            await Client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);
            await WaitForAsync(() => Task.FromResult(sent.Count == 4));
            var (_, endpoint, stale, _) = sent.First();
            var addressee = servers.Single(s => s.Endpoint == endpoint);
            var staleShare = await addressee.Store.GetAsync(key);
            await Client.PruneRegistrationAsync(user);
            for (var i = 0; i < servers.Count; i++)
            {
                Devnet.Faults(i).HoldConfirmation = secondHold.Task;
            }

            // The first committee's confirmations are refused by the pool (the account is no longer registering); wait for both
            // refusals, so that neither can count for the next registration of the account.
            var firstCommittee = sent.Select(x => x.Sender).Distinct().ToList();
            var failuresBefore = firstCommittee.Select(c => c.LastDkgFailure).ToList();
            firstHold.SetResult();
            await WaitForAsync(() => Task.FromResult(firstCommittee.Select((c, i) => !ReferenceEquals(c.LastDkgFailure, failuresBefore[i])).All(x => x)));
            Assert.That(firstCommittee, Has.Count.EqualTo(2));
            Assert.That(firstCommittee.Select(c => c.LastDkgFailure), Has.All.InstanceOf<Entropy.Extrinsics.InvalidTransactionException>(), "the stale confirmations were refused");
            var operation = await Client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);
            await WaitForAsync(() => Task.FromResult(sent.Count == 8));
            var before = await RegistrationAudit.ReadSharesAsync(Devnet, user.AccountId);

            var replay = await PostReceiveKeyAsync(addressee, stale);
            var staleSender = sent.First().Sender;
            var currentSender = sent.Skip(4).Single(x => x.Endpoint == endpoint).Sender;

            Assert.Multiple(async () =>
            {
                Assert.That(sent.Select(x => x.Status), Is.All.EqualTo(200));
                Assert.That(before, Has.All.Not.Null.And.None.EqualTo(staleShare), "every member holds the second registration's share");
                // Refused as sent by a server outside the current committee, or (when the same server runs both) as a body already received.
                Assert.That(replay.Status, Is.EqualTo(500));
                Assert.That(replay.Body, Does.StartWith(staleSender == currentSender
                    ? $"Data is repeated: the share of {key} was already received"
                    : $"Validator {staleSender.Account} did not run the current registration of {key}"));
                for (var i = 0; i < servers.Count; i++)
                {
                    Assert.That(await servers[i].Store.GetAsync(key), Is.EqualTo(before[i]), $"{servers[i].Name}'s share changed");
                }
            });

            secondHold.SetResult();
            var registration = await operation.WaitForCompletionAsync();
            Assert.Multiple(() =>
            {
                Assert.That(registration.VerifyingKey.ToArray(), Is.EqualTo(ThresholdServerHost.ParseShare(before[0]!).VerifyingKey));
                Assert.That(RegistrationAudit.RegisterSubmissions(Devnet.Chain, user.AccountId), Is.EqualTo(2), "one per RegisterAsync call");
            });
        }
        finally
        {
            firstHold.TrySetResult();
            secondHold.TrySetResult();
            ClearHoldsAndCapture();
        }
    }

    /// <summary>Holds every server's confirm_register on <paramref name="hold"/> and records each receive_key body a server sends.</summary>
    private ConcurrentQueue<(ThresholdServerHost Sender, string Endpoint, byte[] Body, int Status)> HoldConfirmationsAndCaptureKeysSent(Task hold)
    {
        var sent = new ConcurrentQueue<(ThresholdServerHost Sender, string Endpoint, byte[] Body, int Status)>();
        for (var i = 0; i < Devnet.Servers.Count; i++)
        {
            var sender = Devnet.Servers[i];
            Devnet.Faults(i).HoldConfirmation = hold;
            Devnet.Faults(i).KeySent = (endpoint, body, status) => sent.Enqueue((sender, endpoint, body, status));
        }

        return sent;
    }

    private void ClearHoldsAndCapture()
    {
        for (var i = 0; i < Devnet.Servers.Count; i++)
        {
            Devnet.Faults(i).HoldConfirmation = null;
            Devnet.Faults(i).KeySent = null;
        }
    }

    private static async Task<(int Status, string Body)> PostReceiveKeyAsync(ThresholdServerHost recipient, byte[] body)
    {
        using var http = new HttpClient();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(new Uri($"http://{recipient.Endpoint}/user/receive_key"), content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }

    private async Task<(int Status, string Body, bool Stored)> SendKeyAsync(int senderIndex, int recipientIndex, string userUri, bool tamper)
    {
        using var user = Sr25519Signer.FromSecretUri(userUri);
        var recipient = Devnet.Servers[recipientIndex];
        using var senderPair = Devnet.Chain.Node.Validators[senderIndex].CreateTssKeyPair();
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
