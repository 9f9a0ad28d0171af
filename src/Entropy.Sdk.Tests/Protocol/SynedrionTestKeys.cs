using System.Numerics;
using System.Security.Cryptography;
using Entropy.Synedrion;
using Entropy.Synedrion.KeyGen;

namespace Entropy.Tests.Protocol;

/// <summary>Runs a synedrion key generation of <c>n</c> parties in memory (no transport, no session layer), for tests that need KeyShares.</summary>
internal static class SynedrionTestKeys
{
    /// <summary>Runs the three rounds for every party and returns their shares (the caller disposes them).</summary>
    /// <param name="parameters">TestParams (fast: 260-bit primes) or ProductionParams.</param>
    /// <param name="n">The number of parties.</param>
    /// <param name="primes">A safe-prime source (the fixture list for ProductionParams), or null to search.</param>
    /// <returns>The shares, in party order.</returns>
    public static KeyShare[] Generate(SynedrionParams parameters, int n, Func<int, BigInteger>? primes = null)
    {
        var seed = RandomNumberGenerator.GetBytes(32);
        var parties = Enumerable.Range(0, n).Select(i => new KeyGenParty(parameters, seed, n, i, primes)).ToArray();
        var round1 = parties.Select(p => p.Round1Broadcast()).ToArray();
        ForEachPair(n, (to, from) => parties[to].ReceiveRound1(from, round1[from]));
        var round2 = parties.Select(p => p.Round2Broadcast()).ToArray();
        ForEachPair(n, (to, from) => parties[to].ReceiveRound2(from, round2[from]));
        var round3 = parties.Select(p => p.Round3Broadcast()).ToArray();
        ForEachPair(n, (to, from) => parties[to].ReceiveRound3Broadcast(from, round3[from]));
        ForEachPair(n, (to, from) => parties[to].ReceiveRound3Direct(from, parties[from].Round3Direct(to)));
        return [.. parties.Select(p => p.Finish())];
    }

    private static void ForEachPair(int n, Action<int, int> deliver)
    {
        for (int to = 0; to < n; to++)
        {
            for (int from = 0; from < n; from++)
            {
                if (from != to)
                {
                    deliver(to, from);
                }
            }
        }
    }
}
