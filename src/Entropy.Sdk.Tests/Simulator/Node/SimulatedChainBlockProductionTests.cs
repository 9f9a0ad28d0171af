using Entropy.Chain;
using Entropy.Crypto;
using Entropy.Extrinsics;
using Entropy.Metadata;
using Entropy.Simulator;

namespace Entropy.Tests.Simulator.Node;

/// <summary>Block production modes of the simulator (instant, interval, manual) and finality lag, observed only through JSON-RPC.</summary>
public class SimulatedChainBlockProductionTests
{
    // //Alice mini secret (SUBSTRATE.md §4) and //Bob's public key (SUBSTRATE.md §6.1 a).
    private static readonly byte[] s_aliceMini = Convert.FromHexString("e5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a");
    private static readonly byte[] s_bob = Convert.FromHexString("8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48");
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);

    [Test]
    public async Task Instant_EachTransaction_IsIncludedInItsOwnNewBlockAndNoEmptyBlocksAreAuthored()
    {
        await using var node = await Node.StartAsync(new SimulatedChainOptions { BlockProduction = BlockProductionMode.Instant });
        await using var heads = await node.Client.SubscribeNewHeadsAsync();
        var genesisHead = await heads.ReadAsync();

        var blocks = new List<ulong>();
        for (var i = 0; i < 3; i++)
        {
            var result = await node.Submitter.SubmitAndWatchAsync(node.Transfer(1_000_000_000_000_000UL + (ulong)i, (ulong)i), TransactionWaitFor.InBlock);
            blocks.Add(result.BlockNumber);
        }

        var seen = new List<Header> { await heads.ReadAsync(), await heads.ReadAsync(), await heads.ReadAsync() };
        var best = await node.Client.GetHeaderAsync();
        var bodies = new List<Block>();
        foreach (var head in seen)
        {
            bodies.Add((await node.Client.GetBlockAsync(head.Hash))!);
        }

        Assert.That(genesisHead.Number, Is.Zero);
        Assert.That(blocks, Is.EqualTo(new ulong[] { 1, 2, 3 }));
        Assert.That(seen.Select(h => h.Number), Is.EqualTo(new uint[] { 1, 2, 3 }));
        Assert.That(seen[1].ParentHash, Is.EqualTo(seen[0].Hash));
        Assert.That(seen[2].ParentHash, Is.EqualTo(seen[1].Hash));
        Assert.That(bodies.Select(b => b.Extrinsics.Count), Is.All.EqualTo(2), "the timestamp inherent and one transfer per block");
        Assert.That(best!.Number, Is.EqualTo(3u), "no block without a transaction");
    }

    [Test]
    public async Task Interval_100Ms_AuthorsChainedBlocksOnItsOwnAndIncludesATransactionWithoutARequest()
    {
        var interval = TimeSpan.FromMilliseconds(100);
        await using var node = await Node.StartAsync(new SimulatedChainOptions { BlockProduction = BlockProductionMode.Interval, BlockInterval = interval });
        await using var heads = await node.Client.SubscribeNewHeadsAsync();
        using var timeout = new CancellationTokenSource(s_timeout);

        var first = await heads.ReadAsync(timeout.Token);
        var second = await heads.ReadAsync(timeout.Token);
        var third = await heads.ReadAsync(timeout.Token);
        var result = await node.Submitter.SubmitAndWatchAsync(node.Transfer(1_000_000_000_000_000UL, 0), TransactionWaitFor.InBlock, cancellationToken: timeout.Token);
        var secondTime = await node.TimestampAsync(second.Hash);
        var thirdTime = await node.TimestampAsync(third.Hash);
        var emptyBlock = await node.Client.GetBlockAsync(second.Hash);
        var included = await node.Client.GetBlockAsync(result.BlockHash);

        Assert.That(second.Number, Is.EqualTo(first.Number + 1));
        Assert.That(third.Number, Is.EqualTo(second.Number + 1));
        Assert.That(third.ParentHash, Is.EqualTo(second.Hash));
        Assert.That(emptyBlock!.Extrinsics, Has.Count.EqualTo(1), "an empty block holds only the timestamp inherent");
        // Each block's Timestamp.Now is taken when it is authored, one interval after the previous one (allowing for timer granularity).
        Assert.That(thirdTime - secondTime, Is.GreaterThanOrEqualTo((ulong)interval.TotalMilliseconds - 15));
        Assert.That(result.BlockNumber, Is.GreaterThan(third.Number));
        Assert.That(included!.Extrinsics, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Manual_TransactionWaitsInThePoolUntilDevNewBlockOrProduceBlockAsync()
    {
        await using var node = await Node.StartAsync(new SimulatedChainOptions { BlockProduction = BlockProductionMode.Manual });

        var hash = await node.Submitter.SubmitAsync(node.Transfer(1_000_000_000_000_000UL, 0));
        var pending = await node.Client.Rpc.InvokeAsync("author_pendingExtrinsics");
        var bestBefore = await node.Client.GetHeaderAsync();
        var produced = await node.Chain.ProduceBlockAsync();
        var pendingAfter = await node.Client.Rpc.InvokeAsync("author_pendingExtrinsics");
        var built = BlockHash.Parse((await node.Client.Rpc.InvokeAsync("dev_newBlock")).GetString()!);
        var three = BlockHash.Parse((await node.Client.Rpc.InvokeAsync("dev_newBlock", [System.Text.Json.JsonDocument.Parse("""{"count":3}""").RootElement])).GetString()!);
        var builtHeader = await node.Client.GetHeaderAsync(built);
        var threeHeader = await node.Client.GetHeaderAsync(three);
        var block1 = await node.Client.GetBlockAsync(1);

        Assert.That(hash, Does.StartWith("0x"));
        Assert.That(pending.GetArrayLength(), Is.EqualTo(1));
        Assert.That(bestBefore!.Number, Is.Zero, "nothing is authored without a request");
        Assert.That(produced, Is.EqualTo(1u));
        Assert.That(pendingAfter.GetArrayLength(), Is.Zero);
        Assert.That(block1!.Extrinsics, Has.Count.EqualTo(2));
        Assert.That(builtHeader!.Number, Is.EqualTo(2u));
        Assert.That(await node.Client.GetBlockHashAsync(2), Is.EqualTo(built));
        Assert.That(threeHeader!.Number, Is.EqualTo(5u));
        Assert.That((await node.Client.GetHeaderAsync())!.Hash, Is.EqualTo(three));
    }

    [Test]
    public async Task FinalityLag2_FinalizedHeadTrailsBestByTwoAndWatchersSeeFinalizedTwoBlocksLater()
    {
        await using var node = await Node.StartAsync(new SimulatedChainOptions { BlockProduction = BlockProductionMode.Manual, FinalityLag = 2 });
        await using var finalizedHeads = await node.Client.SubscribeFinalizedHeadsAsync();
        using var timeout = new CancellationTokenSource(s_timeout);
        var initialFinalized = await finalizedHeads.ReadAsync(timeout.Token);

        await node.Chain.ProduceBlockAsync();
        var finalizedAfterOne = await node.Client.GetHeaderAsync(await node.Client.GetFinalizedHeadAsync());
        var statuses = new List<TransactionStatus>();
        await using var watch = node.Submitter.WatchAsync(node.Transfer(1_000_000_000_000_000UL, 0), timeout.Token).GetAsyncEnumerator(timeout.Token);
        while (await watch.MoveNextAsync() && watch.Current.Kind != TransactionStatusKind.Ready)
        {
            statuses.Add(watch.Current);
        }

        var inBlockNumber = await node.Chain.ProduceBlockAsync(); // #2, holding the transfer
        Assert.That(await watch.MoveNextAsync(), Is.True);
        var inBlock = watch.Current;
        await node.Chain.ProduceBlockAsync(); // #3: finalized is #1, the transfer is not final yet
        var finalizedAtThree = await node.Client.GetHeaderAsync(await node.Client.GetFinalizedHeadAsync());
        await node.Chain.ProduceBlockAsync(); // #4: finalizes #2
        Assert.That(await watch.MoveNextAsync(), Is.True);
        var finalized = watch.Current;
        var finalizedAtFour = await node.Client.GetHeaderAsync(await node.Client.GetFinalizedHeadAsync());
        var notified = new[] { await finalizedHeads.ReadAsync(timeout.Token), await finalizedHeads.ReadAsync(timeout.Token) };
        var best = await node.Client.GetHeaderAsync();

        Assert.That(initialFinalized.Number, Is.Zero);
        Assert.That(finalizedAfterOne!.Number, Is.Zero);
        Assert.That(inBlockNumber, Is.EqualTo(2u));
        Assert.That(inBlock.Kind, Is.EqualTo(TransactionStatusKind.InBlock));
        Assert.That(inBlock.BlockHash, Is.EqualTo((await node.Client.GetBlockHashAsync(2))!.Value.ToString()));
        Assert.That(finalizedAtThree!.Number, Is.EqualTo(1u));
        Assert.That(finalized.Kind, Is.EqualTo(TransactionStatusKind.Finalized));
        Assert.That(finalized.BlockHash, Is.EqualTo(inBlock.BlockHash));
        Assert.That(finalizedAtFour!.Number, Is.EqualTo(2u));
        Assert.That(best!.Number - finalizedAtFour.Number, Is.EqualTo(2u));
        Assert.That(notified.Select(h => h.Number), Is.EqualTo(new uint[] { 1, 2 }), "finalized-head notifications in order, each two behind the best");
    }

    /// <summary>A started simulator with the SDK's client, builder and submitter for //Alice.</summary>
    private sealed class Node : IAsyncDisposable
    {
        private Sr25519KeyPair _alice = null!;
        private ExtrinsicBuilder _builder = null!;

        public SimulatedChain Chain { get; private set; } = null!;

        public SubstrateClient Client { get; private set; } = null!;

        public ExtrinsicSubmitter Submitter { get; private set; } = null!;

        public static async Task<Node> StartAsync(SimulatedChainOptions options)
        {
            var node = new Node { Chain = new SimulatedChain(options) };
            await node.Chain.StartAsync();
            node.Client = await SubstrateClient.ConnectAsync(node.Chain.WebSocketEndpoint);
            node._builder = new ExtrinsicBuilder(node.Client.Metadata, node.Client.RuntimeVersion.SpecVersion, node.Client.RuntimeVersion.TransactionVersion, node.Client.GenesisHash.AsSpan());
            node.Submitter = new ExtrinsicSubmitter(node.Client);
            node._alice = Sr25519KeyPair.FromMiniSecret(s_aliceMini);
            return node;
        }

        /// <summary>A signed, immortal <c>Balances.transfer_allow_death</c> from //Alice to //Bob.</summary>
        public SignedExtrinsic Transfer(ulong amount, ulong nonce) => _builder.Sign(
            Client.Metadata.EncodeCall("Balances", "transfer_allow_death", ScaleValue.Named(
                ("dest", ScaleValue.Variant("Id", ScaleValue.Bytes(s_bob))),
                ("value", ScaleValue.Number(amount)))),
            _alice,
            TransactionParameters.Immortal(nonce));

        /// <summary>Reads <c>Timestamp.Now</c> (milliseconds) at a block.</summary>
        public async Task<ulong> TimestampAsync(BlockHash at)
        {
            var raw = await Client.GetStorageAsync(Client.Metadata.StorageKey("Timestamp", "Now"), at);
            return System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(raw!);
        }

        public async ValueTask DisposeAsync()
        {
            _alice?.Dispose();
            if (Client is not null)
            {
                await Client.DisposeAsync();
            }

            await Chain.DisposeAsync();
        }
    }
}
