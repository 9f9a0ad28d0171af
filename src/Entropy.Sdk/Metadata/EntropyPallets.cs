namespace Entropy.Metadata;

/// <summary>Resolves Entropy pallets whose names changed between runtime releases.</summary>
internal static class EntropyPallets
{
    /// <summary>The registration pallet was <c>Relayer</c> up to v0.0.10 and <c>Registry</c> from 2024-03-07 (same index 51).</summary>
    public static PalletMetadata Registration(RuntimeMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return metadata.FindPallet("Registry")
            ?? metadata.FindPallet("Relayer")
            ?? throw new MetadataException("The runtime has no registration pallet (neither 'Registry' nor 'Relayer').");
    }

    /// <summary>The registration pallet's name in this runtime.</summary>
    public static string RegistrationName(RuntimeMetadata metadata) => Registration(metadata).Name;
}
