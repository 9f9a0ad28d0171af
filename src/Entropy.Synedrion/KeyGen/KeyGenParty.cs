using System.Numerics;
using Entropy.Synedrion.Encoding;
using Entropy.Synedrion.Hashing;
using Entropy.Synedrion.Proofs;
using NBitcoin.Secp256k1;

namespace Entropy.Synedrion.KeyGen;

/// <summary>
/// One party of synedrion 0.1.0's key generation (KeyInit ‖ KeyRefresh run side by side, CGGMP'21 Fig. 5 and Fig. 6) without
/// the session layer: round payloads in and out as the bincode synedrion puts inside a <c>SignedMessage</c>.
/// Any rejected input throws <see cref="SynedrionProtocolException"/> naming the sender's index.
/// </summary>
internal sealed class KeyGenParty
{
    private readonly SynedrionParams p;
    private readonly byte[] sr;
    private readonly int n;
    private readonly uint me;

    // KeyInit secrets and data.
    private Scalar x;
    private Scalar schAlpha;
    private readonly KeyInitData initData;

    // KeyRefresh secrets and data.
    private readonly PaillierSecretKey paillier;
    private Scalar elGamalSecret;
    private Scalar elGamalAlpha;
    private readonly Scalar[] xsSecret;
    private readonly Scalar[] xsAlpha;
    private readonly KeyRefreshData refreshData;

    private readonly byte[]?[] initHashes;
    private readonly byte[]?[] refreshHashes;
    private readonly KeyInitData?[] initDatas;
    private readonly KeyRefreshData?[] refreshDatas;
    private readonly bool[] schVerified;
    private readonly Scalar?[] received;
    private byte[]? rid;
    private byte[]? rho;
    private ModProof? modProof;
    private SchProof? schProofY;

    /// <summary>Creates the party and does round 1's work (Paillier key, ring-Pedersen, Π^prm).</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="sharedRandomness">The session's shared randomness.</param>
    /// <param name="parties">The number of parties.</param>
    /// <param name="index">This party's index.</param>
    /// <param name="primeSource">Source of safe primes (a pool); null generates them now.</param>
    public KeyGenParty(SynedrionParams parameters, byte[] sharedRandomness, int parties, int index, Func<int, BigInteger>? primeSource = null)
    {
        if (parties < 2 || index < 0 || index >= parties)
        {
            throw new ArgumentOutOfRangeException(nameof(index), "Need at least two parties and an index among them.");
        }

        this.p = parameters;
        this.sr = [.. sharedRandomness];
        this.n = parties;
        this.me = (uint)index;

        this.x = Scalars.Random();
        this.schAlpha = Scalars.Random();
        this.initData = new KeyInitData(
            RandomBytes(), CurvePoint.FromSecret(this.x), CurvePoint.FromSecret(this.schAlpha), RandomBytes());

        this.paillier = PaillierSecretKey.Generate(parameters, primeSource);
        this.elGamalSecret = Scalars.Random();
        this.elGamalAlpha = Scalars.Random();
        this.xsSecret = SplitZero(parties);
        this.xsAlpha = [.. Enumerable.Range(0, parties).Select(_ => Scalars.Random())];
        var rp = RingPedersen.Generate(this.paillier, out var lambda);
        var prm = PrmProof.Prove(parameters, this.paillier, lambda, rp, t => t.Bytes(this.sr).U32(this.me));
        this.refreshData = new KeyRefreshData(
            [.. this.xsSecret.Select(s => CurvePoint.FromSecret(s))],
            [.. this.xsAlpha.Select(s => CurvePoint.FromSecret(s))],
            CurvePoint.FromSecret(this.elGamalSecret),
            CurvePoint.FromSecret(this.elGamalAlpha),
            this.paillier.PublicKey,
            rp,
            prm,
            RandomBytes(),
            RandomBytes());

        this.initHashes = new byte[]?[parties];
        this.refreshHashes = new byte[]?[parties];
        this.initDatas = new KeyInitData?[parties];
        this.refreshDatas = new KeyRefreshData?[parties];
        this.schVerified = new bool[parties];
        this.received = new Scalar?[parties];
        this.initHashes[index] = this.initData.Hash(this.sr, this.me);
        this.refreshHashes[index] = this.refreshData.Hash(parameters, this.sr, this.me);
        this.initDatas[index] = this.initData;
        this.refreshDatas[index] = this.refreshData;
        this.schVerified[index] = true;
    }

