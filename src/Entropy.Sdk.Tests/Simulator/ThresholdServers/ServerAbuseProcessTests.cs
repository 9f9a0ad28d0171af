using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Entropy.Crypto;
using Entropy.Protocol;
using Entropy.Rpc;
using Entropy.Simulator.KeyStore;
using Entropy.Simulator.Runtime;
using Entropy.Simulator.ThresholdServers;
using Entropy.Tests.Devnet;
using Entropy.Tests.Registration;

namespace Entropy.Tests.Simulator.ThresholdServers;

/// <summary>
/// The threshold servers' HTTP endpoints abused from outside a devnet PROCESS (docs/reliability.md, "Threshold servers under
/// abuse"): black box, 2 subgroups × 3 validators, the attacks over loopback HTTP like any client's, the servers' answers and the
/// chain read as a client reads them, and the key stores opened from disk after the process is killed by PID (SIGKILL: whatever a
/// server acknowledged must be on disk). What needs the servers' in-process hooks (capturing genuine bodies, restarting one server)
/// stays in <see cref="ServerAbuseTests"/>. The servers run the fast stand-in key generation (<c>--fast-public-dkg</c>): the attacks
/// are on the HTTP endpoints, which are the same whatever key generation runs behind them.
/// </summary>
[Category("Abuse")]
[NonParallelizable]
public class ServerAbuseProcessTests
{
    private const string Password = "entropy_unsafe_password";
    private string _keyStores = null!;

