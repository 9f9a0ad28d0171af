namespace Entropy.Tests.RealNode;

/// <summary>Starts one chopsticks node for every test in the <c>Entropy.Tests.RealNode</c> namespace and stops it at the end.</summary>
/// <remarks>
/// Tests share the chain: a test that changes state (a transfer) must not assume balances other tests left alone, only relations it
/// measures itself (before/after). Derive fixtures from <see cref="RealNodeTestBase"/>.
/// </remarks>
[SetUpFixture]
public sealed class RealNodeSetUp
{
    private static ChopsticksNode? s_node;

    /// <summary>Gets the running node.</summary>
    public static ChopsticksNode Node => s_node ?? throw new InvalidOperationException("The chopsticks node is not running.");

    [OneTimeSetUp]
    public async Task StartNodeAsync() => s_node = await ChopsticksNode.StartAsync();

    [OneTimeTearDown]
    public async Task StopNodeAsync()
    {
        if (s_node is not null)
        {
            await s_node.DisposeAsync();
            s_node = null;
        }
    }
}

/// <summary>Base class for tests against the shared chopsticks node (category <c>RealNode</c>).</summary>
[Category("RealNode")]
public abstract class RealNodeTestBase
{
    /// <summary>Gets the shared node.</summary>
    protected static ChopsticksNode Node => RealNodeSetUp.Node;

    /// <summary>Gets the node's WebSocket endpoint.</summary>
    protected static Uri Endpoint => RealNodeSetUp.Node.Endpoint;
}
