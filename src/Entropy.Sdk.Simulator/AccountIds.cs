using Entropy.Simulator.Rpc;

namespace Entropy.Simulator;

/// <summary>Parses the account arguments of RPC methods: a 0x-hex AccountId32 or an SS58 address.</summary>
internal static class AccountIds
{
    public static byte[]? TryParse(string text)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var bytes = Hex.Decode(text, "account");
                return bytes.Length == 32 ? bytes : null;
            }
            catch (RpcException)
            {
                return null;
            }
        }

        return null;
    }
}
