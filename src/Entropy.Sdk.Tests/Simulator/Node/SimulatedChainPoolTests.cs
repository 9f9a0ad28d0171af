using Entropy.Crypto;
using Entropy.Simulator;
using Entropy.Simulator.Node;
using Entropy.Simulator.Rpc;
using PoolStatus = Entropy.Simulator.Node.TransactionStatus;

namespace Entropy.Tests.Simulator.Node;

/// <summary>
/// The simulated pool's per-signer nonce bookkeeping across every path that changes the pool: submission (same-nonce rivals,
/// futures), inclusion, tip replacement, <see cref="SimulatedChain.DropPendingTransactions"/> and <see cref="SimulatedChain.RetractBlocks"/>.
/// </summary>
public class SimulatedChainPoolTests
{
    private SimulatedChain _chain = null!;
    private Sr25519KeyPair _alice = null!;
    private byte[] _bob = null!;
    private byte[] _genesis = null!;

    private ChainNode Node => _chain.Node;

    [SetUp]
    public async Task StartAsync()
    {
        _chain = new SimulatedChain(new SimulatedChainOptions { BlockProduction = BlockProductionMode.Manual, FinalityLag = 5 });
        await _chain.StartAsync();
        _alice = Sr25519KeyPair.FromSecretUri("//Alice");
        using var bob = Sr25519KeyPair.FromSecretUri("//Bob");
        _bob = bob.PublicKey.ToArray();
        _genesis = Node.Genesis.Hash;
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _chain.DisposeAsync();
        _alice.Dispose();
    }

    [Test]
    public void Submit_SameNonce_EqualTipRefused1014HigherTipUsurpsAndTheNextIndexStays()
    {
        var nonce = Node.NextIndex(AliceId);
        var first = new List<(PoolStatus Status, byte[]? UsurpedBy)>();
        Node.Submit(Transfer(nonce, 1), (s, _, by) => first.Add((s, by)));

        var equalTip = Assert.Throws<RpcException>(() => Node.Submit(Transfer(nonce, 2), null));
        var usurper = Node.Submit(Transfer(nonce, 3, tip: 5), null);
        var lowerTip = Assert.Throws<RpcException>(() => Node.Submit(Transfer(nonce, 4, tip: 5), null));
        var pooled = Node.PoolCount;
        var nextWhilePooled = Node.NextIndex(AliceId);
        var block = Node.ProduceBlock();

        Assert.Multiple(() =>
        {
            Assert.That(equalTip!.Code, Is.EqualTo(RpcException.PoolTooLowPriority));
            Assert.That(lowerTip!.Code, Is.EqualTo(RpcException.PoolTooLowPriority));
            Assert.That(lowerTip.Message, Does.Contain("(5 vs 5)"));
            Assert.That(first, Has.Count.EqualTo(2));
            Assert.That(first[1].Status, Is.EqualTo(PoolStatus.Usurped));
            Assert.That(first[1].UsurpedBy, Is.EqualTo(usurper));
            Assert.That(pooled, Is.EqualTo(1));
            Assert.That(nextWhilePooled, Is.EqualTo(nonce + 1));
            Assert.That(block.Extrinsics, Has.Count.EqualTo(2));
            Assert.That(Node.PoolCount, Is.Zero);
            Assert.That(Node.NextIndex(AliceId), Is.EqualTo(nonce + 1));
        });
    }

    [Test]
    public void Submit_FutureNoncesBeforeTheGap_HeldThenPromotedWhenTheGapIsFilled()
    {
        var nonce = Node.NextIndex(AliceId);
        var statuses = new List<PoolStatus>[3];
        for (var i = 0; i < 3; i++)
        {
            statuses[i] = [];
        }

        Node.Submit(Transfer(nonce + 2, 1), (s, _, _) => statuses[2].Add(s));
        Node.Submit(Transfer(nonce + 1, 1), (s, _, _) => statuses[1].Add(s));
        var nextWithGap = Node.NextIndex(AliceId);
        Node.Submit(Transfer(nonce, 1), (s, _, _) => statuses[0].Add(s));
        var nextWithoutGap = Node.NextIndex(AliceId);
        var block = Node.ProduceBlock();

        Assert.Multiple(() =>
        {
            Assert.That(nextWithGap, Is.EqualTo(nonce));
            Assert.That(nextWithoutGap, Is.EqualTo(nonce + 3));
            Assert.That(statuses[0], Is.EqualTo(new[] { PoolStatus.Ready, PoolStatus.InBlock }));
            Assert.That(statuses[1], Is.EqualTo(new[] { PoolStatus.Future, PoolStatus.Ready, PoolStatus.InBlock }));
            Assert.That(statuses[2], Is.EqualTo(new[] { PoolStatus.Future, PoolStatus.Ready, PoolStatus.InBlock }));
            Assert.That(block.Extrinsics, Has.Count.EqualTo(4));
            Assert.That(Node.PoolCount, Is.Zero);
            Assert.That(Node.NextIndex(AliceId), Is.EqualTo(nonce + 3));
        });
    }