    /// <summary>Gets this party's index.</summary>
    public int Index => (int)this.me;

    /// <summary>Gets the number of parties.</summary>
    public int Parties => this.n;

    /// <summary>Round 1 broadcast payload: (KeyInit hash, KeyRefresh hash).</summary>
    /// <returns>The bincode bytes.</returns>
    public byte[] Round1Broadcast()
    {
        var w = new BincodeWriter();
        w.Bytes(this.initHashes[this.me]);
        w.Bytes(this.refreshHashes[this.me]);
        return w.ToArray();
    }

    /// <summary>Accepts a round 1 broadcast.</summary>
    /// <param name="from">The sender.</param>
    /// <param name="payload">The payload.</param>
    public void ReceiveRound1(int from, ReadOnlyMemory<byte> payload) => Guard(from, 1, () =>
    {
        var r = new BincodeReader(payload, "round 1 broadcast");
        var a = r.FixedBytes("key_init.hash", 32).ToArray();
        var b = r.FixedBytes("key_refresh.hash", 32).ToArray();
        r.End();
        this.initHashes[from] = a;
        this.refreshHashes[from] = b;
    });

    /// <summary>Round 2 broadcast payload: (KeyInit FullData, KeyRefresh FullData).</summary>
    /// <returns>The bincode bytes.</returns>
    public byte[] Round2Broadcast()
    {
        var w = new BincodeWriter();
        this.initData.Write(w);
        this.refreshData.Write(w, this.p);
        return w.ToArray();
    }

    /// <summary>Accepts a round 2 broadcast: checks both hashes, the modulus size, Σ X = identity, and Π^prm.</summary>
    /// <param name="from">The sender.</param>
    /// <param name="payload">The payload.</param>
    public void ReceiveRound2(int from, ReadOnlyMemory<byte> payload) => Guard(from, 2, () =>
    {
        var r = new BincodeReader(payload, "round 2 broadcast");
        var init = KeyInitData.Read(r, this.p);
        var refresh = KeyRefreshData.Read(r, this.p);
        r.End();
        if (this.initHashes[from] is not { } ih || this.refreshHashes[from] is not { } rh)
        {
            throw new SynedrionProtocolException(from, 2, "round 2 data arrived before its round 1 commitment");
        }

        if (!init.Hash(this.sr, (uint)from).AsSpan().SequenceEqual(ih))
        {
            throw new SynedrionProtocolException(from, 2, "KeyInit data does not match the round 1 hash (R2HashMismatch)");
        }

        if (!refresh.Hash(this.p, this.sr, (uint)from).AsSpan().SequenceEqual(rh))
        {
            throw new SynedrionProtocolException(from, 2, "KeyRefresh data does not match the round 1 hash");
        }

        if (BigInts.BitLength(refresh.PaillierPublic.Modulus) < 8 * this.p.SecurityParameter)
        {
            throw new SynedrionProtocolException(from, 2, "Paillier modulus is too small");
        }

        if (refresh.XsPublic.Length != this.n || refresh.SchCommitmentsX.Length != this.n)
        {
            throw new SynedrionProtocolException(from, 2, $"expected {this.n} key-refresh shares and commitments");
        }

        if (!CurvePoint.Sum(refresh.XsPublic).IsIdentity)
        {
            throw new SynedrionProtocolException(from, 2, "Sum of X points is not identity");
        }

        if (!refresh.PrmProof.Verify(this.p, refresh.RingPedersen, t => t.Bytes(this.sr).U32((uint)from)))
        {
            throw new SynedrionProtocolException(from, 2, "Π^prm (ring-Pedersen parameters) verification failed");
        }

        this.initDatas[from] = init;
        this.refreshDatas[from] = refresh;
    });

