using System.Security.Cryptography;
using Entropy.Protocol.Dkg;
using Entropy.Simulator.ThresholdServers.StandIn;
using Entropy.Tests.Protocol;

namespace Entropy.Tests.Simulator.ThresholdServers.StandIn;

/// <summary>A message in flight in the in-memory test network.</summary>
internal sealed record Envelope(PartyId From, PartyId To, byte[] Payload);

/// <summary>Runs DKG sessions in memory, synchronously: a queue of envelopes pumped until it is empty.</summary>
internal sealed class DkgTestNetwork : IDisposable
{
    private readonly List<Envelope> _inFlight = [];

    public DkgTestNetwork(int n, uint blockNumber = 7)
        : this(DkgSessionContext.Create(RandomBytes(32), blockNumber, RandomParties(n)))
    {
    }

    public DkgTestNetwork(DkgSessionContext context)
    {
        Context = context;
        Sessions = context.Parties.ToDictionary(p => p, p => PedersenDkg.Instance.CreateSession(context, p));
    }

    public DkgSessionContext Context { get; }

    public Dictionary<PartyId, IDkgSession> Sessions { get; }

    /// <summary>Gets the failures each receiver raised, by receiver.</summary>
    public Dictionary<PartyId, DkgException> Failures { get; } = [];

    /// <summary>Rewrites or drops (returns null) a message before it is delivered.</summary>
    public Func<Envelope, byte[]?>? Interceptor { get; set; }

    /// <summary>Delivers the newest message first (so shares overtake commitments) instead of the oldest.</summary>
    public bool LastInFirstOut { get; set; }

    public ISet<PartyId> Silent { get; } = new HashSet<PartyId>();

    public static byte[] RandomBytes(int length) => RandomNumberGenerator.GetBytes(length);

    public static List<PartyId> RandomParties(int n) => Enumerable.Range(0, n).Select(_ => new PartyId(RandomBytes(32))).ToList();

    public void StartAll()
    {
        foreach (var (party, session) in Sessions)
        {
            if (!Silent.Contains(party))
            {
                Post(party, session.Start());
            }
        }
    }

    public void Post(PartyId from, IReadOnlyList<DkgOutgoingMessage> messages)
    {
        foreach (var message in messages)
        {
            var recipients = message.Recipient is { } recipient ? [recipient] : Context.Parties.Where(p => p != from);
            foreach (var to in recipients)
            {
                _inFlight.Add(new Envelope(from, to, message.Payload.ToArray()));
            }
        }
    }

    /// <summary>Delivers messages until none is left; failures are recorded per receiver, which then stops receiving.</summary>
    public void Pump()
    {
        while (_inFlight.Count > 0)
        {
            int at = LastInFirstOut ? _inFlight.Count - 1 : 0;
            var envelope = _inFlight[at];
            _inFlight.RemoveAt(at);
            if (Silent.Contains(envelope.To) || Failures.ContainsKey(envelope.To))
            {
                continue;
            }

            var payload = Interceptor is null ? envelope.Payload : Interceptor(envelope);
            if (payload is null)
            {
                continue;
            }

            try
            {
                Post(envelope.To, Sessions[envelope.To].Receive(envelope.From, payload));
            }
            catch (DkgException e)
            {
                Failures[envelope.To] = e;
            }
        }
    }

    public void Run()
    {
        StartAll();
        Pump();
    }

    public Dictionary<PartyId, DkgKeyShare> TakeResults() => Sessions.ToDictionary(kv => kv.Key, kv => kv.Value.TakeResult());

    public void Dispose()
    {
        foreach (var session in Sessions.Values)
        {
            session.Dispose();
        }
    }

    /// <summary>Σ shares · G, compressed; computed here in the test, never in the protocol.</summary>
    public static byte[] CombineShares(IEnumerable<DkgKeyShare> shares) => KeyShareMath.CombineShares(shares.Select(share =>
    {
        var bytes = new byte[32];
        share.SecretShare.CopyTo(bytes);
        return bytes;
    }));
}
