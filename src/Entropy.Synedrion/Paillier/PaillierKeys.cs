using System.Numerics;
using Entropy.Synedrion.Encoding;

namespace Entropy.Synedrion;

/// <summary>A Paillier public key N (bincode <c>{ modulus: Uint }</c>) with N² precomputed.</summary>
internal sealed class PaillierPublicKey
{
    /// <summary>Creates the key.</summary>
    /// <param name="modulus">N.</param>
    public PaillierPublicKey(BigInteger modulus)
    {
        this.Modulus = modulus;
        this.ModulusSquared = modulus * modulus;
    }

    /// <summary>Gets N.</summary>
    public BigInteger Modulus { get; }

    /// <summary>Gets N².</summary>
    public BigInteger ModulusSquared { get; }

    /// <summary>Reads the key.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="parameters">The parameters (widths).</param>
    /// <param name="field">The field name.</param>
    /// <returns>The key.</returns>
    public static PaillierPublicKey Read(BincodeReader reader, SynedrionParams parameters, string field)
    {
        var n = reader.Uint(parameters.UintBytes, field + ".modulus");
        if (n < 3 || n.IsEven)
        {
            throw reader.Fail($"{field}: the Paillier modulus must be odd and greater than 2");
        }

        return new PaillierPublicKey(n);
    }

    /// <summary>Writes the key.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="parameters">The parameters.</param>
    public void Write(BincodeWriter writer, SynedrionParams parameters) => writer.Uint(this.Modulus, parameters.UintBytes);

    /// <summary>Encrypts a plaintext in [0, N) with randomizer ρ: (1 + mN)·ρ^N mod N².</summary>
    /// <param name="plaintext">The plaintext.</param>
    /// <param name="randomizer">ρ ∈ Z*_N.</param>
    /// <returns>The ciphertext.</returns>
    public BigInteger Encrypt(BigInteger plaintext, BigInteger randomizer)
    {
        var n2 = this.ModulusSquared;
        var first = BigInts.Mod(1 + (plaintext * this.Modulus), n2);
        // Public exponent N: the sliding window's schedule follows N only (the randomizer is the secret here).
        return first * ModExp.Pow(BigInts.Mod(randomizer, n2), this.Modulus, n2) % n2;
    }

    /// <summary>Encrypts with a fresh random randomizer.</summary>
    /// <param name="plaintext">The plaintext.</param>
    /// <returns>The ciphertext.</returns>
    public BigInteger Encrypt(BigInteger plaintext) => this.Encrypt(plaintext, BigInts.RandomUnit(this.Modulus));

    /// <inheritdoc/>
    public override string ToString() => $"PaillierPublicKey({BigInts.BitLength(this.Modulus)} bits)";
}

/// <summary>
/// A Paillier secret key: safe primes p, q (bincode <c>{ p: HalfUint, q: HalfUint }</c>) with precomputed φ(N) and CRT data.
/// Secret: never logged; <see cref="ToString"/> is redacted. <see cref="BigInteger"/> is immutable, so the values cannot be
/// wiped from memory (documented limitation); byte buffers used for encoding are cleared.
/// </summary>
internal sealed class PaillierSecretKey
{
    /// <summary>Creates the key from its primes.</summary>
    /// <param name="p">A safe prime.</param>
    /// <param name="q">Another safe prime.</param>
    public PaillierSecretKey(BigInteger p, BigInteger q)
    {
        this.P = p;
        this.Q = q;
        this.PublicKey = new PaillierPublicKey(p * q);
        this.Totient = (p - 1) * (q - 1);
        this.InverseTotientModN = BigInts.Inverse(this.Totient, this.PublicKey.Modulus);
        this.QInverseModP = BigInts.Inverse(q, p);
        this.PSquared = p * p;
        this.QSquared = q * q;
        this.HP = BigInts.Inverse(p - q, p); // ((p − 1)·q)⁻¹ ≡ (−q)⁻¹ ≡ (p − q)⁻¹ (mod p): L_p((1 + N)^(p−1) mod p²)⁻¹
        this.HQ = BigInts.Inverse(q - p, q);
    }

    /// <summary>Gets p.</summary>
    public BigInteger P { get; }

    /// <summary>Gets q.</summary>
    public BigInteger Q { get; }

    /// <summary>Gets the public key.</summary>
    public PaillierPublicKey PublicKey { get; }

    /// <summary>Gets φ(N) = (p − 1)(q − 1).</summary>
    public BigInteger Totient { get; }

    /// <summary>Gets φ(N)⁻¹ mod N.</summary>
    public BigInteger InverseTotientModN { get; }

    private BigInteger QInverseModP { get; }

    private BigInteger PSquared { get; }

    private BigInteger QSquared { get; }

    private BigInteger HP { get; }

    private BigInteger HQ { get; }

