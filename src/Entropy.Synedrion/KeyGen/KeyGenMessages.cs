using System.Numerics;
using Entropy.Synedrion.Encoding;
using Entropy.Synedrion.Hashing;
using Entropy.Synedrion.Proofs;

namespace Entropy.Synedrion.KeyGen;

/// <summary>KeyInit's round-2 data <c>FullData { rid, public (X), commitment (A), u }</c>.</summary>
internal sealed record KeyInitData(byte[] Rid, CurvePoint Public, CurvePoint Commitment, byte[] U)
{
    /// <summary>Reads the data.</summary>
    /// <param name="r">The reader.</param>
    /// <param name="p">The parameters.</param>
    /// <returns>The data.</returns>
    public static KeyInitData Read(BincodeReader r, SynedrionParams p) =>
        new(RandomBits(r, p, "key_init.rid"), CurvePoint.Read(r, "key_init.public"), CurvePoint.Read(r, "key_init.commitment"), RandomBits(r, p, "key_init.u"));

    /// <summary>Reads κ random bits (rid, u, ρ), exactly ceil(κ/8) bytes as every synedrion party sends.</summary>
    /// <param name="r">The reader.</param>
    /// <param name="p">The parameters.</param>
    /// <param name="field">The field name.</param>
    /// <returns>The bytes.</returns>
    public static byte[] RandomBits(BincodeReader r, SynedrionParams p, string field)
    {
        var bytes = r.Bytes(field);
        return bytes.Length == p.RandomBytes ? bytes : throw r.Fail($"{field}: {bytes.Length} bytes, expected {p.RandomBytes}");
    }

    /// <summary>Writes the data.</summary>
    /// <param name="w">The writer.</param>
    public void Write(BincodeWriter w)
    {
        w.Bytes(this.Rid);
        this.Public.Write(w);
        this.Commitment.Write(w);
        w.Bytes(this.U);
    }

    /// <summary>Computes the round-1 commitment hash V_i.</summary>
    /// <param name="sharedRandomness">The session's shared randomness.</param>
    /// <param name="party">The owner's index.</param>
    /// <returns>32 bytes.</returns>
    public byte[] Hash(byte[] sharedRandomness, uint party) =>
        Transcript.Sha256("KeyInit").Bytes(sharedRandomness).U32(party)
            .Bytes(this.Rid).Point(this.Public).Point(this.Commitment).Bytes(this.U).Finish();
}

