using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Entropy.Tests.Conventions;

/// <summary>
/// Lists what one compiled assembly uses of another assembly's non-public surface (reached through <c>InternalsVisibleTo</c>): every
/// type reference to a non-public type, and every member reference to a non-public member of a public type. Read from the
/// consumer's metadata tables (TypeRef, MemberRef), so it sees exactly what the compiler bound, including calls inside method bodies.
/// </summary>
internal static class AssemblyInternalsScanner
{
    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Returns the sorted entries: <c>T:Namespace.Type</c> for a non-public type, <c>M:Namespace.Type.Member</c> for a non-public member of a public type.</summary>
    /// <param name="consumer">The assembly that has the other's internals visible.</param>
    /// <param name="provider">The assembly granting <c>InternalsVisibleTo</c>.</param>
    public static IReadOnlyList<string> NonPublicUses(Assembly consumer, Assembly provider)
    {
        var providerName = provider.GetName().Name!;
        using var stream = File.OpenRead(consumer.Location);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var uses = new SortedSet<string>(StringComparer.Ordinal);

        foreach (var handle in reader.TypeReferences)
        {
            if (Resolve(reader, handle, providerName, provider) is { } type && !type.IsVisible)
            {
                uses.Add("T:" + Name(type));
            }
        }

        foreach (var handle in reader.MemberReferences)
        {
            var member = reader.GetMemberReference(handle);
            var parent = ParentType(reader, member.Parent, providerName, provider);
            if (parent is null || !parent.IsVisible)
            {
                continue; // Not the provider's, or the whole type is already listed.
            }

            var name = reader.GetString(member.Name);
            if (member.GetKind() == MemberReferenceKind.Field)
            {
                var field = parent.GetField(name, All);
                if (field is not null && !(field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly))
                {
                    uses.Add($"M:{Name(parent)}.{name}");
                }

                continue;
            }

            var signature = member.DecodeMethodSignature(SignatureNames.Instance, genericContext: null);
            var parameters = signature.ParameterTypes;
            var candidates = name == ".ctor"
                ? parent.GetConstructors(All).Cast<MethodBase>()
                : parent.GetMethods(All).Where(m => m.Name == name);
            var match = candidates.FirstOrDefault(m => Matches(m, parameters));
            if (match is not null && !(match.IsPublic || match.IsFamily || match.IsFamilyOrAssembly))
            {
                uses.Add($"M:{Name(parent)}.{name}({string.Join(",", parameters)})");
            }
        }

        return [.. uses];
    }

    private static bool Matches(MethodBase method, ImmutableArray<string> parameters)
    {
        var actual = method.GetParameters();
        return actual.Length == parameters.Length && actual.Select((p, i) => SignatureNames.Of(p.ParameterType) == parameters[i]).All(b => b);
    }

    private static string Name(Type type) => type.FullName!.Replace('+', '.');

    private static Type? ParentType(MetadataReader reader, EntityHandle parent, string providerName, Assembly provider)
    {
        switch (parent.Kind)
        {
            case HandleKind.TypeReference:
                return Resolve(reader, (TypeReferenceHandle)parent, providerName, provider);
            case HandleKind.TypeSpecification:
                var blob = reader.GetBlobReader(reader.GetTypeSpecification((TypeSpecificationHandle)parent).Signature);
                if (blob.ReadSignatureTypeCode() != SignatureTypeCode.GenericTypeInstance)
                {
                    return null;
                }

                blob.ReadSignatureTypeCode(); // CLASS or VALUETYPE
                var generic = blob.ReadTypeHandle();
                return generic.Kind == HandleKind.TypeReference ? Resolve(reader, (TypeReferenceHandle)generic, providerName, provider) : null;
            default:
                return null;
        }
    }

    private static Type? Resolve(MetadataReader reader, TypeReferenceHandle handle, string providerName, Assembly provider)
    {
        var reference = reader.GetTypeReference(handle);
        var name = reader.GetString(reference.Name);
        switch (reference.ResolutionScope.Kind)
        {
            case HandleKind.AssemblyReference:
                var assembly = reader.GetAssemblyReference((AssemblyReferenceHandle)reference.ResolutionScope);
                if (reader.GetString(assembly.Name) != providerName)
                {
                    return null;
                }

                var ns = reader.GetString(reference.Namespace);
                return provider.GetType(ns.Length == 0 ? name : ns + "." + name, throwOnError: true);
            case HandleKind.TypeReference:
                var outer = Resolve(reader, (TypeReferenceHandle)reference.ResolutionScope, providerName, provider);
                return outer?.GetNestedType(name, BindingFlags.Public | BindingFlags.NonPublic);
            default:
                return null;
        }
    }

    /// <summary>Short, comparable names of signature types: the metadata name of the element type with [] / &amp; / * suffixes, generic parameters as ! and !!.</summary>
    private sealed class SignatureNames : ISignatureTypeProvider<string, object?>
    {
        public static readonly SignatureNames Instance = new();

        public static string Of(Type type) =>
            type.IsByRef ? Of(type.GetElementType()!) + "&"
            : type.IsPointer ? Of(type.GetElementType()!) + "*"
            : type.IsArray ? Of(type.GetElementType()!) + "[]"
            : type.IsGenericParameter ? (type.DeclaringMethod is null ? "!" : "!!")
            : type.Name;

        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[]";

        public string GetByReferenceType(string elementType) => elementType + "&";

        public string GetFunctionPointerType(MethodSignature<string> signature) => "fnptr";

        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) => genericType;

        public string GetGenericMethodParameter(object? genericContext, int index) => "!!";

        public string GetGenericTypeParameter(object? genericContext, int index) => "!";

        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;

        public string GetPinnedType(string elementType) => elementType;

        public string GetPointerType(string elementType) => elementType + "*";

        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode switch
        {
            PrimitiveTypeCode.Boolean => "Boolean",
            PrimitiveTypeCode.Byte => "Byte",
            PrimitiveTypeCode.SByte => "SByte",
            PrimitiveTypeCode.Char => "Char",
            PrimitiveTypeCode.Int16 => "Int16",
            PrimitiveTypeCode.UInt16 => "UInt16",
            PrimitiveTypeCode.Int32 => "Int32",
            PrimitiveTypeCode.UInt32 => "UInt32",
            PrimitiveTypeCode.Int64 => "Int64",
            PrimitiveTypeCode.UInt64 => "UInt64",
            PrimitiveTypeCode.Single => "Single",
            PrimitiveTypeCode.Double => "Double",
            PrimitiveTypeCode.IntPtr => "IntPtr",
            PrimitiveTypeCode.UIntPtr => "UIntPtr",
            PrimitiveTypeCode.Object => "Object",
            PrimitiveTypeCode.String => "String",
            PrimitiveTypeCode.TypedReference => "TypedReference",
            _ => "Void",
        };

        public string GetSZArrayType(string elementType) => elementType + "[]";

        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) =>
            reader.GetString(reader.GetTypeDefinition(handle).Name);

        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) =>
            reader.GetString(reader.GetTypeReference(handle).Name);

        public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
    }
}