    [SetUp]
    public void SetUp() => _keyStores = Directory.CreateTempSubdirectory("entropy-abuse-process-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_keyStores, recursive: true);

    [Test]
    public async Task UserNew_ForgedValidatorsInfoSentBeforeTheGenuineMessage_IsRefusedAndTheRegistrationCompletes()
    {
        // Manual blocks: the attacker is already sending when block N+1 is made, so its message reaches every server before the
        // off-chain worker's (which first reads Dkg[N] and the committee). v0.0.10 would mark the block seen and refuse the genuine one.
        await using var devnet = await DevnetProcess.StartAsync("--manual", "--fast-public-dkg", "--subgroups", "2", "--validators", "3", "--key-store", _keyStores);
        await using var blocks = await BlockPump.StartAsync(devnet.Endpoint);
        await using var client = await EntropyClient.ConnectAsync(devnet.Endpoint, new EntropyClientOptions { PollingInterval = TimeSpan.FromMilliseconds(100), RegistrationTimeout = TimeSpan.FromSeconds(60) });
        await using var chain = await ServerChain.OpenAsync(await RpcClient.ConnectAsync(devnet.Endpoint), ownsRpc: true, CancellationToken.None);
        var servers = await AllServersAsync(chain);
        await TestPrograms.DeployAsync(client);

        // The race is won when no committee member answers "Data is repeated" (it saw the genuine message first); a few tries at most.
        for (var attempt = 1; ; attempt++)
        {
            using var user = Sr25519Signer.FromSecretUri($"//Alice//abuse-process//forged-user-new/{attempt}");
            await RegistrationAudit.FundAsync(client, user.AccountId);
            var (answers, committee, operation) = await RaceForgedUserNewAsync(devnet, blocks, client, chain, servers, user);
            var registration = await operation.WaitForCompletionAsync(TimeSpan.FromSeconds(60));
            var members = committee.Select(c => c.TssAccount).ToHashSet();
            if (answers.Any(a => members.Contains(a.Server.TssAccount) && a.Body.StartsWith("Data is repeated", StringComparison.Ordinal)) && attempt < 3)
            {
                continue;
            }

            Assert.Multiple(() =>
            {
                Assert.That(answers.Select(a => a.Server.TssAccount), Is.EquivalentTo(servers.Select(s => s.TssAccount)), "the forged message reached every server");
                foreach (var (server, status, body) in answers)
                {
                    Assert.That(status, Is.EqualTo(500), server.Endpoint);
                    Assert.That(body, Does.StartWith(members.Contains(server.TssAccount) ? "Invalid validators_info" : "Invalid Signer"), server.Endpoint);
                }
            });

            Assert.That(await client.IsRegisteredAsync(user.AccountId), Is.True);
            await devnet.DisposeAsync(); // SIGKILL: the stores must hold what the servers acknowledged.
            await AssertEverySubgroupHoldsOneShareAsync(servers, user.AccountId);
            return;
        }
    }

    [Test]
    public async Task ReceiveKey_ShareFromASubgroupMemberOutsideTheCurrentCommittee_IsRefusedAndNoShareChanges()
    {
        // Manual blocks: the attack runs while the account is still registering (its shares stored and replicated, the two
        // confirmations waiting in the pool), as a share is only ever accepted then.
        await using var devnet = await DevnetProcess.StartAsync("--manual", "--fast-public-dkg", "--subgroups", "2", "--validators", "3", "--key-store", _keyStores);
        await using var blocks = await BlockPump.StartAsync(devnet.Endpoint);
        await using var client = await EntropyClient.ConnectAsync(devnet.Endpoint, new EntropyClientOptions { PollingInterval = TimeSpan.FromMilliseconds(100), RegistrationTimeout = TimeSpan.FromSeconds(60) });
        await using var chain = await ServerChain.OpenAsync(await RpcClient.ConnectAsync(devnet.Endpoint), ownsRpc: true, CancellationToken.None);
        var servers = await AllServersAsync(chain);
        using var user = Sr25519Signer.FromSecretUri("//Alice//abuse-process//outsider-share");
        await RegistrationAudit.FundAsync(client, user.AccountId);
        await TestPrograms.DeployAsync(client);
        var key = user.AccountId.ToSs58();
        RegisterOperation operation;
        (int Status, string Body) fromOutsider, fromOutsiderAgain, fromStranger;
        Server outsider;
        await using (await blocks.PauseAsync())
        {
            var register = client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);
            await WaitForAsync(async () => (await chain.Client.GetPendingExtrinsicsAsync()).Any(x => x.AsSpan().IndexOf(user.AccountId.AsSpan()) >= 0));
            await blocks.NewBlockAsync();
            operation = await register;
            await blocks.NewBlockAsync(); // N+1: the DKG runs; each committee member stores, replicates, then submits its confirmation.
            await WaitForAsync(async () => (await chain.Client.GetPendingExtrinsicsAsync()).Count >= 2);

            // Subgroup 0: the committee member ran the registration; an outsider of the same subgroup, holding its own (dev) key,
            // sends a well-formed share to the third member. A validator of the other subgroup tries too.
            var committee = await chain.GetCommitteeAsync(operation.RegisterBlockNumber!.Value + 1, null, CancellationToken.None);
            var subgroup0 = servers.Where(s => s.Subgroup == 0).ToList();
            var member = subgroup0.Single(s => s.TssAccount == committee[0].TssAccount);
            outsider = subgroup0.First(s => s != member);
            var addressee = subgroup0.First(s => s != member && s != outsider);
            var stranger = servers.First(s => s.Subgroup == 1);
            var forged = Encoding.UTF8.GetBytes($"{{\"key\":\"{key}\",\"value\":[1,2,3],\"proactive_refresh\":false}}");
            fromOutsider = await PostReceiveKeyAsync(addressee, outsider, forged);
            fromOutsiderAgain = await PostReceiveKeyAsync(addressee, outsider, forged);
            fromStranger = await PostReceiveKeyAsync(addressee, stranger, forged);
        }

        await operation.WaitForCompletionAsync(TimeSpan.FromSeconds(60));
        Assert.Multiple(() =>
        {
            Assert.That(fromOutsider.Status, Is.EqualTo(500));
            Assert.That(fromOutsider.Body, Does.StartWith($"Validator {outsider.TssAccount} did not run the current registration of {key}"));
            Assert.That(fromOutsiderAgain, Is.EqualTo(fromOutsider));
            Assert.That(fromStranger, Is.EqualTo((500, "Validator not in subgroup")));
        });

        await devnet.DisposeAsync();
        await AssertEverySubgroupHoldsOneShareAsync(servers, user.AccountId);
    }

