using System.Numerics;
using Entropy.Synedrion.Encoding;
using Entropy.Synedrion.Hashing;

namespace Entropy.Synedrion.Proofs;

/// <summary>
/// Π^fac (CGGMP'21 Fig. 28): N0 = p·q has no small factor, against the verifier's ring-Pedersen (N̂, s, t).
/// bincode <c>{ P, Q, A, B, T: Uint; sigma: Signed&lt;XWide&gt;; z1, z2, omega1, omega2: Signed&lt;Wide&gt;; v: Signed&lt;XWide&gt; }</c>.
/// The challenge e ∈ [−q, q] comes from SHAKE256("P_fac" ‖ aux) alone.
/// </summary>
internal sealed class FacProof
{
    private FacProof(BigInteger[] commitments, SignedInt sigma, SignedInt z1, SignedInt z2, SignedInt omega1, SignedInt omega2, SignedInt v)
    {
        this.Commitments = commitments;
        this.Sigma = sigma;
        this.Z1 = z1;
        this.Z2 = z2;
        this.Omega1 = omega1;
        this.Omega2 = omega2;
        this.V = v;
    }

    /// <summary>Gets P, Q, A, B, T.</summary>
    public BigInteger[] Commitments { get; }

    /// <summary>Gets σ.</summary>
    public SignedInt Sigma { get; }

    /// <summary>Gets z1.</summary>
    public SignedInt Z1 { get; }

    /// <summary>Gets z2.</summary>
    public SignedInt Z2 { get; }

    /// <summary>Gets ω1.</summary>
    public SignedInt Omega1 { get; }

    /// <summary>Gets ω2.</summary>
    public SignedInt Omega2 { get; }

    /// <summary>Gets v.</summary>
    public SignedInt V { get; }

    /// <summary>Proves that the prover's N0 = p·q has no small factors.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="sk">The prover's Paillier key (p, q).</param>
    /// <param name="setup">The verifier's (N̂, s, t).</param>
    /// <param name="aux">Chains the auxiliary data.</param>
    /// <returns>The proof.</returns>
    public static FacProof Prove(SynedrionParams parameters, PaillierSecretKey sk, RingPedersen setup, Action<Transcript> aux)
    {
        var e = ChallengeFor(aux);
        var n0 = sk.PublicKey.Modulus;
        var nHat = setup.Modulus;
        int l = parameters.LBound, le = parameters.LBound + parameters.EpsBound;
        var sqrtN0 = BigInteger.One << (parameters.PrimeBits - 1);

        var alpha = BigInts.RandomSymmetric(sqrtN0 << le);
        var beta = BigInts.RandomSymmetric(sqrtN0 << le);
        var mu = BigInts.RandomSymmetric(nHat << l);
        var nu = BigInts.RandomSymmetric(nHat << l);
        var sigma = BigInts.RandomSymmetric((n0 * nHat) << l);
        var r = BigInts.RandomSymmetric((n0 * nHat) << le);
        var x = BigInts.RandomSymmetric(nHat << le);
        var y = BigInts.RandomSymmetric(nHat << le);

        var p = sk.P;
        var q = sk.Q;
        // Secret exponents: fixed-window powers over the sampling ranges' public sizes.
        int pBits = parameters.PrimeBits, hatBits = (int)nHat.GetBitLength(), n0HatBits = (int)(n0 * nHat).GetBitLength();
        var capP = setup.CommitSecret(p, pBits, mu, hatBits + l);
        var capQ = setup.CommitSecret(q, pBits, nu, hatBits + l);
        var capA = setup.CommitSecret(alpha, pBits - 1 + le, x, hatBits + le);
        var capB = setup.CommitSecret(beta, pBits - 1 + le, y, hatBits + le);
        var capT = BigInts.PowSignedSecret(capQ, alpha, nHat, pBits - 1 + le) * BigInts.PowSignedSecret(setup.Base, r, nHat, n0HatBits + le) % nHat;

        var sigmaHat = sigma - (nu * p);

        // Declared bounds: fixed upper bounds of each range (|e| < 2^256 ≤ 2^ε), so the encoded lengths do not depend on the values.
        int pb = parameters.PrimeBits;
        return new FacProof(
            [capP, capQ, capA, capB, capT],
            SignedInt.Of(sigma, l + (4 * pb)),
            SignedInt.Of(alpha + (e * p), le + pb + 1),
            SignedInt.Of(beta + (e * q), le + pb + 1),
            SignedInt.Of(x + (e * mu), le + (2 * pb) + 1),
            SignedInt.Of(y + (e * nu), le + (2 * pb) + 1),
            SignedInt.Of(r + (e * sigmaHat), le + (4 * pb) + 2));
    }

