using System.Numerics;
using Entropy.Synedrion.Encoding;
using Entropy.Synedrion.Hashing;

namespace Entropy.Synedrion.Proofs;

/// <summary>
/// Π^prm (CGGMP'21 Fig. 17): the prover knows λ with s = t^λ mod N. κ repetitions; challenge bits from SHAKE256;
/// bincode <c>{ commitment: Vec&lt;Uint&gt;, challenge: Vec&lt;bool&gt;, proof: Vec&lt;Bounded&lt;Uint&gt;&gt; }</c>.
/// </summary>
internal sealed class PrmProof
{
    private PrmProof(BigInteger[] commitment, bool[] challenge, BoundedInt[] response)
    {
        this.Commitment = commitment;
        this.ChallengeBits = challenge;
        this.Response = response;
    }

    /// <summary>Gets A_i = t^{a_i}.</summary>
    public BigInteger[] Commitment { get; }

    /// <summary>Gets e_i.</summary>
    public bool[] ChallengeBits { get; }

    /// <summary>Gets z_i.</summary>
    public BoundedInt[] Response { get; }

    /// <summary>Proves knowledge of λ.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="sk">The Paillier key behind N.</param>
    /// <param name="lambda">λ.</param>
    /// <param name="setup">(N, s, t).</param>
    /// <param name="aux">Chains the auxiliary data.</param>
    /// <returns>The proof.</returns>
    public static PrmProof Prove(SynedrionParams parameters, PaillierSecretKey sk, BigInteger lambda, RingPedersen setup, Action<Transcript> aux)
    {
        int k = parameters.SecurityParameter;
        var a = new BigInteger[k];
        var commitment = new BigInteger[k];
        for (int i = 0; i < k; i++)
        {
            a[i] = BigInts.RandomBelow(sk.Totient);
            commitment[i] = sk.PowModN(setup.Base, a[i]);
        }

        var e = ChallengeFor(parameters, aux, commitment);
        var z = new BoundedInt[k];
        int modulusBits = 2 * parameters.PrimeBits;
        for (int i = 0; i < k; i++)
        {
            z[i] = e[i]
                ? BoundedInt.Of((a[i] + lambda) % sk.Totient, BigInts.BitLength(sk.Totient))
                : BoundedInt.Of(a[i], modulusBits);
        }

        return new PrmProof(commitment, e, z);
    }

    /// <summary>Reads a proof.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="parameters">The parameters.</param>
    /// <param name="field">The field name.</param>
    /// <returns>The proof.</returns>
    public static PrmProof Read(BincodeReader reader, SynedrionParams parameters, string field)
    {
        int w = parameters.UintBytes;
        var commitment = new BigInteger[reader.SeqLength(field + ".commitment", w)];
        for (int i = 0; i < commitment.Length; i++)
        {
            commitment[i] = reader.Uint(w, field + ".commitment");
        }

        var bits = new bool[reader.SeqLength(field + ".challenge", 1)];
        for (int i = 0; i < bits.Length; i++)
        {
            bits[i] = reader.Bool(field + ".challenge");
        }

        var z = new BoundedInt[reader.SeqLength(field + ".proof", 12)];
        for (int i = 0; i < z.Length; i++)
        {
            z[i] = BoundedInt.Read(reader, w, field + ".proof");
        }

        return new PrmProof(commitment, bits, z);
    }

    /// <summary>Writes the proof.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="parameters">The parameters.</param>
    public void Write(BincodeWriter writer, SynedrionParams parameters)
    {
        writer.SeqLength(this.Commitment.Length);
        foreach (var c in this.Commitment)
        {
            writer.Uint(c, parameters.UintBytes);
        }

        writer.SeqLength(this.ChallengeBits.Length);
        foreach (bool b in this.ChallengeBits)
        {
            writer.Bool(b);
        }

        writer.SeqLength(this.Response.Length);
        foreach (var z in this.Response)
        {
            z.Write(writer);
        }
    }

    /// <summary>Chains the proof as synedrion hashes it (challenge then responses; not the commitment).</summary>
    /// <param name="t">The transcript.</param>
    /// <param name="parameters">The parameters.</param>
    public void Hash(Transcript t, SynedrionParams parameters)
    {
        t.U32((uint)this.ChallengeBits.Length);
        foreach (bool b in this.ChallengeBits)
        {
            t.U8(b ? (byte)1 : (byte)0);
        }

        t.U32((uint)this.Response.Length);
        foreach (var z in this.Response)
        {
            z.Hash(t, parameters.UintBytes);
        }
    }

    /// <summary>Verifies the proof against (N, s, t).</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="setup">(N, s, t).</param>
    /// <param name="aux">Chains the auxiliary data.</param>
    /// <returns>Whether valid.</returns>
    public bool Verify(SynedrionParams parameters, RingPedersen setup, Action<Transcript> aux)
    {
        int k = parameters.SecurityParameter;
        if (this.Commitment.Length != k || this.ChallengeBits.Length != k || this.Response.Length != k)
        {
            return false;
        }

        var e = ChallengeFor(parameters, aux, this.Commitment);
        if (!e.AsSpan().SequenceEqual(this.ChallengeBits))
        {
            return false;
        }

        var n = setup.Modulus;
        if (n.Sign <= 0 || n.IsEven || n.IsOne)
        {
            return false; // a Paillier modulus is odd (the decoder already refuses others)
        }

        // κ powers of the same base t with public exponents: the base's powers are shared (FixedBasePowers).
        int maxBits = this.Response.Max(z => (int)z.Value.GetBitLength());
        var powers = new FixedBasePowers(new Montgomery(n), BigInts.Mod(setup.Base, n), maxBits);
        for (int i = 0; i < k; i++)
        {
            var left = powers.Pow(this.Response[i].Value);
            var a = BigInts.Mod(this.Commitment[i], n);
            var right = e[i] ? a * BigInts.Mod(setup.Power, n) % n : a;
            if (left != right)
            {
                return false;
            }
        }

        return true;
    }

    private static bool[] ChallengeFor(SynedrionParams parameters, Action<Transcript> aux, BigInteger[] commitment)
    {
        var t = Transcript.Shake("P_prm");
        aux(t);
        t.U32((uint)commitment.Length);
        foreach (var c in commitment)
        {
            t.Uint(c, parameters.UintBytes);
        }

        var bytes = new byte[parameters.SecurityParameter];
        t.FinishToReader().Read(bytes);
        return [.. bytes.Select(b => (b & 1) == 1)];
    }
}
