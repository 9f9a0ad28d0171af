namespace Entropy.TestSupport;

/// <summary>Locates the repository's own fixtures in <c>testdata/</c> (nothing outside the repository is read).</summary>
public static class TestData
{
    /// <summary>Gets the repository root: the first folder above the running assembly that holds <c>Entropy.Sdk.sln</c>.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Gets the full path of a file or folder below <c>testdata/</c>.</summary>
    /// <param name="parts">The path segments below <c>testdata/</c>.</param>
    /// <returns>The full path.</returns>
    /// <exception cref="FileNotFoundException">The fixture is not in the repository.</exception>
    public static string Path(params string[] parts)
    {
        var path = System.IO.Path.Combine([RepositoryRoot, "testdata", .. parts]);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new FileNotFoundException($"Fixture testdata/{string.Join('/', parts)} is not in the repository ({path}).", path);
        }

        return path;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Entropy.Sdk.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Entropy.Sdk.sln not found above {AppContext.BaseDirectory}.");
    }
}
