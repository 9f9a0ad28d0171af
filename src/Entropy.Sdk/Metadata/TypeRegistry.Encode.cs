using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using Entropy.Scale;

namespace Entropy.Metadata;

internal sealed partial class TypeRegistry
{
    private static BigInteger MaxOf(PrimitiveKind p) => p switch
    {
        PrimitiveKind.U8 => byte.MaxValue,
        PrimitiveKind.U16 => ushort.MaxValue,
        PrimitiveKind.U32 => uint.MaxValue,
        PrimitiveKind.U64 => ulong.MaxValue,
        PrimitiveKind.U128 => (BigInteger)UInt128.MaxValue,
        _ => (BigInteger.One << 256) - 1,
    };

    private static BigInteger MinOf(PrimitiveKind p) => p switch
    {
        PrimitiveKind.I8 => sbyte.MinValue,
        PrimitiveKind.I16 => short.MinValue,
        PrimitiveKind.I32 => int.MinValue,
        PrimitiveKind.I64 => long.MinValue,
        PrimitiveKind.I128 => (BigInteger)Int128.MinValue,
        PrimitiveKind.I256 => -(BigInteger.One << 255),
        _ => BigInteger.Zero,
    };

    private static BigInteger MaxSigned(PrimitiveKind p) => p switch
    {
        PrimitiveKind.I8 => sbyte.MaxValue,
        PrimitiveKind.I16 => short.MaxValue,
        PrimitiveKind.I32 => int.MaxValue,
        PrimitiveKind.I64 => long.MaxValue,
        PrimitiveKind.I128 => (BigInteger)Int128.MaxValue,
        _ => (BigInteger.One << 255) - 1,
    };

