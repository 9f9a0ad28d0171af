using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;

namespace Entropy.Crypto;

/// <summary>BIP-39 English mnemonic phrases and the Substrate (substrate-bip39) mini secret derived from them.</summary>
/// <remarks>
/// <para>
/// Substrate does not use the BIP-39 seed: its mini secret is <c>PBKDF2-HMAC-SHA512(entropy, "mnemonic" ‖ password, 2048)[..32]</c>,
/// where <c>entropy</c> is the phrase's entropy bytes rather than its text. Phrases have 12, 15, 18, 21 or 24 words.
/// </para>
/// <para>
/// Error messages identify the position of a bad word but never repeat any word of the phrase, which is a secret.
/// See <see href="https://github.com/bitcoin/bips/blob/master/bip-0039.mediawiki"/> and
/// <see href="https://github.com/paritytech/substrate-bip39"/>.
/// </para>
/// </remarks>
public static class Mnemonic
{
    /// <summary>The phrase of Substrate's well-known development accounts (<c>//Alice</c>, <c>//Bob</c>, …).</summary>
    public const string DevPhrase = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

    private const int Pbkdf2Iterations = 2048;

    private static readonly Lazy<(string[] Words, FrozenDictionary<string, int> Index)> s_wordList = new(LoadWordList);

    /// <summary>Creates a new random phrase.</summary>
    /// <param name="wordCount">The number of words: 12, 15, 18, 21 or 24.</param>
    /// <returns>The phrase, words separated by single spaces.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="wordCount"/> is not 12, 15, 18, 21 or 24.</exception>
    public static string Generate(int wordCount = 12)
    {
        if (wordCount is not (12 or 15 or 18 or 21 or 24))
        {
            throw new ArgumentOutOfRangeException(nameof(wordCount), wordCount, "A BIP-39 phrase has 12, 15, 18, 21 or 24 words.");
        }

        Span<byte> entropy = stackalloc byte[wordCount * 4 / 3];
        RandomNumberGenerator.Fill(entropy);
        try
        {
            return FromEntropy(entropy);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(entropy);
        }
    }

    /// <summary>Returns whether <paramref name="phrase"/> is a valid English BIP-39 phrase (known words, valid length and checksum).</summary>
    /// <param name="phrase">The phrase.</param>
    /// <returns><see langword="true"/> if the phrase is valid.</returns>
    public static bool IsValid(string? phrase)
    {
        if (phrase is null)
        {
            return false;
        }

        Span<byte> entropy = stackalloc byte[32];
        bool valid = TryToEntropy(phrase, entropy, out int length) is null;
        CryptographicOperations.ZeroMemory(entropy);
        return valid && length > 0;
    }

    /// <summary>Checks that <paramref name="phrase"/> is a valid English BIP-39 phrase.</summary>
    /// <param name="phrase">The phrase.</param>
    /// <exception cref="ArgumentNullException"><paramref name="phrase"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">The phrase has the wrong number of words, a word that is not in the English list (its position is named), or a bad checksum.</exception>
    public static void Validate(string phrase)
    {
        ArgumentNullException.ThrowIfNull(phrase);
        Span<byte> entropy = stackalloc byte[32];
        string? error = TryToEntropy(phrase, entropy, out _);
        CryptographicOperations.ZeroMemory(entropy);
        if (error is not null)
        {
            throw new FormatException(error);
        }
    }

