using Entropy.Metadata;
using Entropy.Protocol;
using Entropy.Scale;
using Entropy.Simulator.ThresholdServers;
using Entropy.Tests.Metadata;

namespace Entropy.Tests.Fuzz;

/// <summary>
/// No unbounded allocation: every length prefix is checked against the bytes that follow before anything is allocated, so a few bytes
/// claiming a 2^30-element (or 2^62-byte) collection fail at once with the typed exception, allocating next to nothing.
/// </summary>
[Category("Fuzz")]
public class BoundedAllocationTests
{
    // SCALE Compact 2^30 in big-integer mode: 0b11 tag with 4 bytes following (docs.substrate.io, SCALE codec, compact integers).
    private static readonly byte[] s_claims2Pow30 = [0x03, 0x00, 0x00, 0x00, 0x40];

    private const long Budget = 256 * 1024;

    [Test]
    public void ScaleReader_FiveBytesClaimingHugeVec_FailsWithoutAllocating()
    {
        AssertFailsCheaply<ScaleFormatException>(() => new ScaleReader(s_claims2Pow30).ReadByteVec());
        AssertFailsCheaply<ScaleFormatException>(() => new ScaleReader(s_claims2Pow30).ReadString());
        AssertFailsCheaply<ScaleFormatException>(() => new ScaleReader(s_claims2Pow30).ReadVec(static (ref ScaleReader r) => r.ReadU32(), 4));
        AssertFailsCheaply<ScaleFormatException>(() => new ScaleReader(s_claims2Pow30).ReadVec(static (ref ScaleReader r) => r.ReadBool()));
        AssertFailsCheaply<ScaleFormatException>(() => new ScaleReader([0x13, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).ReadByteVec());
    }

    [Test]
    public void DynamicCodec_FiveBytesClaimingHugeSequence_FailsWithoutAllocating()
    {
        var metadata = MetadataFixtures.Load(MetadataFixtures.V10);
        var sequences = metadata.Types.Types.Where(t => t.Definition is SequenceDefinition).Select(t => t.Id).ToArray();
        Assert.That(sequences, Is.Not.Empty);
        foreach (var typeId in sequences)
        {
            AssertFailsCheaply<MetadataException>(() => metadata.Types.Decode(typeId, s_claims2Pow30), $"type {typeId}");
        }
    }

    [Test]
    public void MetadataParse_HeaderClaimingHugeTypeRegistry_FailsWithoutAllocating()
    {
        AssertFailsCheaply<MetadataException>(() => RuntimeMetadata.Parse([.. "meta"u8, 15, .. s_claims2Pow30]));
        AssertFailsCheaply<MetadataException>(() => RuntimeMetadata.Parse([.. "meta"u8, 14, .. s_claims2Pow30]));
    }

    [Test]
    public void OcwMessageDkg_ClaimingHugeAccountList_FailsWithoutAllocating()
    {
        AssertFailsCheaply<ScaleFormatException>(() => OcwMessageDkg.Decode([5, 0, 0, 0, .. s_claims2Pow30]));
        AssertFailsCheaply<ScaleFormatException>(() => OcwMessageDkg.Decode([5, 0, 0, 0, 0, .. s_claims2Pow30]));
    }

    [Test]
    public void Bincode_ClaimingHugeString_FailsWithoutAllocating()
    {
        byte[] huge = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f, (byte)'a'];
        AssertFailsCheaply<EntropyProtocolException>(() => new BincodeReader(huge, "test").ReadString());
        AssertFailsCheaply<EntropyProtocolException>(() => SubscribeResponse.Decode([1, 0, 0, 0, .. huge]));
        AssertFailsCheaply<EntropyProtocolException>(() => SubscribeMessage.FromBincode([0, 0, 0, 0, .. huge]));
    }

    [Test]
    public void PoolExtrinsic_ClaimingHugeLength_FailsWithoutAllocating()
    {
        // Relayer.register(program_modification_account, Public, programs_data: a Vec claiming 2^30 entries), unsigned, length-prefixed.
        byte[] body = [0x04, 51, 0, .. new byte[32], 0, .. s_claims2Pow30];
        byte[] extrinsic = [(byte)(body.Length << 2), .. body];
        var flavor = Entropy.Simulator.Runtime.RuntimeFlavor.For(Entropy.Simulator.SimulatedRuntime.V0010);
        AssertFailsCheaply<ScaleFormatException>(() => Entropy.Simulator.Runtime.Extrinsic.Decode(extrinsic, flavor), "pool");
    }

    private static void AssertFailsCheaply<TException>(Action action, string? what = null)
        where TException : Exception
    {
        // Once to JIT and fill caches, then measured.
        Assert.That(() => action(), Throws.InstanceOf<TException>(), what);
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            action();
        }
        catch (TException)
        {
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.LessThan(Budget), $"{what}: allocated {allocated} bytes before failing");
    }
}