    private void EncodeCore(int typeId, ScaleValue value, ScaleWriter w, int depth)
    {
        if (depth > MaxDepth)
        {
            throw Fail(typeId, $"type nesting is deeper than {MaxDepth} levels (a recursive type?)");
        }

        switch (_types[typeId].Definition)
        {
            case PrimitiveDefinition p:
                EncodePrimitive(p.Primitive, typeId, value, w);
                return;
            case CompositeDefinition c:
                EncodeFields(c.FieldArray, typeId, value, w, depth);
                return;
            case VariantDefinition v:
            {
                if (value is not VariantValue vv)
                {
                    // A single-field wrapper around an enum may have been passed through; look inside it.
                    if (value is CompositeValue { Count: 1 } wrapper && wrapper[0] is VariantValue inner)
                    {
                        vv = inner;
                    }
                    else
                    {
                        throw Fail(typeId, $"expected an enum variant of {GetDisplayName(typeId)}, got {Kind(value)} {Short(value)}");
                    }
                }

                var variant = v.FindByName(vv.Name)
                    ?? throw Fail(typeId, $"{GetDisplayName(typeId)} has no variant '{vv.Name}' (variants: {string.Join(", ", v.VariantArray.Select(x => x.Name))})");
                w.WriteU8(variant.Index);
                if (variant.FieldArray.Length == 0 && vv.Fields.Count == 0)
                {
                    return;
                }

                try
                {
                    EncodeFields(variant.FieldArray, typeId, vv.Fields, w, depth);
                }
                catch (Exception ex) when (Trace(ex, typeId, "." + variant.Name))
                {
                    throw;
                }

                return;
            }

            case SequenceDefinition s:
            {
                if (value is CompositeValue { Count: 1 } wrapper && wrapper[0] is BytesValue or SequenceValue)
                {
                    value = wrapper[0];
                }

                if (value is BytesValue bytes)
                {
                    if (!IsU8(s.ElementTypeId))
                    {
                        throw Fail(typeId, $"got bytes, but the elements of {GetDisplayName(typeId)} are not u8");
                    }

                    w.WriteByteVec(bytes.Data);
                    return;
                }

                if (value is not SequenceValue seq)
                {
                    throw Fail(typeId, $"expected a sequence for {GetDisplayName(typeId)}, got {Kind(value)} {Short(value)}");
                }

                w.WriteCompact((ulong)seq.Items.Length);
                EncodeElements(s.ElementTypeId, seq.Items, w, depth);
                return;
            }

            case ArrayDefinition a:
            {
                if (value is CompositeValue { Count: 1 } wrapper && wrapper[0] is BytesValue or SequenceValue)
                {
                    value = wrapper[0];
                }

                if (value is BytesValue bytes)
                {
                    if (!IsU8(a.ElementTypeId))
                    {
                        throw Fail(typeId, $"got bytes, but the elements of {GetDisplayName(typeId)} are not u8");
                    }

                    if ((uint)bytes.Data.Length != a.Length)
                    {
                        throw Fail(typeId, $"expected {a.Length} bytes, got {bytes.Data.Length}");
                    }

                    w.WriteBytes(bytes.Data);
                    return;
                }

                if (value is not SequenceValue seq)
                {
                    throw Fail(typeId, $"expected {a.Length} elements for {GetDisplayName(typeId)}, got {Kind(value)} {Short(value)}");
                }

                if ((uint)seq.Items.Length != a.Length)
                {
                    throw Fail(typeId, $"expected {a.Length} elements, got {seq.Items.Length}");
                }

                EncodeElements(a.ElementTypeId, seq.Items, w, depth);
                return;
            }

            case TupleDefinition t:
            {
                var elements = t.ElementArray;
                if (value is CompositeValue cv && cv.Count == elements.Length)
                {
                    for (var i = 0; i < elements.Length; i++)
                    {
                        EncodeTupleElement(elements[i], i, cv.FieldArray[i].Value, w, depth);
                    }

                    return;
                }

                if (elements.Length == 1)
                {
                    EncodeTupleElement(elements[0], 0, value, w, depth);
                    return;
                }

                throw Fail(typeId, $"expected a tuple of {elements.Length} values for {GetDisplayName(typeId)}, got {Kind(value)} {Short(value)}");
            }

            case CompactDefinition c:
            {
                var inner = CompactTarget(c.InnerTypeId, typeId);
                var unwrapped = value.Unwrap();
                if (inner is null)
                {
                    return;
                }

                if (unwrapped is not NumberValue n)
                {
                    throw Fail(typeId, $"expected an unsigned integer for {GetDisplayName(typeId)}, got {Kind(value)} {Short(value)}");
                }

                if (n.Value.Sign < 0 || n.Value > MaxOf(inner.Value))
                {
                    throw Fail(typeId, $"{n.Value} is out of range for {GetDisplayName(typeId)}");
                }

                if (n.Value <= ulong.MaxValue)
                {
                    w.WriteCompact((ulong)n.Value);
                }
                else
                {
                    w.WriteCompact(n.Value);
                }

                return;
            }

            case BitSequenceDefinition b:
            {
                if (value is not BitSequenceValue bits)
                {
                    throw Fail(typeId, $"expected a bit sequence for {GetDisplayName(typeId)}, got {Kind(value)} {Short(value)}");
                }

                var (wordBits, msb) = BitLayout(b, typeId);
                var src = bits.BitArray;
                w.WriteCompact((ulong)src.Length);
                var wordBytes = wordBits / 8;
                var words = (src.Length + wordBits - 1) / wordBits;
                var raw = new byte[words * wordBytes];
                for (var i = 0; i < src.Length; i++)
                {
                    if (!src[i])
                    {
                        continue;
                    }

                    var word = i / wordBits;
                    var pos = i % wordBits;
                    var bit = msb ? wordBits - 1 - pos : pos;
                    raw[(word * wordBytes) + (bit / 8)] |= (byte)(1 << (bit % 8));
                }

                w.WriteBytes(raw);
                return;
            }

            default:
                throw Fail(typeId, "unknown type definition");
        }
    }

