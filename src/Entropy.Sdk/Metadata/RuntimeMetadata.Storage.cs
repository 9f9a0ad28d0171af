using System.Buffers;
using System.Text;
using Entropy.Hashing;
using Entropy.Scale;

namespace Entropy.Metadata;

internal sealed partial class RuntimeMetadata
{
    /// <summary>Finds a storage entry by pallet and item name.</summary>
    /// <param name="pallet">The pallet name, for example <c>System</c>.</param>
    /// <param name="entry">The storage item name, for example <c>Account</c>.</param>
    /// <returns>The entry.</returns>
    /// <exception cref="MetadataException">The pallet or entry does not exist.</exception>
    public StorageEntryMetadata GetStorageEntry(string pallet, string entry)
    {
        var p = GetPallet(pallet);
        return p.FindStorageEntry(entry) ?? throw new MetadataException($"Pallet {p.Name} has no storage item '{entry}'.");
    }

    /// <summary>Builds a storage key: <c>twox128(prefix) ‖ twox128(item) ‖ hasher₁(key₁) ‖ …</c>.</summary>
    /// <param name="pallet">The pallet name.</param>
    /// <param name="entry">The storage item name.</param>
    /// <param name="keys">The map keys in order; fewer keys than hashers give a prefix for iterating the remaining ones.</param>
    /// <returns>The storage key.</returns>
    /// <exception cref="MetadataException">The pallet or entry does not exist, or a key does not fit its type.</exception>
    /// <exception cref="ArgumentException">More keys are given than the entry has.</exception>
    public byte[] StorageKey(string pallet, string entry, params ScaleValue[] keys)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        StorageKey(pallet, entry, keys, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Builds a storage key into a buffer.</summary>
    /// <param name="pallet">The pallet name.</param>
    /// <param name="entry">The storage item name.</param>
    /// <param name="keys">The map keys in order (possibly fewer than the entry has).</param>
    /// <param name="output">Where the key is appended.</param>
    /// <exception cref="MetadataException">The pallet or entry does not exist, or a key does not fit its type.</exception>
    /// <exception cref="ArgumentException">More keys are given than the entry has.</exception>
    public void StorageKey(string pallet, string entry, ReadOnlySpan<ScaleValue> keys, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var p = GetPallet(pallet);
        var e = p.FindStorageEntry(entry) ?? throw new MetadataException($"Pallet {p.Name} has no storage item '{entry}'.");
        if (keys.Length > e.HasherArray.Length)
        {
            throw new ArgumentException($"{p.Name}.{e.Name} takes {e.HasherArray.Length} key(s), but {keys.Length} were given.", nameof(keys));
        }

        output.Write(Prefix(p, e));
        if (keys.Length == 0)
        {
            return;
        }

        var keyTypes = KeyTypes(p, e);
        var scratch = new ArrayBufferWriter<byte>(64);
        for (var i = 0; i < keys.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(keys[i]);
            scratch.ResetWrittenCount();
            try
            {
                Types.Encode(keyTypes[i], keys[i], scratch);
            }
            catch (MetadataException ex)
            {
                throw new MetadataException($"Key {i + 1} of {p.Name}.{e.Name}: {ex.Message}", ex);
            }

            StorageHashing.Hash(e.HasherArray[i], scratch.WrittenSpan, output);
        }
    }

    /// <summary>Recovers the map keys from a full storage key; keys behind non-concatenating hashers (<c>Blake2_128</c>, <c>Twox128</c>, …) come back as <see langword="null"/>.</summary>
    /// <param name="pallet">The pallet name.</param>
    /// <param name="entry">The storage item name.</param>
    /// <param name="key">The full storage key.</param>
    /// <returns>One value (or <see langword="null"/>) per hasher of the entry.</returns>
    /// <exception cref="MetadataException">The key does not belong to the entry or is malformed.</exception>
    public IReadOnlyList<ScaleValue?> DecodeStorageKey(string pallet, string entry, ReadOnlySpan<byte> key)
    {
        var p = GetPallet(pallet);
        var e = p.FindStorageEntry(entry) ?? throw new MetadataException($"Pallet {p.Name} has no storage item '{entry}'.");
        var prefix = Prefix(p, e);
        if (!key.StartsWith(prefix))
        {
            throw new MetadataException($"The storage key does not start with the prefix of {p.Name}.{e.Name} (0x{Convert.ToHexStringLower(prefix)}).");
        }

        if (e.HasherArray.Length == 0)
        {
            return key.Length == prefix.Length ? [] : throw new MetadataException($"{p.Name}.{e.Name} is a plain value, but the key has {key.Length - prefix.Length} extra byte(s).");
        }

        var keyTypes = KeyTypes(p, e);
        var result = new ScaleValue?[e.HasherArray.Length];
        var reader = new ScaleReader(key[prefix.Length..]);
        for (var i = 0; i < result.Length; i++)
        {
            var hasher = e.HasherArray[i];
            var hashLength = StorageHashing.HashPrefixLength(hasher);
            if (reader.Remaining < hashLength)
            {
                throw new MetadataException($"The storage key of {p.Name}.{e.Name} ends inside the hash of key {i + 1}.");
            }

            reader.ReadBytes(hashLength);
            if (StorageHashing.IsConcat(hasher))
            {
                try
                {
                    result[i] = Types.Decode(keyTypes[i], ref reader);
                }
                catch (MetadataException ex)
                {
                    throw new MetadataException($"Key {i + 1} of {p.Name}.{e.Name}: {ex.Message}", ex);
                }
            }
        }

        if (reader.Remaining != 0)
        {
            throw new MetadataException($"The storage key of {p.Name}.{e.Name} has {reader.Remaining} trailing byte(s).");
        }

        return result;
    }

    /// <summary>Decodes a storage value as the entry's type; an absent value gives the entry's default (<c>ValueQuery</c>) or <see langword="null"/> (<c>OptionQuery</c>).</summary>
    /// <param name="pallet">The pallet name.</param>
    /// <param name="entry">The storage item name.</param>
    /// <param name="value">The raw storage value, or <see langword="null"/> if the key is absent.</param>
    /// <returns>The decoded value, or <see langword="null"/> when absent and the entry has no default.</returns>
    /// <exception cref="MetadataException">The pallet or entry does not exist, or the bytes do not decode as its type.</exception>
    public ScaleValue? DecodeStorageValue(string pallet, string entry, byte[]? value)
    {
        var e = GetStorageEntry(pallet, entry);
        if (value is null)
        {
            return e.Modifier == StorageEntryModifier.Default ? Types.Decode(e.ValueTypeId, e.DefaultBytes) : null;
        }

        return Types.Decode(e.ValueTypeId, value);
    }

    private static byte[] Prefix(PalletMetadata p, StorageEntryMetadata e)
    {
        var cached = e.CachedPrefix;
        if (cached is not null)
        {
            return cached;
        }

        var prefix = new byte[32];
        Twox.Hash128(Encoding.UTF8.GetBytes(p.Storage!.Prefix), prefix.AsSpan(0, 16));
        Twox.Hash128(Encoding.UTF8.GetBytes(e.Name), prefix.AsSpan(16, 16));
        e.CachedPrefix = prefix;
        return prefix;
    }

    private int[] KeyTypes(PalletMetadata p, StorageEntryMetadata e)
    {
        var cached = e.CachedKeyTypeIds;
        if (cached is not null)
        {
            return cached;
        }

        int[] ids;
        var keyType = e.KeyTypeId!.Value;
        if (e.HasherArray.Length == 1)
        {
            ids = [keyType];
        }
        else if (Types[keyType].Definition is TupleDefinition t && t.ElementArray.Length == e.HasherArray.Length)
        {
            ids = t.ElementArray;
        }
        else
        {
            throw new MetadataException($"{p.Name}.{e.Name} has {e.HasherArray.Length} hashers, but its key type {Types.GetDisplayName(keyType)} is not a tuple of that many keys.");
        }

        e.CachedKeyTypeIds = ids;
        return ids;
    }
}
