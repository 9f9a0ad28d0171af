using System.Numerics;
using Entropy.Synedrion.Encoding;
using Entropy.Synedrion.Hashing;

namespace Entropy.Synedrion.Proofs;

/// <summary>
/// Π^mod (CGGMP'21 Fig. 16): N is a Paillier–Blum modulus. bincode <c>{ commitment: Uint (w), challenge: Vec&lt;Uint&gt; (y_i),
/// proof: Vec&lt;{ x: Uint, a: bool, b: bool, z: Uint }&gt; }</c>; y_i from SHAKE256("P_mod" ‖ aux) only.
/// </summary>
internal sealed class ModProof
{
    private ModProof(BigInteger w, BigInteger[] y, Element[] elements)
    {
        this.W = w;
        this.Y = y;
        this.Elements = elements;
    }

    /// <summary>Gets w (Jacobi symbol −1).</summary>
    public BigInteger W { get; }

    /// <summary>Gets the challenges y_i.</summary>
    public BigInteger[] Y { get; }

    /// <summary>Gets the responses.</summary>
    public Element[] Elements { get; }

    /// <summary>Proves that the key's modulus is Paillier–Blum.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="sk">The key.</param>
    /// <param name="aux">Chains the auxiliary data.</param>
    /// <returns>The proof.</returns>
    public static ModProof Prove(SynedrionParams parameters, PaillierSecretKey sk, Action<Transcript> aux)
    {
        var n = sk.PublicKey.Modulus;
        var y = ChallengeFor(parameters, aux, n);
        BigInteger w;
        do
        {
            w = BigInts.RandomBelow(n);
        }
        while (BigInts.Jacobi(w, n) != -1);

        var nInverse = BigInts.Inverse(n, sk.Totient);
        var atP = new PrimeHalf(sk.P, w, nInverse);
        var atQ = new PrimeHalf(sk.Q, w, nInverse);
        var elements = new Element[y.Length];
        for (int i = 0; i < y.Length; i++)
        {
            // g = y^e2 with e2 = ((p + 1)/4)² mod (p − 1) gives g⁴ = χ_p(y)·y (p ≡ 3 mod 4), so one power per prime tells whether y
            // is a square and, times the constant for (a, b), is the fourth root of v = (−1)^a·w^b·y: v^e2 = ((−1)^a·w^b)^e2·y^e2.
            var (gp, squareP) = atP.Root(y[i]);
            var (gq, squareQ) = atQ.Root(y[i]);

            // χ_p(v)·χ_q(v) = (−1)^b·χ_p(y)·χ_q(y), since χ_p(w)·χ_q(w) = Jacobi(w, N) = −1 and χ(−1) = −1 for both primes.
            bool b = squareP != squareQ;
            bool a = (b && !atP.WIsSquare) ? squareP : !squareP;
            var fp = atP.Fourth(gp, a, b);
            var fq = atQ.Fourth(gq, a, b);
            var z = sk.Join(atP.NthRoot(y[i]), atQ.NthRoot(y[i]));
            elements[i] = new Element(sk.Join(fp, fq), a, b, z);
        }

        return new ModProof(w, y, elements);
    }

    /// <summary>Reads a proof.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="parameters">The parameters.</param>
    /// <param name="field">The field name.</param>
    /// <returns>The proof.</returns>
    public static ModProof Read(BincodeReader reader, SynedrionParams parameters, string field)
    {
        int width = parameters.UintBytes;
        var w = reader.Uint(width, field + ".commitment");
        var y = new BigInteger[reader.SeqLength(field + ".challenge", width)];
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = reader.Uint(width, field + ".challenge");
        }

        var elements = new Element[reader.SeqLength(field + ".proof", (2 * width) + 2)];
        for (int i = 0; i < elements.Length; i++)
        {
            var x = reader.Uint(width, field + ".proof.x");
            bool a = reader.Bool(field + ".proof.a");
            bool b = reader.Bool(field + ".proof.b");
            var z = reader.Uint(width, field + ".proof.z");
            elements[i] = new Element(x, a, b, z);
        }

