using Entropy.Metadata;

namespace Entropy;

/// <summary>
/// Reads of the registration pallet's storage values (<c>RegisteredInfo</c>, <c>RegisteringDetails</c>) by shape: a field that is
/// missing or holds another kind of value is a <see cref="MetadataException"/> naming the pallet, the storage item and the field.
/// </summary>
internal sealed partial class RegistrationRuntime
{
    /// <summary>Decodes a <c>RegisteredInfo</c> value into the public model.</summary>
    /// <exception cref="MetadataException">The value does not have the <c>RegisteredInfo</c> shape of the supported runtimes.</exception>
    public Registration DecodeRegistered(AccountId account, byte[] value, uint? registerBlock, uint? registeredBlock)
    {
        var shape = _registered;
        var info = shape.Composite(Metadata.DecodeStorageValue(RegistrationPallet, "Registered", value));

        // v0.0.10's dev genesis stores its pre-registered accounts with an empty verifying key (VerifyingKey.IsEmpty).
        var key = info.TryGetField("verifying_key", out var vk) ? shape.Bytes(vk, "verifying_key") : [];
        if (key.Length is not 0 and not VerifyingKey.Length)
        {
            throw new MetadataException($"{shape.Where}: field 'verifying_key' holds {key.Length} bytes where {VerifyingKey.Length} (or none) were expected; the runtime's layout differs from the ones this SDK supports.");
        }

        return new Registration(
            account,
            key.Length == VerifyingKey.Length ? new VerifyingKey(key) : default,
            ToAccessMode(shape, shape.Field(info, "key_visibility")),
            DecodePrograms(shape, shape.Field(info, "programs_data")),
            new AccountId(shape.Bytes(shape.Field(info, "program_modification_account"), "program_modification_account", AccountId.Length)),
            registerBlock,
            registeredBlock);
    }

    /// <summary>Decodes a <c>RegisteringDetails</c> value into the public model.</summary>
    /// <exception cref="MetadataException">The value does not have the <c>RegisteringDetails</c> shape of the supported runtimes.</exception>
    public RegisteringStatus DecodeRegistering(AccountId account, byte[] value)
    {
        var shape = _registering;
        var details = shape.Composite(Metadata.DecodeStorageValue(RegistrationPallet, "Registering", value));
        var confirmations = shape.Bytes(shape.Field(details, "confirmations"), "confirmations");
        VerifyingKey? key = null;
        if (shape.Option(shape.Field(details, "verifying_key"), "verifying_key") is { } some && shape.Bytes(some, "verifying_key") is { Length: VerifyingKey.Length } bytes)
        {
            key = new VerifyingKey(bytes);
        }

        return new RegisteringStatus(
            account,
            new AccountId(shape.Bytes(shape.Field(details, "program_modification_account"), "program_modification_account", AccountId.Length)),
            ToAccessMode(shape, shape.Field(details, "key_visibility")),
            DecodePrograms(shape, shape.Field(details, "programs_data")),
            confirmations,
            SigningPartySize,
            key);
    }

    /// <summary>Reads the user's x25519 public key from a <c>RegisteringDetails</c> value whose key visibility is <c>Private</c>; <see langword="null"/> for the other modes.</summary>
    /// <exception cref="MetadataException">The value does not have the <c>RegisteringDetails</c> shape of the supported runtimes.</exception>
    public byte[]? DecodePrivateX25519Key(byte[] registeringValue)
    {
        var shape = _registering;
        var details = shape.Composite(Metadata.DecodeStorageValue(RegistrationPallet, "Registering", registeringValue));
        var visibility = shape.Variant(shape.Field(details, "key_visibility"), "key_visibility");
        return visibility is { Name: "Private", Fields.Count: 1 } ? shape.Bytes(visibility.Fields[0], "key_visibility.Private", 32) : null;
    }

    private static IReadOnlyList<ProgramInstance> DecodePrograms(ValueShape shape, ScaleValue value)
    {
        var items = shape.Sequence(value, "programs_data");
        var programs = new ProgramInstance[items.Count];
        for (var i = 0; i < programs.Length; i++)
        {
            var field = $"programs_data[{i}]";
            var instance = shape.Composite(items[i], field);
            programs[i] = new ProgramInstance(
                new ProgramPointer(shape.Bytes(shape.Field(instance, "program_pointer"), field + ".program_pointer", ProgramPointer.Length)),
                shape.Bytes(shape.Field(instance, "program_config"), field + ".program_config"));
        }

        return programs;
    }

    private static AccessMode ToAccessMode(ValueShape shape, ScaleValue visibility) =>
        shape.Variant(visibility, "key_visibility").Name switch
        {
            "Public" => AccessMode.Public,
            "Permissioned" => AccessMode.Permissioned,
            "Private" => AccessMode.Private,
            var other => throw new MetadataException($"{shape.Where}: field 'key_visibility' is the variant '{other}', which no supported runtime has (Public, Permissioned, Private)."),
        };
}
