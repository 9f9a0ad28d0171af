using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Entropy.Metadata;
using Entropy.Rpc;

namespace Entropy.Chain;

/// <summary>Reads Substrate JSON-RPC result shapes into chain types; anything unexpected is an <see cref="EntropyRpcProtocolException"/>.</summary>
internal static class ChainJson
{
    public static EntropyRpcProtocolException Invalid(string method, string problem) =>
        new(EntropyRpcProtocolException.InvalidMessageCode, problem, method, null, TimeSpan.Zero);

    public static byte[] ReadBytes(JsonElement element, string method)
    {
        if (element.ValueKind == JsonValueKind.String && Hex.TryDecode(element.GetString(), out var bytes))
        {
            return bytes;
        }

        throw Invalid(method, $"expected 0x-hex bytes, got {Describe(element)}");
    }

    public static BlockHash ReadHash(JsonElement element, string method) =>
        element.ValueKind == JsonValueKind.String && BlockHash.TryParse(element.GetString(), out var hash)
            ? hash
            : throw Invalid(method, $"expected a 32-byte hash, got {Describe(element)}");

    public static uint ReadUInt32(JsonElement element, string method, string what)
    {
        if (element.ValueKind == JsonValueKind.Number && element.TryGetUInt32(out var number))
        {
            return number;
        }

        // Block numbers come as hex strings, sometimes zero-padded ("0x00000001").
        if (element.ValueKind == JsonValueKind.String && element.GetString() is { Length: > 2 and <= 10 } text
            && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && uint.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        throw Invalid(method, $"{what}: expected a u32, got {Describe(element)}");
    }

    public static Header ReadHeader(JsonElement element, string method)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(method, $"expected a header object, got {element.ValueKind}");
        }

        var logs = new List<ReadOnlyMemory<byte>>();
        if (Property(element, "digest", method).ValueKind == JsonValueKind.Object
            && element.GetProperty("digest").TryGetProperty("logs"u8, out var logArray) && logArray.ValueKind == JsonValueKind.Array)
        {
            foreach (var log in logArray.EnumerateArray())
            {
                logs.Add(ReadBytes(log, method));
            }
        }
        else
        {
            throw Invalid(method, "the header's digest has no 'logs' array");
        }

