using System.Buffers.Binary;
using System.Security.Cryptography;
using Entropy.Protocol.Dkg;
using Entropy.Scale;
using NBitcoin.Secp256k1;

namespace Entropy.Simulator.ThresholdServers.StandIn;

/// <summary>Pedersen's DKG with Feldman commitments and Schnorr proofs of knowledge, n-of-n on secp256k1: the key generation of FROST.</summary>
/// <remarks>
/// The simulator's fast stand-in (<see cref="DevnetKeyGeneration.FastStandIn"/>, Public mode only): milliseconds instead of synedrion's
/// seconds, and not interoperable — Entropy's servers and clients run synedrion (the SDK's <c>SynedrionKeyGeneration</c>), and nothing
/// outside the simulator can use these shares. It lives here, not in the SDK, so that the SDK's Private mode cannot reach it (issue 17 §3).
/// <para/>
/// Implements Komlo and Goldberg, "FROST: Flexible Round-Optimized Schnorr Threshold Signatures" (SAC 2020), figure 1, with t = n.
/// Round 1: party i samples <c>f_i(x) = a_i0 + a_i1·x + … + a_i(t−1)·x^(t−1)</c>, broadcasts <c>C_i = [a_i0·G … a_i(t−1)·G]</c> and
/// <c>σ_i = (R_i, μ_i)</c> with <c>R_i = k·G</c>, <c>c_i = H(session ‖ i ‖ party_i ‖ C_i0 ‖ R_i)</c>, <c>μ_i = k + a_i0·c_i</c>.
/// Round 2: after checking every <c>R_j = μ_j·G − c_j·C_j0</c>, party i sends <c>f_i(j)</c> to party j, who checks
/// <c>f_i(j)·G = Σ_k j^k·C_ik</c>. Party j's Shamir share is <c>s_j = Σ_i f_i(j)</c>; it keeps the additive share
/// <c>x_j = λ_j·s_j</c> (λ the Lagrange coefficient at 0 over 1..n), so that <c>Σ_j x_j·G = Y = Σ_i C_i0</c>.
/// Each round-2 message also carries a hash of the round-1 messages its sender saw, so a dealer who broadcast different
/// commitments to different parties is caught before anyone outputs a key.
/// </remarks>
internal sealed class PedersenDkg
{
    /// <summary>Gets the protocol instance.</summary>
    public static PedersenDkg Instance { get; } = new();

    /// <summary>Creates the session of <paramref name="self"/> in the run described by <paramref name="context"/>.</summary>
    /// <param name="context">The run: user, block number and committee.</param>
    /// <param name="self">This party; a committee member.</param>
    /// <returns>A new session, not yet started.</returns>
    /// <exception cref="ArgumentException"><paramref name="self"/> is not in the committee.</exception>
    public IDkgSession CreateSession(DkgSessionContext context, PartyId self)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new PedersenDkgSession(context, self);
    }
}

/// <summary>One party's state machine of <see cref="PedersenDkg"/>.</summary>
internal sealed class PedersenDkgSession : IDkgSession
{
    internal const string ProofTag = "entropy/dkg/pedersen-feldman/v1/pok";
    private const string TranscriptTag = "entropy/dkg/pedersen-feldman/v1/transcript";

    private readonly int _index;
    private readonly int _n;
    private readonly int _t;

    // Round 1, by dealer index (1..n): the raw message (for the transcript) and the parsed commitments.
    private readonly byte[]?[] _round1Raw;
    private readonly GE[]?[] _commitments;

    // Round 2, by dealer index: f_i(self), secret. Received early (during round 1) shares are parsed and held here too.
    private readonly Scalar[] _shares;
    private readonly bool[] _haveShare;
    private readonly byte[]?[] _round2Raw;
    private readonly byte[]?[] _round2Transcript;

    private Scalar[]? _coefficients;
    private byte[]? _transcript;
    private DkgKeyShare? _result;
    private bool _resultTaken;

    public PedersenDkgSession(DkgSessionContext context, PartyId self)
    {
        Context = context;
        Self = self;
        if (!context.TryGetIndex(self, out _index))
        {
            throw new ArgumentException($"Party {self} is not in the committee.", nameof(self));
        }

        _n = context.Count;
        _t = context.Threshold;
        _round1Raw = new byte[]?[_n + 1];
        _commitments = new GE[]?[_n + 1];
        _shares = new Scalar[_n + 1];
        _haveShare = new bool[_n + 1];
        _round2Raw = new byte[]?[_n + 1];
        _round2Transcript = new byte[]?[_n + 1];
    }

