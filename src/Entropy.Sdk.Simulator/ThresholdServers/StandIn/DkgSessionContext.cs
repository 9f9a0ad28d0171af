using System.Buffers.Binary;
using Entropy.Protocol.Dkg;

namespace Entropy.Simulator.ThresholdServers.StandIn;

/// <summary>What every party of one DKG run agrees on before it starts: the user the key is for, the block that asked for it and the committee.</summary>
/// <remarks>
/// The committee is sorted by account bytes and numbered 1..n in that order. The session id binds all of it, so a message or a proof
/// of one run is rejected by every other run.
/// </remarks>
internal sealed class DkgSessionContext
{
    /// <summary>The length of a session id in bytes.</summary>
    public const int SessionIdLength = 32;

    private const string SessionTag = "entropy/dkg/pedersen-feldman/v1/session";

    private readonly byte[] _userAccount;
    private readonly byte[] _sessionId;
    private readonly Dictionary<PartyId, int> _indices;

    private DkgSessionContext(byte[] userAccount, uint blockNumber, PartyId[] parties)
    {
        _userAccount = userAccount;
        BlockNumber = blockNumber;
        Parties = parties;
        _indices = new Dictionary<PartyId, int>(parties.Length);
        for (int i = 0; i < parties.Length; i++)
        {
            _indices.Add(parties[i], i + 1);
        }

        // session id = TaggedHash(user ‖ block number (u32 LE) ‖ n (u32 LE) ‖ party_1 ‖ … ‖ party_n)
        var data = new byte[32 + 4 + 4 + (parties.Length * PartyId.Length)];
        userAccount.CopyTo(data, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(32), blockNumber);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(36), (uint)parties.Length);
        for (int i = 0; i < parties.Length; i++)
        {
            parties[i].CopyTo(data.AsSpan(40 + (i * PartyId.Length)));
        }

        _sessionId = Secp256k1Group.TaggedHash(SessionTag, data);
    }

    /// <summary>Gets the signature-request account the key is generated for.</summary>
    public ReadOnlySpan<byte> UserAccount => _userAccount;

    /// <summary>Gets the block number whose registrations this DKG serves.</summary>
    public uint BlockNumber { get; }

    /// <summary>Gets the committee sorted by account bytes; party <c>Parties[i]</c> has index <c>i + 1</c>.</summary>
    public IReadOnlyList<PartyId> Parties { get; }

    /// <summary>Gets the number of parties.</summary>
    public int Count => Parties.Count;

    /// <summary>Gets the threshold: the number of shares needed to use the key, equal to <see cref="Count"/> (n-of-n).</summary>
    public int Threshold => Parties.Count;

    /// <summary>Gets the 32-byte session id that every message carries.</summary>
    public ReadOnlySpan<byte> SessionId => _sessionId;

    /// <summary>Creates the context of a DKG for <paramref name="userAccount"/>, requested in block <paramref name="blockNumber"/>.</summary>
    /// <param name="userAccount">The 32-byte signature-request account.</param>
    /// <param name="blockNumber">The block in which the registration was included.</param>
    /// <param name="committee">The parties, in any order; at least two, all distinct.</param>
    /// <returns>The context.</returns>
    /// <exception cref="ArgumentException">The account is not 32 bytes, or the committee has fewer than two or repeated parties.</exception>
    public static DkgSessionContext Create(ReadOnlySpan<byte> userAccount, uint blockNumber, IEnumerable<PartyId> committee)
    {
        ArgumentNullException.ThrowIfNull(committee);
        if (userAccount.Length != 32)
        {
            throw new ArgumentException($"The user account is 32 bytes, not {userAccount.Length}.", nameof(userAccount));
        }

        var parties = committee.ToArray();
        Array.Sort(parties);
        if (parties.Length < 2)
        {
            throw new ArgumentException($"A DKG committee needs at least two parties, not {parties.Length}.", nameof(committee));
        }

        if (parties.Length > 255)
        {
            throw new ArgumentException($"A DKG committee has at most 255 parties, not {parties.Length}.", nameof(committee));
        }

        for (int i = 1; i < parties.Length; i++)
        {
            if (parties[i] == parties[i - 1])
            {
                throw new ArgumentException($"Party {parties[i]} appears twice in the committee.", nameof(committee));
            }
        }

        return new DkgSessionContext(userAccount.ToArray(), blockNumber, parties);
    }

    /// <summary>Gets the index (1..n) of <paramref name="party"/>.</summary>
    /// <param name="party">A party.</param>
    /// <param name="index">Its index, or 0.</param>
    /// <returns><see langword="true"/> when the party is in the committee.</returns>
    public bool TryGetIndex(PartyId party, out int index) => _indices.TryGetValue(party, out index);

    /// <summary>Gets the party with index <paramref name="index"/> (1..n).</summary>
    /// <param name="index">The index.</param>
    /// <returns>The party.</returns>
    public PartyId PartyAt(int index) => Parties[index - 1];
}
