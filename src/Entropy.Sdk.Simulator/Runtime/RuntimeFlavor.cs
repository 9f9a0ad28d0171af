using Entropy.Simulator.Node;

namespace Entropy.Simulator.Runtime;

/// <summary>What differs between the two simulated Entropy runtimes (PROTOCOL.md §0, §2, §3).</summary>
internal sealed class RuntimeFlavor
{
    public const byte SystemIndex = 1;
    public const byte TimestampIndex = 4;
    public const byte BalancesIndex = 7;
    public const byte TransactionPaymentIndex = 8;
    public const byte StakingExtensionIndex = 12;
    public const byte RegistryIndex = 51;
    public const byte ProgramsIndex = 53;

    private RuntimeFlavor(SimulatedRuntime kind, string registryPallet, string metadataResource, bool hasVersionNumber, bool hasValidatorToSubgroup)
    {
        Kind = kind;
        RegistryPallet = registryPallet;
        MetadataResource = metadataResource;
        HasVersionNumber = hasVersionNumber;
        HasValidatorToSubgroup = hasValidatorToSubgroup;
        _metadata = new Lazy<NodeMetadata>(() => NodeMetadata.Parse(LoadMetadata()));
        _format = new Lazy<ExtrinsicFormat>(() => new ExtrinsicFormat(_metadata.Value));
    }

    private readonly Lazy<NodeMetadata> _metadata;
    private readonly Lazy<ExtrinsicFormat> _format;

    public static RuntimeFlavor V0010 { get; } = new(SimulatedRuntime.V0010, "Relayer", "entropy-v0.0.10.scale", false, false);

    public static RuntimeFlavor Registry20240321 { get; } = new(SimulatedRuntime.Registry20240321, "Registry", "entropy-2024-03-21-d7a7f3c2.scale", true, true);

    public SimulatedRuntime Kind { get; }

    /// <summary>Gets the registration pallet's name: <c>Relayer</c> in v0.0.10, <c>Registry</c> from <c>77af6475</c>.</summary>
    public string RegistryPallet { get; }

    public string MetadataResource { get; }

    /// <summary>Gets whether <c>RegisteringDetails</c>/<c>RegisteredInfo</c> end with <c>version_number: u8</c> (from <c>2e0336f3</c>).</summary>
    public bool HasVersionNumber { get; }

    /// <summary>Gets whether <c>StakingExtension.ValidatorToSubgroup</c> exists and <c>confirm_register</c> checks it (from <c>2841d7b6</c>).</summary>
    public bool HasValidatorToSubgroup { get; }

    /// <summary>Gets the <c>Version</c> constant of both runtimes (spec 10, tx 4), SCALE-encoded, as found in their metadata.</summary>
    /// <remarks>The <c>apis</c> list is what the real runtime declares, incl. Metadata API version 2 (V15 metadata via <c>state_call</c>).</remarks>
    public static ReadOnlySpan<byte> EncodedVersion => Convert.FromHexString(
        "106e6f646530656e74726f70792d6e6f6465010000000a000000000000002cdf6acb689907609b0400000037e397fc7c91f5e40200000040fe3ad401f8959a06000000d2bc9897eed08f1503000000f78b278be53f454c02000000ed99c5acb25eedf503000000cbca25e39f14238702000000687ad44ad37f03c201000000bc9d89904f5b923f0100000037c8bb1350a9a2a804000000ab3c0572291feb8b010000000400000001");

    /// <summary>Gets <see cref="EncodedVersion"/> with another spec version (a simulated runtime upgrade).</summary>
    public static byte[] EncodeVersion(uint specVersion)
    {
        // specName "node" (1 + 4 bytes), implName "entropy-node" (1 + 12), authoring_version u32, then spec_version u32.
        var bytes = EncodedVersion.ToArray();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(22, 4), specVersion);
        return bytes;
    }

    public static RuntimeFlavor For(SimulatedRuntime runtime) => runtime switch
    {
        SimulatedRuntime.V0010 => V0010,
        SimulatedRuntime.Registry20240321 => Registry20240321,
        _ => throw new ArgumentOutOfRangeException(nameof(runtime), runtime, "Unknown runtime."),
    };

    /// <summary>Gets the node's own reading of the runtime metadata (types, pallets, calls, signed extensions).</summary>
    public NodeMetadata Metadata => _metadata.Value;

    /// <summary>Gets the extrinsic format the pool decodes and checks with, built from <see cref="Metadata"/> (not from the SDK's builder).</summary>
    public ExtrinsicFormat Format => _format.Value;

    public byte[] LoadMetadata()
    {
        using var stream = typeof(RuntimeFlavor).Assembly.GetManifestResourceStream("Entropy.Simulator.Resources." + MetadataResource)
            ?? throw new InvalidOperationException($"The embedded metadata {MetadataResource} is missing from the simulator assembly.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