    /// <inheritdoc/>
    public PartyId Self { get; }

    /// <inheritdoc/>
    public DkgSessionContext Context { get; }

    /// <inheritdoc/>
    public DkgSessionState State { get; private set; }

    /// <inheritdoc/>
    public int Round { get; private set; }

    /// <inheritdoc/>
    public IReadOnlyList<PartyId> WaitingFor
    {
        get
        {
            if (State != DkgSessionState.Running)
            {
                return State == DkgSessionState.NotStarted ? Context.Parties.Where(p => p != Self).ToArray() : [];
            }

            var waiting = new List<PartyId>();
            for (int i = 1; i <= _n; i++)
            {
                bool have = Round == 1 ? _commitments[i] is not null : _haveShare[i];
                if (i != _index && !have)
                {
                    waiting.Add(Context.PartyAt(i));
                }
            }

            return waiting;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<DkgOutgoingMessage> Start()
    {
        ThrowIfDisposed();
        if (State != DkgSessionState.NotStarted)
        {
            throw new InvalidOperationException("The DKG session was already started.");
        }

        State = DkgSessionState.Running;
        Round = 1;

        _coefficients = new Scalar[_t];
        var commitments = new GE[_t];
        var encoded = new byte[_t][];
        for (int k = 0; k < _t; k++)
        {
            _coefficients[k] = Secp256k1Group.RandomScalar();
            commitments[k] = Secp256k1Group.MultiplyGenerator(_coefficients[k]).ToGroupElement();
            encoded[k] = new byte[Secp256k1Group.PointLength];
            Secp256k1Group.WritePoint(commitments[k], encoded[k]);
        }

        // Schnorr proof of knowledge of a_i0 (FROST figure 1, round 1 step 2), bound to this session and party.
        var nonce = Secp256k1Group.RandomScalar();
        var proofR = new byte[Secp256k1Group.PointLength];
        Secp256k1Group.WritePoint(Secp256k1Group.MultiplyGenerator(nonce).ToGroupElement(), proofR);
        var challenge = ProofChallenge(Context, _index, encoded[0], proofR);
        var mu = nonce.Add(_coefficients[0].Multiply(challenge));
        var proofMu = mu.ToBytes();
        Scalar.Clear(ref nonce);
        Scalar.Clear(ref mu);

        var message = new CommitmentsMessage
        {
            SessionId = Context.SessionId.ToArray(),
            Sender = (uint)_index,
            Commitments = encoded,
            ProofR = proofR,
            ProofMu = proofMu,
        };
        var payload = DkgMessageCodec.Encode(message);
        _round1Raw[_index] = payload;
        _commitments[_index] = commitments;
        return [new DkgOutgoingMessage(null, payload)];
    }

    /// <inheritdoc/>
    public IReadOnlyList<DkgOutgoingMessage> Receive(PartyId from, ReadOnlySpan<byte> payload)
    {
        ThrowIfDisposed();
        switch (State)
        {
            case DkgSessionState.NotStarted:
                throw new InvalidOperationException("Start the DKG session before feeding it messages.");
            case DkgSessionState.Completed:
                throw new InvalidOperationException("The DKG session has already completed.");
            case DkgSessionState.Failed:
                throw new InvalidOperationException("The DKG session has failed.");
        }

        if (from == Self || !Context.TryGetIndex(from, out int sender))
        {
            throw new DkgException(
                DkgFailureReason.UnknownSender,
                [from],
                $"Rejected a DKG message from {from}, which is {(from == Self ? "this party itself" : "not in the committee")}.");
        }

        DkgMessageKind kind;
        try
        {
            kind = DkgMessageCodec.ReadHeader(payload, out var sessionId);
            if (!sessionId.SequenceEqual(Context.SessionId))
            {
                throw new DkgException(
                    DkgFailureReason.WrongSession,
                    [from],
                    $"Rejected a DKG message from {from} for session 0x{Convert.ToHexStringLower(sessionId)}; this is session 0x{Convert.ToHexStringLower(Context.SessionId)}.");
            }
        }
        catch (ScaleFormatException e)
        {
            throw Fail(StandInDkgFailures.Blame(DkgFailureReason.MalformedMessage, from, $"Malformed DKG message: {e.Message}", e));
        }

        try
        {
            return kind == DkgMessageKind.Commitments ? ReceiveCommitments(from, sender, payload) : ReceiveShare(from, sender, payload);
        }
        catch (DkgException e)
        {
            throw Fail(e);
        }
    }

    /// <inheritdoc/>
    public DkgKeyShare TakeResult()
    {
        ThrowIfDisposed();
        if (State != DkgSessionState.Completed || _result is null)
        {
            throw new InvalidOperationException(_resultTaken ? "The key share was already taken." : "The DKG session has not completed.");
        }

        var result = _result;
        _result = null;
        _resultTaken = true;
        return result;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        ClearSecrets();
        _result?.Dispose();
        _result = null;
        if (State != DkgSessionState.Completed)
        {
            State = DkgSessionState.Failed;
        }

        _disposed = true;
    }

    private bool _disposed;

    internal static Scalar ProofChallenge(DkgSessionContext context, int index, ReadOnlySpan<byte> commitment0, ReadOnlySpan<byte> proofR)
    {
        // c = H(session id ‖ index (u32 LE) ‖ party id ‖ C_i0 ‖ R); the session id binds user account, block number and committee.
        Span<byte> data = stackalloc byte[DkgSessionContext.SessionIdLength + 4 + PartyId.Length + (2 * Secp256k1Group.PointLength)];
        context.SessionId.CopyTo(data);
        BinaryPrimitives.WriteUInt32LittleEndian(data[32..], (uint)index);
        context.PartyAt(index).CopyTo(data[36..]);
        commitment0.CopyTo(data[68..]);
        proofR.CopyTo(data[101..]);
        return Secp256k1Group.HashToScalar(ProofTag, data);
    }

    private IReadOnlyList<DkgOutgoingMessage> ReceiveCommitments(PartyId from, int sender, ReadOnlySpan<byte> payload)
    {
        CommitmentsMessage message;
        try
        {
            message = DkgMessageCodec.DecodeCommitments(payload, _t);
        }
        catch (ScaleFormatException e)
        {
            throw StandInDkgFailures.Blame(DkgFailureReason.MalformedMessage, from, $"Malformed DKG commitments message: {e.Message}", e);
        }

        if (message.Sender != (uint)sender)
        {
            throw StandInDkgFailures.Blame(DkgFailureReason.UnexpectedMessage, from, $"A commitments message claims sender index {message.Sender}, but came from index {sender}");
        }

        if (_round1Raw[sender] is { } previous)
        {
            if (previous.AsSpan().SequenceEqual(payload))
            {
                return []; // A retransmission.
            }

            throw StandInDkgFailures.Blame(DkgFailureReason.Equivocation, from, "Received two different commitments messages");
        }

        if (Round != 1)
        {
            throw StandInDkgFailures.Blame(DkgFailureReason.UnexpectedMessage, from, "A commitments message arrived after round 1");
        }

        if (message.Commitments.Length != _t)
        {
            throw StandInDkgFailures.Blame(DkgFailureReason.MalformedMessage, from, $"Expected {_t} commitments, received {message.Commitments.Length}");
        }

        var points = new GE[_t];
        for (int k = 0; k < _t; k++)
        {
            if (!Secp256k1Group.TryReadPoint(message.Commitments[k], out points[k]))
            {
                throw StandInDkgFailures.Blame(DkgFailureReason.MalformedMessage, from, $"Commitment {k} is not a compressed secp256k1 point");
            }
        }

        if (!Secp256k1Group.TryReadPoint(message.ProofR, out var proofR) || !Secp256k1Group.TryReadScalar(message.ProofMu, out var mu))
        {
            throw StandInDkgFailures.Blame(DkgFailureReason.MalformedMessage, from, "The proof of knowledge is not a point and a scalar");
        }

        // Verify R = μ·G − c·C_i0 (FROST figure 1, round 1 step 5).
        var challenge = ProofChallenge(Context, sender, message.Commitments[0], message.ProofR);
        var check = ECMultContext.Instance.Mult(points[0].ToGroupElementJacobian(), challenge.Negate(), mu);
        if (!Secp256k1Group.AreEqual(check, proofR))
        {
            throw StandInDkgFailures.Blame(DkgFailureReason.InvalidProof, from, "The proof of knowledge of the secret coefficient is invalid");
        }

        _round1Raw[sender] = payload.ToArray();
        _commitments[sender] = points;
        for (int i = 1; i <= _n; i++)
        {
            if (_commitments[i] is null)
            {
                return [];
            }
        }

        return StartRound2();
    }

    private IReadOnlyList<DkgOutgoingMessage> StartRound2()
    {
        Round = 2;
        _transcript = ComputeTranscript();
        var outgoing = new List<DkgOutgoingMessage>(_n - 1);
        var coefficients = _coefficients!;
        for (int j = 1; j <= _n; j++)
        {
            var value = EvaluatePolynomial(coefficients, j);
            if (j == _index)
            {
                _shares[j] = value;
                _haveShare[j] = true;
                continue;
            }

            using var message = new ShareMessage
            {
                SessionId = Context.SessionId.ToArray(),
                Sender = (uint)_index,
                Recipient = (uint)j,
                Transcript = _transcript,
                Share = value.ToBytes(),
            };
            Scalar.Clear(ref value);
            outgoing.Add(new DkgOutgoingMessage(Context.PartyAt(j), DkgMessageCodec.Encode(message)));
        }

        for (int k = 0; k < coefficients.Length; k++)
        {
            Scalar.Clear(ref coefficients[k]);
        }

        _coefficients = null;

        // Shares that arrived during round 1 are checked now that every commitment is known.
        for (int i = 1; i <= _n; i++)
        {
            if (_haveShare[i] && i != _index)
            {
                VerifyShare(i);
            }
        }

        TryComplete();
        return outgoing;
    }

    private IReadOnlyList<DkgOutgoingMessage> ReceiveShare(PartyId from, int sender, ReadOnlySpan<byte> payload)
    {
        ShareMessage message;
        try
        {
            message = DkgMessageCodec.DecodeShare(payload);
        }
        catch (ScaleFormatException e)
        {
            throw StandInDkgFailures.Blame(DkgFailureReason.MalformedMessage, from, $"Malformed DKG share message: {e.Message}", e);
        }

        using (message)
        {
            if (message.Sender != (uint)sender || message.Recipient != (uint)_index)
            {
                throw StandInDkgFailures.Blame(
                    DkgFailureReason.UnexpectedMessage,
                    from,
                    $"A share message claims sender {message.Sender} and recipient {message.Recipient}, but came from index {sender} to index {_index}");
            }

            if (_round2Raw[sender] is { } previous)
            {
                if (CryptographicOperations.FixedTimeEquals(previous, payload))
                {
                    return []; // A retransmission.
                }

                throw StandInDkgFailures.Blame(DkgFailureReason.Equivocation, from, "Received two different share messages");
            }

            if (!Secp256k1Group.TryReadScalar(message.Share, out var share))
            {
                throw StandInDkgFailures.Blame(DkgFailureReason.MalformedMessage, from, "The secret share is not below the group order");
            }

            _round2Raw[sender] = System.Security.Cryptography.SHA256.HashData(payload); // Only a digest is kept: the payload holds a secret.
            _round2Transcript[sender] = message.Transcript;
            _shares[sender] = share;
            _haveShare[sender] = true;
            Scalar.Clear(ref share);
        }

        if (Round == 1)
        {
            return []; // Checked when round 1 completes.
        }

        VerifyShare(sender);
        TryComplete();
        return [];
    }

    private void VerifyShare(int dealer)
    {
        var from = Context.PartyAt(dealer);
        if (!CryptographicOperations.FixedTimeEquals(_round2Transcript[dealer], _transcript))
        {
            throw StandInDkgFailures.Blame(
                DkgFailureReason.TranscriptMismatch,
                from,
                "The party saw different round-1 commitments than this party (it lies, or some dealer broadcast inconsistent commitments)");
        }

        // Feldman check (FROST figure 1, round 2 step 2): f_i(j)·G = Σ_k j^k·C_ik.
        var expected = Secp256k1Group.MultiplyPublic(Powers(_index, _t), _commitments[dealer]);
        var actual = Secp256k1Group.MultiplyGenerator(_shares[dealer]);
        if (!Secp256k1Group.AreEqual(actual, expected.ToGroupElement()))
        {
            throw StandInDkgFailures.Blame(DkgFailureReason.InconsistentShare, from, "The secret share does not match the dealer's commitments");
        }
    }

    private void TryComplete()
    {
        for (int i = 1; i <= _n; i++)
        {
            if (!_haveShare[i])
            {
                return;
            }
        }

        // s_j = Σ_i f_i(j); x_j = λ_j·s_j.
        var sum = Scalar.Zero;
        for (int i = 1; i <= _n; i++)
        {
            sum = sum.Add(_shares[i]);
        }

        var additive = sum.Multiply(Secp256k1Group.LagrangeAtZero(_index, _n));
        Scalar.Clear(ref sum);

        // A_k = Σ_i C_ik; Y = A_0; X_m = λ_m·Σ_k m^k·A_k.
        var aggregate = new GE[_t];
        for (int k = 0; k < _t; k++)
        {
            var acc = GEJ.Infinity;
            for (int i = 1; i <= _n; i++)
            {
                acc = acc.AddVariable(_commitments[i]![k]);
            }

            aggregate[k] = acc.ToGroupElement();
        }

        if (aggregate[0].IsInfinity)
        {
            throw new DkgException(DkgFailureReason.DegenerateKey, [], "The combined DKG key is the point at infinity.");
        }

        var verificationShares = new Dictionary<PartyId, byte[]>(_n);
        for (int m = 1; m <= _n; m++)
        {
            var lambda = Secp256k1Group.LagrangeAtZero(m, _n);
            var scalars = Powers(m, _t);
            for (int k = 0; k < scalars.Length; k++)
            {
                scalars[k] = scalars[k].Multiply(lambda);
            }

            var point = Secp256k1Group.MultiplyPublic(scalars, aggregate);
            if (point.IsInfinity)
            {
                throw new DkgException(DkgFailureReason.DegenerateKey, [], $"The verification share of party {Context.PartyAt(m)} is the point at infinity.");
            }

            verificationShares.Add(Context.PartyAt(m), Secp256k1Group.EncodePoint(point));
        }

        Span<byte> shareBytes = stackalloc byte[DkgSecretShare.Length];
        additive.WriteToSpan(shareBytes);
        Scalar.Clear(ref additive);
        var secret = new DkgSecretShare(shareBytes);
        CryptographicOperations.ZeroMemory(shareBytes);

        var verifyingKey = new byte[Secp256k1Group.PointLength];
        Secp256k1Group.WritePoint(aggregate[0], verifyingKey);
        _result = new DkgKeyShare(Self, Context.Parties, Context.SessionId, secret, verifyingKey, verificationShares);
        ClearSecrets();
        State = DkgSessionState.Completed;
    }

    private static Scalar EvaluatePolynomial(Scalar[] coefficients, int x)
    {
        // Horner's rule; x is public, the coefficients secret.
        var sx = new Scalar((uint)x);
        var acc = coefficients[^1];
        for (int k = coefficients.Length - 2; k >= 0; k--)
        {
            acc = acc.Multiply(sx).Add(coefficients[k]);
        }

        return acc;
    }

    private static Scalar[] Powers(int x, int count)
    {
        var powers = new Scalar[count];
        var sx = new Scalar((uint)x);
        powers[0] = Scalar.One;
        for (int k = 1; k < count; k++)
        {
            powers[k] = powers[k - 1].Multiply(sx);
        }

        return powers;
    }

    private byte[] ComputeTranscript()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        for (int i = 1; i <= _n; i++)
        {
            var raw = _round1Raw[i]!;
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)raw.Length);
            hash.AppendData(length);
            hash.AppendData(raw);
        }

        return Secp256k1Group.TaggedHash(TranscriptTag, hash.GetHashAndReset());
    }

    private DkgException Fail(DkgException exception)
    {
        if (!StandInDkgFailures.IsRecoverable(exception))
        {
            State = DkgSessionState.Failed;
            ClearSecrets();
        }

        return exception;
    }

    private void ClearSecrets()
    {
        if (_coefficients is { } coefficients)
        {
            for (int k = 0; k < coefficients.Length; k++)
            {
                Scalar.Clear(ref coefficients[k]);
            }

            _coefficients = null;
        }

        for (int i = 0; i < _shares.Length; i++)
        {
            Scalar.Clear(ref _shares[i]);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
