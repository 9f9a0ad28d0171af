using System.Numerics;
using Entropy.Scale;
using Entropy.Simulator.Node;

namespace Entropy.Simulator.Runtime;

/// <summary>A two-dimensional weight (<c>ref_time</c>, <c>proof_size</c>) with the saturating arithmetic of <c>sp_weights::Weight</c>.</summary>
internal readonly record struct Weight(ulong RefTime, ulong ProofSize)
{
    public static Weight FromRefTime(ulong refTime) => new(refTime, 0);

    public Weight Add(Weight other) => new(SaturatingAdd(RefTime, other.RefTime), SaturatingAdd(ProofSize, other.ProofSize));

    public Weight Times(ulong n) => new(SaturatingMul(RefTime, n), SaturatingMul(ProofSize, n));

    /// <summary>Component-wise maximum (<c>Weight::max</c>).</summary>
    public Weight Max(Weight other) => new(Math.Max(RefTime, other.RefTime), Math.Max(ProofSize, other.ProofSize));

    /// <summary>Component-wise minimum (<c>Weight::min</c>).</summary>
    public Weight Min(Weight other) => new(Math.Min(RefTime, other.RefTime), Math.Min(ProofSize, other.ProofSize));

    public Weight SaturatingSub(Weight other) =>
        new(RefTime > other.RefTime ? RefTime - other.RefTime : 0, ProofSize > other.ProofSize ? ProofSize - other.ProofSize : 0);

    private static ulong SaturatingAdd(ulong a, ulong b) => a > ulong.MaxValue - b ? ulong.MaxValue : a + b;

    private static ulong SaturatingMul(ulong a, ulong b) => b != 0 && a > ulong.MaxValue / b ? ulong.MaxValue : a * b;
}

/// <summary>
/// <c>pallet_transaction_payment</c> (25.0.0) as the v0.0.10 runtime configures it (entropy-core <c>runtime/src/lib.rs</c> at
/// <c>a9463b08</c>): <c>WeightToFee = IdentityFee</c> and <c>LengthToFee = IdentityFee</c> (1 planck per unit of <c>ref_time</c>
/// and per byte; the runtime's <c>TransactionByteFee</c> constant is declared but not used), <c>FeeMultiplierUpdate =
/// TargetedFeeAdjustment</c> with <c>TargetBlockFullness = 25%</c>, <c>AdjustmentVariable = 1/100_000</c>,
/// <c>MinimumMultiplier = 1/1_000_000_000</c>, no maximum. <c>BlockWeights</c> (base extrinsic weight, the normal class's
/// maximum) and <c>DbWeight</c> come from the runtime's own metadata constants.
/// </summary>
/// <remarks>
/// inclusion fee = <c>WeightToFee(base_extrinsic) + LengthToFee(len) + NextFeeMultiplier × WeightToFee(weight)</c>, weight capped
/// at <c>max_block</c>; the final fee adds the tip. <c>NextFeeMultiplier</c> is a <c>FixedU128</c> (10^18 = 1), every operation
/// rounding down as <c>sp_arithmetic</c> does for non-negative values.
/// </remarks>
internal sealed class FeeModel
{
    /// <summary><c>FixedU128::DIV</c>: the inner value of 1.</summary>
    public static readonly UInt128 One = 1_000_000_000_000_000_000;

    /// <summary><c>MinimumMultiplier = Multiplier::saturating_from_rational(1, 1_000_000_000)</c>.</summary>
    public static readonly UInt128 MinimumMultiplier = One / 1_000_000_000;

    /// <summary><c>AdjustmentVariable = Multiplier::saturating_from_rational(1, 100_000)</c>.</summary>
    public static readonly UInt128 AdjustmentVariable = One / 100_000;

    /// <summary><c>MaximumMultiplier = Bounded::max_value()</c>.</summary>
    public static readonly UInt128 MaximumMultiplier = UInt128.MaxValue;

    /// <summary><c>TargetBlockFullness = Perquintill::from_percent(25)</c>, in parts per 10^18.</summary>
    private static readonly BigInteger s_targetFullness = BigInteger.Pow(10, 18) / 4;

    public FeeModel(NodeMetadata metadata)
    {
        var system = metadata.Pallet("System") ?? throw new InvalidOperationException("The runtime metadata has no System pallet.");
        ReadBlockWeights(system.Constants["BlockWeights"]);
        var db = new ScaleReader(system.Constants["DbWeight"]);
        DbRead = db.ReadU64();
        DbWrite = db.ReadU64();
        db.EnsureEnd();
    }

    /// <summary>Gets <c>BlockWeights.max_block</c>.</summary>
    public Weight MaxBlock { get; private set; }

    /// <summary>Gets the normal class's <c>base_extrinsic</c> (every signed call the devnet knows is of the normal class).</summary>
    public Weight BaseExtrinsic { get; private set; }

    /// <summary>Gets the normal class's <c>max_total</c> (<c>max_block</c> when the runtime sets none).</summary>
    public Weight NormalMaxTotal { get; private set; }

    /// <summary>Gets <c>DbWeight.read</c> (<c>ref_time</c> of one storage read).</summary>
    public ulong DbRead { get; }

    /// <summary>Gets <c>DbWeight.write</c>.</summary>
    public ulong DbWrite { get; }

    /// <summary><c>T::DbWeight::get().reads(r).saturating_add(T::DbWeight::get().writes(w))</c>.</summary>
    public Weight Db(ulong reads, ulong writes) => Weight.FromRefTime(DbRead * reads).Add(Weight.FromRefTime(DbWrite * writes));

