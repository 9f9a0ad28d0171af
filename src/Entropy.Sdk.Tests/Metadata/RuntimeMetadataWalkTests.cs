using Entropy.Metadata;
using static Entropy.Tests.Metadata.MetadataFixtures;

namespace Entropy.Tests.Metadata;

/// <summary>Decodes each fixture completely and walks every pallet, call, storage item, event, error, constant and type.</summary>
[TestFixture(V10)]
[TestFixture(LastOld)]
[TestFixture(DevnetV14)]
public class RuntimeMetadataWalkTests
{
    private readonly string _file;
    private RuntimeMetadata _metadata = null!;

    public RuntimeMetadataWalkTests(string file) => _file = file;

    [OneTimeSetUp]
    public void Load() => _metadata = MetadataFixtures.Load(_file);

    [Test]
    public void Parse_Fixture_DecodesEverySection()
    {
        Assert.That(_metadata.Version, Is.EqualTo(_file == DevnetV14 ? 14 : 15));
        Assert.That(_metadata.Types.Count, Is.GreaterThan(500));
        Assert.That(_metadata.Pallets, Has.Count.GreaterThan(30));
        Assert.That(_metadata.CallTypeId, Is.Not.Null);
        Assert.That(_metadata.Types[_metadata.CallTypeId!.Value].Path[^1], Is.EqualTo("RuntimeCall"));
        if (_metadata.Version == 15)
        {
            Assert.That(_metadata.Apis.Select(a => a.Name), Does.Contain("Core").And.Contain("Metadata"));
            var core = _metadata.Apis.Single(a => a.Name == "Core");
            Assert.That(core.Methods.Select(m => m.Name), Does.Contain("version"));
            Assert.That(_metadata.Types[_metadata.OuterEnums!.EventTypeId].Path[^1], Is.EqualTo("RuntimeEvent"));
            Assert.That(_metadata.Types[_metadata.OuterEnums.ErrorTypeId].Path[^1], Is.EqualTo("RuntimeError"));
            Assert.That(_metadata.Types.GetDisplayName(_metadata.Extrinsic.AddressTypeId!.Value), Is.EqualTo("MultiAddress<AccountId32, u32>"));
        }
        else
        {
            Assert.That(_metadata.Apis, Is.Empty);
            Assert.That(_metadata.OuterEnums, Is.Null);
            Assert.That(_metadata.Extrinsic.ExtrinsicTypeId, Is.Not.Null);
        }
    }

    [Test]
    public void Walk_EveryPalletItem_ResolvesAndRoundTrips()
    {
        var types = _metadata.Types;
        int calls = 0, events = 0, errors = 0, constants = 0, storage = 0;
        foreach (var pallet in _metadata.Pallets)
        {
            Assert.That(_metadata.FindPallet(pallet.Index), Is.SameAs(pallet));
            Assert.That(_metadata.FindPallet(pallet.Name), Is.SameAs(pallet));
            foreach (var id in new[] { pallet.CallTypeId, pallet.EventTypeId, pallet.ErrorTypeId })
            {
                if (id is { } typeId)
                {
                    Assert.That(types[typeId].Definition, Is.InstanceOf<VariantDefinition>(), $"{pallet.Name} #{typeId}");
                }
            }

            if (pallet.CallTypeId is { } callType)
            {
                foreach (var call in ((VariantDefinition)types[callType].Definition).Variants)
                {
                    calls++;
                    Assert.That(_metadata.ResolveCall(pallet.Name, call.Name).Call, Is.SameAs(call));
                    var args = types.TryBuildDefault(callType) is not null ? BuildArgs(call) : null;
                    if (args is not null)
                    {
                        var data = _metadata.EncodeCall(pallet.Name, call.Name, args);
                        var decoded = _metadata.DecodeCall(data);
                        Assert.That(decoded.Name, Is.EqualTo(call.Name));
                        Assert.That(decoded.Arguments, Is.EqualTo(args), $"{pallet.Name}.{call.Name}");
                    }
                }
            }

            if (pallet.EventTypeId is { } ev)
            {
                foreach (var variant in ((VariantDefinition)types[ev].Definition).Variants)
                {
                    events++;
                    RoundTripEvent(pallet, variant);
                }
            }
            if (pallet.ErrorTypeId is { } er)
            {
                foreach (var error in ((VariantDefinition)types[er].Definition).Variants)
                {
                    errors++;
                    var resolved = _metadata.FindModuleError(pallet.Index, error.Index);
                    Assert.That(resolved!.Name, Is.EqualTo(error.Name));
                    Assert.That(resolved.Pallet, Is.EqualTo(pallet.Name));
                }
            }

            foreach (var constant in pallet.Constants)
            {
                constants++;
                var value = _metadata.GetConstant(pallet.Name, constant.Name);
                Assert.That(types.Encode(constant.TypeId, value), Is.EqualTo(constant.Value.ToArray()), $"{pallet.Name}.{constant.Name}");
            }

            foreach (var entry in pallet.Storage?.Entries ?? [])
            {
                storage++;
                Assert.That(_metadata.GetStorageEntry(pallet.Name, entry.Name), Is.SameAs(entry));
                var prefix = _metadata.StorageKey(pallet.Name, entry.Name);
                Assert.That(prefix, Has.Length.EqualTo(32));

                // Default bytes of OptionQuery entries may be empty (None is not stored); ValueQuery defaults must decode.
                if (entry.Modifier == StorageEntryModifier.Default)
                {
                    var value = _metadata.DecodeStorageValue(pallet.Name, entry.Name, null)!;
                    Assert.That(types.Encode(entry.ValueTypeId, value), Is.EqualTo(entry.DefaultValue.ToArray()), $"{pallet.Name}.{entry.Name}");
                }
                else
                {
                    Assert.That(_metadata.DecodeStorageValue(pallet.Name, entry.Name, null), Is.Null);
                }

                if (entry.IsMap)
                {
                    RoundTripStorageKey(pallet, entry);
                }
            }
        }

        TestContext.Out.WriteLine($"{_file}: {calls} calls, {events} events, {errors} errors, {constants} constants, {storage} storage items");
        Assert.That(calls, Is.GreaterThan(100));
        Assert.That(events, Is.GreaterThan(100));
        Assert.That(errors, Is.GreaterThan(100));
        Assert.That(constants, Is.GreaterThan(50));
        Assert.That(storage, Is.GreaterThan(100));
    }

