using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Entropy.Protocol.Dkg;

/// <summary>Identifies a participant of a distributed key generation by its 32-byte account id (the threshold server's or the user's <c>AccountId32</c>).</summary>
/// <remarks>Parties are ordered by their bytes; that order assigns the indices 1..n of a committee.</remarks>
internal readonly struct PartyId : IEquatable<PartyId>, IComparable<PartyId>
{
    /// <summary>The length of a party id in bytes.</summary>
    public const int Length = 32;

    // Big-endian words, so that comparing the words compares the bytes lexicographically.
    private readonly ulong _w0;
    private readonly ulong _w1;
    private readonly ulong _w2;
    private readonly ulong _w3;

    /// <summary>Creates a party id from a 32-byte account id.</summary>
    /// <param name="accountId">The 32 bytes of the account id.</param>
    /// <exception cref="ArgumentException"><paramref name="accountId"/> is not 32 bytes long.</exception>
    public PartyId(ReadOnlySpan<byte> accountId)
    {
        if (accountId.Length != Length)
        {
            throw new ArgumentException($"A party id is {Length} bytes, not {accountId.Length}.", nameof(accountId));
        }

        _w0 = BinaryPrimitives.ReadUInt64BigEndian(accountId);
        _w1 = BinaryPrimitives.ReadUInt64BigEndian(accountId[8..]);
        _w2 = BinaryPrimitives.ReadUInt64BigEndian(accountId[16..]);
        _w3 = BinaryPrimitives.ReadUInt64BigEndian(accountId[24..]);
    }

    /// <summary>Copies the 32 bytes of the account id into <paramref name="destination"/>.</summary>
    /// <param name="destination">A buffer of at least 32 bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 32 bytes.</exception>
    public void CopyTo(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException($"The destination must hold {Length} bytes.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, _w0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _w1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _w2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _w3);
    }

    /// <summary>Returns the 32 bytes of the account id.</summary>
    /// <returns>A new array of 32 bytes.</returns>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }

    /// <inheritdoc/>
    public bool Equals(PartyId other) => _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    /// <inheritdoc/>
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is PartyId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3);

    /// <summary>Compares the account ids byte by byte.</summary>
    /// <param name="other">The party to compare with.</param>
    /// <returns>A negative number, zero or a positive number as this id sorts before, with or after <paramref name="other"/>.</returns>
    public int CompareTo(PartyId other)
    {
        int c = _w0.CompareTo(other._w0);
        if (c != 0)
        {
            return c;
        }

        c = _w1.CompareTo(other._w1);
        if (c != 0)
        {
            return c;
        }

        c = _w2.CompareTo(other._w2);
        return c != 0 ? c : _w3.CompareTo(other._w3);
    }

    /// <summary>Returns the account id as <c>0x</c> and 64 lowercase hex digits.</summary>
    /// <returns>The hex form of the account id.</returns>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        return "0x" + Convert.ToHexStringLower(bytes);
    }

    /// <summary>Compares two party ids for equality.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns><see langword="true"/> when both ids have the same bytes.</returns>
    public static bool operator ==(PartyId left, PartyId right) => left.Equals(right);

    /// <summary>Compares two party ids for inequality.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns><see langword="true"/> when the ids differ.</returns>
    public static bool operator !=(PartyId left, PartyId right) => !left.Equals(right);

    /// <summary>Returns whether <paramref name="left"/> sorts before <paramref name="right"/>.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> sorts first.</returns>
    public static bool operator <(PartyId left, PartyId right) => left.CompareTo(right) < 0;

    /// <summary>Returns whether <paramref name="left"/> sorts after <paramref name="right"/>.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> sorts last.</returns>
    public static bool operator >(PartyId left, PartyId right) => left.CompareTo(right) > 0;

    /// <summary>Returns whether <paramref name="left"/> sorts before or equals <paramref name="right"/>.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns><see langword="true"/> unless <paramref name="left"/> sorts after <paramref name="right"/>.</returns>
    public static bool operator <=(PartyId left, PartyId right) => left.CompareTo(right) <= 0;

    /// <summary>Returns whether <paramref name="left"/> sorts after or equals <paramref name="right"/>.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns><see langword="true"/> unless <paramref name="left"/> sorts before <paramref name="right"/>.</returns>
    public static bool operator >=(PartyId left, PartyId right) => left.CompareTo(right) >= 0;
}
