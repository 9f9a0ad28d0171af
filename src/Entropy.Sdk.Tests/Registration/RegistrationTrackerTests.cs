using Entropy.Chain;

namespace Entropy.Tests.Registration;

/// <summary>The registration state machine alone, fed with chain observations by hand: no node, no I/O.</summary>
public class RegistrationTrackerTests
{
    private static readonly AccountId s_account = new(Enumerable.Repeat((byte)7, 32).ToArray());
    private readonly List<RegistrationProgress> _reports = [];

    [SetUp]
    public void ClearReports() => _reports.Clear();

    [Test]
    public void Block_ConfirmationEventsThenRegistered_ReportsEachConfirmationFromTheChainThenAsksForTheValue()
    {
        var tracker = Create();
        tracker.Submitted();
        tracker.Included(10, Hash(10));
        tracker.CommitteeSelected(11, [Server(0), Server(1)]);
        tracker.Block(11, Hash(11), [new RegistrationEvent("AccountRegistering", 0)]);
        tracker.Block(12, Hash(12), [new RegistrationEvent("AccountRegistered", null)]);

        Assert.Multiple(() =>
        {
            Assert.That(_reports.Select(r => r.Stage), Is.EqualTo(new[] { RegistrationStage.Submitted, RegistrationStage.InBlock, RegistrationStage.CommitteeSelected, RegistrationStage.Confirmed }));
            Assert.That(_reports[3].Confirmations, Is.EqualTo(1));
            Assert.That(_reports[3].RequiredConfirmations, Is.EqualTo(2));
            Assert.That(_reports[3].BlockNumber, Is.EqualTo(11));
            Assert.That(tracker.RegisteredIn, Is.EqualTo(((uint)12, Hash(12))), "the value is read at the block that recorded AccountRegistered");
            Assert.That(tracker.HasValueOrEnded(), Is.False);
        });
    }

    [Test]
    public void Block_BothConfirmationsInOneBlock_NoConfirmedStageIsInvented()
    {
        var tracker = Create();
        tracker.Included(10, Hash(10));
        tracker.Block(11, Hash(11), [new RegistrationEvent("AccountRegistered", null)]);
        tracker.Registered(EntropyModelFactory.Registration(s_account, VerifyingKey.Parse("0x02" + new string('1', 64))), 11);

        Assert.That(_reports.Select(r => r.Stage), Is.EqualTo(new[] { RegistrationStage.Submitted, RegistrationStage.InBlock, RegistrationStage.Registered }));
        Assert.That(_reports[^1].Confirmations, Is.EqualTo(2));
    }

    [Test]
    public void Block_SameSubgroupConfirmedTwice_CountsItOnce()
    {
        var tracker = Create();
        tracker.Included(10, Hash(10));
        tracker.Block(11, Hash(11), [new RegistrationEvent("AccountRegistering", 1)]);
        tracker.Registering(EntropyModelFactory.RegisteringStatus(s_account, [1], 2), 12);

        Assert.That(_reports.Count(r => r.Stage == RegistrationStage.Confirmed), Is.EqualTo(1));
        Assert.That(tracker.Confirmations, Is.EqualTo(1));
    }

    [TestCase("FailedRegistration", RegistrationEndReason.KeysDiffered)]
    [TestCase("RegistrationCancelled", RegistrationEndReason.Pruned)]
    public void Block_EndEvent_EndsWithTheReasonAndTheBlock(string name, RegistrationEndReason reason)
    {
        var tracker = Create();
        tracker.Included(10, Hash(10));
        tracker.Block(13, Hash(13), [new RegistrationEvent(name, null)]);

        Assert.That(tracker.Ended, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(tracker.Ended!.Reason, Is.EqualTo(reason));
            Assert.That(tracker.Ended.BlockNumber, Is.EqualTo(13));
            Assert.That(tracker.Ended.Account, Is.EqualTo(s_account));
        });
    }

    [Test]
    public void Head_EraPassedWithoutInclusion_EndsNotIncluded_ButNotOnceIncluded()
    {
        var dropped = Create(eraDeath: 20);
        dropped.Submitted();
        dropped.Head(19);
        Assert.That(dropped.Ended, Is.Null, "still valid at #19");
        dropped.Head(20);
        Assert.That(dropped.Ended?.Reason, Is.EqualTo(RegistrationEndReason.NotIncluded));

        var included = Create(eraDeath: 20);
        included.Included(15, Hash(15));
        included.Head(30);
        Assert.That(included.Ended, Is.Null);
    }

    [Test]
    public void Retracted_RegisterBlockReorgedOut_ScansAgainAndReportsTheNewBlock()
    {
        var tracker = Create();
        tracker.Included(10, Hash(10));
        tracker.Block(11, Hash(11), []);
        tracker.Retracted();

        Assert.Multiple(() =>
        {
            Assert.That(tracker.RegisterBlock, Is.Null);
            Assert.That(tracker.ScannedThrough, Is.EqualTo(9));
        });
        tracker.Block(11, Hash(111), [new RegistrationEvent("SignalRegister", null)]);
        Assert.Multiple(() =>
        {
            Assert.That(tracker.RegisterBlock, Is.EqualTo(11));
            Assert.That(_reports.Count(r => r.Stage == RegistrationStage.InBlock), Is.EqualTo(2));
        });
    }

    [Test]
    public void NeedsCommittee_OnlyOnceTheBlockAfterRegisterExists()
    {
        var tracker = Create();
        Assert.That(tracker.NeedsCommittee(100), Is.False, "register block unknown");
        tracker.Included(10, Hash(10));
        Assert.Multiple(() =>
        {
            Assert.That(tracker.NeedsCommittee(10), Is.False);
            Assert.That(tracker.NeedsCommittee(11), Is.True);
        });
        tracker.CommitteeSelected(11, [Server(0)]);
        Assert.That(tracker.NeedsCommittee(12), Is.False);
    }

    private RegistrationTracker Create(ulong? eraDeath = null) => new(s_account, 2, eraDeath, _reports.Add);

    private static BlockHash Hash(uint n)
    {
        var bytes = new byte[32];
        BitConverter.TryWriteBytes(bytes, n);
        return new BlockHash(bytes);
    }

    private static ThresholdServer Server(byte group) =>
        EntropyModelFactory.ThresholdServer(s_account, s_account, new Entropy.Crypto.X25519PublicKey(new byte[32]), $"127.0.0.1:{3001 + group}", group);
}

internal static class RegistrationTrackerTestExtensions
{
    public static bool HasValueOrEnded(this RegistrationTracker tracker) => tracker.IsFinished;
}
