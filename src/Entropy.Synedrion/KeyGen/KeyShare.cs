using System.Numerics;
using Entropy.Synedrion.Encoding;
using NBitcoin.Secp256k1;

namespace Entropy.Synedrion.KeyGen;

/// <summary>A party's public auxiliary info <c>PublicAuxInfo { el_gamal_pk, paillier_pk, rp_params }</c>.</summary>
internal sealed record PublicAuxInfo(CurvePoint ElGamalPublic, PaillierPublicKey PaillierPublic, RingPedersen RingPedersen);

/// <summary>
/// synedrion 0.1.0 <c>KeyShare&lt;P&gt;</c>: <c>{ index: u32, secret_share: Scalar, public_shares: Vec&lt;Point&gt;,
/// secret_aux: { paillier_sk: { p, q }, el_gamal_sk: Scalar }, public_aux: Vec&lt;PublicAuxInfo&gt; }</c> — the bytes entropy-tss stores.
/// Holds secrets: <see cref="ToString"/> is redacted; <see cref="Dispose"/> clears the scalars.
/// </summary>
internal sealed class KeyShare : IDisposable
{
    private Scalar secretShare;
    private Scalar elGamalSecret;

    /// <summary>Creates a share.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="index">The party index.</param>
    /// <param name="secretShare">x_i.</param>
    /// <param name="publicShares">X_j for all parties.</param>
    /// <param name="paillierSecret">The party's Paillier key.</param>
    /// <param name="elGamalSecret">y_i.</param>
    /// <param name="publicAux">All parties' public aux info.</param>
    public KeyShare(SynedrionParams parameters, uint index, Scalar secretShare, CurvePoint[] publicShares, PaillierSecretKey paillierSecret, Scalar elGamalSecret, PublicAuxInfo[] publicAux)
    {
        this.Parameters = parameters;
        this.Index = index;
        this.secretShare = secretShare;
        this.PublicShares = publicShares;
        this.PaillierSecret = paillierSecret;
        this.elGamalSecret = elGamalSecret;
        this.PublicAux = publicAux;
    }

    /// <summary>Gets the parameters.</summary>
    public SynedrionParams Parameters { get; }

    /// <summary>Gets the party index.</summary>
    public uint Index { get; }

    /// <summary>Gets the secret share x_i (secret).</summary>
    public Scalar SecretShare => this.secretShare;

    /// <summary>Gets the ElGamal secret y_i (secret).</summary>
    public Scalar ElGamalSecret => this.elGamalSecret;

    /// <summary>Gets the public shares.</summary>
    public CurvePoint[] PublicShares { get; }

    /// <summary>Gets the Paillier secret key (secret).</summary>
    public PaillierSecretKey PaillierSecret { get; }

    /// <summary>Gets every party's public aux info.</summary>
    public PublicAuxInfo[] PublicAux { get; }

    /// <summary>Gets the verifying key Σ X_j.</summary>
    public CurvePoint VerifyingKey => CurvePoint.Sum(this.PublicShares);

    /// <summary>Decodes <c>bincode(KeyShare&lt;P&gt;)</c>.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <param name="parameters">The parameters (ProductionParams for Entropy).</param>
    /// <returns>The share.</returns>
    /// <exception cref="SynedrionFormatException">The bytes are not a valid share.</exception>
    public static KeyShare FromBytes(ReadOnlyMemory<byte> bytes, SynedrionParams parameters)
    {
        var r = new BincodeReader(bytes, "KeyShare");
        uint index = r.U32("index");
        var secret = Scalars.Read(r, "secret_share");
        var publicShares = KeyRefreshData.ReadPoints(r, "public_shares");
        var paillier = PaillierSecretKey.Read(r, parameters, "secret_aux.paillier_sk");
        var elGamal = Scalars.Read(r, "secret_aux.el_gamal_sk");
        var aux = new PublicAuxInfo[r.SeqLength("public_aux", 41 + (3 * parameters.UintBytes))];
        for (int i = 0; i < aux.Length; i++)
        {
            var y = CurvePoint.Read(r, "public_aux.el_gamal_pk");
            var pk = PaillierPublicKey.Read(r, parameters, "public_aux.paillier_pk");
            var rp = RingPedersen.Read(r, parameters, pk.Modulus, "public_aux.rp_params");
            aux[i] = new PublicAuxInfo(y, pk, rp);
        }

        r.End();
        if (publicShares.Length == 0 || index >= publicShares.Length || aux.Length != publicShares.Length)
        {
            throw new SynedrionFormatException($"Malformed KeyShare: index {index}, {publicShares.Length} public shares and {aux.Length} aux entries are inconsistent.");
        }

        if (CurvePoint.FromSecret(secret) != publicShares[index])
        {
            throw new SynedrionFormatException("Malformed KeyShare: the secret share does not match its public share.");
        }

        return new KeyShare(parameters, index, secret, publicShares, paillier, elGamal, aux);
    }

    /// <summary>Encodes <c>bincode(KeyShare&lt;P&gt;)</c>.</summary>
    /// <returns>The bytes (contain secrets: clear them after use).</returns>
    public byte[] ToBytes()
    {
        var w = new BincodeWriter();
        w.U32(this.Index);
        Scalars.Write(w, this.secretShare);
        KeyRefreshData.WritePoints(w, this.PublicShares);
        this.PaillierSecret.Write(w, this.Parameters);
        Scalars.Write(w, this.elGamalSecret);
        w.SeqLength(this.PublicAux.Length);
        foreach (var aux in this.PublicAux)
        {
            aux.ElGamalPublic.Write(w);
            aux.PaillierPublic.Write(w, this.Parameters);
            aux.RingPedersen.Write(w, this.Parameters);
        }

        return w.ToArray();
    }

    /// <summary>Clears the secret scalars held by this object.</summary>
    public void Dispose()
    {
        this.secretShare = Scalar.Zero;
        this.elGamalSecret = Scalar.Zero;
    }

    /// <inheritdoc/>
    public override string ToString() => $"KeyShare(index {this.Index} of {this.PublicShares.Length}, verifying key {this.VerifyingKey}, secrets redacted)";
}
