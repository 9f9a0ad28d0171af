using System.Buffers;
using Entropy.Scale;

namespace Entropy.Simulator.ThresholdServers;

/// <summary>One committee member as the off-chain worker describes it (entropy-shared <c>ValidatorInfo</c>, PROTOCOL.md §4).</summary>
internal sealed record ValidatorInfo(byte[] X25519PublicKey, byte[] IpAddress, byte[] TssAccount)
{
    public string Endpoint => System.Text.Encoding.UTF8.GetString(IpAddress);
}

/// <summary>The SCALE body of <c>POST /user/new</c> (entropy-shared <c>OcwMessageDkg</c>, PROTOCOL.md §4).</summary>
internal sealed record OcwMessageDkg(uint BlockNumber, IReadOnlyList<byte[]> SigRequestAccounts, IReadOnlyList<ValidatorInfo> ValidatorsInfo)
{
    public byte[] Encode()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new ScaleWriter(buffer);
        writer.WriteU32(BlockNumber);
        WriteAccounts(writer, SigRequestAccounts);
        writer.WriteCompact((ulong)ValidatorsInfo.Count);
        foreach (var v in ValidatorsInfo)
        {
            writer.WriteBytes(v.X25519PublicKey);
            writer.WriteByteVec(v.IpAddress);
            writer.WriteByteVec(v.TssAccount);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>SCALE of <c>Vec&lt;Vec&lt;u8&gt;&gt;</c>, as stored in <c>Dkg[N]</c>.</summary>
    public static byte[] EncodeAccounts(IReadOnlyList<byte[]> accounts)
    {
        var buffer = new ArrayBufferWriter<byte>();
        WriteAccounts(new ScaleWriter(buffer), accounts);
        return buffer.WrittenSpan.ToArray();
    }

    /// <exception cref="ScaleFormatException">The body is not an <c>OcwMessageDkg</c>.</exception>
    public static OcwMessageDkg Decode(ReadOnlySpan<byte> body)
    {
        var reader = new ScaleReader(body);
        var block = reader.ReadU32();
        var accounts = reader.ReadVec(static (ref ScaleReader r) => r.ReadByteVec());
        var validators = reader.ReadVec(static (ref ScaleReader r) =>
        {
            var x = r.ReadBytes(32).ToArray();
            return new ValidatorInfo(x, r.ReadByteVec(), r.ReadByteVec());
        }, 34);
        reader.EnsureEnd();
        return new OcwMessageDkg(block, accounts, validators);
    }

    private static void WriteAccounts(ScaleWriter writer, IReadOnlyList<byte[]> accounts)
    {
        writer.WriteCompact((ulong)accounts.Count);
        foreach (var account in accounts)
        {
            writer.WriteByteVec(account);
        }
    }
}
