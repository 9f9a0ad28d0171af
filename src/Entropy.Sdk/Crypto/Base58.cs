using System.Security.Cryptography;

namespace Entropy.Crypto;

/// <summary>Bitcoin-alphabet Base58, as used by SS58 addresses.</summary>
internal static class Base58
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    private static readonly sbyte[] s_digits = BuildDigits();

    public static string Encode(ReadOnlySpan<byte> data)
    {
        int zeros = 0;
        while (zeros < data.Length && data[zeros] == 0)
        {
            zeros++;
        }

        // log(256) / log(58) < 1.37: the number of base-58 digits needed.
        int size = ((data.Length - zeros) * 137 / 100) + 1;
        Span<byte> digits = size <= 256 ? stackalloc byte[size] : new byte[size];
        digits.Clear();
        int length = 0;
        for (int i = zeros; i < data.Length; i++)
        {
            int carry = data[i];
            int j = 0;
            for (; j < length || carry != 0; j++)
            {
                carry += 256 * digits[j];
                digits[j] = (byte)(carry % 58);
                carry /= 58;
            }

            length = j;
        }

        var chars = new char[zeros + length];
        chars.AsSpan(0, zeros).Fill('1');
        for (int i = 0; i < length; i++)
        {
            chars[zeros + i] = Alphabet[digits[length - 1 - i]];
        }

        return new string(chars);
    }

    /// <summary>Decodes Base58 text; returns <see langword="null"/> and the offending index if a character is outside the alphabet.</summary>
    public static byte[]? TryDecode(ReadOnlySpan<char> text, out int badIndex)
    {
        badIndex = -1;
        int zeros = 0;
        while (zeros < text.Length && text[zeros] == '1')
        {
            zeros++;
        }

        // log(58) / log(256) < 0.733: the number of bytes needed.
        int size = ((text.Length - zeros) * 733 / 1000) + 1;
        Span<byte> bytes = size <= 256 ? stackalloc byte[size] : new byte[size];
        bytes.Clear();
        int length = 0;
        for (int i = zeros; i < text.Length; i++)
        {
            char c = text[i];
            int digit = c < 128 ? s_digits[c] : -1;
            if (digit < 0)
            {
                badIndex = i;
                return null;
            }

            int carry = digit;
            int j = 0;
            for (; j < length || carry != 0; j++)
            {
                carry += 58 * bytes[j];
                bytes[j] = (byte)carry;
                carry >>= 8;
            }

            length = j;
        }

        var result = new byte[zeros + length];
        for (int i = 0; i < length; i++)
        {
            result[zeros + i] = bytes[length - 1 - i];
        }

        CryptographicOperations.ZeroMemory(bytes);
        return result;
    }

    private static sbyte[] BuildDigits()
    {
        var digits = new sbyte[128];
        digits.AsSpan().Fill(-1);
        for (int i = 0; i < Alphabet.Length; i++)
        {
            digits[Alphabet[i]] = (sbyte)i;
        }

        return digits;
    }
}
