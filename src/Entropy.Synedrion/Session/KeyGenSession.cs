using System.Numerics;
using Entropy.Synedrion.Encoding;
using Entropy.Synedrion.KeyGen;

namespace Entropy.Synedrion.Session;

/// <summary>A message to send: the destination's verifier id and the bincode <c>SignedMessage</c>.</summary>
/// <param name="To">The destination's verifier id.</param>
/// <param name="Bytes">The bytes.</param>
internal sealed record OutgoingMessage(byte[] To, byte[] Bytes);

/// <summary>
/// synedrion 0.1.0's <c>make_key_gen_session</c> as a state machine: signed messages, the broadcast-consensus (echo) rounds after
/// rounds 1 and 2, early messages of the next stage held (at most two per party), and every fault named by the sender's verifier id.
/// Not thread-safe: one caller drives it.
/// </summary>
internal sealed class KeyGenSession
{
    private readonly SynedrionParams p;
    private readonly ISynedrionSigner signer;
    private readonly ISynedrionVerifier verifier;
    private readonly byte[][] verifiers;
    private readonly byte[] sessionId;
    private readonly int me;
    private readonly KeyGenParty party;
    private readonly List<(int From, SignedMessage Message)> cached = [];
    private readonly Dictionary<int, SignedMessage> broadcasts = [];
    private readonly HashSet<(int From, MessageType Type)> received = [];
    private Stage stage;
    private KeyShare? result;

    private KeyGenSession(SynedrionParams parameters, byte[] sharedRandomness, ISynedrionSigner signer, byte[][] verifiers, ISynedrionVerifier verifier, Func<int, BigInteger>? primeSource)
    {
        this.p = parameters;
        this.signer = signer;
        this.verifier = verifier;
        this.verifiers = verifiers;
        this.me = Array.FindIndex(verifiers, v => v.AsSpan().SequenceEqual(signer.VerifierId));
        if (this.me < 0)
        {
            throw new ArgumentException("The given signer's verifying key is not among the verifiers.", nameof(verifiers));
        }

        this.sessionId = SignedMessage.SessionIdFor(sharedRandomness);
        this.party = new KeyGenParty(parameters, sharedRandomness, verifiers.Length, this.me, primeSource);
    }

    private enum Stage
    {
        Round1,
        Echo1,
        Round2,
        Echo2,
        Round3,
        Done,
    }

    /// <summary>Gets whether the key share is ready.</summary>
    public bool IsFinished => this.result is not null;

    /// <summary>Gets the key share once finished.</summary>
    public KeyShare Result => this.result ?? throw new InvalidOperationException("Key generation has not finished.");

    /// <summary>Gets this party's index (its position in the verifier list).</summary>
    public int PartyIndex => this.me;

    /// <summary>Creates a session and does round 1's local work (safe primes, Π^prm).</summary>
    /// <param name="parameters">The parameters (ProductionParams for Entropy).</param>
    /// <param name="sharedRandomness">The shared randomness every party uses.</param>
    /// <param name="signer">This party's signer.</param>
    /// <param name="verifiers">All parties' verifier ids, in the order that defines party indices.</param>
    /// <param name="verifier">Verifies the others' signatures.</param>
    /// <param name="primeSource">A source of safe primes (pool), or null.</param>
    /// <returns>The session.</returns>
    public static KeyGenSession Create(SynedrionParams parameters, byte[] sharedRandomness, ISynedrionSigner signer, IReadOnlyList<byte[]> verifiers, ISynedrionVerifier verifier, Func<int, BigInteger>? primeSource = null) =>
        new(parameters, sharedRandomness, signer, [.. verifiers], verifier, primeSource);

    /// <summary>Returns round 1's messages.</summary>
    /// <returns>The messages to send.</returns>
    public IReadOnlyList<OutgoingMessage> Start() => this.BroadcastToOthers(1, MessageType.Broadcast, this.party.Round1Broadcast());