    /// <summary>Reads a proof.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="parameters">The parameters.</param>
    /// <param name="field">The field name.</param>
    /// <returns>The proof.</returns>
    public static FacProof Read(BincodeReader reader, SynedrionParams parameters, string field)
    {
        var c = new BigInteger[5];
        string[] names = ["cap_p", "cap_q", "cap_a", "cap_b", "cap_t"];
        for (int i = 0; i < 5; i++)
        {
            c[i] = reader.Uint(parameters.UintBytes, $"{field}.{names[i]}");
        }

        var sigma = SignedInt.Read(reader, parameters.ExtraWideBytes, field + ".sigma");
        var z1 = SignedInt.Read(reader, parameters.WideBytes, field + ".z1");
        var z2 = SignedInt.Read(reader, parameters.WideBytes, field + ".z2");
        var o1 = SignedInt.Read(reader, parameters.WideBytes, field + ".omega1");
        var o2 = SignedInt.Read(reader, parameters.WideBytes, field + ".omega2");
        var v = SignedInt.Read(reader, parameters.ExtraWideBytes, field + ".v");
        return new FacProof(c, sigma, z1, z2, o1, o2, v);
    }

    /// <summary>Writes the proof.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="parameters">The parameters.</param>
    public void Write(BincodeWriter writer, SynedrionParams parameters)
    {
        foreach (var c in this.Commitments)
        {
            writer.Uint(c, parameters.UintBytes);
        }

        this.Sigma.Write(writer);
        this.Z1.Write(writer);
        this.Z2.Write(writer);
        this.Omega1.Write(writer);
        this.Omega2.Write(writer);
        this.V.Write(writer);
    }

    /// <summary>Verifies the proof for the prover's modulus <paramref name="n0"/> against the verifier's own (N̂, s, t).</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="n0">The prover's Paillier modulus.</param>
    /// <param name="setup">The verifier's ring-Pedersen parameters.</param>
    /// <param name="aux">Chains the auxiliary data.</param>
    /// <returns>Whether valid.</returns>
    public bool Verify(SynedrionParams parameters, BigInteger n0, RingPedersen setup, Action<Transcript> aux)
    {
        var e = ChallengeFor(aux);
        var nHat = setup.Modulus;
        var capP = BigInts.Mod(this.Commitments[0], nHat);
        var capQ = BigInts.Mod(this.Commitments[1], nHat);
        var capA = BigInts.Mod(this.Commitments[2], nHat);
        var capB = BigInts.Mod(this.Commitments[3], nHat);
        var capT = BigInts.Mod(this.Commitments[4], nHat);

        // s^{z1} t^{ω1} = A·P^e
        if (setup.Commit(this.Z1.Value, this.Omega1.Value) != capA * BigInts.PowSigned(capP, e, nHat) % nHat)
        {
            return false;
        }

        // s^{z2} t^{ω2} = B·Q^e
        if (setup.Commit(this.Z2.Value, this.Omega2.Value) != capB * BigInts.PowSigned(capQ, e, nHat) % nHat)
        {
            return false;
        }

        // Q^{z1} t^{v} = T·R^e with R = s^{N0} t^{σ}
        var capR = setup.Commit(n0, this.Sigma.Value);
        var left = BigInts.PowSigned(capQ, this.Z1.Value, nHat) * BigInts.PowSigned(setup.Base, this.V.Value, nHat) % nHat;
        if (left != capT * BigInts.PowSigned(capR, e, nHat) % nHat)
        {
            return false;
        }

        int rangeBits = parameters.LBound + parameters.EpsBound + parameters.PrimeBits - 1;
        return this.Z1.InRangeBits(rangeBits) && this.Z2.InRangeBits(rangeBits);
    }

    private static BigInteger ChallengeFor(Action<Transcript> aux)
    {
        var t = Transcript.Shake("P_fac");
        aux(t);
        var q = Scalars.Order;
        return t.FinishToReader().Below((q << 1) + 1) - q;
    }
}
