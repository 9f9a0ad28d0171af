using Entropy.Fuzz;
using Entropy.Tests.RealNode;

namespace Entropy.Tests.Fuzz;

/// <summary>
/// The CI part of fuzzing (docs/reliability.md): every checked-in corpus input (seeds, inputs AFL++ found interesting, former crashes)
/// replayed through its target in process, plus a few seconds of seeded random mutation per target. Only typed exceptions may escape.
/// </summary>
[Category("Fuzz")]
public class FuzzCorpusTests
{
    private static readonly TimeSpan s_mutationBudget = TimeSpan.FromSeconds(2);

    private static IEnumerable<string> Targets() => FuzzTargets.All.Keys;

    private static string CorpusDirectory(string target) => Path.Combine(ChopsticksNode.RepositoryRoot, "fuzz", "corpus", target);

    [TestCaseSource(nameof(Targets))]
    public void Replay_CheckedInCorpus_OnlyTypedExceptions(string target)
    {
        var files = Directory.GetFiles(CorpusDirectory(target));
        Assert.That(files, Is.Not.Empty, $"fuzz/corpus/{target} is empty");
        foreach (var file in files)
        {
            Assert.That(() => FuzzTargets.Run(target, File.ReadAllBytes(file)), Throws.Nothing, $"{target}: {Path.GetFileName(file)}");
        }
    }

    [TestCaseSource(nameof(Targets))]
    public void Corpus_ContainsEveryGeneratedSeed(string target)
    {
        foreach (var (name, bytes) in FuzzSeeds.Build()[target])
        {
            // Same length, not same bytes: seeds holding an sr25519 signature differ each time (signing is randomized).
            var path = Path.Combine(CorpusDirectory(target), name);
            Assert.That(File.Exists(path) ? File.ReadAllBytes(path).Length : -1, Is.EqualTo(bytes.Length),
                $"fuzz/corpus/{target}/{name} is stale: run `dotnet src/Entropy.Sdk.Fuzz/bin/Debug/net10.0/Entropy.Sdk.Fuzz.dll --seeds fuzz/corpus`");
        }
    }

    [TestCaseSource(nameof(Targets))]
    public void Mutate_CorpusInputsForTwoSeconds_OnlyTypedExceptions(string target)
    {
        var corpus = Directory.GetFiles(CorpusDirectory(target)).Select(File.ReadAllBytes).ToArray();
        var random = new Random(target.Length * 7919 + target[0]); // Deterministic per target, so a failure reproduces.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int runs = 0;
        while (clock.Elapsed < s_mutationBudget)
        {
            byte[] input = Mutate(corpus[random.Next(corpus.Length)], corpus[random.Next(corpus.Length)], random);
            try
            {
                FuzzTargets.Run(target, input);
            }
            catch (Exception ex)
            {
                Assert.Fail($"{target} crashed on {Convert.ToHexStringLower(input)} after {runs} runs: {ex}");
            }

            runs++;
        }

        Assert.That(runs, Is.GreaterThan(0));
    }

    /// <summary>AFL-style havoc: flips, interesting values, inserts, deletes, splices; the first byte (a mode selector in most targets) is kept mostly.</summary>
    private static byte[] Mutate(byte[] seed, byte[] other, Random random)
    {
        var bytes = new List<byte>(seed);
        int rounds = 1 << random.Next(1, 5);
        for (int i = 0; i < rounds; i++)
        {
            int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(8))
            {
                case 0 when bytes.Count > 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1 when bytes.Count > 0: bytes[at] = (byte)random.Next(256); break;
                case 2 when bytes.Count > 0: bytes[at] = new byte[] { 0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x03, 0x40 }[random.Next(8)]; break;
                case 3: bytes.InsertRange(at, Enumerable.Repeat((byte)random.Next(256), random.Next(1, 9))); break;
                case 4 when bytes.Count > 1: bytes.RemoveRange(at, Math.Min(random.Next(1, 9), bytes.Count - at)); break;
                case 5 when other.Length > 0:
                    int from = random.Next(other.Length);
                    bytes.InsertRange(at, other.Skip(from).Take(random.Next(1, 33)));
                    break;
                case 6 when bytes.Count > 4:
                    // A little-endian length that claims far more than follows (SCALE compact 4-byte mode, or a u32).
                    bytes[at] = 0xfe;
                    break;
                default:
                    if (bytes.Count > 0)
                    {
                        bytes.RemoveRange(at, bytes.Count - at);
                    }

                    break;
            }
        }

        return [.. bytes];
    }
}
