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
        var elements = new Element[y.Length];
        for (int i = 0; i < y.Length; i++)
        {
            Element? found = null;
            foreach (var (a, b) in new[] { (false, false), (false, true), (true, false), (true, true) })
            {
                var v = y[i];
                if (a)
                {
                    v = n - v;
                }

                if (b)
                {
                    v = v * w % n;
                }

                var rp = PaillierSecretKey.SqrtModBlumPrime(v, sk.P);
                var rq = PaillierSecretKey.SqrtModBlumPrime(v, sk.Q);
                if (rp is null || rq is null)
                {
                    continue;
                }

                // The roots returned are squares themselves (powers of a square), so they have square roots again.
                var fp = PaillierSecretKey.SqrtModBlumPrime(rp.Value, sk.P)!.Value;
                var fq = PaillierSecretKey.SqrtModBlumPrime(rq.Value, sk.Q)!.Value;
                found = new Element(sk.Join(fp, fq), a, b, sk.PowModN(y[i], nInverse));
            }

            elements[i] = found ?? throw new InvalidOperationException("The Paillier modulus is not a Blum integer.");
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
        for (int i = 0; i < k; i++)
        {
            var e = this.Elements[i];
            var yi = BigInts.Mod(y[i], n);
            if (BigInteger.ModPow(BigInts.Mod(e.Z, n), n, n) != yi)
            {
                return false;
            }

            var v = e.A ? BigInts.Mod(-yi, n) : yi;
            if (e.B)
            {
                v = v * w % n;
            }

            if (BigInteger.ModPow(BigInts.Mod(e.X, n), 4, n) != v)
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

    /// <summary>One response: x (a fourth root), the sign/w flags a, b, and z = y^(N⁻¹ mod φ).</summary>
    /// <param name="X">x.</param>
    /// <param name="A">a.</param>
    /// <param name="B">b.</param>
    /// <param name="Z">z.</param>
    internal readonly record struct Element(BigInteger X, bool A, bool B, BigInteger Z);
}
