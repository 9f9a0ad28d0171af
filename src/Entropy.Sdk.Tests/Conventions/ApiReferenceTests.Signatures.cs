using System.Reflection;
using System.Text;

namespace Entropy.Tests.Conventions;

/// <content>C# signatures for the API reference: types, return types, nullability and parameter defaults, as a user writes them.</content>
public partial class ApiReferenceTests
{
    private static readonly NullabilityInfoContext Nullability = new();

    private static readonly Dictionary<Type, string> Keywords = new()
    {
        [typeof(void)] = "void", [typeof(bool)] = "bool", [typeof(byte)] = "byte", [typeof(sbyte)] = "sbyte",
        [typeof(short)] = "short", [typeof(ushort)] = "ushort", [typeof(int)] = "int", [typeof(uint)] = "uint",
        [typeof(long)] = "long", [typeof(ulong)] = "ulong", [typeof(float)] = "float", [typeof(double)] = "double",
        [typeof(decimal)] = "decimal", [typeof(char)] = "char", [typeof(string)] = "string", [typeof(object)] = "object",
    };

    /// <summary>The member as a C# declaration a caller reads: <c>Task&lt;RegisterOperation&gt; RegisterAsync(WaitUntil waitUntil, …, CancellationToken cancellationToken = default)</c>.</summary>
    private static string Signature(MemberInfo member)
    {
        switch (member)
        {
            case ConstructorInfo constructor:
                return (constructor.IsFamily ? "protected " : "") + DisplayName(constructor.DeclaringType!).Split('<')[0].Split('.')[^1] + Parameters(constructor.GetParameters());
            case MethodInfo method:
                var name = method.Name switch
                {
                    "op_Implicit" => "implicit operator " + TypeName(method.ReturnType, Nullability.Create(method.ReturnParameter)),
                    "op_Explicit" => "explicit operator " + TypeName(method.ReturnType, Nullability.Create(method.ReturnParameter)),
                    _ when method.Name.StartsWith("op_", StringComparison.Ordinal) => "operator " + method.Name[3..],
                    _ => method.Name,
                };
                var generic = method.IsGenericMethodDefinition ? "<" + string.Join(", ", method.GetGenericArguments().Select(a => a.Name)) + ">" : "";
                var returns = method.Name is "op_Implicit" or "op_Explicit" ? "" : TypeName(method.ReturnType, Nullability.Create(method.ReturnParameter)) + " ";
                return Modifiers(method) + returns + name + generic + Parameters(method.GetParameters());
            case PropertyInfo property:
                var accessors = (property.GetMethod is { } get && (get.IsPublic || get.IsFamily || get.IsFamilyOrAssembly) ? "get; " : "")
                    + (property.SetMethod is { } set && (set.IsPublic || set.IsFamily || set.IsFamilyOrAssembly)
                        ? (set.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.Name == "IsExternalInit") ? "init; " : "set; ")
                        : "");
                var indexer = property.GetIndexParameters() is { Length: > 0 } index ? "this" + Parameters(index).Replace('(', '[').Replace(')', ']') : property.Name;
                return Modifiers(property.GetMethod ?? property.SetMethod!) + TypeName(property.PropertyType, Nullability.Create(property)) + " " + indexer + " { " + accessors + "}";
            case FieldInfo field when field.DeclaringType!.IsEnum:
                return field.Name + " = " + Convert.ToInt64(field.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture);
            case FieldInfo field:
                return (field.IsLiteral ? "const " : field.IsStatic ? "static " : "") + (field.IsInitOnly ? "readonly " : "")
                    + TypeName(field.FieldType, Nullability.Create(field)) + " " + field.Name
                    + (field.IsLiteral ? " = " + Literal(field.GetRawConstantValue(), field.FieldType) : "");
            case EventInfo e:
                return "event " + TypeName(e.EventHandlerType!, Nullability.Create(e)) + " " + e.Name;
            default:
                return member.Name;
        }
    }

    private static string Modifiers(MethodInfo method) =>
        (method.IsFamily || method.IsFamilyOrAssembly ? "protected " : "")
        + (method.IsStatic ? "static " : method.IsAbstract && !method.DeclaringType!.IsInterface ? "abstract " : method.IsVirtual && !method.IsFinal && method.GetBaseDefinition() == method && !method.DeclaringType!.IsInterface ? "virtual " : method.GetBaseDefinition() != method ? "override " : "");

    private static string Parameters(ParameterInfo[] parameters) =>
        "(" + string.Join(", ", parameters.Select(p =>
        {
            var type = p.ParameterType;
            var prefix = p.IsOut ? "out " : type.IsByRef ? (p.IsIn ? "in " : "ref ") : p.GetCustomAttribute<ParamArrayAttribute>() is not null ? "params " : "";
            var text = prefix + TypeName(type.IsByRef ? type.GetElementType()! : type, Nullability.Create(p)) + " " + p.Name;
            return p.HasDefaultValue ? text + " = " + Literal(p.DefaultValue, type) : text;
        })) + ")";

    private static string Literal(object? value, Type type) => value switch
    {
        null when type.IsValueType && Nullable.GetUnderlyingType(type) is null => "default",
        null => "null",
        string s => "\"" + s + "\"",
        bool b => b ? "true" : "false",
        _ when type.IsEnum => type.Name + "." + Enum.GetName(type, value),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>A type as C# source names it, without namespaces, with <c>?</c> where the member's nullability says so.</summary>
    private static string TypeName(Type type, NullabilityInfo? nullability)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return TypeName(underlying, nullability?.GenericTypeArguments.FirstOrDefault()) + "?";
        }

        var nullable = !type.IsValueType && nullability?.ReadState == NullabilityState.Nullable ? "?" : "";
        if (type.IsArray)
        {
            return TypeName(type.GetElementType()!, nullability?.ElementType) + "[" + new string(',', type.GetArrayRank() - 1) + "]" + nullable;
        }

        if (Keywords.TryGetValue(type, out var keyword))
        {
            return keyword + nullable;
        }

        if (type.IsGenericParameter)
        {
            return type.Name + nullable;
        }

        var name = new StringBuilder(type.IsNested && !type.IsGenericParameter ? TypeName(type.DeclaringType!, null).Split('<')[0] + "." : "");
        name.Append(type.Name.Split('`')[0]);
        if (type.IsGenericType)
        {
            var arguments = type.GetGenericArguments();
            var argumentNullability = nullability?.GenericTypeArguments ?? [];
            name.Append('<').Append(string.Join(", ", arguments.Select((a, i) => TypeName(a, i < argumentNullability.Length ? argumentNullability[i] : null)))).Append('>');
        }

        return name + nullable;
    }

    /// <summary>The <c>&lt;value&gt;</c> text of a property when it states a default ("The default value is …").</summary>
    private static string DefaultText(Dictionary<string, System.Xml.Linq.XElement> docs, string id)
    {
        if (!docs.TryGetValue(id, out var member) || member.Element("value") is not { } value)
        {
            return "";
        }

        var text = Whitespace().Replace(string.Concat(value.Nodes().Select(n => n switch
        {
            System.Xml.Linq.XText t => t.Value,
            System.Xml.Linq.XElement e when e.Attribute("cref") is { } cref => "`" + ShortName(cref.Value) + "`",
            System.Xml.Linq.XElement e when e.Attribute("langword") is { } word => "`" + word.Value + "`",
            System.Xml.Linq.XElement e => "`" + e.Value + "`",
            _ => "",
        })), " ").Trim();
        return text.Contains("default", StringComparison.OrdinalIgnoreCase) ? text.Replace("|", "\\|", StringComparison.Ordinal) : "";
    }
}
