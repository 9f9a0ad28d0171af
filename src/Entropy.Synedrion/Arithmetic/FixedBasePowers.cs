using System.Numerics;

namespace Entropy.Synedrion;

/// <summary>
/// Many powers of one base with public exponents (a verifier's t^z_1 … t^z_κ in Π^prm): the base's powers g^(2^(w·j)) are
/// computed once (as many squarings as one exponentiation), then each power takes one multiplication per non-zero w-bit digit
/// plus 2^w (Yao's method) instead of a squaring per exponent bit. Variable time: for public exponents only.
/// </summary>
internal sealed class FixedBasePowers
{
    private const int Window = 6;
    private readonly Montgomery context;
    private readonly BigInteger value;
    private readonly int maxBits;
    private readonly ulong[] powers; // digits × k limbs: g^(2^(w·j)) in Montgomery form

    /// <summary>Precomputes the powers of a base.</summary>
    /// <param name="context">The (odd) modulus.</param>
    /// <param name="value">The base (non-negative).</param>
    /// <param name="maxBits">The largest exponent size the table serves; larger exponents are computed with
    /// <see cref="ModExp.Pow(Montgomery, BigInteger, BigInteger)"/>.</param>
    public FixedBasePowers(Montgomery context, BigInteger value, int maxBits)
    {
        this.context = context;
        this.value = value;
        this.maxBits = Math.Max(maxBits, 1);
        int k = context.Limbs;
        int digits = (this.maxBits + Window - 1) / Window;
        this.powers = new ulong[digits * k];
        var scratch = new ulong[context.ScratchLength];
        context.ToMontgomery(value, this.powers.AsSpan(0, k), scratch);
        for (int j = 1; j < digits; j++)
        {
            var previous = this.powers.AsSpan((j - 1) * k, k);
            var current = this.powers.AsSpan(j * k, k);
            context.Square(previous, current, scratch);
            for (int s = 1; s < Window; s++)
            {
                context.Square(current, current, scratch);
            }
        }
    }

    /// <summary>Returns g^<paramref name="exponent"/> mod m.</summary>
    /// <param name="exponent">A non-negative (public) exponent.</param>
    /// <returns>The power.</returns>
    public BigInteger Pow(BigInteger exponent)
    {
        if (exponent.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(exponent), "The exponent must not be negative.");
        }

        if (exponent.GetBitLength() > this.maxBits)
        {
            return this.context.Pow(this.value, exponent);
        }

        int k = this.context.Limbs;
        int digits = this.powers.Length / k;
        var e = exponent.ToByteArray(isUnsigned: true, isBigEndian: false);
        var digit = new int[digits];
        for (int j = 0; j < digits; j++)
        {
            int position = j * Window;
            int v = 0;
            for (int b = 0; b < Window; b++)
            {
                int bit = position + b;
                if ((bit >> 3) < e.Length && (e[bit >> 3] & (1 << (bit & 7))) != 0)
                {
                    v |= 1 << b;
                }
            }

            digit[j] = v;
        }

        // Yao: for d = 2^w − 1 … 1, B ← B · Π_{digit_j = d} g^(2^(w·j)); A ← A · B. Then A = Π_j (g^(2^(w·j)))^digit_j.
        var a = new ulong[k];
        var b2 = new ulong[k];
        var scratch = new ulong[this.context.ScratchLength];
        bool aStarted = false, bStarted = false;
        for (int d = (1 << Window) - 1; d >= 1; d--)
        {
            for (int j = 0; j < digits; j++)
            {
                if (digit[j] != d)
                {
                    continue;
                }

                var power = this.powers.AsSpan(j * k, k);
                if (bStarted)
                {
                    this.context.Multiply(b2, power, b2, scratch);
                }
                else
                {
                    power.CopyTo(b2);
                    bStarted = true;
                }
            }

            if (!bStarted)
            {
                continue;
            }

            if (aStarted)
            {
                this.context.Multiply(a, b2, a, scratch);
            }
            else
            {
                b2.CopyTo(a.AsSpan());
                aStarted = true;
            }
        }

        return aStarted ? this.context.FromMontgomery(a, scratch) : BigInteger.One;
    }
}