    private void EncodeTupleElement(int elementTypeId, int index, ScaleValue value, ScaleWriter w, int depth)
    {
        try
        {
            EncodeCore(elementTypeId, value, w, depth + 1);
        }
        catch (Exception ex) when (Trace(ex, elementTypeId, "." + index.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            throw;
        }
    }

    private void EncodeElements(int elementTypeId, ScaleValue[] items, ScaleWriter w, int depth)
    {
        for (var i = 0; i < items.Length; i++)
        {
            try
            {
                EncodeCore(elementTypeId, items[i], w, depth + 1);
            }
            catch (Exception ex) when (Trace(ex, elementTypeId, "[" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]"))
            {
                throw;
            }
        }
    }

    internal void EncodeFields(TypeField[] fields, int ownerTypeId, ScaleValue value, ScaleWriter w, int depth)
    {
        if (value is CompositeValue cv && (cv.Count == fields.Length || fields.Length != 1))
        {
            if (cv.Count != fields.Length)
            {
                throw Fail(ownerTypeId, $"expected {fields.Length} field(s) ({string.Join(", ", fields.Select((f, i) => f.Name ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture)))}), got {cv.Count}");
            }

            var named = cv.IsNamed;
            for (var i = 0; i < fields.Length; i++)
            {
                var f = fields[i];
                ScaleValue fv;
                if (!named || f.Name is null || cv.FieldArray[i].Name == f.Name)
                {
                    fv = cv.FieldArray[i].Value;
                }
                else if (!cv.TryGetField(f.Name, out fv!))
                {
                    throw Fail(ownerTypeId, $"missing field '{f.Name}' (given: {string.Join(", ", cv.FieldArray.Select(x => x.Name))})");
                }

                EncodeField(f, i, fv, w, depth);
            }

            return;
        }

        if (fields.Length == 1)
        {
            // Transparent newtype: AccountId32([u8; 32]) and friends accept their inner value directly.
            EncodeField(fields[0], 0, value, w, depth);
            return;
        }

        throw Fail(ownerTypeId, $"expected a composite with {fields.Length} field(s) for {GetDisplayName(ownerTypeId)}, got {Kind(value)} {Short(value)}");
    }

    private void EncodeField(TypeField f, int index, ScaleValue value, ScaleWriter w, int depth)
    {
        try
        {
            EncodeCore(f.TypeId, value, w, depth + 1);
        }
        catch (Exception ex) when (Trace(ex, f.TypeId, "." + (f.Name ?? index.ToString(System.Globalization.CultureInfo.InvariantCulture))))
        {
            throw;
        }
    }

    private void EncodePrimitive(PrimitiveKind p, int typeId, ScaleValue value, ScaleWriter w)
    {
        var v = value.Unwrap();
        switch (p)
        {
            case PrimitiveKind.Bool:
                w.WriteBool(v is BoolValue b ? b.Value : throw Fail(typeId, $"expected a bool, got {Kind(value)} {Short(value)}"));
                return;
            case PrimitiveKind.Char:
                w.WriteU32(v is CharValue c ? (uint)c.Value.Value : throw Fail(typeId, $"expected a char, got {Kind(value)} {Short(value)}"));
                return;
            case PrimitiveKind.Str:
                w.WriteString(v is StringValue s ? s.Value : throw Fail(typeId, $"expected a string, got {Kind(value)} {Short(value)}"));
                return;
        }

        if (v is not NumberValue n)
        {
            throw Fail(typeId, $"expected an integer ({TypeRegistry.PrimitiveName(p)}), got {Kind(value)} {Short(value)}");
        }

        var x = n.Value;
        var signed = p >= PrimitiveKind.I8;
        if (signed ? x < MinOf(p) || x > MaxSigned(p) : x.Sign < 0 || x > MaxOf(p))
        {
            throw Fail(typeId, $"{x} is out of range for {TypeRegistry.PrimitiveName(p)}");
        }

        switch (p)
        {
            case PrimitiveKind.U8:
                w.WriteU8((byte)x);
                return;
            case PrimitiveKind.U16:
                w.WriteU16((ushort)x);
                return;
            case PrimitiveKind.U32:
                w.WriteU32((uint)x);
                return;
            case PrimitiveKind.U64:
                w.WriteU64((ulong)x);
                return;
            case PrimitiveKind.U128:
                w.WriteU128((UInt128)x);
                return;
            case PrimitiveKind.I8:
                w.WriteI8((sbyte)x);
                return;
            case PrimitiveKind.I16:
                w.WriteI16((short)x);
                return;
            case PrimitiveKind.I32:
                w.WriteI32((int)x);
                return;
            case PrimitiveKind.I64:
                w.WriteI64((long)x);
                return;
            case PrimitiveKind.I128:
                w.WriteI128((Int128)x);
                return;
            default:
                Span<byte> buf = stackalloc byte[32];
                buf.Fill(x.Sign < 0 ? (byte)0xff : (byte)0);
                x.TryWriteBytes(buf, out _, isUnsigned: p == PrimitiveKind.U256, isBigEndian: false);
                w.WriteBytes(buf);
                return;
        }
    }
}
