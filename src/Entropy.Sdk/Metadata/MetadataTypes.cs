namespace Entropy.Metadata;

/// <summary>The shape of a type in the portable type registry (scale-info <c>TypeDef</c>).</summary>
internal enum TypeKind
{
    /// <summary>A struct: named or unnamed fields, encoded in order.</summary>
    Composite,

    /// <summary>An enum: a one-byte variant index followed by that variant's fields.</summary>
    Variant,

    /// <summary>A vector: a compact length followed by that many elements.</summary>
    Sequence,

    /// <summary>A fixed-length array: the elements without a length prefix.</summary>
    Array,

    /// <summary>A tuple: the elements in order.</summary>
    Tuple,

    /// <summary>A primitive such as <c>u32</c>, <c>bool</c> or <c>str</c>.</summary>
    Primitive,

    /// <summary>A compact-encoded integer wrapper.</summary>
    Compact,

    /// <summary>A bit vector: a compact bit count followed by the store words.</summary>
    BitSequence,
}

/// <summary>The primitive types of scale-info (<c>TypeDefPrimitive</c>), in their metadata order.</summary>
internal enum PrimitiveKind
{
    /// <summary><c>bool</c>, one byte 0 or 1.</summary>
    Bool,

    /// <summary><c>char</c>, a Unicode scalar encoded as <c>u32</c>.</summary>
    Char,

    /// <summary><c>str</c>, a compact length followed by UTF-8 bytes.</summary>
    Str,

    /// <summary>Unsigned 8-bit integer.</summary>
    U8,

    /// <summary>Unsigned 16-bit integer.</summary>
    U16,

    /// <summary>Unsigned 32-bit integer.</summary>
    U32,

    /// <summary>Unsigned 64-bit integer.</summary>
    U64,

    /// <summary>Unsigned 128-bit integer.</summary>
    U128,

    /// <summary>Unsigned 256-bit integer.</summary>
    U256,

    /// <summary>Signed 8-bit integer.</summary>
    I8,

    /// <summary>Signed 16-bit integer.</summary>
    I16,

    /// <summary>Signed 32-bit integer.</summary>
    I32,

    /// <summary>Signed 64-bit integer.</summary>
    I64,

    /// <summary>Signed 128-bit integer.</summary>
    I128,

    /// <summary>Signed 256-bit integer.</summary>
    I256,
}

/// <summary>One entry of the portable type registry: a type id with its path, generic parameters, definition and docs.</summary>
internal sealed class MetadataType
{
    internal MetadataType(int id, string[] path, TypeParameter[] parameters, TypeDefinition definition, string[] docs)
    {
        Id = id;
        Path = path;
        Parameters = parameters;
        Definition = definition;
        Docs = docs;
    }

    /// <summary>Gets the type id other metadata entries refer to.</summary>
    public int Id { get; }

    /// <summary>Gets the Rust path segments (for example <c>sp_core</c>, <c>crypto</c>, <c>AccountId32</c>); empty for built-in types.</summary>
    public IReadOnlyList<string> Path { get; }

    /// <summary>Gets the generic parameters of the type.</summary>
    public IReadOnlyList<TypeParameter> Parameters { get; }

    /// <summary>Gets the definition (shape) of the type.</summary>
    public TypeDefinition Definition { get; }

    /// <summary>Gets the documentation lines of the type.</summary>
    public IReadOnlyList<string> Docs { get; }

    /// <summary>Gets the shape of the type.</summary>
    public TypeKind Kind => Definition.Kind;

    /// <summary>Gets the Rust path joined with <c>::</c>, or an empty string for built-in types.</summary>
    public string PathString => string.Join("::", Path);

    /// <inheritdoc/>
    public override string ToString() => $"#{Id} {(Path.Count == 0 ? Kind.ToString() : PathString)}";
}

/// <summary>A generic parameter of a registry type: its name and, when known, the type it was instantiated with.</summary>
internal sealed class TypeParameter
{
    internal TypeParameter(string name, int? typeId)
    {
        Name = name;
        TypeId = typeId;
    }

    /// <summary>Gets the name of the generic parameter (for example <c>T</c>).</summary>
    public string Name { get; }

    /// <summary>Gets the id of the type the parameter was instantiated with, or <see langword="null"/> when it is not recorded.</summary>
    public int? TypeId { get; }
}