    /// <summary>Generates a key with two fresh safe primes of <see cref="SynedrionParams.PrimeBits"/> bits.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="primeSource">Where the safe primes come from (a pool or fresh generation); null = generate now.</param>
    /// <returns>The key.</returns>
    public static PaillierSecretKey Generate(SynedrionParams parameters, Func<int, BigInteger>? primeSource = null)
    {
        while (true)
        {
            BigInteger p, q;
            if (primeSource is null)
            {
                // The two searches are independent: run them side by side (halves the wall time on a machine with a free core).
                var other = Task.Run(() => SafePrimes.Generate(parameters.PrimeBits));
                p = SafePrimes.Generate(parameters.PrimeBits);
                q = other.GetAwaiter().GetResult();
            }
            else
            {
                p = primeSource(parameters.PrimeBits);
                q = primeSource(parameters.PrimeBits);
            }

            if (p != q)
            {
                return new PaillierSecretKey(p, q);
            }
        }
    }

    /// <summary>Reads the key (p, q) and checks it is usable.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="parameters">The parameters.</param>
    /// <param name="field">The field name.</param>
    /// <returns>The key.</returns>
    public static PaillierSecretKey Read(BincodeReader reader, SynedrionParams parameters, string field)
    {
        var p = reader.Uint(parameters.HalfBytes, field + ".p");
        var q = reader.Uint(parameters.HalfBytes, field + ".q");
        if (p < 3 || q < 3 || p.IsEven || q.IsEven || p == q || !BigInteger.GreatestCommonDivisor(p, q).IsOne)
        {
            throw reader.Fail($"{field}: p and q must be distinct odd primes");
        }

        try
        {
            return new PaillierSecretKey(p, q);
        }
        catch (ArithmeticException)
        {
            throw reader.Fail($"{field}: φ(N) is not invertible modulo N (p and q are not a Paillier key)");
        }
    }

    /// <summary>Writes the key.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="parameters">The parameters.</param>
    public void Write(BincodeWriter writer, SynedrionParams parameters)
    {
        writer.Uint(this.P, parameters.HalfBytes);
        writer.Uint(this.Q, parameters.HalfBytes);
    }

    /// <summary>
    /// Decrypts to [0, N) by CRT: m_p = L_p(c^(p−1) mod p²)·h_p mod p with L_p(x) = (x − 1)/p and h_p = ((p − 1)·q)⁻¹ mod p
    /// (likewise for q), joined mod N — the same m as L(c^φ mod N²)·φ⁻¹ mod N for every ciphertext that is a unit mod N², at a
    /// quarter of the cost. (A non-unit ciphertext, which no honest encryption gives, decrypts to some value; the caller's check of
    /// the plaintext then fails.)
    /// </summary>
    /// <param name="ciphertext">The ciphertext.</param>
    /// <returns>The plaintext.</returns>
    public BigInteger Decrypt(BigInteger ciphertext)
    {
        var c = BigInts.Mod(ciphertext, this.PublicKey.ModulusSquared);
        var mp = this.DecryptHalf(c, this.P, this.PSquared, this.HP);
        var mq = this.DecryptHalf(c, this.Q, this.QSquared, this.HQ);
        return this.Join(mp, mq);
    }

    /// <summary>Computes x^e mod N via CRT (e ≥ 0; a secret exponent: fixed-window powers).</summary>
    /// <param name="x">The base.</param>
    /// <param name="e">The exponent.</param>
    /// <returns>The power.</returns>
    public BigInteger PowModN(BigInteger x, BigInteger e)
    {
        var xp = ModExp.PowSecret(BigInts.Mod(x, this.P), e % (this.P - 1), this.P, (int)this.P.GetBitLength());
        var xq = ModExp.PowSecret(BigInts.Mod(x, this.Q), e % (this.Q - 1), this.Q, (int)this.Q.GetBitLength());
        return this.Join(xp, xq);
    }

    /// <summary>Combines residues mod p and mod q into the residue mod N.</summary>
    /// <param name="xp">x mod p.</param>
    /// <param name="xq">x mod q.</param>
    /// <returns>x mod N.</returns>
    public BigInteger Join(BigInteger xp, BigInteger xq)
    {
        var h = BigInts.Mod((xp - xq) * this.QInverseModP, this.P);
        return xq + (h * this.Q);
    }

    /// <summary>Returns the square root of <paramref name="x"/> modulo the prime <paramref name="prime"/> (≡ 3 mod 4) that is itself a square, or null.</summary>
    /// <param name="x">The value.</param>
    /// <param name="prime">p or q.</param>
    /// <returns>The root or null.</returns>
    public static BigInteger? SqrtModBlumPrime(BigInteger x, BigInteger prime)
    {
        var xr = BigInts.Mod(x, prime);
        var root = ModExp.PowSecret(xr, (prime + 1) >> 2, prime, (int)prime.GetBitLength());
        return root * root % prime == xr ? root : null;
    }

    /// <inheritdoc/>
    public override string ToString() => "PaillierSecretKey(redacted)";

    private BigInteger DecryptHalf(BigInteger c, BigInteger prime, BigInteger primeSquared, BigInteger h)
    {
        var u = ModExp.PowSecret(c % primeSquared, prime - 1, primeSquared, (int)prime.GetBitLength());
        return BigInts.Mod((u - 1) / prime * h, prime);
    }
}
