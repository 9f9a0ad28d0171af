namespace Entropy.Metadata;

internal sealed partial class RuntimeMetadata
{
    /// <summary>Decodes the value of the <c>System.Events</c> storage item into event records.</summary>
    /// <param name="systemEvents">The raw storage value of <c>System.Events</c>.</param>
    /// <returns>The events in order.</returns>
    /// <exception cref="MetadataException">The runtime has no <c>System.Events</c> item, or the bytes do not decode.</exception>
    public IReadOnlyList<EventRecord> DecodeEvents(ReadOnlySpan<byte> systemEvents)
    {
        var entry = GetStorageEntry("System", "Events");
        var decoded = Types.Decode(entry.ValueTypeId, systemEvents);
        if (decoded is not SequenceValue records)
        {
            throw new MetadataException($"System.Events has type {Types.GetDisplayName(entry.ValueTypeId)}, which is not a vector of event records.");
        }

        var result = new EventRecord[records.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = ToEventRecord(records[i], i);
        }

        return result;
    }

    private static EventRecord ToEventRecord(ScaleValue record, int position)
    {
        if (record is not CompositeValue c
            || !c.TryGetField("phase", out var phase)
            || !c.TryGetField("event", out var ev)
            || ev is not VariantValue outer
            || outer.Fields.Count != 1
            || outer.Fields[0] is not VariantValue inner)
        {
            throw new MetadataException($"Event record {position} does not have the shape {{ phase, event: RuntimeEvent, topics }}.");
        }

        var topics = new List<byte[]>();
        if (c.TryGetField("topics", out var t) && t is SequenceValue seq)
        {
            foreach (var topic in seq)
            {
                topics.Add(topic.AsBytes());
            }
        }

        uint? extrinsicIndex = phase is VariantValue { Name: "ApplyExtrinsic" } apply && apply.Fields.Count == 1
            ? (uint)apply.Fields[0].AsNumber()
            : null;
        return new EventRecord(phase, outer.Name, outer.Index ?? 0, inner.Name, inner.Index ?? 0, inner.Fields, topics, extrinsicIndex);
    }
}

/// <summary>A decoded event record from <c>System.Events</c>.</summary>
internal sealed class EventRecord
{
    internal EventRecord(ScaleValue phase, string pallet, byte palletIndex, string name, byte index, CompositeValue fields, IReadOnlyList<byte[]> topics, uint? extrinsicIndex)
    {
        Phase = phase;
        Pallet = pallet;
        PalletIndex = palletIndex;
        Name = name;
        Index = index;
        Fields = fields;
        Topics = topics;
        ExtrinsicIndex = extrinsicIndex;
    }

    /// <summary>Gets the phase (<c>ApplyExtrinsic(u32)</c>, <c>Finalization</c> or <c>Initialization</c>).</summary>
    public ScaleValue Phase { get; }

    /// <summary>Gets the index of the extrinsic that emitted the event, when the phase is <c>ApplyExtrinsic</c>.</summary>
    public uint? ExtrinsicIndex { get; }

    /// <summary>Gets the pallet name, for example <c>Relayer</c>.</summary>
    public string Pallet { get; }

    /// <summary>Gets the pallet index.</summary>
    public byte PalletIndex { get; }

    /// <summary>Gets the event name, for example <c>SignalRegister</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the event variant index.</summary>
    public byte Index { get; }

    /// <summary>Gets the event fields.</summary>
    public CompositeValue Fields { get; }

    /// <summary>Gets the topics (32-byte hashes).</summary>
    public IReadOnlyList<byte[]> Topics { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Pallet}.{Name}{Fields}";
}