/// <summary>A field of a composite type or enum variant.</summary>
internal sealed class TypeField
{
    internal TypeField(string? name, int typeId, string? typeName, string[] docs)
    {
        Name = name;
        TypeId = typeId;
        TypeName = typeName;
        Docs = docs;
    }

    /// <summary>Gets the field name, or <see langword="null"/> for a tuple-like field.</summary>
    public string? Name { get; }

    /// <summary>Gets the id of the field's type.</summary>
    public int TypeId { get; }

    /// <summary>Gets the type name as written in the Rust source (for example <c>T::AccountId</c>), when recorded.</summary>
    public string? TypeName { get; }

    /// <summary>Gets the documentation lines of the field.</summary>
    public IReadOnlyList<string> Docs { get; }
}

/// <summary>A variant of an enum type.</summary>
internal sealed class TypeVariant
{
    internal TypeVariant(string name, TypeField[] fields, byte index, string[] docs)
    {
        Name = name;
        FieldArray = fields;
        Index = index;
        Docs = docs;
    }

    /// <summary>Gets the variant name.</summary>
    public string Name { get; }

    /// <summary>Gets the fields of the variant, in encoding order.</summary>
    public IReadOnlyList<TypeField> Fields => FieldArray;

    /// <summary>Gets the variant index, the byte that precedes the fields on the wire.</summary>
    public byte Index { get; }

    /// <summary>Gets the documentation lines of the variant.</summary>
    public IReadOnlyList<string> Docs { get; }

    internal TypeField[] FieldArray { get; }
}

/// <summary>The definition (shape) of a registry type; one subclass per <see cref="TypeKind"/>.</summary>
internal abstract class TypeDefinition
{
    private protected TypeDefinition()
    {
    }

    /// <summary>Gets the shape of the type.</summary>
    public abstract TypeKind Kind { get; }
}

/// <summary>A struct type: its fields, encoded in order.</summary>
internal sealed class CompositeDefinition : TypeDefinition
{
    internal CompositeDefinition(TypeField[] fields)
    {
        FieldArray = fields;
        IsNamed = fields.Length > 0 && Array.TrueForAll(fields, f => f.Name is not null);
    }

    /// <inheritdoc/>
    public override TypeKind Kind => TypeKind.Composite;

    /// <summary>Gets the fields in encoding order.</summary>
    public IReadOnlyList<TypeField> Fields => FieldArray;

    /// <summary>Gets a value indicating whether every field has a name.</summary>
    public bool IsNamed { get; }

    internal TypeField[] FieldArray { get; }
}

/// <summary>An enum type: its variants.</summary>
internal sealed class VariantDefinition : TypeDefinition
{
    private TypeVariant?[]? _byIndex;
    private Dictionary<string, TypeVariant>? _byName;

    internal VariantDefinition(TypeVariant[] variants)
    {
        VariantArray = variants;
    }

    /// <inheritdoc/>
    public override TypeKind Kind => TypeKind.Variant;

    /// <summary>Gets the variants in metadata order.</summary>
    public IReadOnlyList<TypeVariant> Variants => VariantArray;

    internal TypeVariant[] VariantArray { get; }

    /// <summary>Finds a variant by its wire index.</summary>
    /// <param name="index">The variant index.</param>
    /// <returns>The variant, or <see langword="null"/> if the enum has no variant with that index.</returns>
    public TypeVariant? FindByIndex(byte index)
    {
        var table = Volatile.Read(ref _byIndex);
        if (table is null)
        {
            table = new TypeVariant?[256];
            foreach (var v in VariantArray)
            {
                table[v.Index] ??= v;
            }

            Volatile.Write(ref _byIndex, table);
        }

        return table[index];
    }

    /// <summary>Finds a variant by name; an exact match wins, otherwise the match ignores case and underscores (so <c>pruneRegistration</c> finds <c>prune_registration</c>).</summary>
    /// <param name="name">The variant name.</param>
    /// <returns>The variant, or <see langword="null"/> if there is none.</returns>
    public TypeVariant? FindByName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var map = Volatile.Read(ref _byName);
        if (map is null)
        {
            map = new Dictionary<string, TypeVariant>(VariantArray.Length * 2, StringComparer.Ordinal);
            foreach (var v in VariantArray)
            {
                map.TryAdd(v.Name, v);
            }

            foreach (var v in VariantArray)
            {
                map.TryAdd(NameMatching.Normalize(v.Name), v);
            }

            Volatile.Write(ref _byName, map);
        }

