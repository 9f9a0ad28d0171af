namespace Entropy.Synedrion;

/// <summary>synedrion 0.1.0 scheme parameters (<c>ProductionParams</c> or <c>TestParams</c>) and the integer widths they imply.</summary>
internal sealed class SynedrionParams
{
    private SynedrionParams(string name, int primeBits, int securityParameter, int lBound, int lpBound, int epsBound)
    {
        this.Name = name;
        this.PrimeBits = primeBits;
        this.SecurityParameter = securityParameter;
        this.LBound = lBound;
        this.LpBound = lpBound;
        this.EpsBound = epsBound;
    }

    /// <summary>Gets synedrion's <c>ProductionParams</c> (what Entropy's servers and wasm client use).</summary>
    public static SynedrionParams Production { get; } = new("ProductionParams", 1024, 80, 256, 256 * 5, 256 * 2);

    /// <summary>Gets synedrion's <c>TestParams</c> (weak; 260-bit primes; tests only).</summary>
    public static SynedrionParams Test { get; } = new("TestParams", 260, 10, 256, 256, 320);

    /// <summary>Gets the parameter set's name.</summary>
    public string Name { get; }

    /// <summary>Gets the size of each Paillier prime in bits.</summary>
    public int PrimeBits { get; }

    /// <summary>Gets κ, the number of repetitions in Π^mod and Π^prm and the size of rid/u/ρ in bits.</summary>
    public int SecurityParameter { get; }

    /// <summary>Gets ℓ.</summary>
    public int LBound { get; }

    /// <summary>Gets ℓ'.</summary>
    public int LpBound { get; }

    /// <summary>Gets ε.</summary>
    public int EpsBound { get; }

    /// <summary>Gets the width of <c>HalfUint</c> (a prime) in bytes.</summary>
    public int HalfBytes => this.PrimeBits == 1024 ? 128 : 64;

    /// <summary>Gets the width of <c>Uint</c> (the modulus N) in bytes.</summary>
    public int UintBytes => this.HalfBytes * 2;

    /// <summary>Gets the width of <c>WideUint</c> (N²) in bytes.</summary>
    public int WideBytes => this.HalfBytes * 4;

    /// <summary>Gets the width of <c>ExtraWideUint</c> in bytes.</summary>
    public int ExtraWideBytes => this.HalfBytes * 8;

    /// <summary>Gets the number of bytes of rid, u and ρ (ceil(κ/8)).</summary>
    public int RandomBytes => ((this.SecurityParameter - 1) / 8) + 1;

    /// <inheritdoc/>
    public override string ToString() => this.Name;
}