    /// <summary>Processes a message from <paramref name="fromId"/>; returns what to send next (possibly nothing).</summary>
    /// <param name="fromId">The sender's verifier id (from the authenticated channel).</param>
    /// <param name="bytes">The bincode SignedMessage.</param>
    /// <returns>The messages to send.</returns>
    /// <exception cref="SynedrionProtocolException">The sender misbehaved; <see cref="SynedrionProtocolException.CulpritId"/> names it.</exception>
    public IReadOnlyList<OutgoingMessage> Receive(ReadOnlySpan<byte> fromId, ReadOnlyMemory<byte> bytes)
    {
        int from = this.IndexOf(fromId);
        SignedMessage message;
        try
        {
            var reader = new BincodeReader(bytes, "SignedMessage");
            message = SignedMessage.Read(reader, this.verifier);
        }
        catch (SynedrionFormatException ex)
        {
            throw this.Blame(from, "malformed signed message: " + ex.Message, ex);
        }

        if (!message.SessionId.AsSpan().SequenceEqual(this.sessionId))
        {
            throw this.Blame(from, "unexpected session id");
        }

        bool forNext = this.Route(from, message);
        if (!this.verifier.VerifyPrehash(this.verifiers[from], message.SignedPrehash, message.Signature))
        {
            throw this.Blame(from, "invalid signature");
        }

        if (forNext)
        {
            if (this.cached.Count(c => c.From == from) >= 2)
            {
                throw this.Blame(from, "too many messages for the next round");
            }

            this.cached.Add((from, message));
            return [];
        }

        var outgoing = new List<OutgoingMessage>();
        this.Process(from, message);
        while (this.TryAdvance(outgoing))
        {
            var pending = this.cached.ToList();
            this.cached.Clear();
            foreach (var (f, m) in pending)
            {
                if (this.Route(f, m))
                {
                    this.cached.Add((f, m));
                }
                else
                {
                    this.Process(f, m);
                }
            }
        }

        return outgoing;
    }

    private bool Route(int from, SignedMessage m)
    {
        (byte round, bool echo, byte nextRound, bool nextEcho) = this.stage switch
        {
            Stage.Round1 => ((byte)1, false, (byte)1, true),
            Stage.Echo1 => ((byte)1, true, (byte)2, false),
            Stage.Round2 => ((byte)2, false, (byte)2, true),
            Stage.Echo2 => ((byte)2, true, (byte)3, false),
            Stage.Round3 => ((byte)3, false, (byte)0, false),
            _ => ((byte)0, false, (byte)0, false),
        };
        bool isEcho = m.Type == MessageType.BroadcastConsensus;
        if (m.RoundNumber == round && isEcho == echo)
        {
            return false;
        }

        if (nextRound != 0 && m.RoundNumber == nextRound && isEcho == nextEcho)
        {
            return true;
        }

        throw this.Blame(from, $"out-of-order message (round {m.RoundNumber}, {m.Type}) during {this.stage}");
    }

    private void Process(int from, SignedMessage m)
    {
        if (!this.received.Add((from, m.Type)))
        {
            throw this.Blame(from, $"duplicate {m.Type} message in {this.stage}");
        }

        try
        {
            switch (this.stage, m.Type)
            {
                case (Stage.Round1, MessageType.Broadcast):
                    this.party.ReceiveRound1(from, m.Payload);
                    this.broadcasts[from] = m;
                    break;
                case (Stage.Round2, MessageType.Broadcast):
                    this.party.ReceiveRound2(from, m.Payload);
                    this.broadcasts[from] = m;
                    break;
                case (Stage.Echo1 or Stage.Echo2, MessageType.BroadcastConsensus):
                    this.CheckEcho(from, m.Payload);
                    break;
                case (Stage.Round3, MessageType.Broadcast):
                    this.party.ReceiveRound3Broadcast(from, m.Payload);
                    break;
                case (Stage.Round3, MessageType.Direct):
                    this.party.ReceiveRound3Direct(from, m.Payload);
                    break;
                default:
                    throw this.Blame(from, $"unexpected {m.Type} message in {this.stage}");
            }
        }
        catch (SynedrionProtocolException ex) when (ex.CulpritId is null)
        {
            ex.CulpritId = this.verifiers[from];
            throw;
        }
    }