    /// <summary>Round 3 broadcast payload: KeyInit's Π^sch for X_i.</summary>
    /// <returns>The bincode bytes.</returns>
    public byte[] Round3Broadcast()
    {
        this.PrepareRound3();
        var w = new BincodeWriter();
        SchProof.Prove(this.schAlpha, this.x, this.initData.Commitment, this.initData.Public, t => t.Bytes(this.sr).U32(this.me).Bytes(this.rid!)).Write(w);
        return w.ToArray();
    }

    /// <summary>Round 3 direct payload for <paramref name="to"/>: Π^mod, Π^fac (against the recipient's ring-Pedersen), Π^sch for Y and X_i→to, Enc_to(x_i→to).</summary>
    /// <param name="to">The recipient.</param>
    /// <returns>The bincode bytes.</returns>
    public byte[] Round3Direct(int to)
    {
        this.PrepareRound3();
        var recipient = this.refreshDatas[to] ?? throw new InvalidOperationException($"No round 2 data from party {to}.");
        Action<Transcript> aux = t => t.Bytes(this.sr).Bytes(this.rho!).U32(this.me);
        var fac = FacProof.Prove(this.p, this.paillier, recipient.RingPedersen, aux);
        var share = this.xsSecret[to];
        var encrypted = recipient.PaillierPublic.Encrypt(Scalars.ToBigInteger(share));
        var schX = SchProof.Prove(this.xsAlpha[to], share, this.refreshData.SchCommitmentsX[to], this.refreshData.XsPublic[to], aux);
        var w = new BincodeWriter();
        new KeyRefreshDirect(this.modProof!, fac, this.schProofY!, encrypted, schX).Write(w, this.p);
        return w.ToArray();
    }

    /// <summary>Accepts a round 3 broadcast (KeyInit Π^sch).</summary>
    /// <param name="from">The sender.</param>
    /// <param name="payload">The payload.</param>
    public void ReceiveRound3Broadcast(int from, ReadOnlyMemory<byte> payload) => Guard(from, 3, () =>
    {
        this.PrepareRound3();
        var r = new BincodeReader(payload, "round 3 broadcast");
        var proof = SchProof.Read(r, "proof");
        r.End();
        var data = this.initDatas[from]!;
        if (!proof.Verify(data.Commitment, data.Public, t => t.Bytes(this.sr).U32((uint)from).Bytes(this.rid!)))
        {
            throw new SynedrionProtocolException(from, 3, "Π^sch for the key share X_i verification failed (R3InvalidSchProof)");
        }

        this.schVerified[from] = true;
    });

    /// <summary>Accepts a round 3 direct message: decrypts x_j→i and checks it, Π^mod, Π^fac, Π^sch (Y), Π^sch (X).</summary>
    /// <param name="from">The sender.</param>
    /// <param name="payload">The payload.</param>
    public void ReceiveRound3Direct(int from, ReadOnlyMemory<byte> payload) => Guard(from, 3, () =>
    {
        this.PrepareRound3();
        var r = new BincodeReader(payload, "round 3 direct message");
        var msg = KeyRefreshDirect.Read(r, this.p);
        r.End();
        var sender = this.refreshDatas[from]!;
        var xValue = Scalars.FromBigInteger(this.paillier.Decrypt(msg.EncryptedX));
        if (CurvePoint.FromSecret(xValue) != sender.XsPublic[this.me])
        {
            throw new SynedrionProtocolException(from, 3, "the encrypted share does not match its public point (Round3MismatchedSecret)");
        }

        Action<Transcript> aux = t => t.Bytes(this.sr).Bytes(this.rho!).U32((uint)from);
        if (!msg.ModProof.Verify(this.p, sender.PaillierPublic.Modulus, aux))
        {
            throw new SynedrionProtocolException(from, 3, "Π^mod (Paillier–Blum modulus) verification failed");
        }

        if (!msg.FacProof.Verify(this.p, sender.PaillierPublic.Modulus, this.refreshData.RingPedersen, aux))
        {
            throw new SynedrionProtocolException(from, 3, "Π^fac (no small factor) verification failed");
        }

        if (!msg.SchProofY.Verify(sender.ElGamalCommitment, sender.ElGamalPublic, aux))
        {
            throw new SynedrionProtocolException(from, 3, "Π^sch for Y verification failed");
        }

        if (!msg.SchProofX.Verify(sender.SchCommitmentsX[this.me], sender.XsPublic[this.me], aux))
        {
            throw new SynedrionProtocolException(from, 3, "Π^sch for X verification failed");
        }

        this.received[from] = xValue;
    });