    /// <summary><c>WeightToFee = IdentityFee</c> of the weight capped at <c>max_block</c>: its <c>ref_time</c> in planck.</summary>
    public UInt128 WeightToFee(Weight weight) => weight.Min(MaxBlock).RefTime;

    /// <summary>The inclusion fee of an extrinsic of <paramref name="length"/> bytes and dispatch weight <paramref name="weight"/>.</summary>
    public UInt128 InclusionFee(int length, Weight weight, UInt128 multiplier) =>
        WeightToFee(BaseExtrinsic) + (UInt128)length + MultiplyInt(multiplier, WeightToFee(weight));

    /// <summary><c>TargetedFeeAdjustment::convert</c>: the next block's multiplier from this block's normal-class weight.</summary>
    public UInt128 NextMultiplier(UInt128 previous, Weight normalBlockWeight)
    {
        previous = UInt128.Max(previous, MinimumMultiplier);
        var normalMax = NormalMaxTotal;
        var used = normalBlockWeight.Min(normalMax);

        // The limiting dimension: the one whose share of its maximum is larger (ref_time on a tie).
        var refShare = PerbillFloor(used.RefTime, Math.Max(normalMax.RefTime, 1));
        var proofShare = PerbillFloor(used.ProofSize, Math.Max(normalMax.ProofSize, 1));
        var (block, max) = refShare < proofShare ? (used.ProofSize, normalMax.ProofSize) : (used.RefTime, normalMax.RefTime);

        var target = (UInt128)NearestPreferDown(s_targetFullness * max, BigInteger.Pow(10, 18));
        var positive = block >= target;
        var diffAbs = positive ? block - target : target - block;
        var diff = FromRational(diffAbs, Math.Max(max, 1));
        var diffSquared = Multiply(diff, diff);
        var vSquaredHalf = Multiply(AdjustmentVariable, AdjustmentVariable) / 2;
        var firstTerm = Multiply(AdjustmentVariable, diff);
        var secondTerm = Multiply(vSquaredHalf, diffSquared);
        if (positive)
        {
            var excess = Multiply(SaturatingAdd(firstTerm, secondTerm), previous);
            return Clamp(SaturatingAdd(previous, excess));
        }

        var negative = Multiply(firstTerm > secondTerm ? firstTerm - secondTerm : 0, previous);
        return Clamp(previous > negative ? previous - negative : 0);
    }

    /// <summary><c>FixedU128::saturating_mul_int</c>: ⌊multiplier × n / 10^18⌋.</summary>
    public static UInt128 MultiplyInt(UInt128 multiplier, UInt128 n) => Saturate((BigInteger)multiplier * n / (BigInteger)One);

    /// <summary><c>OnUnbalanced::ration(80, 20)</c>: ⌊amount × 80 / 100⌋ to the treasury, the rest to the block author.</summary>
    public static (UInt128 Treasury, UInt128 Author) Split(UInt128 amount)
    {
        var treasury = Saturate((BigInteger)amount * 80 / 100);
        return (treasury, amount - treasury);
    }

    private static UInt128 Clamp(UInt128 value) => UInt128.Clamp(value, MinimumMultiplier, MaximumMultiplier);

    private static UInt128 Multiply(UInt128 a, UInt128 b) => Saturate((BigInteger)a * b / (BigInteger)One);

    private static UInt128 FromRational(UInt128 n, ulong d) => Saturate((BigInteger)n * (BigInteger)One / d);

    private static UInt128 SaturatingAdd(UInt128 a, UInt128 b) => a > UInt128.MaxValue - b ? UInt128.MaxValue : a + b;

    private static ulong PerbillFloor(ulong n, ulong d) => (ulong)((BigInteger)n * 1_000_000_000 / d);

    private static BigInteger NearestPreferDown(BigInteger n, BigInteger d)
    {
        var q = BigInteger.DivRem(n, d, out var r);
        return r * 2 > d ? q + 1 : q;
    }

    private static UInt128 Saturate(BigInteger value) => value > (BigInteger)UInt128.MaxValue ? UInt128.MaxValue : (UInt128)value;

    /// <summary>
    /// <c>BlockWeights { base_block: Weight, max_block: Weight, per_class: PerDispatchClass&lt;WeightsPerClass&gt; }</c>, each
    /// <c>WeightsPerClass { base_extrinsic: Weight, max_extrinsic: Option&lt;Weight&gt;, max_total: Option&lt;Weight&gt;, reserved: Option&lt;Weight&gt; }</c>,
    /// classes in the order normal, operational, mandatory.
    /// </summary>
    private void ReadBlockWeights(byte[] encoded)
    {
        var reader = new ScaleReader(encoded);
        _ = ReadWeight(ref reader);
        MaxBlock = ReadWeight(ref reader);
        for (var dispatchClass = 0; dispatchClass < 3; dispatchClass++)
        {
            var baseExtrinsic = ReadWeight(ref reader);
            _ = ReadOptionalWeight(ref reader);
            var maxTotal = ReadOptionalWeight(ref reader);
            _ = ReadOptionalWeight(ref reader);
            if (dispatchClass == 0)
            {
                BaseExtrinsic = baseExtrinsic;
                NormalMaxTotal = maxTotal ?? MaxBlock;
            }
        }

        reader.EnsureEnd();
    }

    private static Weight ReadWeight(ref ScaleReader reader) => new(reader.ReadCompactU64(), reader.ReadCompactU64());

    private static Weight? ReadOptionalWeight(ref ScaleReader reader) => reader.ReadOptionTag() ? ReadWeight(ref reader) : null;
}
