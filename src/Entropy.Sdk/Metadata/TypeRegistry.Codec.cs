using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using Entropy.Scale;

namespace Entropy.Metadata;

public sealed partial class TypeRegistry
{
    private const int MaxZeroSizedElements = 1 << 16;

    private static readonly ConditionalWeakTable<Exception, CodecTrace> s_traces = new();

    /// <summary>Decodes a whole SCALE value of the given type; trailing bytes are an error.</summary>
    /// <param name="typeId">The type id.</param>
    /// <param name="bytes">The SCALE bytes.</param>
    /// <returns>The decoded value.</returns>
    /// <exception cref="MetadataException">The bytes are not a valid encoding of the type; the message names the field that failed.</exception>
    public ScaleValue Decode(int typeId, ReadOnlySpan<byte> bytes)
    {
        var reader = new ScaleReader(bytes);
        var value = Decode(typeId, ref reader);
        try
        {
            reader.EnsureEnd();
        }
        catch (ScaleFormatException ex)
        {
            throw new MetadataException($"Cannot decode {Describe(typeId)}: {ex.Message}.", ex, typeId, null);
        }

        return value;
    }

    /// <summary>Decodes one SCALE value of the given type from a reader, leaving the reader after it.</summary>
    /// <param name="typeId">The type id.</param>
    /// <param name="reader">The reader.</param>
    /// <returns>The decoded value.</returns>
    /// <exception cref="MetadataException">The bytes are not a valid encoding of the type; the message names the field that failed.</exception>
    public ScaleValue Decode(int typeId, ref ScaleReader reader)
    {
        _ = this[typeId];
        try
        {
            return DecodeCore(typeId, ref reader, 0);
        }
        catch (Exception ex) when (ex is ScaleFormatException or MetadataException or OverflowException)
        {
            throw Wrap(ex, "decode", typeId, null);
        }
    }

    /// <summary>Encodes a value as the given type and returns the SCALE bytes.</summary>
    /// <param name="typeId">The type id.</param>
    /// <param name="value">The value.</param>
    /// <returns>The SCALE bytes.</returns>
    /// <exception cref="MetadataException">The value does not fit the type; the message names the field that failed and why.</exception>
    public byte[] Encode(int typeId, ScaleValue value)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        Encode(typeId, value, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Encodes a value as the given type into a buffer.</summary>
    /// <param name="typeId">The type id.</param>
    /// <param name="value">The value.</param>
    /// <param name="output">Where the SCALE bytes are appended.</param>
    /// <exception cref="MetadataException">The value does not fit the type; the message names the field that failed and why.</exception>
    public void Encode(int typeId, ScaleValue value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(output);
        _ = this[typeId];
        try
        {
            EncodeCore(typeId, value, new ScaleWriter(output), 0);
        }
        catch (Exception ex) when (ex is MetadataException or OverflowException)
        {
            throw Wrap(ex, "encode", typeId, null);
        }
    }

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

    internal string Describe(int typeId)
    {
        var t = _types[typeId];
        return t.Path.Count > 0 ? $"type #{typeId} {t.PathString} ({GetDisplayName(typeId)})" : $"type #{typeId} {GetDisplayName(typeId)}";
    }

    internal MetadataException Wrap(Exception ex, string operation, int rootTypeId, string? rootLabel)
    {
        s_traces.TryGetValue(ex, out var trace);
        var path = trace?.Path(rootLabel);
        var innermost = (ex as MetadataException)?.TypeId ?? trace?.InnermostTypeId ?? rootTypeId;
        var reason = ex.Message;
        var where = string.IsNullOrEmpty(path) ? rootLabel ?? Describe(rootTypeId) : path;
        var message = $"Cannot {operation} {where} as {Describe(innermost)}: {reason.TrimEnd('.')}.";
        return new MetadataException(message, ex, innermost, path);
    }

    private static bool Trace(Exception ex, int typeId, string segment)
    {
        var trace = s_traces.GetValue(ex, static _ => new CodecTrace());
        trace.InnermostTypeId ??= typeId;
        trace.Segments.Add(segment);
        return false;
    }

    private MetadataException Fail(int typeId, string reason) => new($"{reason}", null, typeId, null);

    private bool IsU8(int typeId) => _types[typeId].Definition is PrimitiveDefinition { Primitive: PrimitiveKind.U8 };

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

    private static string Kind(ScaleValue value) => value.Kind switch
    {
        ScaleValueKind.Composite => "a composite",
        ScaleValueKind.Variant => "a variant",
        ScaleValueKind.Sequence => "a sequence",
        ScaleValueKind.Bytes => "bytes",
        ScaleValueKind.Bool => "a bool",
        ScaleValueKind.Char => "a char",
        ScaleValueKind.String => "a string",
        ScaleValueKind.Number => "a number",
        _ => "a bit sequence",
    };

    private static string Short(ScaleValue value)
    {
        var s = value.ToString();
        return s.Length <= 80 ? s : string.Concat(s.AsSpan(0, 77), "...");
    }

    private sealed class CodecTrace
    {
        public int? InnermostTypeId { get; set; }

        public List<string> Segments { get; } = [];

        public string Path(string? root)
        {
            var sb = new StringBuilder(root);
            for (var i = Segments.Count - 1; i >= 0; i--)
            {
                sb.Append(Segments[i]);
            }

            var s = sb.ToString();
            return s.StartsWith('.') ? s[1..] : s;
        }
    }
}
