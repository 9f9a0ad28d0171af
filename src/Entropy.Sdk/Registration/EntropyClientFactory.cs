using Microsoft.Extensions.DependencyInjection;

namespace Entropy;

/// <summary>Connects one shared <see cref="EntropyClient"/> on first use; what <see cref="EntropyServiceCollectionExtensions.AddEntropyClient"/> registers.</summary>
/// <remarks>Dependency injection cannot await a connection, so consumers ask this factory for the client; it connects once and caches it.</remarks>
public class EntropyClientFactory : IAsyncDisposable
{
    private readonly Uri? _endpoint;
    private readonly EntropyClientOptions? _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private EntropyClient? _client;

    /// <summary>Creates a factory for mocking.</summary>
    protected EntropyClientFactory()
    {
    }

    /// <summary>Creates a factory that connects to <paramref name="endpoint"/>.</summary>
    /// <param name="endpoint">The node's WebSocket endpoint.</param>
    /// <param name="options">The client's settings.</param>
    /// <exception cref="ArgumentNullException"><paramref name="endpoint"/> is <see langword="null"/>.</exception>
    public EntropyClientFactory(Uri endpoint, EntropyClientOptions? options)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _endpoint = endpoint;
        _options = options;
    }

    /// <summary>Returns the shared client, connecting it on the first call (a failed connection is retried on the next call).</summary>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>The connected client.</returns>
    /// <exception cref="EntropyConnectionException">The node could not be reached.</exception>
    public virtual async Task<EntropyClient> GetClientAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _client) is { } existing)
        {
            return existing;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _client ??= await EntropyClient.ConnectAsync(
                _endpoint ?? throw new InvalidOperationException("This factory was created for mocking."), _options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Disposes the shared client, if it was connected.</summary>
    /// <returns>A task that completes when the client is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _client, null) is { } client)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>Registers Entropy.Sdk with Microsoft.Extensions.DependencyInjection.</summary>
/// <remarks>
/// Lives in the main package: it needs only <c>Microsoft.Extensions.DependencyInjection.Abstractions</c>, a small, ubiquitous
/// dependency, so a separate assembly would cost users a second package for no gain.
/// </remarks>
public static class EntropyServiceCollectionExtensions
{
    /// <summary>Registers a singleton <see cref="EntropyClientFactory"/> for the node at <paramref name="endpoint"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="endpoint">The node's WebSocket endpoint.</param>
    /// <param name="configure">Sets the client's options; <see langword="null"/> for the defaults.</param>
    /// <returns>The same service collection.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="endpoint"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddEntropyClient(this IServiceCollection services, Uri endpoint, Action<EntropyClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(endpoint);
        var options = new EntropyClientOptions();
        configure?.Invoke(options);
        options.Validate();
        services.AddSingleton(_ => new EntropyClientFactory(endpoint, options));
        return services;
    }
}
