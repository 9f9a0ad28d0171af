using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Entropy.Simulator;

namespace Entropy.Tests.Conventions;

/// <summary>
/// docs/api/*.md is the API reference generated from the XML docs of the public surface . This test regenerates it and fails when the checked-in file is stale; run it with ENTROPY_UPDATE_API_DOCS=1 to
/// rewrite the files.
/// </summary>
public partial class ApiReferenceTests
{
    private static readonly Assembly[] Packages = [typeof(EntropyClient).Assembly, typeof(EntropyDevnet).Assembly];

    private static IEnumerable<TestCaseData> PackageCases() =>
        Packages.Select(a => new TestCaseData(a).SetName($"ApiReference_{a.GetName().Name}_IsUpToDate"));

    private static IEnumerable<TestCaseData> DocumentationIdCases() =>
        Packages.Select(a => new TestCaseData(a).SetName($"ApiReference_{a.GetName().Name}_DocumentationIdsOfVisibleMembersExist"));

    [TestCaseSource(nameof(PackageCases))]
    public void ApiReference_CheckedInFile_MatchesXmlDocsOfPublicSurface(Assembly assembly)
    {
        var name = assembly.GetName().Name!;
        var generated = Generate(assembly, Path.Combine(AppContext.BaseDirectory, name + ".xml"));
        var path = Path.Combine(RepositoryRoot(), "docs", "api", name + ".md");
        if (Environment.GetEnvironmentVariable("ENTROPY_UPDATE_API_DOCS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, generated);
        }

        Assert.That(File.Exists(path), Is.True, $"{path} is missing; run the tests with ENTROPY_UPDATE_API_DOCS=1");
        Assert.That(
            File.ReadAllText(path).ReplaceLineEndings("\n"),
            Is.EqualTo(generated),
            $"docs/api/{name}.md is stale: run `ENTROPY_UPDATE_API_DOCS=1 dotnet test --filter ApiReference` and commit the result");
    }

    [TestCaseSource(nameof(DocumentationIdCases))]
    public void ApiReference_EveryVisibleMember_HasItsDocumentationIdInXmlDocs(Assembly assembly)
    {
        // Every public/protected member must be documented (CS1591 is an error), so an ID computed here and missing from the XML file
        // means DocumentationId is wrong, and the reference would silently leave the member out.
        var ids = XDocument.Load(Path.Combine(AppContext.BaseDirectory, assembly.GetName().Name + ".xml")).Root!.Element("members")!
            .Elements("member").Select(m => (string)m.Attribute("name")!).ToHashSet(StringComparer.Ordinal);
        var missing = assembly.GetExportedTypes()
            .Where(t => !typeof(Delegate).IsAssignableFrom(t))
            .SelectMany(VisibleMembers)
            .Where(m => m.GetCustomAttribute<System.Runtime.CompilerServices.CompilerGeneratedAttribute>() is null)
            .Where(m => m switch
            {
                MethodBase method => !method.IsSpecialName || method.Name.StartsWith("op_", StringComparison.Ordinal),
                FieldInfo field => !field.IsSpecialName,
                _ => true,
            })
            .Select(DocumentationId)
            .Where(id => !ids.Contains(id))
            .ToList();

        Assert.That(missing, Is.Empty, "documentation IDs computed by reflection but absent from the XML docs");
    }

    [Test]
    public void ApiReference_ShowsTypesReturnTypesNullabilityAndDefaults()
    {
        var generated = Generate(typeof(EntropyClient).Assembly, Path.Combine(AppContext.BaseDirectory, "Entropy.Sdk.xml"));

        Assert.Multiple(() =>
        {
            Assert.That(generated, Does.Contain("`virtual Task<RegisterOperation> RegisterAsync(WaitUntil waitUntil, RegisterRequest request, IProgress<RegistrationProgress>? progress = null, CancellationToken cancellationToken = default)`"));
            Assert.That(generated, Does.Contain("`TimeSpan RegistrationTimeout { get; set; }`"));
            Assert.That(generated, Does.Match(@"`TimeSpan RegistrationTimeout \{ get; set; \}` \|[^\n]*The default value is 2 minutes"), "a property's documented default is shown");
            Assert.That(generated, Does.Contain("`ILoggerFactory? LoggerFactory { get; set; }`"), "nullable reference types keep their ?");
        });
    }

    private static string Generate(Assembly assembly, string xmlPath)
    {
        var docs = XDocument.Load(xmlPath).Root!.Element("members")!.Elements("member")
            .ToDictionary(m => (string)m.Attribute("name")!, m => m);
        var name = assembly.GetName().Name;
        var text = new StringBuilder();
        text.Append("# ").Append(name).Append(" API reference\n\n")
            .Append("Generated from the XML documentation of the public surface by `ApiReferenceTests` (run the tests with\n")
            .Append("`ENTROPY_UPDATE_API_DOCS=1` after changing the public API; the test fails while this file is stale).\n");
        var types = assembly.GetExportedTypes().OrderBy(t => t.Namespace, StringComparer.Ordinal).ThenBy(t => t.FullName, StringComparer.Ordinal);
        string? currentNamespace = null;
        foreach (var type in types)
        {
            if (type.Namespace != currentNamespace)
            {
                currentNamespace = type.Namespace;
                text.Append("\n## ").Append(currentNamespace).Append('\n');
            }

            var typeId = type.FullName!.Replace('+', '.');
            text.Append("\n### ").Append(DisplayName(type)).Append(" (").Append(Kind(type)).Append(")\n\n")
                .Append(Summary(docs, "T:" + typeId)).Append('\n');
            var visible = VisibleMembers(type).GroupBy(DocumentationId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var rows = docs.Keys
                .Where(visible.ContainsKey)
                .Select(id => (Id: id, Member: MemberPart(id, typeId)))
                .Where(r => r.Member is not null)
                .OrderBy(r => r.Id, StringComparer.Ordinal)
                .ToList();
            if (rows.Count == 0)
            {
                continue;
            }

            text.Append("\n| Member | Summary |\n|---|---|\n");
            foreach (var (id, _) in rows)
            {
                var defaults = DefaultText(docs, id);
                text.Append("| `").Append(Signature(visible[id]).Replace("|", "\\|", StringComparison.Ordinal))
                    .Append("` | ").Append(Summary(docs, id)).Append(defaults.Length == 0 ? "" : " " + defaults).Append(" |\n");
            }
        }

        return text.ToString();
    }

    /// <summary>The members a user of the package can reach: public, or protected (also protected internal) in the type itself.</summary>
    private static IEnumerable<MemberInfo> VisibleMembers(Type type)
    {
        static bool Visible(MethodBase? method) => method is { IsPublic: true } or { IsFamily: true } or { IsFamilyOrAssembly: true };

        return type
            .GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m switch
            {
                MethodBase method => Visible(method),
                PropertyInfo property => Visible(property.GetMethod) || Visible(property.SetMethod),
                EventInfo e => Visible(e.AddMethod),
                FieldInfo field => field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly,
                _ => false,
            });
    }

    /// <summary>The XML documentation ID of a member (ECMA-334 annex D, "Processing the documentation file"), e.g.
    /// <c>M:Entropy.EntropyClient.RegisterAsync(Entropy.WaitUntil,Entropy.RegisterRequest,System.Threading.CancellationToken)</c>.</summary>
    private static string DocumentationId(MemberInfo member)
    {
        var owner = member.DeclaringType!.FullName!.Replace('+', '.');
        switch (member)
        {
            case FieldInfo:
                return $"F:{owner}.{member.Name}";
            case EventInfo:
                return $"E:{owner}.{member.Name}";
            case PropertyInfo property:
                var indexParameters = property.GetIndexParameters();
                return $"P:{owner}.{member.Name}" + (indexParameters.Length == 0 ? "" : ParameterList(indexParameters));
            default:
                var method = (MethodBase)member;
                var name = method is ConstructorInfo ? (method.IsStatic ? "#cctor" : "#ctor") : method.Name;
                if (method.IsGenericMethodDefinition)
                {
                    name += "``" + method.GetGenericArguments().Length;
                }

                var parameters = method.GetParameters();
                var id = $"M:{owner}.{name}" + (parameters.Length == 0 ? "" : ParameterList(parameters));
                return method is MethodInfo { Name: "op_Implicit" or "op_Explicit" } conversion ? id + "~" + TypeId(conversion.ReturnType) : id;
        }
    }

    private static string ParameterList(ParameterInfo[] parameters) => "(" + string.Join(",", parameters.Select(p => TypeId(p.ParameterType))) + ")";

    /// <summary>A type as it appears in a documentation ID's parameter list: generic arguments in braces, <c>`n</c>/<c>``n</c> for type/method
    /// type parameters, <c>@</c> for by-reference, <c>*</c> for pointers, <c>[]</c> or <c>[0:,0:]</c> for arrays.</summary>
    private static string TypeId(Type type)
    {
        if (type.IsByRef)
        {
            return TypeId(type.GetElementType()!) + "@";
        }

        if (type.IsPointer)
        {
            return TypeId(type.GetElementType()!) + "*";
        }

        if (type.IsArray)
        {
            var rank = type.GetArrayRank();
            return TypeId(type.GetElementType()!) + (type.IsSZArray ? "[]" : "[" + string.Join(",", Enumerable.Repeat("0:", rank)) + "]");
        }

        if (type.IsGenericParameter)
        {
            return (type.DeclaringMethod is null ? "`" : "``") + type.GenericParameterPosition;
        }

        if (!type.IsGenericType)
        {
            return type.FullName!.Replace('+', '.');
        }

        // Generic arguments are listed outermost type first; each (nested) type takes as many as its own `n suffix says.
        var arguments = new Queue<Type>(type.GetGenericArguments());
        var chain = new List<Type>();
        for (var t = type.GetGenericTypeDefinition(); t is not null; t = t.DeclaringType)
        {
            chain.Insert(0, t);
        }

        var text = new StringBuilder(chain[0].Namespace is { Length: > 0 } ns ? ns + "." : "");
        for (var i = 0; i < chain.Count; i++)
        {
            var parts = chain[i].Name.Split('`');
            text.Append(i == 0 ? "" : ".").Append(parts[0]);
            if (parts.Length == 2)
            {
                var own = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
                text.Append('{').Append(string.Join(",", Enumerable.Range(0, own).Select(_ => TypeId(arguments.Dequeue())))).Append('}');
            }
        }

        return text.ToString();
    }

    private static string? MemberPart(string id, string typeId)
    {
        var body = id[2..];
        if (!body.StartsWith(typeId + ".", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = body[(typeId.Length + 1)..];
        return rest.Split('(')[0].Contains('.', StringComparison.Ordinal) && !rest.StartsWith("#ctor", StringComparison.Ordinal) ? null : rest;
    }

    private static string Summary(Dictionary<string, XElement> docs, string id)
    {
        if (!docs.TryGetValue(id, out var member))
        {
            return "";
        }

        var summary = member.Element("summary");
        if (summary is null)
        {
            return member.Element("inheritdoc") is not null ? "(inherited documentation)" : "";
        }

        var builder = new StringBuilder();
        foreach (var node in summary.Nodes())
        {
            builder.Append(node switch
            {
                XText t => t.Value,
                XElement e when e.Attribute("cref") is { } cref => "`" + ShortName(cref.Value) + "`",
                XElement e when e.Attribute("langword") is { } word => "`" + word.Value + "`",
                XElement e when e.Attribute("name") is { } n => "`" + n.Value + "`",
                XElement e when e.Name == "c" => "`" + e.Value + "`",
                XElement e => e.Value,
                _ => "",
            });
        }

        return Whitespace().Replace(builder.ToString(), " ").Trim().Replace("|", "\\|", StringComparison.Ordinal);
    }

    private static string ShortName(string cref)
    {
        var name = cref.Length > 2 && cref[1] == ':' ? cref[2..] : cref;
        name = GenericArity().Replace(name.Split('(')[0], "");
        var parts = name.Split('.');
        return parts.Length >= 2 && cref.StartsWith("T:", StringComparison.Ordinal) is false ? parts[^2] + "." + parts[^1] : parts[^1];
    }

    private static string DisplayName(Type type)
    {
        var name = type.Name.Split('`')[0];
        if (type.IsGenericTypeDefinition)
        {
            name += "<" + string.Join(", ", type.GetGenericArguments().Select(a => a.Name)) + ">";
        }

        return type.IsNested ? DisplayName(type.DeclaringType!) + "." + name : name;
    }

    private static string Kind(Type type) => type switch
    {
        { IsEnum: true } => "enum",
        { IsInterface: true } => "interface",
        { IsValueType: true } => "struct",
        _ when typeof(Delegate).IsAssignableFrom(type) => "delegate",
        { IsAbstract: true, IsSealed: true } => "static class",
        _ => "class",
    };

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Entropy.Sdk.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Entropy.Sdk.sln not found above the test assembly.");
    }

    [GeneratedRegex(@"`+[0-9]+")]
    private static partial Regex GenericArity();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
