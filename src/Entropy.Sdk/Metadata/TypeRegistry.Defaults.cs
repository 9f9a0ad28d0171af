using System.Numerics;
using System.Text;

namespace Entropy.Metadata;

internal sealed partial class TypeRegistry
{
    /// <summary>Builds the "zero" value of a type (0, false, empty vectors, the first variant, …), or returns null if the type is too deep or recursive.</summary>
    internal ScaleValue? TryBuildDefault(int typeId, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            return null;
        }

        switch (_types[typeId].Definition)
        {
            case CompositeDefinition c:
                return BuildDefaultFields(c.FieldArray, depth);
            case VariantDefinition v:
                foreach (var variant in v.VariantArray)
                {
                    var fields = BuildDefaultFields(variant.FieldArray, depth);
                    if (fields is not null)
                    {
                        return new VariantValue(variant.Name, fields, variant.Index);
                    }
                }

                return null;
            case SequenceDefinition s:
                return IsU8(s.ElementTypeId) ? new BytesValue([]) : SequenceValue.Empty;
            case ArrayDefinition a:
                if (IsU8(a.ElementTypeId))
                {
                    return a.Length <= 1 << 20 ? new BytesValue(new byte[a.Length]) : null;
                }

                if (a.Length > 4096)
                {
                    return null;
                }

                var items = new ScaleValue[a.Length];
                for (var i = 0; i < items.Length; i++)
                {
                    var item = TryBuildDefault(a.ElementTypeId, depth + 1);
                    if (item is null)
                    {
                        return null;
                    }

                    items[i] = item;
                }

                return new SequenceValue(items);
            case TupleDefinition t:
                var tuple = new ScaleField[t.ElementArray.Length];
                for (var i = 0; i < tuple.Length; i++)
                {
                    var item = TryBuildDefault(t.ElementArray[i], depth + 1);
                    if (item is null)
                    {
                        return null;
                    }

                    tuple[i] = new ScaleField(null, item);
                }

                return tuple.Length == 0 ? CompositeValue.Empty : new CompositeValue(tuple);
            case PrimitiveDefinition p:
                return p.Primitive switch
                {
                    PrimitiveKind.Bool => BoolValue.False,
                    PrimitiveKind.Char => new CharValue(new Rune('a')),
                    PrimitiveKind.Str => new StringValue(string.Empty),
                    _ => NumberValue.Of(0),
                };
            case CompactDefinition c:
                return WrapCompact(c.InnerTypeId, BigInteger.Zero, depth);
            case BitSequenceDefinition:
                return new BitSequenceValue([]);
            default:
                return null;
        }
    }

    private CompositeValue? BuildDefaultFields(TypeField[] fields, int depth)
    {
        if (fields.Length == 0)
        {
            return CompositeValue.Empty;
        }

        var result = new ScaleField[fields.Length];
        for (var i = 0; i < fields.Length; i++)
        {
            var v = TryBuildDefault(fields[i].TypeId, depth + 1);
            if (v is null)
            {
                return null;
            }

            result[i] = new ScaleField(fields[i].Name, v);
        }

        return new CompositeValue(result);
    }
}