/// <summary>KeyRefresh's round-2 data <c>FullData</c> (aux info): X_i^j, A_i^j, Y_i, B_i, N_i, (s_i, t_i), ψ̂_i, ρ_i, u_i.</summary>
internal sealed record KeyRefreshData(
    CurvePoint[] XsPublic,
    CurvePoint[] SchCommitmentsX,
    CurvePoint ElGamalPublic,
    CurvePoint ElGamalCommitment,
    PaillierPublicKey PaillierPublic,
    RingPedersen RingPedersen,
    PrmProof PrmProof,
    byte[] Rho,
    byte[] U)
{
    /// <summary>Reads the data.</summary>
    /// <param name="r">The reader.</param>
    /// <param name="p">The parameters.</param>
    /// <returns>The data.</returns>
    public static KeyRefreshData Read(BincodeReader r, SynedrionParams p)
    {
        var xs = ReadPoints(r, "key_refresh.xs_public");
        var a = ReadPoints(r, "key_refresh.sch_commitments_x");
        var y = CurvePoint.Read(r, "key_refresh.el_gamal_pk");
        var b = CurvePoint.Read(r, "key_refresh.el_gamal_commitment");
        var pk = PaillierPublicKey.Read(r, p, "key_refresh.paillier_pk");
        var rp = RingPedersen.Read(r, p, pk.Modulus, "key_refresh.rp_params");
        var prm = PrmProof.Read(r, p, "key_refresh.prm_proof");
        var rho = KeyInitData.RandomBits(r, p, "key_refresh.rho_bits");
        var u = KeyInitData.RandomBits(r, p, "key_refresh.u_bits");
        return new KeyRefreshData(xs, a, y, b, pk, rp, prm, rho, u);
    }

    /// <summary>Writes the data.</summary>
    /// <param name="w">The writer.</param>
    /// <param name="p">The parameters.</param>
    public void Write(BincodeWriter w, SynedrionParams p)
    {
        WritePoints(w, this.XsPublic);
        WritePoints(w, this.SchCommitmentsX);
        this.ElGamalPublic.Write(w);
        this.ElGamalCommitment.Write(w);
        this.PaillierPublic.Write(w, p);
        this.RingPedersen.Write(w, p);
        this.PrmProof.Write(w, p);
        w.Bytes(this.Rho);
        w.Bytes(this.U);
    }

    /// <summary>Computes the round-1 commitment hash V_i ("Auxiliary").</summary>
    /// <param name="p">The parameters.</param>
    /// <param name="sharedRandomness">The shared randomness.</param>
    /// <param name="party">The owner's index.</param>
    /// <returns>32 bytes.</returns>
    public byte[] Hash(SynedrionParams p, byte[] sharedRandomness, uint party)
    {
        var t = Transcript.Sha256("Auxiliary").Bytes(sharedRandomness).U32(party);
        HashPoints(t, this.XsPublic);
        HashPoints(t, this.SchCommitmentsX);
        t.Point(this.ElGamalPublic).Point(this.ElGamalCommitment).Uint(this.PaillierPublic.Modulus, p.UintBytes);
        this.RingPedersen.Hash(t, p);
        this.PrmProof.Hash(t, p);
        return t.Bytes(this.Rho).Bytes(this.U).Finish();
    }

    /// <summary>Reads a Vec&lt;Point&gt;.</summary>
    /// <param name="r">The reader.</param>
    /// <param name="field">The field name.</param>
    /// <returns>The points.</returns>
    public static CurvePoint[] ReadPoints(BincodeReader r, string field)
    {
        var points = new CurvePoint[r.SeqLength(field, 41)];
        for (int i = 0; i < points.Length; i++)
        {
            points[i] = CurvePoint.Read(r, field);
        }

        return points;
    }

    /// <summary>Writes a Vec&lt;Point&gt;.</summary>
    /// <param name="w">The writer.</param>
    /// <param name="points">The points.</param>
    public static void WritePoints(BincodeWriter w, IReadOnlyList<CurvePoint> points)
    {
        w.SeqLength(points.Count);
        foreach (var point in points)
        {
            point.Write(w);
        }
    }

    private static void HashPoints(Transcript t, CurvePoint[] points)
    {
        t.U32((uint)points.Length);
        foreach (var point in points)
        {
            t.Point(point);
        }
    }
}

/// <summary>KeyRefresh's round-3 direct message <c>FullData2 { mod_proof, fac_proof, sch_proof_y, paillier_enc_x, sch_proof_x }</c>.</summary>
internal sealed record KeyRefreshDirect(ModProof ModProof, FacProof FacProof, SchProof SchProofY, BigInteger EncryptedX, SchProof SchProofX)
{
    /// <summary>Reads the message.</summary>
    /// <param name="r">The reader.</param>
    /// <param name="p">The parameters.</param>
    /// <returns>The message.</returns>
    public static KeyRefreshDirect Read(BincodeReader r, SynedrionParams p) =>
        new(
            ModProof.Read(r, p, "mod_proof"),
            FacProof.Read(r, p, "fac_proof"),
            SchProof.Read(r, "sch_proof_y"),
            r.Uint(p.WideBytes, "paillier_enc_x"),
            SchProof.Read(r, "sch_proof_x"));

    /// <summary>Writes the message.</summary>
    /// <param name="w">The writer.</param>
    /// <param name="p">The parameters.</param>
    public void Write(BincodeWriter w, SynedrionParams p)
    {
        this.ModProof.Write(w, p);
        this.FacProof.Write(w, p);
        this.SchProofY.Write(w);
        w.Uint(this.EncryptedX, p.WideBytes);
        this.SchProofX.Write(w);
    }
}
