using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Entropy.Rpc;

/// <summary>Caps text a node controls (error messages, error data, echoed ids) before it goes into an exception or a log line.</summary>
/// <remarks>A node may send a 10 MB error message; the exception keeps the first kilobyte and says how much was elided.</remarks>
internal static class RpcText
{
    /// <summary>The longest text, in characters, kept from a node (the elision note included).</summary>
    public const int MaxLength = 1024;

    private const int Kept = MaxLength - 64;

    /// <summary>Returns <paramref name="text"/> if it is at most <see cref="MaxLength"/> characters, else its start and how much was elided.</summary>
    /// <param name="text">The node's text.</param>
    /// <returns>At most <see cref="MaxLength"/> characters.</returns>
    public static string Cap(string text)
    {
        if (text.Length <= MaxLength)
        {
            return text;
        }

        var kept = char.IsHighSurrogate(text[Kept - 1]) ? Kept - 1 : Kept;
        return string.Concat(text.AsSpan(0, kept), $"… ({text.Length - kept} more characters elided)");
    }

    /// <summary>Caps a JSON string value.</summary>
    /// <param name="value">A JSON string.</param>
    /// <returns>The unescaped string, capped; the raw JSON text when it does not unescape to valid UTF-16.</returns>
    public static string Cap(JsonElement value)
    {
        try
        {
            return Cap(value.GetString() ?? string.Empty);
        }
        catch (InvalidOperationException)
        {
            // An escape that is not valid UTF-16 (a lone surrogate such as \ud800): keep the JSON text instead.
            return CapRaw(value);
        }
    }

    /// <summary>Caps the raw JSON text of any value without materialising all of it.</summary>
    /// <param name="value">The value.</param>
    /// <returns>Its JSON text, capped at <see cref="MaxLength"/> characters.</returns>
    public static string CapRaw(JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (raw.Length <= MaxLength)
        {
            return Encoding.UTF8.GetString(raw);
        }

        // Stop before a UTF-8 continuation byte so that no character is cut in half.
        var end = Kept;
        while (end > 0 && (raw[end] & 0xC0) == 0x80)
        {
            end--;
        }

        return string.Concat(Encoding.UTF8.GetString(raw[..end]), $"… ({raw.Length - end} more bytes elided)");
    }
}