    /// <summary>Finishes after every round 3 message was accepted.</summary>
    /// <returns>The key share.</returns>
    public KeyShare Finish()
    {
        var secret = this.x.Add(this.xsSecret[this.me]);
        for (int j = 0; j < this.n; j++)
        {
            if (j == this.me)
            {
                continue;
            }

            if (this.received[j] is not { } part || !this.schVerified[j])
            {
                throw new InvalidOperationException($"Round 3 from party {j} is missing.");
            }

            secret = secret.Add(part);
        }

        var publicShares = new CurvePoint[this.n];
        var aux = new PublicAuxInfo[this.n];
        for (int k = 0; k < this.n; k++)
        {
            var sum = this.initDatas[k]!.Public;
            for (int j = 0; j < this.n; j++)
            {
                sum += this.refreshDatas[j]!.XsPublic[k];
            }

            publicShares[k] = sum;
            var d = this.refreshDatas[k]!;
            aux[k] = new PublicAuxInfo(d.ElGamalPublic, d.PaillierPublic, d.RingPedersen);
        }

        var share = new KeyShare(this.p, this.me, secret, publicShares, this.paillier, this.elGamalSecret, aux);
        this.x = Scalar.Zero;
        this.schAlpha = Scalar.Zero;
        this.elGamalAlpha = Scalar.Zero;
        Array.Clear(this.xsSecret);
        Array.Clear(this.xsAlpha);
        Array.Clear(this.received);
        return share;
    }

    private static Scalar[] SplitZero(int parties)
    {
        var parts = new Scalar[parties];
        var sum = Scalar.Zero;
        for (int i = 0; i < parties - 1; i++)
        {
            parts[i] = Scalars.Random();
            sum = sum.Add(parts[i]);
        }

        parts[parties - 1] = sum.Negate();
        return parts;
    }

    private void Guard(int from, int round, Action action)
    {
        if (from < 0 || from >= this.n || from == this.me)
        {
            throw new ArgumentOutOfRangeException(nameof(from), $"No party {from} to receive from.");
        }

        try
        {
            action();
        }
        catch (SynedrionFormatException ex)
        {
            throw new SynedrionProtocolException(from, round, "malformed message: " + ex.Message, ex);
        }
    }

    private void PrepareRound3()
    {
        if (this.rid is not null)
        {
            return;
        }

        if (this.initDatas.Any(d => d is null) || this.refreshDatas.Any(d => d is null))
        {
            throw new InvalidOperationException("Round 3 needs every party's round 2 data.");
        }

        var ridAcc = new byte[this.p.RandomBytes];
        var rhoAcc = new byte[this.p.RandomBytes];
        for (int j = 0; j < this.n; j++)
        {
            for (int i = 0; i < ridAcc.Length; i++)
            {
                ridAcc[i] ^= this.initDatas[j]!.Rid[i];
                rhoAcc[i] ^= this.refreshDatas[j]!.Rho[i];
            }
        }

        this.rid = ridAcc;
        this.rho = rhoAcc;
        Action<Transcript> aux = t => t.Bytes(this.sr).Bytes(this.rho).U32(this.me);
        this.modProof = ModProof.Prove(this.p, this.paillier, aux);
        this.schProofY = SchProof.Prove(this.elGamalAlpha, this.elGamalSecret, this.refreshData.ElGamalCommitment, this.refreshData.ElGamalPublic, aux);
    }

    private byte[] RandomBytes() => System.Security.Cryptography.RandomNumberGenerator.GetBytes(this.p.RandomBytes);
}
