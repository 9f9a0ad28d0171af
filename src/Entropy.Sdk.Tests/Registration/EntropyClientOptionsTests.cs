using System.Reflection;
using Entropy.Rpc;
using Entropy.Simulator;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Entropy.Tests.Registration;

/// <summary>Options are copied at connect (the caller's object is never changed), and one clock and one logger factory flow down.</summary>
public class EntropyClientOptionsTests
{
    [Test]
    public void Snapshot_CopiesEverySetting_IncludingEachRpcSetting()
    {
        var options = new EntropyClientOptions
        {
            RegistrationTimeout = TimeSpan.FromSeconds(7),
            PollingInterval = TimeSpan.FromMilliseconds(70),
            Tip = 77,
            MortalityPeriod = 8,
            KeyGenerationTimeout = TimeSpan.FromSeconds(9),
            KeyGenerationConnectTimeout = TimeSpan.FromSeconds(11),
            TimeProvider = new FakeTimeProvider(),
            LoggerFactory = NullLoggerFactory.Instance,
        };
        options.Rpc.RequestTimeout = TimeSpan.FromSeconds(3);
        options.Rpc.ConnectTimeout = TimeSpan.FromSeconds(4);
        options.Rpc.Retry.MaxRetryAttempts = 9;
        options.Rpc.Retry.Delay = TimeSpan.FromMilliseconds(9);
        options.Rpc.Retry.UseJitter = false;
        options.Rpc.Reconnect.MaxAttempts = 2;
        options.Rpc.Reconnect.Delay = TimeSpan.FromMilliseconds(1);
        options.Rpc.Reconnect.MaxDelay = TimeSpan.FromMilliseconds(2);

        var copy = options.Snapshot();

        Assert.Multiple(() =>
        {
            AssertSameSettings(options, copy, except: []);
            AssertSameSettings(options.Rpc, copy.Rpc, except: [nameof(RpcClientOptions.TimeProvider), nameof(RpcClientOptions.Logger)]);
            AssertSameSettings(options.Rpc.Retry, copy.Rpc.Retry, except: []);
            AssertSameSettings(options.Rpc.Reconnect, copy.Rpc.Reconnect, except: []);
            Assert.That(copy.Rpc.TimeProvider, Is.SameAs(options.TimeProvider), "the one clock flows down");
            Assert.That(copy.Rpc.Logger, Is.Not.Null, "the one logger factory flows down");
            Assert.That(copy, Is.Not.SameAs(options));
        });
    }

    [Test]
    public void Validate_ASecondClockOrLoggerOnTheRpcOptions_IsRefusedNamingTheOneToSet()
    {
        var clock = new EntropyClientOptions();
        clock.Rpc.TimeProvider = new FakeTimeProvider();
        var logger = new EntropyClientOptions();
        logger.Rpc.Logger = NullLogger.Instance;

        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<ArgumentException>(clock.Validate)!.Message, Does.Contain("EntropyClientOptions.TimeProvider"));
            Assert.That(Assert.Throws<ArgumentException>(logger.Validate)!.Message, Does.Contain("EntropyClientOptions.LoggerFactory"));
        });
    }

    [Test]
    public async Task ConnectAsync_LeavesTheCallersOptionsUntouched()
    {
        await using var chain = new SimulatedChain(new SimulatedChainOptions { BlockProduction = BlockProductionMode.Manual });
        await chain.StartAsync();
        var options = new EntropyClientOptions { LoggerFactory = NullLoggerFactory.Instance };

        await using (await EntropyClient.ConnectAsync(chain.WebSocketEndpoint, options))
        {
            options.RegistrationTimeout = TimeSpan.FromSeconds(1); // a later change does not reach the connected client
        }

        Assert.Multiple(() =>
        {
            Assert.That(options.Rpc.Logger, Is.Null);
            Assert.That(options.Rpc.TimeProvider, Is.SameAs(TimeProvider.System));
        });
    }

    private static void AssertSameSettings(object expected, object actual, string[] except)
    {
        foreach (var property in expected.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && !except.Contains(p.Name)))
        {
            Assert.That(property.GetValue(actual), Is.EqualTo(property.GetValue(expected)), $"{expected.GetType().Name}.{property.Name} is not copied by EntropyClientOptions.Snapshot");
        }
    }
}
