using System.Text.Json.Nodes;

namespace Entropy.Simulator.Rpc;

/// <summary>0x-prefixed lower-case hex, as Substrate's JSON-RPC uses for bytes.</summary>
internal static class Hex
{
    public static string Encode(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexStringLower(bytes);

    public static JsonNode Node(ReadOnlySpan<byte> bytes) => JsonValue.Create(Encode(bytes));

    public static string Number(ulong value) => "0x" + value.ToString("x", System.Globalization.CultureInfo.InvariantCulture);

    public static byte[] Decode(string text, string what)
    {
        if (!text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            throw RpcException.Params($"{what} must be 0x-prefixed hex");
        }

        var digits = text.AsSpan(2);
        if (digits.Length % 2 != 0)
        {
            throw RpcException.Params($"{what} has an odd number of hex digits");
        }

        try
        {
            return Convert.FromHexString(digits);
        }
        catch (FormatException)
        {
            throw RpcException.Params($"{what} is not valid hex");
        }
    }
}
