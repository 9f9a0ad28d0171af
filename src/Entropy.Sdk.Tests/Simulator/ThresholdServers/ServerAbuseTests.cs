using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Entropy.Protocol;
using Entropy.Simulator;
using Entropy.Simulator.ThresholdServers;
using Entropy.Tests.Registration;
using Sr25519Signer = Entropy.Crypto.Sr25519Signer;

namespace Entropy.Tests.Simulator.ThresholdServers;

/// <summary>
/// Abuse of the threshold servers' HTTP endpoints that needs the in-process devnet (docs/reliability.md, "Threshold servers under
/// abuse"): genuine <c>/user/receive_key</c> bodies captured in a pruned registration and replayed after the receiving server
/// restarted (capturing server-to-server bodies and restarting one server need the devnet's hooks). A devnet of 2 subgroups × 3
/// validators; the attacks go over loopback HTTP like any client's. The other attacks run against a devnet process:
/// <see cref="ServerAbuseProcessTests"/>.
/// </summary>
public class ServerAbuseTests : DevnetFixture
{
    protected override void ConfigureDevnet(EntropyDevnetOptions options)
    {
        options.Subgroups = 2;
        options.ValidatorsPerSubgroup = 3;
    }

    protected override void ConfigureClient(EntropyClientOptions options)
    {
        options.RegistrationTimeout = TimeSpan.FromSeconds(30);
    }

    [Test]
    public async Task ReceiveKey_StaleShareOfAPrunedRegistrationReplayedAfterTheReceiverRestarts_IsRefusedAndTheNewShareStays()
    {
        using var user = Sr25519Signer.FromSecretUri("//Alice//abuse//stale-share-after-restart");
        await RegistrationAudit.FundAsync(Client, user.AccountId);
        var key = user.AccountId.ToSs58();
        var firstHold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondHold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sent = new ConcurrentQueue<(ThresholdServerHost Sender, string Endpoint, byte[] Body, int Status)>();
        SetHoldsAndCapture(firstHold.Task, sent);
        try
        {
            // Registration 1: every member receives its share; the bodies are captured; then it is pruned and its confirmations refused.
            await Client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);
            await WaitForAsync(() => sent.Count == 4);
            var firstCommittee = sent.Select(x => x.Sender).Distinct().ToList();
            var failuresBefore = firstCommittee.Select(c => c.LastDkgFailure).ToList();
            await Client.PruneRegistrationAsync(user);
            SetHoldsAndCapture(secondHold.Task, sent);
            firstHold.SetResult();
            await WaitForAsync(() => firstCommittee.Select((c, i) => !ReferenceEquals(c.LastDkgFailure, failuresBefore[i])).All(x => x));

            // Registration 2 runs to the held confirmations; every addressee of a stale body outside the new committee restarts (its
            // RAM is gone; a committee member would lose its held confirmation).
            var operation = await Client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);
            await WaitForAsync(() => sent.Count == 8);
            var stale = sent.Take(4).ToList();
            var current = sent.Skip(4).ToList();
            var before = await RegistrationAudit.ReadSharesAsync(Devnet, user.AccountId);
            for (var i = 0; i < Devnet.Servers.Count; i++)
            {
                var server = Devnet.Servers[i];
                if (stale.Any(s => s.Endpoint == server.Endpoint) && current.All(c => c.Sender != server))
                {
                    await Devnet.StopServerAsync(i);
                    await Devnet.RestartServerAsync(i);
                }
            }

            var replays = new List<(string Expected, int Status, string Body)>();
            foreach (var (sender, endpoint, body, _) in stale)
            {
                // The current committee member of the addressee's subgroup: the sender of its current body, or the addressee itself.
                var currentSender = current.FirstOrDefault(c => c.Endpoint == endpoint).Sender ?? Devnet.Servers.Single(s => s.Endpoint == endpoint);
                var expected = sender == currentSender ? $"Data is repeated: the share of {key}" : $"Validator {sender.Account} did not run the current registration of {key}";
                var (status, answer) = await PostReceiveKeyAsync(endpoint, body);
                replays.Add((expected, status, answer));
            }

            // A share signed by a member of the subgroup that is not in the current committee is refused, even if well-formed.
            var addressee = Devnet.Servers.Single(s => s.Endpoint == current[0].Endpoint);
            var outsiderIndex = Enumerable.Range(0, Devnet.Servers.Count).First(i =>
                Devnet.Servers[i].Subgroup == addressee.Subgroup && Devnet.Servers[i] != addressee && Devnet.Servers[i] != current[0].Sender);
            using var outsiderPair = Devnet.Chain.Node.Validators[outsiderIndex].CreateTssKeyPair();
            var forged = SignedMessage.Create(outsiderPair, Encoding.UTF8.GetBytes($"{{\"key\":\"{key}\",\"value\":[1,2,3],\"proactive_refresh\":false}}"), addressee.X25519PublicKey).ToJson();
            var outsider = await PostReceiveKeyAsync(addressee.Endpoint, forged);

            Assert.Multiple(async () =>
            {
                Assert.That(sent.Select(x => x.Status), Is.All.EqualTo(200), "every genuine body was accepted");
                foreach (var (expected, status, answer) in replays)
                {
                    Assert.That(status, Is.EqualTo(500), answer);
                    Assert.That(answer, Does.StartWith(expected));
                }

                Assert.That(outsider.Status, Is.EqualTo(500));
                Assert.That(outsider.Body, Does.StartWith($"Validator {Devnet.Servers[outsiderIndex].Account} did not run the current registration of {key}"));
                Assert.That(await RegistrationAudit.ReadSharesAsync(Devnet, user.AccountId), Is.EqualTo(before), "no share changed");
            });

            secondHold.SetResult();
            var registration = await operation.WaitForCompletionAsync(TimeSpan.FromSeconds(20));
            Assert.That((await RegistrationAudit.ReadSharesAsync(Devnet, user.AccountId)).Select(s => ThresholdServerHost.ParseShare(s!).VerifyingKey), Has.All.EqualTo(registration.VerifyingKey.ToArray()));
        }
        finally
        {
            firstHold.TrySetResult();
            secondHold.TrySetResult();
            for (var i = 0; i < Devnet.Servers.Count; i++)
            {
                Devnet.Faults(i).HoldConfirmation = null;
                Devnet.Faults(i).KeySent = null;
            }
        }
    }

    private void SetHoldsAndCapture(Task hold, ConcurrentQueue<(ThresholdServerHost Sender, string Endpoint, byte[] Body, int Status)> sent)
    {
        for (var i = 0; i < Devnet.Servers.Count; i++)
        {
            var sender = Devnet.Servers[i];
            Devnet.Faults(i).HoldConfirmation = hold;
            Devnet.Faults(i).KeySent = (endpoint, body, status) => sent.Enqueue((sender, endpoint, body, status));
        }
    }

    private static async Task<(int Status, string Body)> PostReceiveKeyAsync(string endpoint, byte[] body)
    {
        using var http = new HttpClient();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(new Uri($"http://{endpoint}/user/receive_key"), content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
