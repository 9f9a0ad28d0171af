using System.Text.RegularExpressions;
using Entropy.Tests.RealNode;

namespace Entropy.Tests.Security;

/// <summary>
/// Source scans backing the secret-hygiene rules (docs/reliability.md): randomness only from RandomNumberGenerator, secret-dependent
/// comparisons constant-time. The banned-API analyzer enforces the first at build time for the shipped libraries; this also covers
/// code it cannot see (a fully qualified or aliased use) and keeps the ban list itself from losing the entries.
/// </summary>
[Category("Security")]
public partial class SourceHygieneTests
{
    private static readonly string[] s_shippedSources = ["src/Entropy.Sdk", "src/Entropy.Sdk.Simulator"];

    [Test]
    public void ShippedSources_UseNoSystemRandom()
    {
        var offenders = Lines().Where(l => SystemRandom().IsMatch(l.Text)).Select(l => $"{l.File}:{l.Number}: {l.Text.Trim()}").ToList();
        Assert.That(offenders, Is.Empty, "use RandomNumberGenerator (secrets) — System.Random is predictable");
    }

    [Test]
    public void BannedSymbols_BanEverySystemRandomEntryPoint()
    {
        var banned = File.ReadAllLines(Path.Combine(ChopsticksNode.RepositoryRoot, "eng", "BannedSymbols.txt"));
        Assert.That(banned, Has.Some.StartsWith("M:System.Random.#ctor;"));
        Assert.That(banned, Has.Some.StartsWith("M:System.Random.#ctor(System.Int32);"));
        Assert.That(banned, Has.Some.StartsWith("P:System.Random.Shared;"));
    }

    [Test]
    public void ShippedSources_CompareSecretsTagsAndSignaturesInConstantTime()
    {
        // A SequenceEqual on a line about a tag, MAC, signature, password or secret is a variable-time comparison of something secret
        // or authenticating: use CryptographicOperations.FixedTimeEquals.
        var offenders = Lines()
            .Where(l => l.Text.Contains(".SequenceEqual(", StringComparison.Ordinal) && SecretWords().IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Number}: {l.Text.Trim()}")
            .ToList();
        Assert.That(offenders, Is.Empty);
        Assert.That(Lines().Count(l => l.Text.Contains("CryptographicOperations.FixedTimeEquals(", StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(5));
    }

    private static IEnumerable<(string File, int Number, string Text)> Lines()
    {
        foreach (var folder in s_shippedSources)
        {
            var root = Path.Combine(ChopsticksNode.RepositoryRoot, folder);
            foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(ChopsticksNode.RepositoryRoot, file);
                if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal))
                {
                    continue;
                }

                var lines = File.ReadAllLines(file);
                for (int i = 0; i < lines.Length; i++)
                {
                    yield return (relative, i + 1, lines[i]);
                }
            }
        }
    }

    [GeneratedRegex(@"new\s+(System\.)?Random\s*\(|Random\.Shared\b")]
    private static partial Regex SystemRandom();

    [GeneratedRegex(@"(?i)\b\w*(tag|mac|signature|password|secret)\w*\b")]
    private static partial Regex SecretWords();
}
