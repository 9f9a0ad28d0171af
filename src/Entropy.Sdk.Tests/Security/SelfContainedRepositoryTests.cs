using System.Text.RegularExpressions;

namespace Entropy.Tests.Security;

/// <summary>
/// A fresh clone with nothing beside it must pass the tests: no source, script or project file may read a path outside the
/// repository (the fixtures live in testdata/). `.ci/run` proves the same end to end by running the tests in a fresh clone.
/// </summary>
[Category("Security")]
public partial class SelfContainedRepositoryTests
{
    private static readonly string[] s_extensions = [".cs", ".csproj", ".props", ".targets", ".sh", ".mjs", ".js", ".json"];

    [Test]
    public void NoSourceReachesOutsideTheRepository()
    {
        var root = TestData.RepositoryRoot;
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (!s_extensions.Contains(Path.GetExtension(file)) || Skipped(relative) || relative.EndsWith("SelfContainedRepositoryTests.cs", StringComparison.Ordinal))
            {
                continue;
            }

            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                if (OutsidePath().IsMatch(lines[i]))
                {
                    offenders.Add($"{relative}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }

        Assert.That(offenders, Is.Empty, "read fixtures from testdata/ (TestData.Path), never from a folder beside the repository");
    }

    [TestCase("metadata", "entropy-v0.0.10.scale")]
    [TestCase("metadata", "entropy-2024-03-21-d7a7f3c2.scale")]
    [TestCase("metadata", "entropy-devnet-2023-v14.scale")]
    [TestCase("metadata", "entropy-v0.0.11.scale")]
    [TestCase("chain-specs", "entropy-devnet-2023.json")]
    public void FixtureIsInTheRepository(string folder, string name)
    {
        var path = TestData.Path(folder, name);
        Assert.That(path, Does.StartWith(TestData.RepositoryRoot));
        Assert.That(new FileInfo(path).Length, Is.GreaterThan(100_000), "a real fixture, not a Git LFS pointer");
    }

    private static bool Skipped(string relative) =>
        relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal)
        || relative.StartsWith(".git/", StringComparison.Ordinal) || relative.Contains("node_modules/", StringComparison.Ordinal)
        || relative.StartsWith("fuzz/out/", StringComparison.Ordinal) || relative.StartsWith("testdata/", StringComparison.Ordinal)
        || relative.EndsWith("package-lock.json", StringComparison.Ordinal);

    // A parent-relative path into the shared folder, or "shared", "fixtures" path pieces, in any quoting.
    [GeneratedRegex(@"([.][.]/+shared\b|""shared""\s*,\s*""fixtures""|shared/fixtures)")]
    private static partial Regex OutsidePath();
}
