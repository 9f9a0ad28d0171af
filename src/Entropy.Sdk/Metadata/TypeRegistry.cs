using System.Text;

namespace Entropy.Metadata;

/// <summary>The portable type registry of the runtime: every type by id, with display names and a dynamic SCALE codec.</summary>
/// <remarks>Format reference: <see href="https://github.com/paritytech/scale-info">scale-info</see> <c>PortableRegistry</c>.</remarks>
internal sealed partial class TypeRegistry
{
    /// <summary>The deepest type nesting the codec follows before it reports a (probably recursive) type as too deep.</summary>
    internal const int MaxDepth = 128;

    private readonly MetadataType[] _types;
    private readonly string?[] _displayNames;

    // 0 = unknown, 1 = in progress, 2 = zero sized, 3 = not zero sized.
    private readonly byte[] _zeroSized;

    internal TypeRegistry(MetadataType[] types)
    {
        _types = types;
        _displayNames = new string?[types.Length];
        _zeroSized = new byte[types.Length];

        // Computed once up front so lookups are plain reads and safe from any thread.
        for (var i = 0; i < types.Length; i++)
        {
            ComputeZeroSized(i, 0);
        }
    }

    /// <summary>Gets the number of types.</summary>
    public int Count => _types.Length;

    /// <summary>Gets the type with the given id.</summary>
    /// <param name="typeId">The type id.</param>
    /// <returns>The type.</returns>
    /// <exception cref="MetadataException">There is no type with that id.</exception>
    public MetadataType this[int typeId] => (uint)typeId < (uint)_types.Length
        ? _types[typeId]
        : throw new MetadataException($"Type id {typeId} does not exist; the registry has {_types.Length} types.");

    /// <summary>Gets all types in id order.</summary>
    public IReadOnlyList<MetadataType> Types => _types;

    /// <summary>Finds the first type whose Rust path equals the given one (for example <c>sp_core::crypto::AccountId32</c>).</summary>
    /// <param name="path">The path segments joined with <c>::</c>.</param>
    /// <returns>The type, or <see langword="null"/>.</returns>
    public MetadataType? FindByPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        foreach (var t in _types)
        {
            if (t.Path.Count > 0 && t.PathString == path)
            {
                return t;
            }
        }

        return null;
    }

    /// <summary>Gets a short Rust-like name for a type, for example <c>Vec&lt;ProgramInstance&gt;</c>, <c>[u8; 32]</c> or <c>Option&lt;u32&gt;</c>.</summary>
    /// <param name="typeId">The type id.</param>
    /// <returns>The display name.</returns>
    /// <exception cref="MetadataException">There is no type with that id.</exception>
    public string GetDisplayName(int typeId)
    {
        _ = this[typeId];
        var cached = Volatile.Read(ref _displayNames[typeId]);
        if (cached is not null)
        {
            return cached;
        }

        var sb = new StringBuilder();
        AppendName(sb, typeId, 0);
        var name = sb.ToString();
        Volatile.Write(ref _displayNames[typeId], name);
        return name;
    }

    /// <summary>Gets a value indicating whether every value of the type encodes to zero bytes (for example <c>()</c>, <c>PhantomData</c>, or a struct of such).</summary>
    /// <param name="typeId">The type id.</param>
    /// <returns><see langword="true"/> if the encoding is always empty.</returns>
    /// <exception cref="MetadataException">There is no type with that id.</exception>
    public bool IsZeroSized(int typeId)
    {
        _ = this[typeId];
        return _zeroSized[typeId] == 2;
    }

    internal MetadataType Get(int typeId) => _types[typeId];

    private bool ComputeZeroSized(int typeId, int depth)
    {
        var state = _zeroSized[typeId];
        if (state >= 2)
        {
            return state == 2;
        }

        if (state == 1 || depth > MaxDepth)
        {
            // A type that contains itself without a sequence in between has no finite encoding; call it not zero-sized.
            return false;
        }

        _zeroSized[typeId] = 1;
        bool result;
        switch (_types[typeId].Definition)
        {
            case CompositeDefinition c:
                result = true;
                foreach (var f in c.FieldArray)
                {
                    if (!ComputeZeroSized(f.TypeId, depth + 1))
                    {
                        result = false;
                        break;
                    }
                }

                break;
            case TupleDefinition t:
                result = true;
                foreach (var e in t.ElementArray)
                {
                    if (!ComputeZeroSized(e, depth + 1))
                    {
                        result = false;
                        break;
                    }
                }

                break;
            case ArrayDefinition a:
                result = a.Length == 0 || ComputeZeroSized(a.ElementTypeId, depth + 1);
                break;
            default:
                result = false;
                break;
        }

        _zeroSized[typeId] = result ? (byte)2 : (byte)3;
        return result;
    }

    private void AppendName(StringBuilder sb, int typeId, int depth)
    {
        if (depth > 8)
        {
            sb.Append('…');
            return;
        }

        var type = _types[typeId];
        switch (type.Definition)
        {
            case PrimitiveDefinition p:
                sb.Append(PrimitiveName(p.Primitive));
                return;
            case SequenceDefinition s:
                sb.Append("Vec<");
                AppendName(sb, s.ElementTypeId, depth + 1);
                sb.Append('>');
                return;
            case ArrayDefinition a:
                sb.Append('[');
                AppendName(sb, a.ElementTypeId, depth + 1);
                sb.Append("; ").Append(a.Length).Append(']');
                return;
            case TupleDefinition t:
                sb.Append('(');
                for (var i = 0; i < t.ElementArray.Length; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }

                    AppendName(sb, t.ElementArray[i], depth + 1);
                }

                sb.Append(')');
                return;
            case CompactDefinition c:
                sb.Append("Compact<");
                AppendName(sb, c.InnerTypeId, depth + 1);
                sb.Append('>');
                return;
            case BitSequenceDefinition b:
                sb.Append("BitVec<");
                AppendName(sb, b.StoreTypeId, depth + 1);
                sb.Append(", ");
                AppendName(sb, b.OrderTypeId, depth + 1);
                sb.Append('>');
                return;
        }

        sb.Append(type.Path.Count > 0 ? type.Path[^1] : type.Kind.ToString());
        var first = true;
        foreach (var p in type.Parameters)
        {
            if (p.TypeId is not { } pid)
            {
                continue;
            }

            sb.Append(first ? "<" : ", ");
            first = false;
            AppendName(sb, pid, depth + 1);
        }

        if (!first)
        {
            sb.Append('>');
        }
    }

    internal static string PrimitiveName(PrimitiveKind p) => p switch
    {
        PrimitiveKind.Bool => "bool",
        PrimitiveKind.Char => "char",
        PrimitiveKind.Str => "str",
        PrimitiveKind.U8 => "u8",
        PrimitiveKind.U16 => "u16",
        PrimitiveKind.U32 => "u32",
        PrimitiveKind.U64 => "u64",
        PrimitiveKind.U128 => "u128",
        PrimitiveKind.U256 => "u256",
        PrimitiveKind.I8 => "i8",
        PrimitiveKind.I16 => "i16",
        PrimitiveKind.I32 => "i32",
        PrimitiveKind.I64 => "i64",
        PrimitiveKind.I128 => "i128",
        _ => "i256",
    };
}
