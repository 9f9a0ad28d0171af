using Entropy.Synedrion.Encoding;
using Entropy.Synedrion.Hashing;
using NBitcoin.Secp256k1;

namespace Entropy.Synedrion.Proofs;

/// <summary>Π^sch (CGGMP'21 Fig. 22): knowledge of x with X = x·G, commitment A = α·G; bincode <c>{ challenge: Scalar, proof: Scalar }</c>.</summary>
internal sealed class SchProof
{
    private SchProof(Scalar challenge, Scalar response)
    {
        this.Challenge = challenge;
        this.Response = response;
    }

    /// <summary>Gets e.</summary>
    public Scalar Challenge { get; }

    /// <summary>Gets z = α + e·x.</summary>
    public Scalar Response { get; }

    /// <summary>Proves knowledge of <paramref name="secret"/>.</summary>
    /// <param name="alpha">The commitment secret α (A = α·G).</param>
    /// <param name="secret">x.</param>
    /// <param name="commitment">A.</param>
    /// <param name="publicPoint">X.</param>
    /// <param name="aux">Chains the auxiliary data.</param>
    /// <returns>The proof.</returns>
    public static SchProof Prove(in Scalar alpha, in Scalar secret, CurvePoint commitment, CurvePoint publicPoint, Action<Transcript> aux)
    {
        var e = ChallengeFor(aux, publicPoint, commitment);
        return new SchProof(e, alpha.Add(e.Multiply(secret)));
    }

    /// <summary>Reads a proof.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="field">The field name.</param>
    /// <returns>The proof.</returns>
    public static SchProof Read(BincodeReader reader, string field) =>
        new(Scalars.Read(reader, field + ".challenge"), Scalars.Read(reader, field + ".proof"));

    /// <summary>Writes the proof.</summary>
    /// <param name="writer">The writer.</param>
    public void Write(BincodeWriter writer)
    {
        Scalars.Write(writer, this.Challenge);
        Scalars.Write(writer, this.Response);
    }

    /// <summary>Verifies the proof.</summary>
    /// <param name="commitment">A.</param>
    /// <param name="publicPoint">X.</param>
    /// <param name="aux">Chains the auxiliary data.</param>
    /// <returns>Whether valid.</returns>
    public bool Verify(CurvePoint commitment, CurvePoint publicPoint, Action<Transcript> aux)
    {
        var e = ChallengeFor(aux, publicPoint, commitment);
        if (e != this.Challenge)
        {
            return false;
        }

        var left = CurvePoint.FromSecret(this.Response);
        return left == commitment + publicPoint.MultiplyPublic(e);
    }

    private static Scalar ChallengeFor(Action<Transcript> aux, CurvePoint publicPoint, CurvePoint commitment)
    {
        var t = Transcript.Sha256("P_sch");
        aux(t);
        return t.Point(publicPoint).Point(commitment).FinishToScalar();
    }
}
