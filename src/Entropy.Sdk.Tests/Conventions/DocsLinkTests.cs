using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Entropy.Tests.Conventions;

/// <summary>
/// Every relative link in the repository's Markdown (README, CONTRIBUTING, CHANGELOG, docs/, eng/notes/, testdata/, samples/) names a
/// file or folder of the repository, and every <c>#anchor</c> names a heading of its target page (GitHub's anchor rules). docs/ is
/// for users, so it does not link into eng/notes/.
/// </summary>
public partial class DocsLinkTests
{
    private static IEnumerable<TestCaseData> MarkdownFiles()
    {
        var root = TestData.RepositoryRoot;
        return Directory.GetFiles(root, "*.md", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(root, file).Replace('\\', '/'))
            .Where(relative => !relative.Split('/').Any(part => part is "node_modules" or "bin" or "obj" or "out" || part.StartsWith('.')))
            .Order(StringComparer.Ordinal)
            .Select(relative => new TestCaseData(relative).SetName($"Links in {relative}"));
    }

    [TestCaseSource(nameof(MarkdownFiles))]
    public void RelativeLinks_NameExistingFilesAndHeadings(string relative)
    {
        var root = TestData.RepositoryRoot;
        var file = Path.Combine(root, relative);
        var broken = new List<string>();
        foreach (var (line, target) in Links(File.ReadAllText(file)))
        {
            if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
            {
                continue;
            }

            var hash = target.IndexOf('#', StringComparison.Ordinal);
            var pathPart = hash < 0 ? target : target[..hash];
            var anchor = hash < 0 ? null : target[(hash + 1)..];
            var resolved = pathPart.Length == 0 ? file : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, Uri.UnescapeDataString(pathPart)));
            if (!resolved.StartsWith(root, StringComparison.Ordinal))
            {
                broken.Add($"line {line}: {target} leaves the repository");
            }
            else if (!File.Exists(resolved) && !Directory.Exists(resolved))
            {
                broken.Add($"line {line}: {target} does not exist");
            }
            else if (anchor is not null && resolved.EndsWith(".md", StringComparison.Ordinal) && !Anchors(File.ReadAllText(resolved)).Contains(anchor))
            {
                broken.Add($"line {line}: {target}: no heading with the anchor #{anchor} in {Path.GetRelativePath(root, resolved)}");
            }
            else if (relative.StartsWith("docs/", StringComparison.Ordinal) && Path.GetRelativePath(root, resolved).Replace('\\', '/').StartsWith("eng/notes", StringComparison.Ordinal))
            {
                broken.Add($"line {line}: {target}: docs/ is for users and does not point into eng/notes/");
            }
        }

        Assert.That(broken, Is.Empty, $"{relative} has broken links");
    }

    [Test]
    public void Anchors_FollowGitHubRules()
    {
        var anchors = Anchors("# Reliability\n## Property tests (CsCheck)\n```sh\n# not a heading\n```\n## In CI\n## In CI\n### `fuzz/run.sh`: options\n");
        Assert.That(anchors, Is.EquivalentTo(new[] { "reliability", "property-tests-cscheck", "in-ci", "in-ci-1", "fuzzrunsh-options" }));
    }

    [Test]
    public void Links_FindsInlineLinksOutsideCode()
    {
        var links = Links("see [a](docs/a.md#x) and `[b](not-a-link.md)`\n```\n[c](in-a-fence.md)\n```\n[d](d.md)").Select(l => l.Target);
        Assert.That(links, Is.EqualTo(new[] { "docs/a.md#x", "d.md" }));
    }

    /// <summary>The inline links of a Markdown text outside code spans and fences, with their line numbers.</summary>
    private static IEnumerable<(int Line, string Target)> Links(string markdown)
    {
        var lines = markdown.Split('\n');
        var fenced = false;
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }

            if (fenced)
            {
                continue;
            }

            var text = CodeSpan().Replace(lines[i], "");
            foreach (Match match in InlineLink().Matches(text))
            {
                yield return (i + 1, match.Groups[1].Value);
            }
        }
    }

    /// <summary>The anchors GitHub gives the headings of a page: lower case, punctuation dropped, spaces to hyphens, -1, -2… for repeats.</summary>
    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var fenced = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }

            var heading = fenced ? null : Heading().Match(line);
            if (heading is null || !heading.Success)
            {
                continue;
            }

            var slug = new StringBuilder();
            foreach (var c in heading.Groups[1].Value.Trim().ToLowerInvariant())
            {
                if (char.IsLetterOrDigit(c) || c is '-' or '_')
                {
                    slug.Append(c);
                }
                else if (c == ' ')
                {
                    slug.Append('-');
                }
            }

            var anchor = slug.ToString();
            for (var n = 1; !anchors.Add(anchor); n++)
            {
                anchor = string.Create(CultureInfo.InvariantCulture, $"{slug}-{n}");
            }
        }

        return anchors;
    }

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"^#{1,6}\s+(.*)$")]
    private static partial Regex Heading();
}