    /// <summary>Derives the 32-byte Substrate mini secret (sr25519/ed25519 seed) of a phrase, as substrate-bip39 does.</summary>
    /// <param name="phrase">The phrase.</param>
    /// <param name="password">The optional password (the <c>///password</c> part of a secret URI); <see langword="null"/> means none.</param>
    /// <param name="miniSecret">Receives the 32-byte mini secret; the caller should zero it after use.</param>
    /// <exception cref="ArgumentNullException"><paramref name="phrase"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="miniSecret"/> is not 32 bytes long.</exception>
    /// <exception cref="FormatException">The phrase is not a valid English BIP-39 phrase.</exception>
    internal static void DeriveMiniSecret(string phrase, string? password, Span<byte> miniSecret)
    {
        ArgumentNullException.ThrowIfNull(phrase);
        if (miniSecret.Length != 32)
        {
            throw new ArgumentException($"The mini secret is 32 bytes; got {miniSecret.Length}.", nameof(miniSecret));
        }

        Span<byte> entropy = stackalloc byte[32];
        Span<byte> seed = stackalloc byte[64];
        byte[] salt = Encoding.UTF8.GetBytes("mnemonic" + (password ?? string.Empty));
        try
        {
            string? error = TryToEntropy(phrase, entropy, out int length);
            if (error is not null)
            {
                throw new FormatException(error);
            }

            // substrate-bip39 mini_secret_from_entropy: PBKDF2 over the entropy bytes (not the phrase text), first 32 bytes.
            Rfc2898DeriveBytes.Pbkdf2(entropy.Slice(0, length), salt, seed, Pbkdf2Iterations, HashAlgorithmName.SHA512);
            seed.Slice(0, 32).CopyTo(miniSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(entropy);
            CryptographicOperations.ZeroMemory(seed);
            CryptographicOperations.ZeroMemory(salt);
        }
    }

    /// <summary>Returns the entropy bytes (16 to 32) a phrase encodes.</summary>
    internal static byte[] ToEntropy(string phrase)
    {
        Span<byte> entropy = stackalloc byte[32];
        try
        {
            string? error = TryToEntropy(phrase, entropy, out int length);
            return error is null ? entropy.Slice(0, length).ToArray() : throw new FormatException(error);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(entropy);
        }
    }

    /// <summary>Returns the phrase that encodes 16, 20, 24, 28 or 32 entropy bytes.</summary>
    internal static string FromEntropy(ReadOnlySpan<byte> entropy)
    {
        if (entropy.Length is not (16 or 20 or 24 or 28 or 32))
        {
            throw new ArgumentException("BIP-39 entropy is 16, 20, 24, 28 or 32 bytes.", nameof(entropy));
        }

        string[] words = s_wordList.Value.Words;
        Span<byte> bits = stackalloc byte[33];
        Span<byte> hash = stackalloc byte[32];
        entropy.CopyTo(bits);
        SHA256.HashData(entropy, hash);
        bits[entropy.Length] = hash[0];
        int count = entropy.Length * 3 / 4;
        var builder = new StringBuilder(count * 9);
        for (int i = 0; i < count; i++)
        {
            int index = 0;
            for (int b = 0; b < 11; b++)
            {
                int bit = (i * 11) + b;
                index = (index << 1) | ((bits[bit >> 3] >> (7 - (bit & 7))) & 1);
            }

            if (i > 0)
            {
                builder.Append(' ');
            }

            builder.Append(words[index]);
        }

        CryptographicOperations.ZeroMemory(bits);
        CryptographicOperations.ZeroMemory(hash);
        return builder.ToString();
    }

    // Returns null on success, or an error message that names positions but never words.
    private static string? TryToEntropy(string phrase, Span<byte> entropy, out int length)
    {
        length = 0;
        FrozenDictionary<string, int> index = s_wordList.Value.Index;
        string[] words = phrase.Normalize(NormalizationForm.FormKD)
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length is not (12 or 15 or 18 or 21 or 24))
        {
            return $"A BIP-39 phrase has 12, 15, 18, 21 or 24 words; this one has {words.Length}.";
        }

        Span<byte> bits = stackalloc byte[33];
        bits.Clear();
        try
        {
            for (int i = 0; i < words.Length; i++)
            {
                if (!index.TryGetValue(words[i], out int value))
                {
                    return $"Word {i + 1} of {words.Length} is not in the BIP-39 English word list.";
                }

                for (int b = 0; b < 11; b++)
                {
                    if (((value >> (10 - b)) & 1) != 0)
                    {
                        int bit = (i * 11) + b;
                        bits[bit >> 3] |= (byte)(0x80 >> (bit & 7));
                    }
                }
            }

            int entropyLength = words.Length * 4 / 3;
            int checksumBits = entropyLength / 4;
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(bits.Slice(0, entropyLength), hash);
            if ((hash[0] >> (8 - checksumBits)) != (bits[entropyLength] >> (8 - checksumBits)))
            {
                return "The BIP-39 phrase checksum does not match; a word is wrong or the words are out of order.";
            }

            bits.Slice(0, entropyLength).CopyTo(entropy);
            length = entropyLength;
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bits);
        }
    }

    private static (string[] Words, FrozenDictionary<string, int> Index) LoadWordList()
    {
        using Stream stream = typeof(Mnemonic).Assembly.GetManifestResourceStream("Entropy.Crypto.Bip39English.txt")
            ?? throw new InvalidOperationException("The embedded BIP-39 English word list is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string[] words = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length != 2048)
        {
            throw new InvalidOperationException($"The embedded BIP-39 English word list has {words.Length} words, not 2048.");
        }

        return (words, words.Select((w, i) => (w, i)).ToFrozenDictionary(p => p.w, p => p.i, StringComparer.Ordinal));
    }
}
