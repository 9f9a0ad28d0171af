using System.Numerics;
using System.Security.Cryptography;

namespace Entropy.Synedrion;

/// <summary>
/// Safe-prime generation (p = 2q + 1, p and q prime, p of exactly the requested size): an incremental sieve that removes
/// candidates where q or 2q + 1 has a small factor, a base-2 Fermat filter on q, Miller–Rabin on q, then Pocklington's
/// criterion for p (with q prime and q &gt; √p, 2^(p−1) ≡ 1 and gcd(2² − 1, p) = 1 prove p prime).
/// </summary>
internal static class SafePrimes
{
    private const int SieveLimit = 1 << 19;
    private const int Window = 1 << 15;

    private static readonly int[] SmallPrimes = BuildSmallPrimes(SieveLimit);

    /// <summary>Gets the odd primes below the sieve limit.</summary>
    public static ReadOnlySpan<int> OddSmallPrimes => SmallPrimes;

    /// <summary>Generates a safe prime of exactly <paramref name="bits"/> bits.</summary>
    /// <param name="bits">The size (≥ 16).</param>
    /// <param name="cancellationToken">Stops the search.</param>
    /// <returns>The prime.</returns>
    public static BigInteger Generate(int bits, CancellationToken cancellationToken = default)
    {
        if (bits < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(bits));
        }

        var residues = new int[SmallPrimes.Length];
        var composite = new bool[Window];
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // q has bits − 1 bits with its top two bits set (so p = 2q + 1 keeps exactly `bits` bits across the window) and q odd.
            var q0 = RandomOdd(bits - 1);
            for (int i = 0; i < SmallPrimes.Length; i++)
            {
                residues[i] = (int)(q0 % SmallPrimes[i]);
            }

            Array.Clear(composite);
            for (int i = 0; i < SmallPrimes.Length; i++)
            {
                int r = SmallPrimes[i];
                int half = (r - 1) / 2;

                // Candidate k is q0 + 2k. Strike k with (q0 + 2k) ≡ 0 or ≡ (r − 1)/2 (mod r), i.e. r | q or r | 2q + 1.
                int inv2 = (r + 1) / 2;
                StrikeProgression(composite, (int)((long)(r - residues[i]) * inv2 % r), r);
                StrikeProgression(composite, (int)((long)((half - residues[i] + r) % r) * inv2 % r), r);
            }

            for (int k = 0; k < Window; k++)
            {
                if (composite[k])
                {
                    continue;
                }

                var q = q0 + (2 * k);
                if (!MontgomeryFermat.PowerOfTwoIsOne(q, q - 1))
                {
                    continue;
                }

                var p = (q << 1) + 1;
                if (BigInts.BitLength(p) != bits || !MontgomeryFermat.PowerOfTwoIsOne(p, p - 1))
                {
                    continue;
                }

                // Re-checked with BigInteger arithmetic: Miller–Rabin on q, then Pocklington's 2^(p−1) ≡ 1 (mod p).
                if (IsProbablePrime(q, 24) && ModExp.Pow(2, p - 1, p).IsOne)
                {
                    return p;
                }
            }
        }
    }

    /// <summary>Miller–Rabin with random bases (after base 2).</summary>
    /// <param name="n">The candidate.</param>
    /// <param name="rounds">The number of rounds.</param>
    /// <returns>Whether n is probably prime.</returns>
    public static bool IsProbablePrime(BigInteger n, int rounds)
    {
        if (n < 2)
        {
            return false;
        }

        foreach (int sp in SmallPrimes.AsSpan(0, 64))
        {
            if (n == sp)
            {
                return true;
            }

            if ((n % sp).IsZero)
            {
                return false;
            }
        }

        if (n.IsEven)
        {
            return n == 2;
        }

        var d = n - 1;
        int s = 0;
        while (d.IsEven)
        {
            d >>= 1;
            s++;
        }

        for (int round = 0; round < rounds; round++)
        {
            var a = round == 0 ? new BigInteger(2) : 2 + BigInts.RandomBelow(n - 3);
            var x = ModExp.Pow(a, d, n);
            if (x.IsOne || x == n - 1)
            {
                continue;
            }

            bool witness = true;
            for (int i = 1; i < s; i++)
            {
                x = x * x % n;
                if (x == n - 1)
                {
                    witness = false;
                    break;
                }
            }

            if (witness)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Returns whether <paramref name="p"/> is a safe prime of exactly <paramref name="bits"/> bits (probabilistic).</summary>
    /// <param name="p">The candidate.</param>
    /// <param name="bits">The required size.</param>
    /// <returns>Whether it is.</returns>
    public static bool IsSafePrime(BigInteger p, int bits) =>
        BigInts.BitLength(p) == bits && !p.IsEven && IsProbablePrime((p - 1) >> 1, 24) && ModExp.Pow(2, p - 1, p).IsOne && p % 3 != 0;

    private static void StrikeProgression(bool[] composite, int start, int step)
    {
        for (int k = start; k < composite.Length; k += step)
        {
            composite[k] = true;
        }
    }

    private static BigInteger RandomOdd(int bits)
    {
        int bytes = (bits + 7) / 8;
        var buffer = new byte[bytes];
        RandomNumberGenerator.Fill(buffer);
        int excess = (bytes * 8) - bits;
        buffer[0] &= (byte)(0xFF >> excess);
        var value = BigInts.FromBigEndian(buffer);
        CryptographicOperations.ZeroMemory(buffer);
        value |= BigInteger.One << (bits - 1);
        value |= BigInteger.One << (bits - 2);
        value |= BigInteger.One;
        return value;
    }

    private static int[] BuildSmallPrimes(int limit)
    {
        var sieve = new bool[limit];
        var primes = new List<int>();
        for (int i = 3; i < limit; i += 2)
        {
            if (sieve[i])
            {
                continue;
            }

            primes.Add(i);
            for (long j = (long)i * i; j < limit; j += 2L * i)
            {
                sieve[j] = true;
            }
        }

        return [.. primes];
    }
}