    private void CheckEcho(int from, byte[] payload)
    {
        var echoed = new Dictionary<uint, SignedMessage>();
        try
        {
            var r = new BincodeReader(payload, "broadcast consensus");
            int count = r.SeqLength("broadcasts", 4 + 32);
            for (int i = 0; i < count; i++)
            {
                uint index = r.U32("party index");
                echoed[index] = SignedMessage.Read(r, this.verifier);
            }

            r.End();
        }
        catch (SynedrionFormatException ex)
        {
            throw this.Blame(from, "malformed broadcast consensus: " + ex.Message, ex);
        }

        if (echoed.Count != this.broadcasts.Count)
        {
            throw this.Blame(from, "broadcast consensus: unexpected number of broadcasts");
        }

        foreach (var (index, mine) in this.broadcasts)
        {
            if (index == from)
            {
                continue;
            }

            if (!echoed.TryGetValue((uint)index, out var theirs))
            {
                throw this.Blame(from, $"broadcast consensus: the broadcast of party {index} is missing");
            }

            if (!theirs.SameAs(mine))
            {
                // Two different messages both signed by `index` prove that party equivocated; otherwise the echoer lied.
                bool signedByOriginal = theirs.SessionId.AsSpan().SequenceEqual(this.sessionId)
                    && this.verifier.VerifyPrehash(this.verifiers[index], theirs.SignedPrehash, theirs.Signature);
                throw signedByOriginal
                    ? this.Blame(index, $"equivocation: sent different round broadcasts (seen in party {from}'s echo)")
                    : this.Blame(from, $"broadcast consensus: conflicting broadcast of party {index}");
            }
        }
    }

    private bool TryAdvance(List<OutgoingMessage> outgoing)
    {
        int others = this.verifiers.Length - 1;
        bool Has(MessageType t) => this.received.Count(r => r.Type == t) == others;
        switch (this.stage)
        {
            case Stage.Round1 or Stage.Round2 when Has(MessageType.Broadcast):
                byte round = this.stage == Stage.Round1 ? (byte)1 : (byte)2;
                outgoing.AddRange(this.BroadcastToOthers(round, MessageType.BroadcastConsensus, this.EchoPayload()));
                this.Next(this.stage == Stage.Round1 ? Stage.Echo1 : Stage.Echo2);
                return true;
            case Stage.Echo1 when Has(MessageType.BroadcastConsensus):
                this.Next(Stage.Round2);
                outgoing.AddRange(this.BroadcastToOthers(2, MessageType.Broadcast, this.party.Round2Broadcast()));
                return true;
            case Stage.Echo2 when Has(MessageType.BroadcastConsensus):
                this.Next(Stage.Round3);
                outgoing.AddRange(this.BroadcastToOthers(3, MessageType.Broadcast, this.party.Round3Broadcast()));
                for (int to = 0; to < this.verifiers.Length; to++)
                {
                    if (to != this.me)
                    {
                        var message = SignedMessage.Sign(this.signer, this.sessionId, 3, MessageType.Direct, this.party.Round3Direct(to));
                        outgoing.Add(new OutgoingMessage(this.verifiers[to], message.ToBytes()));
                    }
                }

                return true;
            case Stage.Round3 when Has(MessageType.Broadcast) && Has(MessageType.Direct):
                this.result = this.party.Finish();
                this.Next(Stage.Done);
                return false;
            default:
                return false;
        }
    }

    private void Next(Stage next)
    {
        if (next is Stage.Round2 or Stage.Round3 or Stage.Done)
        {
            this.broadcasts.Clear();
        }

        this.received.Clear();
        this.stage = next;
    }

    private byte[] EchoPayload()
    {
        var w = new BincodeWriter();
        w.SeqLength(this.broadcasts.Count);
        foreach (var (index, message) in this.broadcasts)
        {
            w.U32((uint)index);
            message.Write(w);
        }

        return w.ToArray();
    }

    private List<OutgoingMessage> BroadcastToOthers(byte round, MessageType type, byte[] payload)
    {
        var bytes = SignedMessage.Sign(this.signer, this.sessionId, round, type, payload).ToBytes();
        return [.. Enumerable.Range(0, this.verifiers.Length).Where(i => i != this.me).Select(i => new OutgoingMessage(this.verifiers[i], bytes))];
    }

    private int IndexOf(ReadOnlySpan<byte> id)
    {
        for (int i = 0; i < this.verifiers.Length; i++)
        {
            if (i != this.me && this.verifiers[i].AsSpan().SequenceEqual(id))
            {
                return i;
            }
        }

        throw new ArgumentException("The sender is not one of the other parties of this session.", nameof(id));
    }

    private SynedrionProtocolException Blame(int from, string reason, Exception? inner = null) =>
        new(from, this.stage switch { Stage.Round1 or Stage.Echo1 => 1, Stage.Round2 or Stage.Echo2 => 2, _ => 3 }, reason, inner) { CulpritId = this.verifiers[from] };
}
