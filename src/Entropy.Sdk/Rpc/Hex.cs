namespace Entropy.Rpc;

/// <summary>0x-prefixed lower-case hex, the way Substrate JSON-RPC writes bytes.</summary>
internal static class Hex
{
    public static string Encode(ReadOnlySpan<byte> bytes) => string.Concat("0x", Convert.ToHexStringLower(bytes));

    /// <summary>Decodes 0x-prefixed hex; returns false for anything else (odd length, bad digits, missing prefix).</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length < 2 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X') || (text.Length & 1) != 0)
        {
            return false;
        }

        var digits = text[2..];
        var result = new byte[digits.Length / 2];
        if (Convert.FromHexString(digits, result, out _, out var written) != System.Buffers.OperationStatus.Done || written != result.Length)
        {
            return false;
        }

        bytes = result;
        return true;
    }
}