    [Test]
    public void Walk_EveryType_DefaultValueRoundTrips()
    {
        var types = _metadata.Types;
        var built = 0;
        foreach (var type in types.Types)
        {
            Assert.That(types.GetDisplayName(type.Id), Is.Not.Empty);
            var value = types.TryBuildDefault(type.Id);
            if (value is null)
            {
                // Only uninhabited types (enums without variants, such as sp_core::Void) have no value at all.
                Assert.That(type.Definition, Is.InstanceOf<VariantDefinition>().With.Property("Variants").Empty, type.ToString());
                continue;
            }

            built++;
            var bytes = types.Encode(type.Id, value);
            var decoded = types.Decode(type.Id, bytes);
            Assert.That(decoded, Is.EqualTo(value), $"{type} {types.GetDisplayName(type.Id)}");
            Assert.That(types.IsZeroSized(type.Id), Is.EqualTo(bytes.Length == 0).Or.EqualTo(false), type.ToString());
        }

        TestContext.Out.WriteLine($"{_file}: {built} of {types.Count} default values round-tripped");
        Assert.That(built, Is.GreaterThan(types.Count - 5));
    }

    private CompositeValue? BuildArgs(TypeVariant call)
    {
        var fields = new (string, ScaleValue)[call.Fields.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            var v = _metadata.Types.TryBuildDefault(call.Fields[i].TypeId);
            if (v is null || call.Fields[i].Name is null)
            {
                return null;
            }

            fields[i] = (call.Fields[i].Name!, v);
        }

        return fields.Length == 0 ? ScaleValue.Unit : ScaleValue.Named(fields);
    }

    private void RoundTripEvent(PalletMetadata pallet, TypeVariant variant)
    {
        var fields = variant.Fields.Select(f => (f.Name, Value: _metadata.Types.TryBuildDefault(f.TypeId))).ToArray();
        if (fields.Any(f => f.Value is null))
        {
            return;
        }

        var args = new CompositeValue(fields.Select(f => new ScaleField(f.Name, f.Value!)).ToArray());
        var record = ScaleValue.Named(
            ("phase", ScaleValue.Variant("Finalization")),
            ("event", ScaleValue.Variant(pallet.Name, ScaleValue.Variant(variant.Name, args))),
            ("topics", ScaleValue.Sequence(ScaleValue.Bytes(new byte[32]))));
        var entry = _metadata.GetStorageEntry("System", "Events");
        var bytes = _metadata.Types.Encode(entry.ValueTypeId, ScaleValue.Sequence(record));
        var decoded = _metadata.DecodeEvents(bytes).Single();
        Assert.That((decoded.Pallet, decoded.PalletIndex, decoded.Name, decoded.Index), Is.EqualTo((pallet.Name, pallet.Index, variant.Name, variant.Index)));
        Assert.That(decoded.Fields, Is.EqualTo(args), $"{pallet.Name}.{variant.Name}");
        Assert.That(decoded.ExtrinsicIndex, Is.Null);
        Assert.That(decoded.Topics.Single(), Is.EqualTo(new byte[32]));
    }

    private void RoundTripStorageKey(PalletMetadata pallet, StorageEntryMetadata entry)
    {
        var keyTypes = entry.Hashers.Count == 1
            ? [entry.KeyTypeId!.Value]
            : ((TupleDefinition)_metadata.Types[entry.KeyTypeId!.Value].Definition).ElementTypeIds.ToArray();
        var keys = keyTypes.Select(t => _metadata.Types.TryBuildDefault(t)).ToArray();
        if (keys.Any(k => k is null))
        {
            return;
        }

        var key = _metadata.StorageKey(pallet.Name, entry.Name, keys!);
        var decoded = _metadata.DecodeStorageKey(pallet.Name, entry.Name, key);
        Assert.That(decoded, Has.Count.EqualTo(keys.Length));
        for (var i = 0; i < keys.Length; i++)
        {
            if (Entropy.Hashing.StorageHashing.IsConcat(entry.Hashers[i]))
            {
                Assert.That(decoded[i], Is.EqualTo(keys[i]), $"{pallet.Name}.{entry.Name} key {i}");
            }
            else
            {
                Assert.That(decoded[i], Is.Null);
            }
        }
    }
}
