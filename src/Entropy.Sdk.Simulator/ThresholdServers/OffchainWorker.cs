using Entropy.Chain;
using Microsoft.Extensions.Logging;

namespace Entropy.Simulator.ThresholdServers;

/// <summary>
/// The propagation pallet's off-chain worker (PROTOCOL.md §3.2): on every block N+1 it POSTs <c>OcwMessageDkg</c> for block N
/// (accounts from <c>Dkg[N]</c>, committee per §2.6 at N+1) to every validator's threshold server, with a 2 s deadline.
/// </summary>
internal sealed class OffchainWorker(ServerChain chain, IReadOnlyList<ThresholdServerHost> servers, ILogger logger) : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };

    /// <summary>Gets or sets a hook (tests) run before the message of a block with accounts is posted: block number N, accounts, committee.</summary>
    internal Func<uint, IReadOnlyList<byte[]>, IReadOnlyList<ServerRecord>, Task>? BeforePost { get; set; }

    public async Task OnBlockAsync(uint number, string blockHash, CancellationToken cancellationToken)
    {
        if (number == 0)
        {
            return;
        }

        var at = BlockHash.Parse(blockHash);
        var accounts = await chain.GetDkgAccountsAsync(number - 1, at, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<ServerRecord> committee;
        try
        {
            committee = await chain.GetCommitteeAsync(number, at, cancellationToken).ConfigureAwait(false);
        }
        catch (EntropyException e)
        {
            logger.LogWarning("OCW at #{Block}: no committee: {Error}", number, e.Message);
            return;
        }

        var body = new OcwMessageDkg(
            number - 1,
            accounts,
            committee.Select(s => new ValidatorInfo(s.X25519PublicKey, System.Text.Encoding.UTF8.GetBytes(s.Endpoint), s.TssAccount.ToArray())).ToList()).Encode();
        if (accounts.Count > 0)
        {
            logger.LogInformation("OCW at #{Block}: {Count} account(s) from Dkg[{Previous}] to committee {Committee}", number, accounts.Count, number - 1, string.Join(", ", committee.Select(c => c.Endpoint)));
        }

        if (accounts.Count > 0 && BeforePost is { } hook)
        {
            await hook(number - 1, accounts, committee).WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        await Task.WhenAll(servers.Where(s => s.IsRunning).Select(s => PostAsync(s, body, number, cancellationToken))).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await chain.DisposeAsync().ConfigureAwait(false);
    }

    private async Task PostAsync(ThresholdServerHost server, byte[] body, uint number, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            using var response = await _http.PostAsync(new Uri($"http://{server.Endpoint}/user/new"), content, cancellationToken).ConfigureAwait(false);
            if ((int)response.StatusCode >= 400)
            {
                logger.LogDebug("OCW at #{Block}: {Server} answered {Status}: {Body}", number, server.Name, (int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("OCW at #{Block}: {Server} unreachable: {Error}", number, server.Name, e.Message);
        }
    }
}
