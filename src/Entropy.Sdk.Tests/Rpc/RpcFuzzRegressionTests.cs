using System.Text;
using Entropy.Rpc;
using Entropy.Simulator.Rpc;
using Microsoft.Extensions.Logging.Abstractions;

namespace Entropy.Tests.Rpc;

/// <summary>Regressions found by fuzzing the JSON-RPC parsers (docs/reliability.md, Fuzzing).</summary>
public class RpcFuzzRegressionTests
{
    // fuzz/corpus/rpc/crash-invalid-utf8: a batch whose error message holds the byte 0xFE. JsonDocument.Parse accepted it and the
    // dispatcher's GetRawText threw InvalidOperationException on the receive loop.
    private static readonly byte[] s_invalidUtf8 = [.. "[{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Par"u8, 0xfe, .. "e error\"}}]"u8];

    [Test]
    public void DispatchIncoming_InvalidUtf8InAString_FailsPendingWithProtocolErrorAndDoesNotThrow()
    {
        var client = RpcClient.CreateDetached();
        var pending = client.ExpectResponse(1, "state_getStorage");

        Assert.That(() => client.DispatchIncoming(s_invalidUtf8), Throws.Nothing);

        Assert.That(pending.IsFaulted, Is.True);
        var error = pending.Exception!.InnerException as EntropyRpcProtocolException;
        Assert.That(error, Is.Not.Null);
        Assert.That(error!.Message, Does.Contain("UTF-8"));
    }

    [Test]
    public void DispatchIncoming_ValidResponse_StillCompletes()
    {
        var client = RpcClient.CreateDetached();
        var pending = client.ExpectResponse(7, "system_name");
        client.DispatchIncoming("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"é entropy\"}"u8.ToArray());
        Assert.That(pending.Result.GetString(), Is.EqualTo("é entropy"));
    }

    [Test]
    public async Task SimulatorDispatcher_InvalidUtf8Request_AnswersParseError()
    {
        var dispatcher = new RpcDispatcher(NullLogger.Instance);
        using var session = new RpcSession(supportsSubscriptions: false);
        byte[] request = [.. "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sys"u8, 0xc3, 0x28, .. "\",\"params\":[]}"u8];

        var (response, _) = await dispatcher.DispatchAsync(request, session, CancellationToken.None);

        Assert.That(Encoding.UTF8.GetString(response!), Does.Contain("-32700"));
    }
}
