using Entropy.Tests.Protocol;
using Entropy.Crypto;
using Entropy.Simulator;
using Entropy.Simulator.ThresholdServers;
using NBitcoin.Secp256k1;
using Scalar = NBitcoin.Secp256k1.Scalar;

namespace Entropy.Tests.Simulator;

/// <summary>
/// The whole registration flow over real loopback HTTP and WebSockets: chain, off-chain worker, threshold servers, DKG — on both
/// simulated runtimes (v0.0.10 <c>Relayer</c> and d7a7f3c2 <c>Registry</c>).
/// </summary>
[TestFixture(SimulatedRuntime.V0010)]
[TestFixture(SimulatedRuntime.Registry20240321)]
public class EntropyDevnetTests(SimulatedRuntime runtime) : DevnetFixture
{
    /// <inheritdoc/>
    protected override void ConfigureDevnet(EntropyDevnetOptions options) => options.Runtime = runtime;

    [Test]
    public void Client_IsConnectedToTheFixturesRuntime()
    {
        Assert.That(Client.Session.Runtime.RegistrationPallet, Is.EqualTo(runtime == SimulatedRuntime.V0010 ? "Relayer" : "Registry"));
    }

    // PROTOCOL.md §4: the 199-byte OcwMessageDkg for block 5, Alice, and the Alice/Bob TSS of the dev table.
    [Test]
    public void OcwMessageDkg_DevVector_EncodesAndDecodesByteForByte()
    {
        const string hex =
            "050000000480d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d" +
            "080ac029f0b853b23bed652d6d0de69b7cc38d94f93732eefc85b5861e90f73a22383132372e302e302e313a3330303180e0543c102def9f6ef0e8b8ffa31aa259167a9391566929fd718a1ccdaabdb876" +
            "e13087d3e3d5aa1501bd769eff57f55924aaa9b544c9d2b2edf765509988660a38" + "3132372e302e302e313a33303032802a8200850770290c7ea3b50a8ff64c6761c882ff8393dc95fccb5d1475eff17f";
        var bytes = Convert.FromHexString(hex);

        var message = OcwMessageDkg.Decode(bytes);

        Assert.Multiple(() =>
        {
            Assert.That(bytes, Has.Length.EqualTo(199));
            Assert.That(message.BlockNumber, Is.EqualTo(5u));
            Assert.That(message.ValidatorsInfo.Select(v => v.Endpoint), Is.EqualTo(new[] { "127.0.0.1:3001", "127.0.0.1:3002" }));
            Assert.That(message.Encode(), Is.EqualTo(bytes));
            Assert.That(Convert.ToHexStringLower(Entropy.Hashing.Blake2s.Hash256([1, .. OcwMessageDkg.EncodeAccounts(message.SigRequestAccounts)])),
                Is.EqualTo("9b7a7aefb4926a071bd36efce7d45fffb591c5d34071f412a4d44c7a56986293"));
        });
        Assert.Throws<Entropy.Scale.ScaleFormatException>(() => OcwMessageDkg.Decode(bytes.AsSpan(0, 100)));
    }

    [Test]
    public async Task RegisterAsync_Public_RegistersWithAKeyTheServersDerivedTogether()
    {
        using var user = Sr25519Signer.FromSecretUri("//Alice");
        var stages = new List<RegistrationStage>();
        var request = new RegisterRequest(user);
        request.Programs.Add(new ProgramInstance(TestPrograms.AllowAllPointer, []));

        var operation = await Client.RegisterAsync(WaitUntil.Completed, request, new SyncProgress(p => stages.Add(p.Stage)));
        var registration = operation.Value;

        // Each server stored its share under the account's SS58 address; Σ shares · G is the confirmed key.
        var shares = await StoredSharesAsync(registration);

        Assert.Multiple(() =>
        {
            Assert.That(KeyShareMath.CombineShares(shares), Is.EqualTo(registration.VerifyingKey.ToArray()));
            Assert.That(registration.AccessMode, Is.EqualTo(AccessMode.Public));
            Assert.That(registration.RegisteredBlockNumber, Is.GreaterThan(registration.RegisterBlockNumber!.Value));
            Assert.That(stages, Does.Contain(RegistrationStage.CommitteeSelected));
            Assert.That(stages[^1], Is.EqualTo(RegistrationStage.Registered));
        });
    }

