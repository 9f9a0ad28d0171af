namespace Entropy.Tests.Conventions;

/// <summary>
/// The public surface stays small (issue 15 §1): every public symbol is a compatibility promise from 0.1.0 on. The facade package's
/// PublicAPI files hold at most 500 lines and all shipped packages together at most 800 — moving types between packages does not
/// help. Before raising a budget, make the new symbol internal until a user asks for it.
/// </summary>
public class PublicApiBudgetTests
{
    private const int FacadeBudget = 500;
    private const int TotalBudget = 800;

    /// <summary>Every project under src/ with PublicAPI files is a shipped package (the analyzer tracks exactly those).</summary>
    private static Dictionary<string, int> LinesPerPackage() =>
        Directory.GetDirectories(Path.Combine(TestData.RepositoryRoot, "src"))
            .Where(dir => File.Exists(Path.Combine(dir, "PublicAPI.Unshipped.txt")))
            .ToDictionary(
                dir => Path.GetFileName(dir),
                dir => Directory.GetFiles(dir, "PublicAPI.*.txt").Sum(file => File.ReadAllLines(file).Count(line => line.Trim().Length > 0)));

    [Test]
    public void FacadePackage_PublicApiFiles_StayWithinBudget()
    {
        var lines = LinesPerPackage();
        Assert.That(lines, Does.ContainKey("Entropy.Sdk"));
        Assert.That(lines["Entropy.Sdk"], Is.LessThanOrEqualTo(FacadeBudget), "src/Entropy.Sdk/PublicAPI.*.txt is over budget: make new symbols internal until a user needs them");
    }

    [Test]
    public void AllShippedPackages_PublicApiFiles_StayWithinBudget()
    {
        var lines = LinesPerPackage();
        var detail = string.Join(", ", lines.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"));
        Assert.That(lines, Has.Count.GreaterThanOrEqualTo(3), detail);
        Assert.That(lines.Values.Sum(), Is.LessThanOrEqualTo(TotalBudget), $"the shipped packages' PublicAPI files are over budget ({detail})");
    }
}
