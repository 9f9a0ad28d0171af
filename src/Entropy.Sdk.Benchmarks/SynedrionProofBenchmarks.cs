using System.Globalization;
using System.Numerics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Entropy.Synedrion;
using Entropy.Synedrion.Hashing;
using Entropy.Synedrion.Proofs;

namespace Entropy.Benchmarks;

/// <summary>
/// Where a synedrion key generation's CPU goes (ProductionParams, 2048-bit Paillier moduli from the fixture primes): each proof's
/// prover and verifier, Paillier encryption/decryption, ring-Pedersen setup. A party proves Π^prm and Π^mod once, Π^fac and one
/// encryption per peer, and verifies Π^prm, Π^mod, Π^fac and decrypts once per peer.
/// Run: dotnet run -c Release --project src/Entropy.Sdk.Benchmarks -- --filter '*SynedrionProofBenchmarks*'
/// </summary>
[Config(typeof(Config))]
public class SynedrionProofBenchmarks
{
    private static readonly Action<Transcript> Aux = t => t.U32(7);
    private readonly SynedrionParams parameters = SynedrionParams.Production;
    private PaillierSecretKey prover = null!;
    private PaillierSecretKey verifier = null!;
    private RingPedersen proverSetup = null!;
    private RingPedersen verifierSetup = null!;
    private BigInteger lambda;
    private PrmProof prm = null!;
    private ModProof mod = null!;
    private FacProof fac = null!;
    private BigInteger ciphertext;

    /// <summary>Two Paillier keys from the fixture primes, their ring-Pedersen parameters and one proof of each kind.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var primes = File.ReadAllLines(TestData.Path("synedrion", "safe-primes-1024.txt")).Where(l => l.Length > 0)
            .Select(l => BigInteger.Parse("0" + l, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
        this.prover = new PaillierSecretKey(primes[0], primes[1]);
        this.verifier = new PaillierSecretKey(primes[2], primes[3]);
        this.proverSetup = RingPedersen.Generate(this.prover, out this.lambda);
        this.verifierSetup = RingPedersen.Generate(this.verifier, out _);
        this.prm = PrmProof.Prove(this.parameters, this.prover, this.lambda, this.proverSetup, Aux);
        this.mod = ModProof.Prove(this.parameters, this.prover, Aux);
        this.fac = FacProof.Prove(this.parameters, this.prover, this.verifierSetup, Aux);
        this.ciphertext = this.Encrypt();
    }

    /// <summary>Π^prm prover (κ = 80 powers t^a mod N; the prover knows p, q).</summary>
    /// <returns>The proof.</returns>
    [Benchmark]
    public object PrmProve() => PrmProof.Prove(this.parameters, this.prover, this.lambda, this.proverSetup, Aux);

    /// <summary>Π^prm verifier (κ = 80 powers t^z mod a peer's N).</summary>
    /// <returns>Whether valid.</returns>
    [Benchmark]
    public bool PrmVerify() => this.prm.Verify(this.parameters, this.proverSetup, Aux);

    /// <summary>Π^mod prover (κ = 80 fourth roots and N-th roots modulo N).</summary>
    /// <returns>The proof.</returns>
    [Benchmark]
    public object ModProve() => ModProof.Prove(this.parameters, this.prover, Aux);

    /// <summary>Π^mod verifier (κ = 80 powers z^N mod a peer's N).</summary>
    /// <returns>Whether valid.</returns>
    [Benchmark]
    public bool ModVerify() => this.mod.Verify(this.parameters, this.prover.PublicKey.Modulus, Aux);

    /// <summary>Π^fac prover (commitments with the peer's ring-Pedersen).</summary>
    /// <returns>The proof.</returns>
    [Benchmark]
    public object FacProve() => FacProof.Prove(this.parameters, this.prover, this.verifierSetup, Aux);

    /// <summary>Π^fac verifier.</summary>
    /// <returns>Whether valid.</returns>
    [Benchmark]
    public bool FacVerify() => this.fac.Verify(this.parameters, this.prover.PublicKey.Modulus, this.verifierSetup, Aux);

    /// <summary>Paillier encryption to a peer (ρ^N mod N², 4096-bit).</summary>
    /// <returns>The ciphertext.</returns>
    [Benchmark]
    public BigInteger Encrypt() => this.verifier.PublicKey.Encrypt(12345);

    /// <summary>Paillier decryption by the key owner.</summary>
    /// <returns>The plaintext.</returns>
    [Benchmark]
    public BigInteger Decrypt() => this.verifier.Decrypt(this.ciphertext);

    /// <summary>Ring-Pedersen parameters for a key (s = t^λ by CRT).</summary>
    /// <returns>The parameters.</returns>
    [Benchmark]
    public object RingPedersenSetup() => RingPedersen.Generate(this.prover, out _);

    private sealed class Config : ManualConfig
    {
        public Config() =>
            this.AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5)
                .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(20), logOutput: true)));
    }
}
