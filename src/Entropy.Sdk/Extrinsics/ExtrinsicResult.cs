using Entropy.Chain;
using Entropy.Metadata;

namespace Entropy.Extrinsics;

/// <summary>Where a transaction was included and what it did: block, index in the block, its events and the dispatch outcome.</summary>
internal sealed class ExtrinsicResult
{
    internal ExtrinsicResult(string extrinsicHash, BlockHash blockHash, uint blockNumber, int extrinsicIndex, bool isFinalized, IReadOnlyList<EventRecord> events)
    {
        ExtrinsicHash = extrinsicHash;
        BlockHash = blockHash;
        BlockNumber = blockNumber;
        ExtrinsicIndex = extrinsicIndex;
        IsFinalized = isFinalized;
        Events = events;
    }

    /// <summary>Gets the transaction hash, <c>0x</c>-hex.</summary>
    public string ExtrinsicHash { get; }

    /// <summary>Gets the hash of the including block.</summary>
    public BlockHash BlockHash { get; }

    /// <summary>Gets the number of the including block.</summary>
    public uint BlockNumber { get; }

    /// <summary>Gets the extrinsic's index in the block body.</summary>
    public int ExtrinsicIndex { get; }

    /// <summary>Gets a value indicating whether the including block was reported finalized.</summary>
    public bool IsFinalized { get; }

    /// <summary>Gets the events emitted in phase <c>ApplyExtrinsic(ExtrinsicIndex)</c>, in order.</summary>
    public IReadOnlyList<EventRecord> Events { get; }

    /// <summary>Gets a value indicating whether the call succeeded (<c>System.ExtrinsicSuccess</c> among <see cref="Events"/>).</summary>
    public bool Succeeded => Events.Any(e => e.Pallet == "System" && e.Name == "ExtrinsicSuccess");

    /// <summary>Finds the events of a given pallet and name.</summary>
    /// <param name="pallet">The pallet name, for example <c>Balances</c>.</param>
    /// <param name="name">The event name, for example <c>Transfer</c>.</param>
    /// <returns>The matching events, in order.</returns>
    public IEnumerable<EventRecord> FindEvents(string pallet, string name) =>
        Events.Where(e => string.Equals(e.Pallet, pallet, StringComparison.Ordinal) && string.Equals(e.Name, name, StringComparison.Ordinal));

    /// <summary>Returns the same inclusion, marked finalized.</summary>
    internal ExtrinsicResult AsFinalized() => new(ExtrinsicHash, BlockHash, BlockNumber, ExtrinsicIndex, isFinalized: true, Events);

    /// <summary>Returns the block and index.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => $"{ExtrinsicHash} in block #{BlockNumber} {BlockHash} at index {ExtrinsicIndex}";
}
