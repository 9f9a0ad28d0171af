namespace Entropy.Tests.Conventions;

/// <summary>Every C# block in README.md and docs/ is taken from a sample or a test, so it compiles and runs (STYLE.md §36).</summary>
public class DocsSnippetTests
{
    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Entropy.Sdk.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Entropy.Sdk.sln not found above the test assembly.");
    }

    private static IEnumerable<TestCaseData> Snippets()
    {
        var root = RepositoryRoot();
        var files = Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Append(Path.Combine(root, "README.md"));
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].Trim() != "```csharp")
                {
                    continue;
                }

                var start = i + 1;
                var end = Array.FindIndex(lines, start, l => l.Trim() == "```");
                yield return new TestCaseData(Path.GetRelativePath(root, file), start + 1, string.Join('\n', lines[start..end]))
                    .SetName($"{Path.GetFileName(file)}:{start + 1}");
                i = end;
            }
        }
    }

    [TestCaseSource(nameof(Snippets))]
    public void Snippet_AppearsVerbatimInASampleOrTest(string file, int line, string snippet)
    {
        var root = RepositoryRoot();
        var wanted = Normalize(snippet);
        var sources = Directory.GetFiles(Path.Combine(root, "samples"), "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(root, "src", "Entropy.Sdk.Tests"), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

        Assert.That(sources.Any(s => Normalize(File.ReadAllText(s)).Contains(wanted, StringComparison.Ordinal)), Is.True,
            $"The C# block at {file}:{line} is not taken from any file under samples/ or src/Entropy.Sdk.Tests/; copy it from compiled code.");
    }

    private static string Normalize(string text) =>
        string.Join('\n', text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));
}