    [Test]
    public async Task KeyStoreMeta_LoweredCostBetweenRuns_TheDevnetRefusesToStartNamingIt()
    {
        var first = await DevnetProcess.StartAsync("--block-time", "300", "--key-store", _keyStores);
        await first.DisposeAsync();
        var meta = Directory.EnumerateFiles(_keyStores, "keystore.meta", SearchOption.AllDirectories).First();
        var bytes = await File.ReadAllBytesAsync(meta);
        BitConverter.TryWriteBytes(bytes.AsSpan(5, 8), 1L << 10); // N (u64 LE) from 2^15 to 2^10
        await File.WriteAllBytesAsync(meta, bytes);

        var e = Assert.ThrowsAsync<InvalidOperationException>(() => DevnetProcess.StartAsync("--block-time", "300", "--key-store", _keyStores));

        Assert.That(e!.Message, Does.Contain("The devnet did not start").And.Contain("asks for scrypt N = 1024").And.Contain("below this server's minimum"));
        Assert.That(e.Message, Does.Not.Contain("Unhandled exception"));
    }

    /// <summary>Builds block N with the registration, then sends the forged <c>OcwMessageDkg</c> for N to every server until each answers for head N+1.</summary>
    private static async Task<(List<(Server Server, int Status, string Body)> Answers, IReadOnlyList<ServerRecord> Committee, RegisterOperation Operation)> RaceForgedUserNewAsync(
        DevnetProcess devnet, BlockPump blocks, EntropyClient client, ServerChain chain, IReadOnlyList<Server> servers, Sr25519Signer user)
    {
        await using var paused = await blocks.PauseAsync();
        var register = client.RegisterAsync(WaitUntil.Started, user, TestPrograms.AllowAllPointer);
        await WaitForAsync(async () => (await chain.Client.GetPendingExtrinsicsAsync()).Any(x => x.AsSpan().IndexOf(user.AccountId.AsSpan()) >= 0) || register.IsCompleted);
        await blocks.NewBlockAsync();
        var (head, headHash) = await chain.GetBestHeadAsync(CancellationToken.None);
        var committee = await chain.GetCommitteeAsync(head + 1, headHash, CancellationToken.None);
        var forged = new OcwMessageDkg(
            head,
            [user.AccountId.AsSpan().ToArray()],
            [.. committee.Select(c => new ValidatorInfo(RandomNumberGenerator.GetBytes(32), "127.0.0.1:9"u8.ToArray(), c.TssAccount.ToArray()))]).Encode();
        var answers = new ConcurrentQueue<(Server, int, string)>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var attackers = servers.Select(server => Task.Run(async () =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (true)
            {
                using var content = new ByteArrayContent(forged);
                using var response = await http.PostAsync(new Uri($"http://{server.Endpoint}/user/new"), content, timeout.Token);
                var body = await response.Content.ReadAsStringAsync(timeout.Token);
                if (!body.StartsWith("Data is stale", StringComparison.Ordinal) || !body.Contains($"head is #{head}", StringComparison.Ordinal))
                {
                    answers.Enqueue((server, (int)response.StatusCode, body));
                    return;
                }
            }
        })).ToList();
        await Task.Delay(50);
        await blocks.NewBlockAsync(); // N+1: the off-chain worker posts the genuine message for N.
        await Task.WhenAll(attackers);
        return ([.. answers], committee, await register);
    }

    /// <summary>Opens every server's key store from disk (the process is gone) and checks each subgroup's members hold the same share of the account.</summary>
    private async Task AssertEverySubgroupHoldsOneShareAsync(IReadOnlyList<Server> servers, AccountId account)
    {
        var shares = new Dictionary<byte, List<byte[]?>>();
        foreach (var directory in Directory.EnumerateDirectories(_keyStores))
        {
            await using var store = await EncryptedKeyStore.OpenAsync(directory, Password);
            var tss = servers.Single(s => directory.EndsWith(Path.DirectorySeparatorChar + NameOf(s) + "-TSS", StringComparison.Ordinal));
            (shares.TryGetValue(tss.Subgroup, out var list) ? list : shares[tss.Subgroup] = []).Add(await store.GetAsync(account.ToSs58()));
        }

        Assert.That(shares.Keys, Is.EquivalentTo(new byte[] { 0, 1 }));
        foreach (var (subgroup, list) in shares)
        {
            Assert.That(list, Has.Count.EqualTo(3).And.All.Not.Null, $"subgroup {subgroup}: every member holds the share");
            Assert.That(list.Distinct(new BytesComparer()).Count(), Is.EqualTo(1), $"subgroup {subgroup}: one share, replicated");
        }

        Assert.That(shares[0][0], Is.Not.EqualTo(shares[1][0]), "the two subgroups hold different shares");
    }

    /// <summary>The validator name the devnet gives a server (its key store folder is NAME-TSS), from the dev validators of a 2 × 3 devnet.</summary>
    private static string NameOf(Server server) =>
        Genesis.Validators(2, 3, 0).Single(v => v.TssAccount.AsSpan().SequenceEqual(server.TssAccount.AsSpan())).Name;

    private static async Task<(int Status, string Body)> PostReceiveKeyAsync(Server addressee, Server sender, byte[] plaintext)
    {
        using var pair = Genesis.Validators(2, 3, 0).Single(v => v.TssAccount.AsSpan().SequenceEqual(sender.TssAccount.AsSpan())).CreateTssKeyPair();
        var body = SignedMessage.Create(pair, plaintext, addressee.X25519PublicKey).ToJson();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(new Uri($"http://{addressee.Endpoint}/user/receive_key"), content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Every validator's server as the chain lists them (SigningGroups, ThresholdServers).</summary>
    private static async Task<List<Server>> AllServersAsync(ServerChain chain)
    {
        var servers = new List<Server>();
        for (byte subgroup = 0; subgroup < 2; subgroup++)
        {
            foreach (var stash in await chain.GetSigningGroupAsync(subgroup, null, CancellationToken.None))
            {
                var record = (await chain.GetThresholdServerAsync(stash, null, CancellationToken.None))!;
                servers.Add(new Server(record.TssAccount, record.Endpoint, record.X25519PublicKey, subgroup));
            }
        }

        return servers;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    private sealed record Server(AccountId TssAccount, string Endpoint, byte[] X25519PublicKey, byte Subgroup);

    private sealed class BytesComparer : IEqualityComparer<byte[]?>
    {
        public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => obj.Length == 0 ? 0 : obj[0] | (obj.Length << 8);
    }

    /// <summary>Makes a block every 200 ms through <c>dev_newBlock</c>, unless paused (then the test makes them).</summary>
    private sealed class BlockPump : IAsyncDisposable
    {
        private readonly RpcClient _rpc;
        private readonly SemaphoreSlim _gate = new(1, 1);
        private readonly CancellationTokenSource _stop = new();
        private Task _loop = Task.CompletedTask;

        private BlockPump(RpcClient rpc) => _rpc = rpc;

        public static async Task<BlockPump> StartAsync(Uri endpoint)
        {
            var pump = new BlockPump(await RpcClient.ConnectAsync(endpoint));
            pump._loop = pump.RunAsync();
            return pump;
        }

        public async Task<IAsyncDisposable> PauseAsync()
        {
            await _gate.WaitAsync();
            return new Resume(_gate);
        }

        public Task NewBlockAsync() => _rpc.InvokeAsync("dev_newBlock");

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            await _rpc.DisposeAsync();
            _stop.Dispose();
            _gate.Dispose();
        }

        private async Task RunAsync()
        {
            try
            {
                while (true)
                {
                    await Task.Delay(200, _stop.Token);
                    await _gate.WaitAsync(_stop.Token);
                    try
                    {
                        // With the stop token: once the test has killed the devnet the call would wait out RpcClient's request
                        // timeout (30 s) for a reconnect that never comes, and DisposeAsync waits for this loop.
                        await _rpc.InvokeAsync("dev_newBlock", cancellationToken: _stop.Token);
                    }
                    catch (EntropyException)
                    {
                        // The devnet process was killed by the test; the pump stops with it.
                        return;
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        private sealed class Resume(SemaphoreSlim gate) : IAsyncDisposable
        {
            public ValueTask DisposeAsync()
            {
                gate.Release();
                return ValueTask.CompletedTask;
            }
        }
    }
}
