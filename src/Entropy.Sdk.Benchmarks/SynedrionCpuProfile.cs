using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using Entropy.Synedrion;
using Entropy.Synedrion.Hashing;
using Entropy.Synedrion.KeyGen;
using Entropy.Synedrion.Proofs;

namespace Entropy.Benchmarks;

/// <summary>
/// CPU time (not wall time) per synedrion operation, for a machine shared with other work where BenchmarkDotNet's wall-clock
/// figures mostly measure the wait for a core: each operation runs <c>repeat</c> times on this thread and the thread's CPU time
/// is divided by that. Single-threaded code only (the safe-prime search and key generation below run on this thread).
/// Run: dotnet run -c Release --project src/Entropy.Sdk.Benchmarks -- --synedrion-cpu [safe-prime count]
/// </summary>
internal static class SynedrionCpuProfile
{
    private static readonly Action<Transcript> Aux = t => t.U32(7);

    /// <summary>Runs the profile and prints one line per operation.</summary>
    /// <param name="safePrimes">How many safe primes to generate (their cost varies by luck: more give a steadier mean).</param>
    public static void Run(int safePrimes)
    {
        var parameters = SynedrionParams.Production;
        var primes = File.ReadAllLines(TestData.Path("synedrion", "safe-primes-1024.txt")).Where(l => l.Length > 0)
            .Select(l => BigInteger.Parse("0" + l, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
        var prover = new PaillierSecretKey(primes[0], primes[1]);
        var verifier = new PaillierSecretKey(primes[2], primes[3]);
        var proverSetup = RingPedersen.Generate(prover, out var lambda);
        var verifierSetup = RingPedersen.Generate(verifier, out _);
        var prm = PrmProof.Prove(parameters, prover, lambda, proverSetup, Aux);
        var mod = ModProof.Prove(parameters, prover, Aux);
        var fac = FacProof.Prove(parameters, prover, verifierSetup, Aux);
        var ciphertext = verifier.PublicKey.Encrypt(12345);

        foreach (int bits in new[] { 1024, 2048, 4096 })
        {
            var m = Random(bits) | BigInteger.One | (BigInteger.One << (bits - 1));
            var b = Random(bits) % m;
            var e = Random(Math.Min(bits, 2048));
            Measure($"BigInteger.ModPow {bits}-bit modulus, {Math.Min(bits, 2048)}-bit exponent", 20, () => BigInteger.ModPow(b, e, m));
            Measure($"ModExp.Pow {bits}-bit modulus, {Math.Min(bits, 2048)}-bit exponent", 20, () => ModExp.Pow(b, e, m));
            Measure($"ModExp.PowSecret {bits}-bit modulus, {Math.Min(bits, 2048)}-bit exponent", 20, () => ModExp.PowSecret(b, e, m, bits));
        }

        Measure("Π^prm prove", 3, () => PrmProof.Prove(parameters, prover, lambda, proverSetup, Aux));
        Measure("Π^prm verify", 3, () => Check(prm.Verify(parameters, proverSetup, Aux)));
        Measure("Π^mod prove", 3, () => ModProof.Prove(parameters, prover, Aux));
        Measure("Π^mod verify", 3, () => Check(mod.Verify(parameters, prover.PublicKey.Modulus, Aux)));
        Measure("Π^fac prove", 3, () => FacProof.Prove(parameters, prover, verifierSetup, Aux));
        Measure("Π^fac verify", 3, () => Check(fac.Verify(parameters, prover.PublicKey.Modulus, verifierSetup, Aux)));
        Measure("Paillier encrypt (N², 4096-bit)", 5, () => verifier.PublicKey.Encrypt(12345));
        Measure("Paillier decrypt", 5, () => Check(verifier.Decrypt(ciphertext) == 12345));
        Measure("ring-Pedersen setup", 5, () => RingPedersen.Generate(prover, out _));
        int next = 0;
        Measure("key generation, 2 parties, ready primes (per party)", 2, () => TwoParties(_ => primes[next++ % primes.Length]), perOp: 2);
        Measure("key generation, 3 parties, own primes searched inline (per party)", 1, () => Parties(3, null), perOp: 3);
        if (safePrimes > 0)
        {
            Measure("safe prime, 1024 bits", safePrimes, () => SafePrimes.Generate(1024));
        }
    }

    /// <summary>Generates safe primes only and prints the mean CPU time per prime.</summary>
    /// <param name="count">How many.</param>
    public static void SafePrimesOnly(int count) => Measure("safe prime, 1024 bits", count, () => SafePrimes.Generate(1024));

    private static void Check(bool ok)
    {
        if (!ok)
        {
            throw new InvalidOperationException("A proof did not verify.");
        }
    }

    private static void Measure(string name, int repeat, Action action, int perOp = 1)
    {
        action(); // JIT and first-use costs outside the measurement
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        for (int i = 0; i < repeat; i++)
        {
            action();
        }

        double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / repeat / perOp;
        double wallMs = wall.Elapsed.TotalMilliseconds / repeat / perOp;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-62} {cpuMs,10:F1} ms CPU {wallMs,10:F1} ms wall  (×{repeat})"));
    }

    private static void TwoParties(Func<int, BigInteger>? primes) => Parties(2, primes);

    /// <summary>One key generation of <paramref name="n"/> parties in this process, every message delivered in turn.</summary>
    private static void Parties(int n, Func<int, BigInteger>? primes)
    {
        var p = SynedrionParams.Production;
        var sr = RandomNumberGenerator.GetBytes(32);
        var parties = Enumerable.Range(0, n).Select(i => new KeyGenParty(p, sr, n, i, primes)).ToArray();
        Exchange(n, i => parties[i].Round1Broadcast(), (i, j, m) => parties[i].ReceiveRound1(j, m));
        Exchange(n, i => parties[i].Round2Broadcast(), (i, j, m) => parties[i].ReceiveRound2(j, m));
        Exchange(n, i => parties[i].Round3Broadcast(), (i, j, m) => parties[i].ReceiveRound3Broadcast(j, m));
        for (int from = 0; from < n; from++)
        {
            for (int to = 0; to < n; to++)
            {
                if (to != from)
                {
                    parties[to].ReceiveRound3Direct(from, parties[from].Round3Direct(to));
                }
            }
        }

        foreach (var party in parties)
        {
            party.Finish().Dispose();
        }
    }

    private static void Exchange<T>(int n, Func<int, T> send, Action<int, int, T> receive)
    {
        var sent = Enumerable.Range(0, n).Select(send).ToArray();
        for (int to = 0; to < n; to++)
        {
            for (int from = 0; from < n; from++)
            {
                if (to != from)
                {
                    receive(to, from, sent[from]);
                }
            }
        }
    }

    private static BigInteger Random(int bits)
    {
        var bytes = RandomNumberGenerator.GetBytes((bits + 7) / 8);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true) >> ((bytes.Length * 8) - bits);
    }
}
