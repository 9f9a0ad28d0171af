using System.Globalization;
using System.Numerics;

namespace Entropy.Synedrion;

/// <summary>
/// Test-only: a fixed list of public, pre-generated safe primes handed out in turn (testdata/synedrion/safe-primes-1024.txt), so test
/// suites run ProductionParams key generations without the prime search. Primes from a public list give no secrecy: never use it for a
/// real key (production code searches fresh primes, or takes them from a <see cref="SafePrimePool"/>).
/// </summary>
internal static class SafePrimeList
{
    /// <summary>Reads primes written one per line as hexadecimal (empty lines skipped) and checks their size.</summary>
    /// <param name="text">The text.</param>
    /// <param name="bits">The size every prime must have.</param>
    /// <returns>The primes.</returns>
    /// <exception cref="FormatException">A line is not hexadecimal, or not an odd number of <paramref name="bits"/> bits.</exception>
    public static IReadOnlyList<BigInteger> Parse(string text, int bits)
    {
        ArgumentNullException.ThrowIfNull(text);
        var primes = new List<BigInteger>();
        foreach (var (line, number) in text.Split('\n').Select((l, i) => (l.Trim(), i + 1)))
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (!BigInteger.TryParse("0" + line, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var prime) || prime.GetBitLength() != bits || prime.IsEven)
            {
                throw new FormatException($"Line {number} of the safe-prime list is not an odd {bits}-bit number in hexadecimal.");
            }

            primes.Add(prime);
        }

        return primes.Count >= 2 ? primes : throw new FormatException($"A safe-prime list needs at least two primes; it has {primes.Count}.");
    }

    /// <summary>Returns a prime source that hands out <paramref name="primes"/> in turn, from a random start, across threads.</summary>
    /// <param name="primes">At least two primes.</param>
    /// <returns>The source; asking it for another size searches inline.</returns>
    public static Func<int, BigInteger> Cycle(IReadOnlyList<BigInteger> primes)
    {
        ArgumentNullException.ThrowIfNull(primes);
        ArgumentOutOfRangeException.ThrowIfLessThan(primes.Count, 2);
        var bits = (int)primes[0].GetBitLength();
        var next = System.Security.Cryptography.RandomNumberGenerator.GetInt32(primes.Count);
        return size => size == bits ? primes[(int)((uint)Interlocked.Increment(ref next) % (uint)primes.Count)] : SafePrimes.Generate(size);
    }
}
