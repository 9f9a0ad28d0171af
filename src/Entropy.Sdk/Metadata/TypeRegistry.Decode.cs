using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using Entropy.Scale;

namespace Entropy.Metadata;

internal sealed partial class TypeRegistry
{
    private ScaleValue DecodeCore(int typeId, ref ScaleReader r, int depth)
    {
        if (depth > MaxDepth)
        {
            throw Fail(typeId, $"type nesting is deeper than {MaxDepth} levels (a recursive type?)");
        }

        switch (_types[typeId].Definition)
        {
            case PrimitiveDefinition p:
                return DecodePrimitive(p.Primitive, typeId, ref r);
            case CompositeDefinition c:
                return DecodeFields(c.FieldArray, ref r, depth);
            case VariantDefinition v:
            {
                var offset = r.BytesConsumed;
                var index = r.ReadU8();
                var variant = v.FindByIndex(index)
                    ?? throw Fail(typeId, $"variant index {index} at byte {offset} does not exist in {GetDisplayName(typeId)}");
                if (variant.FieldArray.Length == 0)
                {
                    return new VariantValue(variant.Name, CompositeValue.Empty, index);
                }

                try
                {
                    return new VariantValue(variant.Name, DecodeFields(variant.FieldArray, ref r, depth), index);
                }
                catch (Exception ex) when (Trace(ex, typeId, "." + variant.Name))
                {
                    throw;
                }
            }

            case SequenceDefinition s:
            {
                if (IsU8(s.ElementTypeId))
                {
                    var n = r.ReadLength();
                    return new BytesValue(r.ReadBytes(n).ToArray());
                }

                var zeroSized = _zeroSized[s.ElementTypeId] == 2;
                var count = r.ReadLength(zeroSized ? 0 : 1);
                if (zeroSized && count > MaxZeroSizedElements)
                {
                    throw Fail(typeId, $"a sequence of {count} zero-sized elements is longer than the {MaxZeroSizedElements} allowed");
                }

                return new SequenceValue(DecodeElements(s.ElementTypeId, count, ref r, depth));
            }

            case ArrayDefinition a:
            {
                if (IsU8(a.ElementTypeId))
                {
                    if (a.Length > (uint)r.Remaining)
                    {
                        throw Fail(typeId, $"expected {a.Length} bytes but only {r.Remaining} remain");
                    }

                    return new BytesValue(r.ReadBytes((int)a.Length).ToArray());
                }

                var zeroSized = _zeroSized[a.ElementTypeId] == 2;
                if (zeroSized ? a.Length > MaxZeroSizedElements : a.Length > (uint)r.Remaining)
                {
                    throw Fail(typeId, $"an array of {a.Length} elements cannot fit in the {r.Remaining} remaining bytes");
                }

                return new SequenceValue(DecodeElements(a.ElementTypeId, (int)a.Length, ref r, depth));
            }

            case TupleDefinition t:
            {
                if (t.ElementArray.Length == 0)
                {
                    return CompositeValue.Empty;
                }

                var fields = new ScaleField[t.ElementArray.Length];
                for (var i = 0; i < fields.Length; i++)
                {
                    try
                    {
                        fields[i] = new ScaleField(null, DecodeCore(t.ElementArray[i], ref r, depth + 1));
                    }
                    catch (Exception ex) when (Trace(ex, t.ElementArray[i], "." + i.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                    {
                        throw;
                    }
                }

                return new CompositeValue(fields);
            }

            case CompactDefinition c:
            {
                var inner = CompactTarget(c.InnerTypeId, typeId);
                if (inner is null)
                {
                    return WrapCompact(c.InnerTypeId, BigInteger.Zero, depth) ?? CompositeValue.Empty;
                }

                var offset = r.BytesConsumed;
                BigInteger value = inner switch
                {
                    PrimitiveKind.U8 or PrimitiveKind.U16 or PrimitiveKind.U32 or PrimitiveKind.U64 => r.ReadCompactU64(),
                    PrimitiveKind.U128 => (BigInteger)r.ReadCompactU128(),
                    _ => r.ReadCompactBigInteger(),
                };
                if (value > MaxOf(inner.Value))
                {
                    throw Fail(typeId, $"compact value {value} at byte {offset} does not fit {TypeRegistry.PrimitiveName(inner.Value)}");
                }

                return WrapCompact(c.InnerTypeId, value, depth) ?? throw Fail(typeId, "Compact wraps a recursive type");
            }

            case BitSequenceDefinition b:
            {
                var (wordBits, msb) = BitLayout(b, typeId);
                var bits = r.ReadCompactU64();
                if (bits > (ulong)r.Remaining * 8)
                {
                    throw Fail(typeId, $"a bit sequence of {bits} bits cannot fit in the {r.Remaining} remaining bytes");
                }

                var words = (int)((bits + (ulong)wordBits - 1) / (ulong)wordBits);
                var raw = r.ReadBytes(words * (wordBits / 8));
                var result = new bool[bits];
                for (var i = 0; i < result.Length; i++)
                {
                    var word = i / wordBits;
                    var pos = i % wordBits;
                    var bit = msb ? wordBits - 1 - pos : pos;

                    // Words are little-endian; bit k of the word lives in byte k/8 of it, at position k%8.
                    var bytes = raw.Slice(word * (wordBits / 8), wordBits / 8);
                    result[i] = ((bytes[bit / 8] >> (bit % 8)) & 1) != 0;
                }

                return new BitSequenceValue(result);
            }

            default:
                throw Fail(typeId, "unknown type definition");
        }
    }

    private ScaleValue[] DecodeElements(int elementTypeId, int count, ref ScaleReader r, int depth)
    {
        if (count == 0)
        {
            return [];
        }

        var items = new ScaleValue[count];
        for (var i = 0; i < count; i++)
        {
            try
            {
                items[i] = DecodeCore(elementTypeId, ref r, depth + 1);
            }
            catch (Exception ex) when (Trace(ex, elementTypeId, "[" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]"))
            {
                throw;
            }
        }

        return items;
    }

    private CompositeValue DecodeFields(TypeField[] fields, ref ScaleReader r, int depth)
    {
        if (fields.Length == 0)
        {
            return CompositeValue.Empty;
        }

        var result = new ScaleField[fields.Length];
        for (var i = 0; i < fields.Length; i++)
        {
            var f = fields[i];
            try
            {
                result[i] = new ScaleField(f.Name, DecodeCore(f.TypeId, ref r, depth + 1));
            }
            catch (Exception ex) when (Trace(ex, f.TypeId, "." + (f.Name ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture))))
            {
                throw;
            }
        }

        return new CompositeValue(result);
    }

    private ScaleValue DecodePrimitive(PrimitiveKind p, int typeId, ref ScaleReader r)
    {
        switch (p)
        {
            case PrimitiveKind.Bool:
                return r.ReadBool() ? BoolValue.True : BoolValue.False;
            case PrimitiveKind.Char:
            {
                var offset = r.BytesConsumed;
                var c = r.ReadU32();
                return Rune.IsValid(c) ? new CharValue(new Rune(c)) : throw Fail(typeId, $"0x{c:x} at byte {offset} is not a Unicode scalar value");
            }

            case PrimitiveKind.Str:
                return new StringValue(r.ReadString());
            case PrimitiveKind.U8:
                return NumberValue.Of(r.ReadU8());
            case PrimitiveKind.U16:
                return NumberValue.Of(r.ReadU16());
            case PrimitiveKind.U32:
                return NumberValue.Of(r.ReadU32());
            case PrimitiveKind.U64:
                return NumberValue.Of(r.ReadU64());
            case PrimitiveKind.U128:
                return new NumberValue(r.ReadU128());
            case PrimitiveKind.U256:
                return new NumberValue(new BigInteger(r.ReadBytes(32), isUnsigned: true, isBigEndian: false));
            case PrimitiveKind.I8:
                return new NumberValue(r.ReadI8());
            case PrimitiveKind.I16:
                return new NumberValue(r.ReadI16());
            case PrimitiveKind.I32:
                return new NumberValue(r.ReadI32());
            case PrimitiveKind.I64:
                return new NumberValue(r.ReadI64());
            case PrimitiveKind.I128:
                return new NumberValue(r.ReadI128());
            default:
                return new NumberValue(new BigInteger(r.ReadBytes(32), isUnsigned: false, isBigEndian: false));
        }
    }

    /// <summary>Finds the integer primitive a compact type wraps (through single-field structs); null for a compact of <c>()</c>.</summary>
    private PrimitiveKind? CompactTarget(int innerTypeId, int compactTypeId)
    {
        var id = innerTypeId;
        for (var guard = 0; guard <= MaxDepth; guard++)
        {
            switch (_types[id].Definition)
            {
                case PrimitiveDefinition p when p.Primitive is >= PrimitiveKind.U8 and <= PrimitiveKind.U256:
                    return p.Primitive;
                case CompositeDefinition { FieldArray.Length: 1 } c:
                    id = c.FieldArray[0].TypeId;
                    continue;
                case TupleDefinition { ElementArray.Length: 1 } t:
                    id = t.ElementArray[0];
                    continue;
                case CompositeDefinition { FieldArray.Length: 0 }:
                case TupleDefinition { ElementArray.Length: 0 }:
                    return null;
                default:
                    throw Fail(compactTypeId, $"Compact<{GetDisplayName(innerTypeId)}> does not wrap an unsigned integer");
            }
        }

        throw Fail(compactTypeId, "Compact wraps a recursive type");
    }

    /// <summary>Builds the decoded form of a compact value: the number wrapped in the same single-field structs as the inner type.</summary>
    private ScaleValue? WrapCompact(int innerTypeId, BigInteger value, int depth)
    {
        if (depth > MaxDepth)
        {
            return null;
        }

        switch (_types[innerTypeId].Definition)
        {
            case PrimitiveDefinition:
                return value < 256 ? NumberValue.Of((ulong)value) : new NumberValue(value);
            case CompositeDefinition { FieldArray.Length: 1 } c:
                var inner = WrapCompact(c.FieldArray[0].TypeId, value, depth + 1);
                return inner is null ? null : new CompositeValue([new ScaleField(c.FieldArray[0].Name, inner)]);
            case TupleDefinition { ElementArray.Length: 1 } t:
                var innerT = WrapCompact(t.ElementArray[0], value, depth + 1);
                return innerT is null ? null : new CompositeValue([new ScaleField(null, innerT)]);
            case CompositeDefinition { FieldArray.Length: 0 }:
            case TupleDefinition { ElementArray.Length: 0 }:
                return CompositeValue.Empty;
            default:
                return null;
        }
    }

    private (int WordBits, bool Msb) BitLayout(BitSequenceDefinition b, int typeId)
    {
        var wordBits = _types[b.StoreTypeId].Definition switch
        {
            PrimitiveDefinition { Primitive: PrimitiveKind.U8 } => 8,
            PrimitiveDefinition { Primitive: PrimitiveKind.U16 } => 16,
            PrimitiveDefinition { Primitive: PrimitiveKind.U32 } => 32,
            PrimitiveDefinition { Primitive: PrimitiveKind.U64 } => 64,
            _ => throw Fail(typeId, $"bit store type {GetDisplayName(b.StoreTypeId)} is not u8, u16, u32 or u64"),
        };
        var order = _types[b.OrderTypeId].Path;
        var msb = order.Count > 0 && order[^1] == "Msb0";
        if (!msb && (order.Count == 0 || order[^1] != "Lsb0"))
        {
            throw Fail(typeId, $"bit order type {_types[b.OrderTypeId]} is neither Lsb0 nor Msb0");
        }

        return (wordBits, msb);
    }
}
