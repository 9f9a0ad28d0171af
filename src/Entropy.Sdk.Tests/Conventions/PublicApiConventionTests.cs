using System.Reflection;

namespace Entropy.Tests.Conventions;

/// <summary>Reflection checks of the public surface (STYLE.md §42).</summary>
public class PublicApiConventionTests
{
    private static readonly Assembly s_sdk = typeof(Entropy.EntropyException).Assembly;

    private static IEnumerable<MethodInfo> PublicMethods() =>
        s_sdk.GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => !m.IsSpecialName);

    [Test]
    public void AsyncMethods_EndInAsync_AndTakeCancellationTokenLast()
    {
        var offenders = PublicMethods()
            .Where(m => typeof(Task).IsAssignableFrom(m.ReturnType) || m.ReturnType.Name.StartsWith("ValueTask", StringComparison.Ordinal))
            .Where(m => m.Name != "DisposeAsync")
            .Where(m => !m.Name.EndsWith("Async", StringComparison.Ordinal)
                        || m.GetParameters().Length == 0
                        || m.GetParameters()[^1].ParameterType != typeof(CancellationToken))
            .Select(m => $"{m.DeclaringType!.FullName}.{m.Name}")
            .ToList();
        Assert.That(offenders, Is.Empty);
    }

    [Test]
    public void ExportedTypes_LiveUnderTheEntropyNamespace()
    {
        var offenders = s_sdk.GetExportedTypes()
            .Where(t => t.Namespace is null || !(t.Namespace == "Entropy" || t.Namespace.StartsWith("Entropy.", StringComparison.Ordinal)))
            .Select(t => t.FullName)
            .ToList();
        Assert.That(offenders, Is.Empty);
    }
}
