using System.Text;
using Entropy.Rpc;
using Entropy.Simulator.Rpc;
using Entropy.Tests.RealNode;
using Microsoft.Extensions.Logging.Abstractions;

namespace Entropy.Tests.Rpc;

/// <summary>Regressions found by fuzzing the JSON-RPC parsers (docs/reliability.md, Fuzzing).</summary>
public class RpcFuzzRegressionTests
{
    // fuzz/corpus/rpc/crash-invalid-utf8: a batch whose error message holds the byte 0xFE. JsonDocument.Parse accepted it and the
    // dispatcher's GetRawText threw InvalidOperationException on the receive loop.
    private static readonly byte[] s_invalidUtf8 = [.. "[{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Par"u8, 0xfe, .. "e error\"}}]"u8];

    [Test]
    public void DispatchIncoming_InvalidUtf8InAString_IsDroppedWithoutThrowingAndPendingCarriesOn()
    {
        var client = RpcClient.CreateDetached();
        var pending = client.ExpectResponse(1, "state_getStorage");

        Assert.That(() => client.DispatchIncoming(s_invalidUtf8), Throws.Nothing);

        Assert.That(pending.IsCompleted, Is.False);
        Assert.That(client.DroppedMessages, Is.EqualTo(1));
        client.DispatchIncoming("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x01\"}"u8.ToArray());
        Assert.That(pending.Result.GetString(), Is.EqualTo("0x01"));
    }

    // fuzz/corpus/rpc/crash-notification-error-code-string (#13 §4; AFL++ finds it in ~12 s): a subscription error whose code is a
    // string. JsonElement.TryGetInt32 threw InvalidOperationException on the receive loop, which killed the connection for good.
    [Test]
    public void DispatchIncoming_NotificationErrorCodeIsAString_EndsTheSubscriptionTypedAndDoesNotThrow()
    {
        var client = RpcClient.CreateDetached();
        var subscription = client.CreateSubscription("state_subscribeRuntimeVersion", "state_unsubscribeRuntimeVersion");
        var subscribed = client.ExpectResponse(1, "state_subscribeRuntimeVersion", subscription);
        client.DispatchIncoming("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"s\"}"u8.ToArray());
        Assert.That(subscribed.IsCompletedSuccessfully, Is.True);

        Assert.That(() => client.DispatchIncoming(CorpusFile("crash-notification-error-code-string")), Throws.Nothing);

        var ended = Assert.ThrowsAsync<EntropyRpcException>(() => subscription.ReadAsync());
        Assert.That(ended!.Code, Is.Zero);
        Assert.That(ended.ServerMessage, Is.EqualTo("m"));
    }

    // fuzz/corpus/rpc/crash-lone-surrogate-in-error: "\ud800" is valid JSON but not valid UTF-16, so JsonElement.GetString threw
    // InvalidOperationException after the request had been taken off the pending list (it would have waited for its timeout).
    [Test]
    public void DispatchIncoming_ErrorMessageWithLoneSurrogate_FailsThatRequestWithRpcErrorKeepingTheRawText()
    {
        var client = RpcClient.CreateDetached();
        var pending = client.ExpectResponse(1, "state_getStorage");

        Assert.That(() => client.DispatchIncoming(CorpusFile("crash-lone-surrogate-in-error")), Throws.Nothing);

        var error = pending.Exception?.InnerException as EntropyRpcException;
        Assert.That(error, Is.Not.Null);
        Assert.That(error!.Code, Is.EqualTo(1));
        Assert.That(error.ServerMessage, Is.EqualTo("\"\\ud800\""));
    }

    [Test]
    public void FuzzTarget_EveryCrashSeed_RunsWithoutInvariantViolation()
    {
        var crashes = Directory.GetFiles(Path.Combine(ChopsticksNode.RepositoryRoot, "fuzz", "corpus", "rpc"), "crash-*");

        Assert.That(crashes, Has.Length.GreaterThanOrEqualTo(3));
        foreach (var file in crashes)
        {
            Assert.That(() => Entropy.Fuzz.FuzzTargets.Run("rpc", File.ReadAllBytes(file)), Throws.Nothing, Path.GetFileName(file));
        }
    }

    [Test]
    public void DispatchIncoming_ValidResponse_StillCompletes()
    {
        var client = RpcClient.CreateDetached();
        var pending = client.ExpectResponse(7, "system_name");
        client.DispatchIncoming("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"é entropy\"}"u8.ToArray());
        Assert.That(pending.Result.GetString(), Is.EqualTo("é entropy"));
    }

    private static byte[] CorpusFile(string name) => File.ReadAllBytes(Path.Combine(ChopsticksNode.RepositoryRoot, "fuzz", "corpus", "rpc", name));

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
