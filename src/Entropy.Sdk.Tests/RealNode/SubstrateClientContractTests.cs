using Entropy.Chain;
using Entropy.Metadata;

namespace Entropy.Tests.RealNode;

[TestFixture(NodeKind.Simulator)]
[TestFixture(NodeKind.Chopsticks, Category = "RealNode")]
public class SubstrateClientContractTests(NodeKind kind) : ChainContractTestBase(kind)
{
    private static readonly AccountId s_alice = AccountId.Parse(AliceAddress);
    private SubstrateClient _client = null!;

    [OneTimeSetUp]
    public async Task ConnectAsync() => _client = await SubstrateClient.ConnectAsync(Endpoint);

    [OneTimeTearDown]
    public async Task DisconnectAsync() => await _client.DisposeAsync();

    [Test]
    public async Task ConnectAsync_ReadsGenesisRuntimeVersionAndByteIdenticalMetadata()
    {
        var expected = await File.ReadAllBytesAsync(ChopsticksNode.Fixture(Facts.MetadataFixture));

        Assert.That(_client.GenesisHash.ToString(), Is.EqualTo(Facts.GenesisHash));
        Assert.That(_client.RuntimeVersion.SpecVersion, Is.EqualTo(Facts.SpecVersion));
        Assert.That(_client.RuntimeVersion.TransactionVersion, Is.EqualTo(Facts.TransactionVersion));
        Assert.That(_client.Metadata.Version, Is.EqualTo(Facts.MetadataVersion));
        Assert.That(_client.Runtime.MetadataBytes.ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void Properties_AreTheDevnetToken()
    {
        Assert.That(_client.Properties.TokenSymbol, Is.EqualTo("BITS"));
        Assert.That(_client.Properties.TokenDecimal, Is.EqualTo(10));
        Assert.That(_client.Properties.Ss58Format, Is.EqualTo(Facts.Ss58Format));
    }

    [Test]
    public async Task GetAccountInfoAsync_Alice_IsFundedAtGenesis()
    {
        var info = await _client.GetAccountInfoAsync(s_alice);
        var nonce = await _client.GetAccountNextIndexAsync(s_alice);

        Assert.That(info.Providers, Is.EqualTo(1u));
        Assert.That(info.Free, Is.GreaterThan(System.Numerics.BigInteger.Zero));
        Assert.That(info.Free, Is.LessThanOrEqualTo(Facts.AliceInitialFree));
        Assert.That(nonce, Is.GreaterThanOrEqualTo((ulong)info.Nonce));
    }

    [Test]
    public async Task GetStorageAsync_ByPalletItemAndKey_DecodesSystemAccount()
    {
        var value = await _client.GetStorageAsync("System", "Account", [ScaleValue.Bytes(s_alice.AsSpan())]);
        var unknown = await _client.GetAccountInfoAsync(AccountId.Parse("0x" + new string('7', 64)));

        Assert.That(value, Is.InstanceOf<CompositeValue>());
        Assert.That(((CompositeValue)((CompositeValue)value!)["data"])["free"].AsNumber(), Is.GreaterThan(System.Numerics.BigInteger.Zero));
        Assert.That(unknown.Free, Is.EqualTo(System.Numerics.BigInteger.Zero));
        Assert.That(unknown.Providers, Is.Zero);
    }

    [Test]
    public async Task GetHeaderAsync_BestAndByNumber_HashesMatchTheNode()
    {
        await _client.Rpc.InvokeAsync("dev_newBlock");
        var best = await _client.GetHeaderAsync();
        var bestHash = await _client.GetBlockHashAsync(best!.Number);
        var byNumber = await _client.GetHeaderAsync(best.Number);
        var parent = await _client.GetHeaderAsync(best.ParentHash);
        var finalized = await _client.GetFinalizedHeadAsync();
        var finalizedHeader = await _client.GetHeaderAsync(finalized);

        Assert.That(best.Number, Is.GreaterThanOrEqualTo(1u));
        Assert.That(best.Hash, Is.EqualTo(bestHash));
        Assert.That(byNumber!.Hash, Is.EqualTo(best.Hash));
        Assert.That(parent!.Number, Is.EqualTo(best.Number - 1));
        Assert.That(finalizedHeader, Is.Not.Null);
        Assert.That(finalizedHeader!.Number, Is.LessThanOrEqualTo(best.Number));
        Assert.That(await _client.GetBlockHashAsync(1_000_000), Is.Null);
    }

    [Test]
    public async Task SubscribeNewHeadsAsync_DevNewBlock_DeliversTheNewHeaderAndItsEvents()
    {
        await using var heads = await _client.SubscribeNewHeadsAsync();

        var built = BlockHash.Parse((await _client.Rpc.InvokeAsync("dev_newBlock")).GetString()!);
        var seen = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Header head;
        do
        {
            try
            {
                head = await heads.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"No head {built} within 60 s; saw [{string.Join(", ", seen)}].");
                throw;
            }

            seen.Add(head.ToString());
        }
        while (head.Hash != built);
        var block = await _client.GetBlockAsync(head.Hash);
        var events = await _client.GetEventsAsync(head.Hash);
        var parent = await _client.GetHeaderAsync(head.ParentHash);

        Assert.That(head.Number, Is.EqualTo(parent!.Number + 1));
        Assert.That(head.Hash, Is.EqualTo(await _client.GetBlockHashAsync(head.Number)));
        Assert.That(block!.Header.Hash, Is.EqualTo(head.Hash));
        Assert.That(block.Extrinsics, Is.Not.Empty, "the timestamp inherent");
        Assert.That(events.Any(e => e.Pallet == "System" && e.Name == "ExtrinsicSuccess"), Is.True);
    }

    [Test]
    public async Task GetKeysPagedAsync_SystemAccountPrefix_ContainsAlicesKeyAndPages()
    {
        // System.Account(Alice) key from SUBSTRATE.md §6.1 (c).
        var aliceKey = Convert.FromHexString(
            "26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9de1e86a9a8c739864cf3cc5ec2bea59fd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
        var prefix = _client.Metadata.StorageKey("System", "Account");

        var all = await _client.GetKeysPagedAsync(prefix, 1000);
        var first = await _client.GetKeysPagedAsync(prefix, 1);
        var second = await _client.GetKeysPagedAsync(prefix, 1, first[0]);

        Assert.That(all.Any(k => k.AsSpan().SequenceEqual(aliceKey)), Is.True);
        Assert.That(all.All(k => k.AsSpan().StartsWith(prefix)), Is.True);
        Assert.That(first, Has.Count.EqualTo(1));
        if (all.Count > 1)
        {
            Assert.That(second[0], Is.EqualTo(all[1]));
        }
    }
}
