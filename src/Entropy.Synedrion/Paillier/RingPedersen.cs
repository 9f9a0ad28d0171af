using System.Numerics;
using Entropy.Synedrion.Encoding;
using Entropy.Synedrion.Hashing;

namespace Entropy.Synedrion;

/// <summary>Ring-Pedersen parameters (N, s, t) with s = t^λ mod N; bincode <c>{ base: Uint (t), power: Uint (s) }</c>.</summary>
internal sealed class RingPedersen
{
    /// <summary>Creates parameters.</summary>
    /// <param name="modulus">N (from the owner's Paillier key).</param>
    /// <param name="baseT">t.</param>
    /// <param name="powerS">s.</param>
    public RingPedersen(BigInteger modulus, BigInteger baseT, BigInteger powerS)
    {
        this.Modulus = modulus;
        this.Base = baseT;
        this.Power = powerS;
    }

    /// <summary>Gets N.</summary>
    public BigInteger Modulus { get; }

    /// <summary>Gets t.</summary>
    public BigInteger Base { get; }

    /// <summary>Gets s.</summary>
    public BigInteger Power { get; }

    /// <summary>Generates parameters and their secret λ for a Paillier key: t = r² for a random unit r, λ uniform mod φ(N), s = t^λ.</summary>
    /// <param name="sk">The owner's Paillier key.</param>
    /// <param name="lambda">The secret exponent λ.</param>
    /// <returns>The parameters.</returns>
    public static RingPedersen Generate(PaillierSecretKey sk, out BigInteger lambda)
    {
        var n = sk.PublicKey.Modulus;
        var r = BigInts.RandomUnit(n);
        var t = r * r % n;
        lambda = BigInts.RandomBelow(sk.Totient);
        var s = sk.PowModN(t, lambda);
        return new RingPedersen(n, t, s);
    }

    /// <summary>Reads parameters for a known modulus.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="parameters">The parameters.</param>
    /// <param name="modulus">N of the same party.</param>
    /// <param name="field">The field name.</param>
    /// <returns>The parameters.</returns>
    public static RingPedersen Read(BincodeReader reader, SynedrionParams parameters, BigInteger modulus, string field)
    {
        var t = reader.Uint(parameters.UintBytes, field + ".base");
        var s = reader.Uint(parameters.UintBytes, field + ".power");
        return new RingPedersen(modulus, t, s);
    }

    /// <summary>Writes (base, power).</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="parameters">The parameters.</param>
    public void Write(BincodeWriter writer, SynedrionParams parameters)
    {
        writer.Uint(this.Base, parameters.UintBytes);
        writer.Uint(this.Power, parameters.UintBytes);
    }

    /// <summary>Chains (base, power) as full-width big-endian integers.</summary>
    /// <param name="transcript">The transcript.</param>
    /// <param name="parameters">The parameters.</param>
    public void Hash(Transcript transcript, SynedrionParams parameters) =>
        transcript.Uint(this.Base, parameters.UintBytes).Uint(this.Power, parameters.UintBytes);

    /// <summary>Computes s^m · t^ρ mod N for signed exponents.</summary>
    /// <param name="m">The exponent of s.</param>
    /// <param name="rho">The exponent of t.</param>
    /// <returns>The commitment.</returns>
    public BigInteger Commit(BigInteger m, BigInteger rho) =>
        BigInts.PowSigned(this.Power, m, this.Modulus) * BigInts.PowSigned(this.Base, rho, this.Modulus) % this.Modulus;

    /// <summary>Computes s^m · t^ρ mod N for secret signed exponents (fixed-window powers over public bounds of their bits).</summary>
    /// <param name="m">The exponent of s.</param>
    /// <param name="mBits">A public bound of |m|'s bits.</param>
    /// <param name="rho">The exponent of t.</param>
    /// <param name="rhoBits">A public bound of |ρ|'s bits.</param>
    /// <returns>The commitment.</returns>
    public BigInteger CommitSecret(BigInteger m, int mBits, BigInteger rho, int rhoBits) =>
        BigInts.PowSignedSecret(this.Power, m, this.Modulus, mBits) * BigInts.PowSignedSecret(this.Base, rho, this.Modulus, rhoBits) % this.Modulus;
}
