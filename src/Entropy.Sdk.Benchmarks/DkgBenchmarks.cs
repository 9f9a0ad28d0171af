using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Entropy.Protocol.Dkg;
using Entropy.Simulator.ThresholdServers.StandIn;

namespace Entropy.Benchmarks;

/// <summary>A complete in-memory run of the simulator's Pedersen stand-in DKG (both rounds, every party) for a committee of 2 (the v0.0.10 TSS pair) and 3 (Private mode).</summary>
[MemoryDiagnoser]
public class DkgBenchmarks
{
    private DkgSessionContext _context = null!;

    /// <summary>Gets or sets the committee size.</summary>
    [Params(2, 3)]
    public int Parties { get; set; }

    /// <summary>Creates the committee.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var parties = Enumerable.Range(0, Parties).Select(_ => new PartyId(RandomNumberGenerator.GetBytes(32)));
        _context = DkgSessionContext.Create(RandomNumberGenerator.GetBytes(32), 1, parties);
    }

    /// <summary>Runs every party's session to completion, delivering messages in order.</summary>
    /// <returns>The verifying key.</returns>
    [Benchmark]
    public byte[] FullDkg()
    {
        var sessions = _context.Parties.ToDictionary(p => p, p => PedersenDkg.Instance.CreateSession(_context, p));
        var queue = new Queue<(PartyId From, PartyId To, ReadOnlyMemory<byte> Payload)>();
        void Post(PartyId from, IReadOnlyList<DkgOutgoingMessage> messages)
        {
            foreach (var m in messages)
            {
                foreach (var to in _context.Parties)
                {
                    if (to != from && (m.Recipient is null || m.Recipient == to))
                    {
                        queue.Enqueue((from, to, m.Payload));
                    }
                }
            }
        }

        foreach (var (party, session) in sessions)
        {
            Post(party, session.Start());
        }

        while (queue.TryDequeue(out var envelope))
        {
            Post(envelope.To, sessions[envelope.To].Receive(envelope.From, envelope.Payload.Span));
        }

        byte[] key = [];
        foreach (var session in sessions.Values)
        {
            using var share = session.TakeResult();
            key = share.VerifyingKey.ToArray();
            session.Dispose();
        }

        return key;
    }
}
