namespace Entropy.Simulator;

/// <summary>Parses the account arguments of RPC methods: an SS58 address (any prefix) or a 0x-hex AccountId32.</summary>
internal static class AccountIds
{
    public static byte[]? TryParse(string text) => AccountId.TryParse(text, out var account) ? account.ToArray() : null;
}