        return new ModProof(w, y, elements);
    }

    /// <summary>Writes the proof.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="parameters">The parameters.</param>
    public void Write(BincodeWriter writer, SynedrionParams parameters)
    {
        int width = parameters.UintBytes;
        writer.Uint(this.W, width);
        writer.SeqLength(this.Y.Length);
        foreach (var y in this.Y)
        {
            writer.Uint(y, width);
        }

        writer.SeqLength(this.Elements.Length);
        foreach (var e in this.Elements)
        {
            writer.Uint(e.X, width);
            writer.Bool(e.A);
            writer.Bool(e.B);
            writer.Uint(e.Z, width);
        }
    }

    /// <summary>Verifies the proof for modulus <paramref name="n"/>.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="n">The modulus.</param>
    /// <param name="aux">Chains the auxiliary data.</param>
    /// <returns>Whether valid.</returns>
    public bool Verify(SynedrionParams parameters, BigInteger n, Action<Transcript> aux)
    {
        int k = parameters.SecurityParameter;
        if (this.Y.Length != k || this.Elements.Length != k || n.IsEven || n < 3)
        {
            return false;
        }

        var y = ChallengeFor(parameters, aux, n);
        for (int i = 0; i < k; i++)
        {
            if (y[i] != this.Y[i])
            {
                return false;
            }
        }

        var w = BigInts.Mod(this.W, n);
        var context = new Montgomery(n);
        for (int i = 0; i < k; i++)
        {
            var e = this.Elements[i];
            var yi = BigInts.Mod(y[i], n);
            if (context.Pow(BigInts.Mod(e.Z, n), n) != yi)
            {
                return false;
            }

            var v = e.A ? BigInts.Mod(-yi, n) : yi;
            if (e.B)
            {
                v = v * w % n;
            }

            var x2 = BigInts.Mod(e.X, n);
            x2 = x2 * x2 % n;
            if (x2 * x2 % n != v)
            {
                return false;
            }
        }

        return true;
    }

    private static BigInteger[] ChallengeFor(SynedrionParams parameters, Action<Transcript> aux, BigInteger n)
    {
        var t = Transcript.Shake("P_mod");
        aux(t);
        var reader = t.FinishToReader();
        var y = new BigInteger[parameters.SecurityParameter];
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = reader.Below(n);
        }

        return y;
    }

    /// <summary>The prover's work modulo one prime factor p ≡ 3 (mod 4): fourth roots and N-th roots by fixed-window powers.</summary>
    private sealed class PrimeHalf
    {
        private readonly BigInteger prime;
        private readonly int bits;
        private readonly BigInteger rootExponent;
        private readonly BigInteger nthRootExponent;
        private readonly BigInteger[] factors; // ((−1)^a·w^b)^e2 mod p for (a, b) = (0,0), (0,1), (1,0), (1,1)

        public PrimeHalf(BigInteger prime, BigInteger w, BigInteger nInverse)
        {
            this.prime = prime;
            this.bits = (int)prime.GetBitLength();
            var quarter = (prime + 1) >> 2;
            this.rootExponent = quarter * quarter % (prime - 1);
            this.nthRootExponent = nInverse % (prime - 1);
            var minusOne = this.Power(prime - 1, this.rootExponent);
            var wRoot = this.Power(BigInts.Mod(w, prime), this.rootExponent);
            this.factors = [BigInteger.One, wRoot, minusOne, minusOne * wRoot % prime];
            this.WIsSquare = PaillierSecretKey.SqrtModBlumPrime(w, prime) is not null;
        }

        /// <summary>Gets whether w is a square modulo this prime.</summary>
        public bool WIsSquare { get; }

        /// <summary>Returns g = y^e2 mod p and whether y is a square mod p (g⁴ = y; y ≡ 0 counts as a square).</summary>
        public (BigInteger Root, bool IsSquare) Root(BigInteger y)
        {
            var yp = BigInts.Mod(y, this.prime);
            var g = this.Power(yp, this.rootExponent);
            var g2 = g * g % this.prime;
            return (g, g2 * g2 % this.prime == yp);
        }

        /// <summary>Returns the fourth root of (−1)^a·w^b·y mod p from g = y^e2.</summary>
        public BigInteger Fourth(BigInteger g, bool a, bool b) => g * this.factors[(a ? 2 : 0) + (b ? 1 : 0)] % this.prime;

        /// <summary>Returns y^(N⁻¹ mod φ(N)) mod p.</summary>
        public BigInteger NthRoot(BigInteger y) => this.Power(BigInts.Mod(y, this.prime), this.nthRootExponent);

        private BigInteger Power(BigInteger value, BigInteger exponent) => ModExp.PowSecret(value, exponent, this.prime, this.bits);
    }

    /// <summary>One response: x (a fourth root), the sign/w flags a, b, and z = y^(N⁻¹ mod φ).</summary>
    /// <param name="X">x.</param>
    /// <param name="A">a.</param>
    /// <param name="B">b.</param>
    /// <param name="Z">z.</param>
    internal readonly record struct Element(BigInteger X, bool A, bool B, BigInteger Z);
}
