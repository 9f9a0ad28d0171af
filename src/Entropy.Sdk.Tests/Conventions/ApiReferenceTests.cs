using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Entropy.Simulator;

namespace Entropy.Tests.Conventions;

/// <summary>
/// docs/api/*.md is the API reference generated from the XML docs of the public surface (issue 7, "API reference generated from
/// XML docs"). This test regenerates it and fails when the checked-in file is stale; run it with ENTROPY_UPDATE_API_DOCS=1 to
/// rewrite the files.
/// </summary>
public partial class ApiReferenceTests
{
    private static readonly Assembly[] Packages = [typeof(EntropyClient).Assembly, typeof(EntropyDevnet).Assembly];

    private static IEnumerable<TestCaseData> PackageCases() =>
        Packages.Select(a => new TestCaseData(a).SetName($"ApiReference_{a.GetName().Name}_IsUpToDate"));

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
            var publicNames = type
                .GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => m is not Type)
                .Select(m => m is ConstructorInfo ? "#ctor" : m.Name)
                .ToHashSet(StringComparer.Ordinal);
            var rows = docs.Keys
                .Where(id => id.Length > 2 && id[0] != 'T' && id[1] == ':')
                .Select(id => (Id: id, Member: MemberPart(id, typeId)))
                .Where(r => r.Member is not null && publicNames.Contains(r.Member.Split('(')[0].Split("``")[0]))
                .OrderBy(r => r.Id, StringComparer.Ordinal)
                .ToList();
            if (rows.Count == 0)
            {
                continue;
            }

            text.Append("\n| Member | Summary |\n|---|---|\n");
            foreach (var (id, member) in rows)
            {
                text.Append("| `").Append(member!.Replace("#ctor", "constructor").Replace('{', '<').Replace('}', '>'))
                    .Append("` | ").Append(Summary(docs, id)).Append(" |\n");
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
        name = name.Split('(')[0];
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

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
