namespace Entropy.Chain;

/// <summary>Ends subscriptions without waiting for the node: an unsubscribe request to a stalled node must not hold up the caller.</summary>
internal static class BackgroundDisposal
{
    /// <summary>Starts disposing <paramref name="resource"/> and returns at once; failures are dropped (the node forgets the subscription with the connection at the latest).</summary>
    public static void Start(IAsyncDisposable resource)
    {
        ValueTask pending;
        try
        {
            pending = resource.DisposeAsync();
        }
        catch (Exception e) when (e is EntropyException or ObjectDisposedException or InvalidOperationException)
        {
            return;
        }

        if (!pending.IsCompleted)
        {
            _ = pending.AsTask().ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        else if (pending.IsFaulted)
        {
            _ = pending.AsTask().Exception;
        }
    }
}
