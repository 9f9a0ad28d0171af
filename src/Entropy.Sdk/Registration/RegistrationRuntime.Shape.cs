using Entropy.Metadata;

namespace Entropy;

/// <summary>
/// The connect-time check that the runtime keeps registrations the way the SDK reads them: <c>Registered</c> and
/// <c>Registering</c> are maps keyed by the signature-request account. entropy-core v0.0.11 and later key <c>Registered</c>
/// by verifying key (and drop the Permissioned mode); reading such a chain by account would find nothing and wait until a
/// timeout, so it is refused when the client connects.
/// </summary>
internal sealed partial class RegistrationRuntime
{
    /// <summary>Gets the sentence naming the runtimes this SDK registers on.</summary>
    public const string SupportedRuntimes =
        "This SDK supports the runtimes whose registration storage is keyed by the signature-request account (AccountId32): " +
        "entropy-core v0.0.10 (pallet Relayer) and the 2024-03-21 runtime d7a7f3c2 (pallet Registry).";

    /// <summary>The fields of <c>RegisteredInfo</c> the SDK reads (v0.0.10 and d7a7f3c2 both have them).</summary>
    private static readonly string[] s_registeredFields = ["key_visibility", "programs_data", "program_modification_account"];

    /// <summary>The fields of <c>RegisteringDetails</c> the SDK reads.</summary>
    private static readonly string[] s_registeringFields = ["program_modification_account", "confirmations", "programs_data", "key_visibility", "verifying_key"];

    private static void CheckStorageShape(RuntimeMetadata metadata, PalletMetadata pallet, int? accountTypeId)
    {
        var types = metadata.Types;
        var account = accountTypeId is { } a ? types.GetDisplayName(a) : "AccountId32";
        foreach (var (item, fields) in new[] { ("Registered", s_registeredFields), ("Registering", s_registeringFields) })
        {
            var where = $"{pallet.Name}.{item}";
            var entry = pallet.FindStorageEntry(item)
                ?? throw new MetadataException($"The connected runtime has no {where} storage item. {SupportedRuntimes}");
            if (entry.KeyTypeId is not { } key || entry.Hashers.Count != 1 || !IsAccountKey(types, key, accountTypeId))
            {
                var found = entry.KeyTypeId is { } k
                    ? $"a map keyed by {types.GetDisplayName(k)}{(entry.Hashers.Count == 1 ? string.Empty : $" with {entry.Hashers.Count} hashers")}"
                    : "a single value";
                throw new MetadataException(
                    $"The connected runtime's {where} is {found}, not a map keyed by the signature-request account ({account}); " +
                    $"entropy-core v0.0.11 and later key Registered by verifying key and have no Permissioned access mode " +
                    $"(this runtime's KeyVisibility: {string.Join(", ", KeyVisibilityNames(metadata, pallet))}). {SupportedRuntimes}");
            }

            var value = types[entry.ValueTypeId].Definition as CompositeDefinition;
            var missing = fields.Where(f => value is null || !value.Fields.Any(x => x.Name == f)).ToArray();
            if (missing.Length > 0)
            {
                throw new MetadataException(
                    $"The connected runtime's {where} holds {types.GetDisplayName(entry.ValueTypeId)} without the field(s) {string.Join(", ", missing)} " +
                    $"the SDK reads. {SupportedRuntimes}");
            }
        }
    }

    /// <summary>Whether a map key is the account type: the type of <c>register</c>'s <c>program_modification_account</c>, or 32 bytes.</summary>
    private static bool IsAccountKey(TypeRegistry types, int keyTypeId, int? accountTypeId)
    {
        if (accountTypeId is { } account && (account == keyTypeId || types.GetDisplayName(account) == types.GetDisplayName(keyTypeId)))
        {
            return true;
        }

        var definition = types[keyTypeId].Definition;
        while (definition is CompositeDefinition { Fields.Count: 1 } wrapper)
        {
            definition = types[wrapper.Fields[0].TypeId].Definition;
        }

        return accountTypeId is null && definition is ArrayDefinition { Length: 32 } array && types.GetDisplayName(array.ElementTypeId) == "u8";
    }

    private static IEnumerable<string> KeyVisibilityNames(RuntimeMetadata metadata, PalletMetadata pallet) =>
        FindCallField(metadata, pallet, "register", "key_visibility") is { } id && metadata.Types[id].Definition is VariantDefinition v
            ? v.Variants.Select(x => x.Name)
            : ["(none)"];
}