    [Test]
    public async Task RegisterAsync_Permissioned_RegistersWithTheAccountKeyAndAKeyTheServersDerivedTogether()
    {
        using var user = Sr25519Signer.FromSecretUri("//Charlie");
        using var accountKey = Sr25519Signer.FromSecretUri("//Charlie//account-key");
        var request = new RegisterRequest(user) { AccessMode = AccessMode.Permissioned, ProgramModificationAccount = accountKey.AccountId };
        request.Programs.Add(new ProgramInstance(TestPrograms.AllowAllPointer, []));

        var registration = (await Client.RegisterAsync(WaitUntil.Completed, request)).Value;

        var shares = await StoredSharesAsync(registration);
        var onChain = await Client.GetRegistrationAsync(user.AccountId);
        Assert.Multiple(() =>
        {
            Assert.That(KeyShareMath.CombineShares(shares), Is.EqualTo(registration.VerifyingKey.ToArray()));
            Assert.That(registration.AccessMode, Is.EqualTo(AccessMode.Permissioned));
            Assert.That(onChain!.AccessMode, Is.EqualTo(AccessMode.Permissioned), "the chain stores KeyVisibility::Permissioned");
            Assert.That(onChain.ProgramModificationAccount, Is.EqualTo(accountKey.AccountId));
            Assert.That(onChain.VerifyingKey, Is.EqualTo(registration.VerifyingKey));
        });
    }

    /// <summary>Every server's stored share of the registered account, each checked to carry the confirmed verifying key.</summary>
    private async Task<List<byte[]>> StoredSharesAsync(Entropy.Registration registration)
    {
        var shares = new List<byte[]>();
        foreach (var server in Devnet.Servers)
        {
            var stored = await server.Store.GetAsync(registration.Account.ToSs58());
            Assert.That(stored, Is.Not.Null, $"{server.Name} holds no share");
            var (key, secret) = ThresholdServerHost.ParseShare(stored!);
            Assert.That(key, Is.EqualTo(registration.VerifyingKey.ToArray()), $"{server.Name} stored another key");
            shares.Add(secret);
        }

        return shares;
    }

    [Test]
    public async Task UserNew_FromAnOutsider_IsRefusedAndStartsNothing()
    {
        using var http = new HttpClient();
        var message = new OcwMessageDkg(1, [new byte[32]], [new ValidatorInfo(new byte[32], "127.0.0.1:1"u8.ToArray(), new byte[32])]);
        using var content = new ByteArrayContent(message.Encode());
        using var response = await http.PostAsync(new Uri($"http://{Devnet.ThresholdServerEndpoints[0]}/user/new"), content);

        Assert.That((int)response.StatusCode, Is.EqualTo(500));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("Invalid Signer"));
    }

    [Test]
    public async Task UserNew_Garbage_IsACodecErrorAndTheServerKeepsServing()
    {
        using var http = new HttpClient();
        using var content = new ByteArrayContent([1, 2, 3]);
        using var response = await http.PostAsync(new Uri($"http://{Devnet.ThresholdServerEndpoints[1]}/user/new"), content);
        using var health = await http.GetAsync(new Uri($"http://{Devnet.ThresholdServerEndpoints[1]}/healthz"));

        Assert.That((int)response.StatusCode, Is.EqualTo(500));
        Assert.That((int)health.StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task ReceiveKey_GarbageOrUnsigned_IsRefusedAndStoresNothing()
    {
        using var http = new HttpClient();
        var before = await Devnet.Servers[0].Store.GetKeysAsync();
        using var content = new StringContent("{\"msg\":\"0x00\"}", System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri($"http://{Devnet.ThresholdServerEndpoints[0]}/user/receive_key"), content);

        Assert.That((int)response.StatusCode, Is.EqualTo(500));
        Assert.That(await Devnet.Servers[0].Store.GetKeysAsync(), Is.EqualTo(before));
    }


    private sealed class SyncProgress(Action<RegistrationProgress> report) : IProgress<RegistrationProgress>
    {
        public void Report(RegistrationProgress value) => report(value);
    }
}