        return map.TryGetValue(name, out var found) || map.TryGetValue(NameMatching.Normalize(name), out found) ? found : null;
    }
}

/// <summary>A vector type: a compact length followed by elements.</summary>
internal sealed class SequenceDefinition : TypeDefinition
{
    internal SequenceDefinition(int elementTypeId) => ElementTypeId = elementTypeId;

    /// <inheritdoc/>
    public override TypeKind Kind => TypeKind.Sequence;

    /// <summary>Gets the element type id.</summary>
    public int ElementTypeId { get; }
}

/// <summary>A fixed-length array type.</summary>
internal sealed class ArrayDefinition : TypeDefinition
{
    internal ArrayDefinition(uint length, int elementTypeId)
    {
        Length = length;
        ElementTypeId = elementTypeId;
    }

    /// <inheritdoc/>
    public override TypeKind Kind => TypeKind.Array;

    /// <summary>Gets the number of elements.</summary>
    public uint Length { get; }

    /// <summary>Gets the element type id.</summary>
    public int ElementTypeId { get; }
}

/// <summary>A tuple type.</summary>
internal sealed class TupleDefinition : TypeDefinition
{
    internal TupleDefinition(int[] elementTypeIds) => ElementArray = elementTypeIds;

    /// <inheritdoc/>
    public override TypeKind Kind => TypeKind.Tuple;

    /// <summary>Gets the element type ids in order; empty for the unit type <c>()</c>.</summary>
    public IReadOnlyList<int> ElementTypeIds => ElementArray;

    internal int[] ElementArray { get; }
}

/// <summary>A primitive type.</summary>
internal sealed class PrimitiveDefinition : TypeDefinition
{
    private static readonly PrimitiveDefinition[] s_all = Enum.GetValues<PrimitiveKind>().Select(p => new PrimitiveDefinition(p)).ToArray();

    private PrimitiveDefinition(PrimitiveKind primitive) => Primitive = primitive;

    /// <inheritdoc/>
    public override TypeKind Kind => TypeKind.Primitive;

    /// <summary>Gets which primitive this is.</summary>
    public PrimitiveKind Primitive { get; }

    internal static PrimitiveDefinition Get(PrimitiveKind kind) => s_all[(int)kind];
}

/// <summary>A compact-encoded wrapper around an integer (or a single-field struct around one).</summary>
internal sealed class CompactDefinition : TypeDefinition
{
    internal CompactDefinition(int innerTypeId) => InnerTypeId = innerTypeId;

    /// <inheritdoc/>
    public override TypeKind Kind => TypeKind.Compact;

    /// <summary>Gets the wrapped type id.</summary>
    public int InnerTypeId { get; }
}

/// <summary>A bit vector type (<c>BitVec&lt;Store, Order&gt;</c>).</summary>
internal sealed class BitSequenceDefinition : TypeDefinition
{
    internal BitSequenceDefinition(int storeTypeId, int orderTypeId)
    {
        StoreTypeId = storeTypeId;
        OrderTypeId = orderTypeId;
    }

    /// <inheritdoc/>
    public override TypeKind Kind => TypeKind.BitSequence;

    /// <summary>Gets the store word type id (a <c>u8</c>, <c>u16</c>, <c>u32</c> or <c>u64</c> primitive).</summary>
    public int StoreTypeId { get; }

    /// <summary>Gets the bit order type id (a type whose path ends in <c>Lsb0</c> or <c>Msb0</c>).</summary>
    public int OrderTypeId { get; }
}

internal static class NameMatching
{
    /// <summary>Lower-cases and drops underscores so snake_case and camelCase names compare equal.</summary>
    public static string Normalize(string name)
    {
        var needs = false;
        foreach (var c in name)
        {
            if (c == '_' || char.IsUpper(c))
            {
                needs = true;
                break;
            }
        }

        if (!needs)
        {
            return name;
        }

        return string.Create(name.Length - name.Count(c => c == '_'), name, static (span, src) =>
        {
            var i = 0;
            foreach (var c in src)
            {
                if (c != '_')
                {
                    span[i++] = char.ToLowerInvariant(c);
                }
            }
        });
    }
}