    [Test]
    public void DropPendingTransactions_ForgetsThePooledNonces_SameNonceIsAcceptedAgain()
    {
        var nonce = Node.NextIndex(AliceId);
        Node.Submit(Transfer(nonce, 1), null);
        Node.Submit(Transfer(nonce + 1, 1), null);

        var dropped = _chain.DropPendingTransactions();
        var nextAfterDrop = Node.NextIndex(AliceId);
        Node.Submit(Transfer(nonce, 2), null);

        Assert.Multiple(() =>
        {
            Assert.That(dropped, Is.EqualTo(2));
            Assert.That(nextAfterDrop, Is.EqualTo(nonce));
            Assert.That(Node.PoolCount, Is.EqualTo(1));
            Assert.That(Node.NextIndex(AliceId), Is.EqualTo(nonce + 1));
        });
    }

    [Test]
    public void RetractBlocks_KeepTransactions_RetractedNoncesArePooledAgainAndGuarded()
    {
        var nonce = Node.NextIndex(AliceId);
        Node.Submit(Transfer(nonce, 1), null);
        Node.Submit(Transfer(nonce + 1, 1), null);
        var block = Node.ProduceBlock();

        _chain.RetractBlocks(block.Number);
        var pooled = Node.PoolCount;
        var nextAfterRetract = Node.NextIndex(AliceId);
        var rival = Assert.Throws<RpcException>(() => Node.Submit(Transfer(nonce + 1, 2), null));
        var again = Node.ProduceBlock();

        Assert.Multiple(() =>
        {
            Assert.That(pooled, Is.EqualTo(2));
            Assert.That(nextAfterRetract, Is.EqualTo(nonce + 2));
            Assert.That(rival!.Code, Is.EqualTo(RpcException.PoolTooLowPriority));
            Assert.That(again.Extrinsics, Has.Count.EqualTo(3));
            Assert.That(Node.PoolCount, Is.Zero);
            Assert.That(Node.NextIndex(AliceId), Is.EqualTo(nonce + 2));
        });
    }

    [Test]
    public void RetractBlocks_DropTransactions_TheirNoncesAreFreeAgain()
    {
        var nonce = Node.NextIndex(AliceId);
        Node.Submit(Transfer(nonce, 1), null);
        var block = Node.ProduceBlock();

        _chain.RetractBlocks(block.Number, keepTransactions: false);
        var nextAfterRetract = Node.NextIndex(AliceId);
        Node.Submit(Transfer(nonce, 2), null);

        Assert.Multiple(() =>
        {
            Assert.That(nextAfterRetract, Is.EqualTo(nonce));
            Assert.That(Node.PoolCount, Is.EqualTo(1));
            Assert.That(Node.NextIndex(AliceId), Is.EqualTo(nonce + 1));
        });
    }

    [TestCase((byte)1, "08")]
    [TestCase((byte)2, "0c010203")]
    [TestCase((byte)3, "1111111111111111111111111111111111111111111111111111111111111111")]
    [TestCase((byte)4, "2222222222222222222222222222222222222222")]
    public void Submit_NonIdMultiAddress_Refused1011CannotLookup(byte variant, string address)
    {
        // A signed transfer whose MultiAddress is Index/Raw/Address32/Address20: it decodes, and validation cannot look the signer up.
        var call = TestTransactions.TransferKeepAlive(_bob, 1);
        byte[] body = [0x84, variant, .. Convert.FromHexString(address), 0x01, .. new byte[64], 0x00, 0x00, 0x00, .. call];
        byte[] encoded = [.. Entropy.Scale.ScaleCodec.EncodeCompact((ulong)body.Length), .. body];

        var e = Assert.Throws<RpcException>(() => Node.Submit(encoded, null));

        Assert.Multiple(() =>
        {
            Assert.That(e!.Code, Is.EqualTo(RpcException.PoolUnknownValidity));
            Assert.That(e.Message, Is.EqualTo("Unknown Transaction Validity"));
            Assert.That(e.Data?.GetValue<string>(), Is.EqualTo("CannotLookup"));
            Assert.That(Node.PoolCount, Is.Zero);
        });
    }

    private byte[] AliceId => _alice.PublicKey.ToArray();

    private byte[] Transfer(uint nonce, ulong dollars, ulong tip = 0) =>
        TestTransactions.Sign(_alice, TestTransactions.TransferKeepAlive(_bob, dollars * 100_000_000_000_000UL), nonce, _genesis, tip: tip);
}
