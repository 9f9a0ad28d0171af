using Entropy.Hashing;

namespace Entropy.Metadata;

/// <summary>A pallet of the runtime: its index, storage, calls, events, constants and errors.</summary>
internal sealed class PalletMetadata
{
    private Dictionary<string, StorageEntryMetadata>? _storageByName;
    private Dictionary<string, ConstantMetadata>? _constantsByName;

    internal PalletMetadata(
        string name,
        StorageMetadata? storage,
        int? callTypeId,
        int? eventTypeId,
        ConstantMetadata[] constants,
        int? errorTypeId,
        byte index,
        string[] docs)
    {
        Name = name;
        Storage = storage;
        CallTypeId = callTypeId;
        EventTypeId = eventTypeId;
        ConstantArray = constants;
        ErrorTypeId = errorTypeId;
        Index = index;
        Docs = docs;
    }

    /// <summary>Gets the pallet name as given in <c>construct_runtime!</c> (for example <c>Balances</c>).</summary>
    public string Name { get; }

    /// <summary>Gets the pallet's storage, or <see langword="null"/> if it has none.</summary>
    public StorageMetadata? Storage { get; }

    /// <summary>Gets the id of the pallet's call enum, or <see langword="null"/> if it has no calls.</summary>
    public int? CallTypeId { get; }

    /// <summary>Gets the id of the pallet's event enum, or <see langword="null"/> if it has no events.</summary>
    public int? EventTypeId { get; }

    /// <summary>Gets the pallet's constants.</summary>
    public IReadOnlyList<ConstantMetadata> Constants => ConstantArray;

    /// <summary>Gets the id of the pallet's error enum, or <see langword="null"/> if it has no errors.</summary>
    public int? ErrorTypeId { get; }

    /// <summary>Gets the pallet index: the first byte of its calls and the index in module errors and events.</summary>
    public byte Index { get; }

    /// <summary>Gets the pallet documentation (V15 only; empty for V14).</summary>
    public IReadOnlyList<string> Docs { get; }

    internal ConstantMetadata[] ConstantArray { get; }

    /// <summary>Finds a storage entry by name (exact, or ignoring case and underscores).</summary>
    /// <param name="name">The storage item name, for example <c>Account</c>.</param>
    /// <returns>The entry, or <see langword="null"/>.</returns>
    public StorageEntryMetadata? FindStorageEntry(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Storage is null)
        {
            return null;
        }

        var map = Volatile.Read(ref _storageByName);
        if (map is null)
        {
            map = BuildMap(Storage.EntryArray, e => e.Name);
            Volatile.Write(ref _storageByName, map);
        }

        return map.TryGetValue(name, out var e) || map.TryGetValue(NameMatching.Normalize(name), out e) ? e : null;
    }

    /// <summary>Finds a constant by name (exact, or ignoring case and underscores).</summary>
    /// <param name="name">The constant name, for example <c>ExistentialDeposit</c>.</param>
    /// <returns>The constant, or <see langword="null"/>.</returns>
    public ConstantMetadata? FindConstant(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var map = Volatile.Read(ref _constantsByName);
        if (map is null)
        {
            map = BuildMap(ConstantArray, c => c.Name);
            Volatile.Write(ref _constantsByName, map);
        }

        return map.TryGetValue(name, out var c) || map.TryGetValue(NameMatching.Normalize(name), out c) ? c : null;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Index})";

    private static Dictionary<string, T> BuildMap<T>(T[] items, Func<T, string> name)
    {
        var map = new Dictionary<string, T>(items.Length * 2, StringComparer.Ordinal);
        foreach (var item in items)
        {
            map.TryAdd(name(item), item);
        }

        foreach (var item in items)
        {
            map.TryAdd(NameMatching.Normalize(name(item)), item);
        }

        return map;
    }
}

/// <summary>The storage of a pallet: the key prefix and the entries.</summary>
internal sealed class StorageMetadata
{
    internal StorageMetadata(string prefix, StorageEntryMetadata[] entries)
    {
        Prefix = prefix;
        EntryArray = entries;
    }

    /// <summary>Gets the storage prefix whose <c>twox128</c> starts every key of the pallet (usually the pallet name).</summary>
    public string Prefix { get; }

    /// <summary>Gets the storage entries.</summary>
    public IReadOnlyList<StorageEntryMetadata> Entries => EntryArray;

    internal StorageEntryMetadata[] EntryArray { get; }
}

/// <summary>Whether reading an absent storage entry yields nothing or the entry's default.</summary>
internal enum StorageEntryModifier
{
    /// <summary><c>OptionQuery</c>: an absent value reads as none.</summary>
    Optional,

    /// <summary><c>ValueQuery</c>: an absent value reads as the entry's default bytes.</summary>
    Default,
}

/// <summary>A storage item of a pallet: a plain value or a map with one or more hashed keys.</summary>
internal sealed class StorageEntryMetadata
{
    internal StorageEntryMetadata(
        string name,
        StorageEntryModifier modifier,
        StorageHasher[] hashers,
        int? keyTypeId,
        int valueTypeId,
        byte[] defaultValue,
        string[] docs)
    {
        Name = name;
        Modifier = modifier;
        HasherArray = hashers;
        KeyTypeId = keyTypeId;
        ValueTypeId = valueTypeId;
        DefaultBytes = defaultValue;
        Docs = docs;
    }

    /// <summary>Gets the item name, for example <c>Account</c>.</summary>
    public string Name { get; }

    /// <summary>Gets whether an absent value reads as none or as the default.</summary>
    public StorageEntryModifier Modifier { get; }

    /// <summary>Gets a value indicating whether the entry is a map (has keys) rather than a plain value.</summary>
    public bool IsMap => KeyTypeId is not null;

    /// <summary>Gets the hashers, one per key; empty for a plain value.</summary>
    public IReadOnlyList<StorageHasher> Hashers => HasherArray;

    /// <summary>Gets the key type id (a tuple of the keys when there are several hashers), or <see langword="null"/> for a plain value.</summary>
    public int? KeyTypeId { get; }

    /// <summary>Gets the value type id.</summary>
    public int ValueTypeId { get; }

    /// <summary>Gets the SCALE bytes of the default value.</summary>
    public ReadOnlyMemory<byte> DefaultValue => DefaultBytes;

    /// <summary>Gets the documentation lines of the entry.</summary>
    public IReadOnlyList<string> Docs { get; }

    internal StorageHasher[] HasherArray { get; }

    internal byte[] DefaultBytes { get; }

    internal byte[]? CachedPrefix { get; set; }

    internal int[]? CachedKeyTypeIds { get; set; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>A constant of a pallet, with its SCALE-encoded value.</summary>
internal sealed class ConstantMetadata
{
    internal ConstantMetadata(string name, int typeId, byte[] value, string[] docs)
    {
        Name = name;
        TypeId = typeId;
        ValueBytes = value;
        Docs = docs;
    }

    /// <summary>Gets the constant name.</summary>
    public string Name { get; }

    /// <summary>Gets the type id of the value.</summary>
    public int TypeId { get; }

    /// <summary>Gets the SCALE-encoded value.</summary>
    public ReadOnlyMemory<byte> Value => ValueBytes;

    /// <summary>Gets the documentation lines.</summary>
    public IReadOnlyList<string> Docs { get; }

    internal byte[] ValueBytes { get; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
