using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Entropy.Crypto;

/// <summary>A Merlin transcript (merlin.cool) over STROBE-128, with the schnorrkel signing-context and witness helpers.</summary>
/// <remarks>This is a mutable struct: pass it by reference; a plain copy forks the transcript.</remarks>
internal struct MerlinTranscript
{
    private static readonly Strobe128 s_merlinBase = Strobe128.Create("Merlin v1.0"u8);

    private Strobe128 _strobe;

    /// <summary>Creates a transcript with the given domain-separation label (merlin <c>Transcript::new</c>).</summary>
    public static MerlinTranscript Create(ReadOnlySpan<byte> label)
    {
        var t = new MerlinTranscript { _strobe = s_merlinBase };
        t.AppendMessage("dom-sep"u8, label);
        return t;
    }

    /// <summary>Creates a transcript from a string label.</summary>
    public static MerlinTranscript Create(string label) => Create(Encoding.UTF8.GetBytes(label));

    public void AppendMessage(ReadOnlySpan<byte> label, ReadOnlySpan<byte> message)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(len, checked((uint)message.Length));
        _strobe.MetaAd(label, more: false);
        _strobe.MetaAd(len, more: true);
        _strobe.Ad(message, more: false);
    }

    public void ChallengeBytes(ReadOnlySpan<byte> label, Span<byte> destination)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(len, checked((uint)destination.Length));
        _strobe.MetaAd(label, more: false);
        _strobe.MetaAd(len, more: true);
        _strobe.Prf(destination, more: false);
    }

    /// <summary>A 64-byte challenge reduced modulo ℓ (schnorrkel <c>challenge_scalar</c>).</summary>
    public Scalar ChallengeScalar(ReadOnlySpan<byte> label)
    {
        Span<byte> buf = stackalloc byte[64];
        ChallengeBytes(label, buf);
        var s = Scalar.FromBytesWide(buf);
        CryptographicOperations.ZeroMemory(buf);
        return s;
    }

    /// <summary>
    /// Fills <paramref name="destination"/> from a forked transcript RNG keyed with the witness seeds and 32 bytes of
    /// randomness (merlin <c>TranscriptRngBuilder</c>); the transcript itself is unchanged.
    /// </summary>
    public readonly void WitnessBytes(ReadOnlySpan<byte> label, Span<byte> destination, ReadOnlySpan<byte> nonceSeed1, ReadOnlySpan<byte> nonceSeed2, bool twoSeeds, ReadOnlySpan<byte> random32)
    {
        var rng = _strobe;
        Span<byte> len = stackalloc byte[4];
        try
        {
            BinaryPrimitives.WriteUInt32LittleEndian(len, checked((uint)nonceSeed1.Length));
            rng.MetaAd(label, more: false);
            rng.MetaAd(len, more: true);
            rng.Key(nonceSeed1, more: false);
            if (twoSeeds)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(len, checked((uint)nonceSeed2.Length));
                rng.MetaAd(label, more: false);
                rng.MetaAd(len, more: true);
                rng.Key(nonceSeed2, more: false);
            }

            rng.MetaAd("rng"u8, more: false);
            rng.Key(random32, more: false);
            BinaryPrimitives.WriteUInt32LittleEndian(len, checked((uint)destination.Length));
            rng.MetaAd(len, more: false);
            rng.Prf(destination, more: false);
        }
        finally
        {
            rng.Clear();
        }
    }

    /// <summary>Zeroes the transcript state.</summary>
    public void Clear() => _strobe.Clear();
}
