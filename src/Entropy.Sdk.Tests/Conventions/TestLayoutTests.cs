using System.Text.RegularExpressions;

namespace Entropy.Tests.Conventions;

/// <summary>
/// The test folders mirror the sources (issue #15 §7): a folder of src/Entropy.Sdk.Tests is a folder of src/Entropy.Sdk, or under
/// <c>Simulator/</c> one of src/Entropy.Sdk.Simulator, or <c>Devnet/</c> (the src/Entropy.Devnet tool), or a suite by kind; and every
/// file's namespace is <c>Entropy.Tests</c> plus its folder, so a test's full name says where it is and a filter by namespace finds it.
/// </summary>
public partial class TestLayoutTests
{
    private const string TestsProject = "src/Entropy.Sdk.Tests";

    /// <summary>Suites named after a kind of test rather than a source folder: conventions, fuzzing, the real node, security, the wasm client.</summary>
    private static readonly string[] s_suitesByKind = ["Conventions", "Fuzz", "RealNode", "Security", "WasmClient"];

    [Test]
    public void EveryTestFolder_MirrorsASourceFolderOrIsASuiteByKind()
    {
        var root = TestData.RepositoryRoot;
        var folders = TestFiles().Select(Folder).Where(f => f.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList();
        var strays = folders.Where(folder => !s_suitesByKind.Contains(folder.Split('/')[0]) && !Directory.Exists(Path.Combine(root, MirroredSource(folder)))).ToList();

        Assert.That(folders, Does.Contain("Simulator/ThresholdServers"), "the scan found the test folders");
        Assert.That(strays, Is.Empty, "move these tests to the folder that mirrors what they test (or name the suite by kind here)");
    }

    [Test]
    public void EveryTestFile_NamespaceIsItsFolder()
    {
        var files = TestFiles().ToList();
        var wrong = files
            .Select(file => (File: file, Namespace: NamespaceOf(file), Expected: Folder(file).Length == 0 ? "Entropy.Tests" : "Entropy.Tests." + Folder(file).Replace('/', '.')))
            .Where(f => f.Namespace != f.Expected)
            .Select(f => $"{TestsProject}/{f.File}: namespace {f.Namespace ?? "(none)"}, expected {f.Expected}")
            .ToList();

        Assert.That(files, Has.Count.GreaterThan(100), "the scan found the test sources");
        Assert.That(wrong, Is.Empty);
    }

    private static string MirroredSource(string folder) => folder.Split('/')[0] switch
    {
        "Simulator" => "src/Entropy.Sdk.Simulator" + folder["Simulator".Length..],
        "Devnet" => "src/Entropy.Devnet" + folder["Devnet".Length..],
        _ => "src/Entropy.Sdk/" + folder,
    };

    private static IEnumerable<string> TestFiles()
    {
        var project = Path.Combine(TestData.RepositoryRoot, TestsProject);
        return Directory.EnumerateFiles(project, "*.cs", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(project, file).Replace('\\', '/'))
            .Where(relative => !relative.Split('/').Any(part => part is "obj" or "bin" or "node_modules"));
    }

    private static string Folder(string relative) => relative.Contains('/') ? relative[..relative.LastIndexOf('/')] : "";

    private static string? NamespaceOf(string relative)
    {
        var text = File.ReadAllText(Path.Combine(TestData.RepositoryRoot, TestsProject, relative));
        var match = FileScopedNamespace().Match(text);
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*[;{]", RegexOptions.Multiline)]
    private static partial Regex FileScopedNamespace();
}
