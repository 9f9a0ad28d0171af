using System.Numerics;
using Entropy.Simulator;
using Entropy.Synedrion;
using Entropy.Tests;

/// <summary>
/// The suite's devnet defaults (applied to every <see cref="EntropyDevnetOptions"/> the tests create, before their own settings): Public-mode
/// registrations run the fast stand-in (hundreds of registrations would otherwise cost seconds of CPU each), and synedrion runs take their
/// Paillier primes from the repository's public fixture list instead of searching. Private mode always runs synedrion. Tests of synedrion
/// in Public mode set <see cref="EntropyDevnetOptions.PublicModeKeyGeneration"/> themselves.
/// </summary>
[SetUpFixture]
public sealed class SuiteDefaults
{
    /// <summary>Applies the defaults.</summary>
    [OneTimeSetUp]
    public void Apply() => EntropyDevnetOptions.TestDefaults = options =>
    {
        options.PublicModeKeyGeneration = DevnetKeyGeneration.FastStandIn;
        options.TestSafePrimes = TestSafePrimes.All;
    };

    /// <summary>Removes them.</summary>
    [OneTimeTearDown]
    public void Reset() => EntropyDevnetOptions.TestDefaults = null;
}

namespace Entropy.Tests
{
    /// <summary>
    /// The time budgets of tests that run synedrion (ProductionParams) key generations with the fixture primes: the proofs cost seconds of
    /// CPU per party (Π^prm, Π^mod, Π^fac over 2048-bit moduli; eng/notes/syn.md has the figures), and on the shared 2-core CI machine a
    /// run waits for a core most of the time, so the budgets are minutes. A fault test that expects a timeout sets its own, short one.
    /// </summary>
    internal static class PrivateModeBudget
    {
        /// <summary>Gets how long one key generation (servers' <c>DkgTimeout</c>, the client's <c>KeyGenerationTimeout</c>) may take.</summary>
        public static TimeSpan KeyGeneration { get; } = TimeSpan.FromMinutes(4);

        /// <summary>Gets how long a Private-mode registration, key generation included, may take.</summary>
        public static TimeSpan Registration { get; } = TimeSpan.FromMinutes(5);
    }

    /// <summary>The repository's public, pre-generated 1024-bit safe primes (testdata/synedrion/safe-primes-1024.txt): tests only.</summary>
    internal static class TestSafePrimes
    {
        /// <summary>Gets the file's path.</summary>
        public static string FilePath { get; } = TestData.Path("synedrion", "safe-primes-1024.txt");

        /// <summary>Gets the primes.</summary>
        public static IReadOnlyList<BigInteger> All { get; } = EntropyDevnetOptions.ParseTestSafePrimes(File.ReadAllText(FilePath));

        /// <summary>Returns a source handing the primes out in turn (from a random start).</summary>
        /// <returns>The source.</returns>
        public static Func<int, BigInteger> Source() => SafePrimeList.Cycle(All);
    }
}
