using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Entropy.Crypto;

/// <summary>The 200-byte Keccak state stored as 25 lanes.</summary>
[InlineArray(25)]
internal struct KeccakState
{
    private ulong _lane;
}

/// <summary>
/// The subset of STROBE v1.0.2 over Keccak-f[1600] with 128-bit security that Merlin uses: meta-AD, AD, KEY and PRF,
/// following merlin's <c>strobe.rs</c> (rate 166 bytes plus two framing bytes).
/// </summary>
/// <remarks>This is a mutable struct: pass it by reference; a plain copy is a clone of the duplex state.</remarks>
internal struct Strobe128
{
    private const int StrobeR = 166;
    private const byte FlagI = 1, FlagA = 1 << 1, FlagC = 1 << 2, FlagT = 1 << 3, FlagM = 1 << 4, FlagK = 1 << 5;

    private KeccakState _state;
    private int _pos;
    private int _posBegin;
    private byte _curFlags;

    /// <summary>Creates a STROBE-128 object and absorbs the protocol label as meta-AD.</summary>
    public static Strobe128 Create(ReadOnlySpan<byte> protocolLabel)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("STROBE-128 is implemented for little-endian platforms only.");
        }

        var s = default(Strobe128);
        Span<byte> st = s.Bytes;
        st[0] = 1;
        st[1] = StrobeR + 2;
        st[2] = 1;
        st[3] = 0;
        st[4] = 1;
        st[5] = 96;
        Encoding.ASCII.GetBytes("STROBEv1.0.2", st[6..]);
        Keccak.Permute(s._state);
        s.MetaAd(protocolLabel, more: false);
        return s;
    }

    [UnscopedRef]
    private Span<byte> Bytes => MemoryMarshal.AsBytes((Span<ulong>)_state);

    public void MetaAd(ReadOnlySpan<byte> data, bool more)
    {
        BeginOp(FlagM | FlagA, more);
        Absorb(data);
    }

    public void Ad(ReadOnlySpan<byte> data, bool more)
    {
        BeginOp(FlagA, more);
        Absorb(data);
    }

    public void Prf(Span<byte> destination, bool more)
    {
        BeginOp(FlagI | FlagA | FlagC, more);
        Squeeze(destination);
    }

    public void Key(ReadOnlySpan<byte> data, bool more)
    {
        BeginOp(FlagA | FlagC, more);
        Overwrite(data);
    }

    /// <summary>Zeroes the duplex state.</summary>
    public void Clear()
    {
        CryptographicOperations.ZeroMemory(Bytes);
        _pos = 0;
        _posBegin = 0;
        _curFlags = 0;
    }

    private void RunF()
    {
        Span<byte> st = Bytes;
        st[_pos] ^= (byte)_posBegin;
        st[_pos + 1] ^= 0x04;
        st[StrobeR + 1] ^= 0x80;
        Keccak.Permute(_state);
        _pos = 0;
        _posBegin = 0;
    }

    private void Absorb(ReadOnlySpan<byte> data)
    {
        Span<byte> st = Bytes;
        foreach (byte b in data)
        {
            st[_pos++] ^= b;
            if (_pos == StrobeR)
            {
                RunF();
            }
        }
    }

    private void Overwrite(ReadOnlySpan<byte> data)
    {
        Span<byte> st = Bytes;
        foreach (byte b in data)
        {
            st[_pos++] = b;
            if (_pos == StrobeR)
            {
                RunF();
            }
        }
    }

    private void Squeeze(Span<byte> destination)
    {
        Span<byte> st = Bytes;
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = st[_pos];
            st[_pos++] = 0;
            if (_pos == StrobeR)
            {
                RunF();
            }
        }
    }

    private void BeginOp(byte flags, bool more)
    {
        if (more)
        {
            // A continued operation must keep its flags (merlin asserts the same).
            if (_curFlags != flags)
            {
                throw new InvalidOperationException("A continued STROBE operation changed its flags.");
            }

            return;
        }

        if ((flags & FlagT) != 0)
        {
            throw new InvalidOperationException("STROBE transport operations are not supported.");
        }

        int oldBegin = _posBegin;
        _posBegin = _pos + 1;
        _curFlags = flags;
        Span<byte> op = [(byte)oldBegin, flags];
        Absorb(op);

        bool forceF = (flags & (FlagC | FlagK)) != 0;
        if (forceF && _pos != 0)
        {
            RunF();
        }
    }
}
