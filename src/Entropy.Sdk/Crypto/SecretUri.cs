using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Entropy.Hashing;

namespace Entropy.Crypto;

/// <summary>One step of a derivation path: a 32-byte chain code and whether the derivation is hard.</summary>
internal readonly struct DeriveJunction
{
    private readonly byte[] _chainCode;

    private DeriveJunction(byte[] chainCode, bool isHard)
    {
        _chainCode = chainCode;
        IsHard = isHard;
    }

    public bool IsHard { get; }

    public ReadOnlySpan<byte> ChainCode => _chainCode;

    /// <summary>Builds the junction for the text of one path segment (without its slashes), as sp-core's <c>DeriveJunction::from</c> does.</summary>
    public static DeriveJunction FromText(string code, bool isHard)
    {
        var chainCode = new byte[32];

        // sp-core: `code.parse::<u64>()` succeeds → the number as u64 little-endian; anything else → the SCALE-encoded string. Rust's
        // u64 parser takes decimal digits with an optional leading '+' (so "+5" is 5, "007" is 7) and fails above u64::MAX (so
        // "18446744073709551616" is a string). polkadot-js differs: see docs/keys.md.
        ReadOnlySpan<char> digits = code.StartsWith('+') ? code.AsSpan(1) : code.AsSpan();
        if (digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9')
            && ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out ulong number))
        {
            BinaryPrimitives.WriteUInt64LittleEndian(chainCode, number);
            return new DeriveJunction(chainCode, isHard);
        }

        byte[] encoded = Scale.ScaleCodec.Encode(code, static (w, s) => w.WriteString(s));
        try
        {
            // Encodings longer than 32 bytes are replaced by their BLAKE2b-256; shorter ones are zero-padded.
            if (encoded.Length > 32)
            {
                Blake2b.Hash(encoded, chainCode);
            }
            else
            {
                encoded.CopyTo(chainCode, 0);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(encoded);
        }

        return new DeriveJunction(chainCode, isHard);
    }

    public void Clear() => CryptographicOperations.ZeroMemory(_chainCode);
}

/// <summary>A parsed secret URI: <c>&lt;phrase | 0x seed&gt;[//hard | /soft]*[///password]</c>, as used by subkey and polkadot-js.</summary>
/// <remarks>
/// An omitted phrase (a URI that starts with <c>/</c>) means the development phrase, so <c>//Alice</c> is
/// <see cref="Mnemonic.DevPhrase"/> followed by <c>//Alice</c>; with no path at all (an empty URI) it is refused. The password is
/// ignored for a hex seed, as in Substrate. Error messages never include any part of the URI.
/// </remarks>
internal sealed class SecretUri
{
    private SecretUri(string phrase, DeriveJunction[] junctions, string? password)
    {
        Phrase = phrase;
        Junctions = junctions;
        Password = password;
    }

    public string Phrase { get; }

    public DeriveJunction[] Junctions { get; }

    public string? Password { get; }

    public bool IsHexSeed => Phrase.StartsWith("0x", StringComparison.Ordinal);

    public static SecretUri Parse(string suri)
    {
        ArgumentNullException.ThrowIfNull(suri);
        string? password = null;
        string rest = suri;
        int passwordStart = suri.IndexOf("///", StringComparison.Ordinal);
        if (passwordStart >= 0)
        {
            password = suri.Substring(passwordStart + 3);
            rest = suri.Substring(0, passwordStart);
        }

        int pathStart = rest.IndexOf('/', StringComparison.Ordinal);
        string phrase = (pathStart < 0 ? rest : rest.Substring(0, pathStart)).Trim();
        string path = pathStart < 0 ? string.Empty : rest.Substring(pathStart);
        bool devShorthand = phrase.Length == 0;
        if (devShorthand)
        {
            phrase = Mnemonic.DevPhrase;
        }

        var junctions = new List<DeriveJunction>();
        int position = 0;
        while (position < path.Length)
        {
            // path[position] is '/' here by construction.
            bool hard = position + 1 < path.Length && path[position + 1] == '/';
            int start = position + (hard ? 2 : 1);
            int end = path.IndexOf('/', start);
            if (end < 0)
            {
                end = path.Length;
            }

            if (end == start)
            {
                throw new FormatException("The secret URI has an empty derivation junction (a '/' or '//' with nothing after it).");
            }

            junctions.Add(DeriveJunction.FromText(path.Substring(start, end - start), hard));
            position = end;
        }

        if (devShorthand && junctions.Count == 0)
        {
            // Substrate reads "" (or "///password") as the development phrase's root: a public account, never what a caller who
            // passed an empty or unset secret meant.
            throw new FormatException(
                "The secret URI is empty (or has no phrase and no derivation path). Give a mnemonic phrase, a 0x seed, or a development "
                + "path such as //Alice; the development phrase's root key must be written out as the phrase itself.");
        }

        return new SecretUri(phrase, [.. junctions], password);
    }

    /// <summary>Writes the 32-byte root mini secret: the hex seed, or the phrase's substrate-bip39 mini secret with the password.</summary>
    public void DeriveRootMiniSecret(Span<byte> miniSecret)
    {
        if (IsHexSeed)
        {
            if (Phrase.Length != 66
                || Convert.FromHexString(Phrase.AsSpan(2), miniSecret, out _, out int written) != System.Buffers.OperationStatus.Done
                || written != 32)
            {
                CryptographicOperations.ZeroMemory(miniSecret);
                throw new FormatException("The secret URI seed must be '0x' followed by 64 hex digits (a 32-byte mini secret).");
            }

            return;
        }

        Mnemonic.DeriveMiniSecret(Phrase, Password, miniSecret);
    }

    public void Clear()
    {
        foreach (DeriveJunction junction in Junctions)
        {
            junction.Clear();
        }
    }
}