        return new Header(
            ReadHash(Property(element, "parentHash", method), method),
            ReadUInt32(Property(element, "number", method), method, "header number"),
            Read32(Property(element, "stateRoot", method), method),
            Read32(Property(element, "extrinsicsRoot", method), method),
            logs);
    }

    public static Block ReadSignedBlock(JsonElement element, string method)
    {
        var block = Property(element, "block", method);
        var header = ReadHeader(Property(block, "header", method), method);
        var extrinsics = Property(block, "extrinsics", method);
        if (extrinsics.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(method, "the block's 'extrinsics' is not an array");
        }

        var list = new List<ReadOnlyMemory<byte>>(extrinsics.GetArrayLength());
        foreach (var extrinsic in extrinsics.EnumerateArray())
        {
            list.Add(ReadBytes(extrinsic, method));
        }

        return new Block(header, list);
    }

    public static RuntimeVersion ReadRuntimeVersion(JsonElement element, string method)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(method, $"expected a runtime version object, got {element.ValueKind}");
        }

        var apis = new List<RuntimeApiVersion>();
        if (element.TryGetProperty("apis"u8, out var apiArray) && apiArray.ValueKind == JsonValueKind.Array)
        {
            foreach (var api in apiArray.EnumerateArray())
            {
                if (api.ValueKind != JsonValueKind.Array || api.GetArrayLength() != 2 || api[0].ValueKind != JsonValueKind.String)
                {
                    throw Invalid(method, $"an 'apis' entry is not [id, version]: {Describe(api)}");
                }

                apis.Add(new RuntimeApiVersion(api[0].GetString()!, ReadUInt32(api[1], method, "api version")));
            }
        }

        return new RuntimeVersion(
            OptionalString(element, "specName"),
            OptionalString(element, "implName"),
            OptionalUInt32(element, "authoringVersion", method),
            ReadUInt32(Property(element, "specVersion", method), method, "specVersion"),
            OptionalUInt32(element, "implVersion", method),
            ReadUInt32(Property(element, "transactionVersion", method), method, "transactionVersion"),
            OptionalUInt32(element, "stateVersion", method),
            apis);
    }

    public static ChainProperties ReadProperties(JsonElement element, string method)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(method, $"expected a properties object, got {element.ValueKind}");
        }

        ushort? ss58 = element.TryGetProperty("ss58Format"u8, out var format) && format.ValueKind == JsonValueKind.Number && format.TryGetUInt16(out var f)
            ? f
            : null;
        var symbols = new List<string>();
        if (element.TryGetProperty("tokenSymbol"u8, out var symbol))
        {
            foreach (var s in symbol.ValueKind == JsonValueKind.Array ? symbol.EnumerateArray().ToArray() : [symbol])
            {
                symbols.Add(s.ValueKind == JsonValueKind.String ? s.GetString()! : throw Invalid(method, $"tokenSymbol: expected a string, got {Describe(s)}"));
            }
        }

        var decimals = new List<int>();
        if (element.TryGetProperty("tokenDecimals"u8, out var decimal_))
        {
            foreach (var d in decimal_.ValueKind == JsonValueKind.Array ? decimal_.EnumerateArray().ToArray() : [decimal_])
            {
                decimals.Add(d.ValueKind == JsonValueKind.Number && d.TryGetInt32(out var value) ? value : throw Invalid(method, $"tokenDecimals: expected a number, got {Describe(d)}"));
            }
        }

        return new ChainProperties(ss58, symbols, decimals);
    }

    public static AccountInfo ToAccountInfo(ScaleValue? value)
    {
        if (value is null)
        {
            return new AccountInfo(0, 0, 0, 0, BigInteger.Zero, BigInteger.Zero, BigInteger.Zero);
        }

        try
        {
            var info = (CompositeValue)value;
            var data = (CompositeValue)info["data"];
            var frozen = data.TryGetField("frozen", out var f)
                ? f.AsNumber()
                : BigInteger.Max(Number(data, "misc_frozen"), Number(data, "fee_frozen"));
            return new AccountInfo(
                (uint)Number(info, "nonce"),
                (uint)Number(info, "consumers"),
                (uint)Number(info, "providers"),
                (uint)Number(info, "sufficients"),
                Number(data, "free"),
                Number(data, "reserved"),
                frozen);
        }
        catch (Exception ex) when (ex is InvalidCastException or KeyNotFoundException or InvalidOperationException or OverflowException)
        {
            throw new MetadataException($"System.Account does not have the AccountInfo {{ nonce, consumers, providers, sufficients, data: {{ free, reserved, … }} }} shape: {ex.Message}", ex);
        }
    }

    private static BigInteger Number(CompositeValue composite, string name) =>
        composite.TryGetField(name, out var value) ? value.AsNumber() : BigInteger.Zero;

    private static ReadOnlyMemory<byte> Read32(JsonElement element, string method)
    {
        var bytes = ReadBytes(element, method);
        return bytes.Length == 32 ? bytes : throw Invalid(method, $"expected 32 bytes, got {bytes.Length}");
    }

    private static JsonElement Property(JsonElement element, string name, string method) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value
            : throw Invalid(method, $"missing '{name}'");

    private static string OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;

    private static uint OptionalUInt32(JsonElement element, string name, string method) =>
        element.TryGetProperty(name, out var value) ? ReadUInt32(value, method, name) : 0;

    private static string Describe(JsonElement element)
    {
        var raw = element.GetRawText();
        return raw.Length <= 80 ? raw : string.Concat(raw.AsSpan(0, 80), "…");
    }
}
