using System.Diagnostics;
using System.Numerics;
using System.Text.Json;
using Entropy.Simulator;
using Entropy.Tests.RealNode;

namespace Entropy.Tests.Simulator.Rpc;

/// <summary>
/// polkadot-js (<c>@polkadot/api</c>, pinned in eng/chopsticks/package.json and installed by the same install.sh as chopsticks) works
/// against the simulator unchanged: eng/chopsticks/polkadot-js-check.mjs connects, reads metadata and System.Account, and submits a
/// signed transfer from //Alice; the test asserts on the JSON it prints.
/// </summary>
[Category("PolkadotJs")]
public class PolkadotJsCompatibilityTests
{
    private SimulatedChain _chain = null!;
    private JsonElement _report;
    private string _stderr = "";

    [OneTimeSetUp]
    public async Task RunScriptAsync()
    {
        var script = Path.Combine(ChopsticksNode.PackagesDirectory, "polkadot-js-check.mjs");
        await ChopsticksNode.EnsurePackagesInstalledAsync(Path.Combine(ChopsticksNode.PackagesDirectory, "node_modules", "@polkadot", "api", "package.json"));

        // Finality lags one block so that the transfer's block is reported as inBlock and stays unfinalized (nothing else is submitted).
        _chain = new SimulatedChain(new SimulatedChainOptions { BlockProduction = BlockProductionMode.Instant, FinalityLag = 1 });
        await _chain.StartAsync();

        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = ChopsticksNode.PackagesDirectory,
        };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(_chain.WebSocketEndpoint.ToString());
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"polkadot-js-check.mjs did not finish within 90 s:\n{await stderr}");
            }
        }

        _stderr = await stderr;
        var output = await stdout;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"polkadot-js-check.mjs failed ({process.ExitCode}):\n{_stderr}\n{output}");
        }

        using var document = JsonDocument.Parse(output);
        _report = document.RootElement.Clone();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_chain is not null)
        {
            await _chain.DisposeAsync();
        }
    }

    [Test]
    public void Connect_ReadsChainFactsRuntimeVersionAndV15Metadata()
    {
        Assert.That(_report.GetProperty("genesisHash").GetString(), Is.EqualTo(_chain.GenesisHash), _stderr);
        Assert.That(_report.GetProperty("apiGenesisHash").GetString(), Is.EqualTo(_chain.GenesisHash));
        Assert.That(_report.GetProperty("specVersion").GetInt32(), Is.EqualTo(10));
        Assert.That(_report.GetProperty("transactionVersion").GetInt32(), Is.EqualTo(4));
        Assert.That(_report.GetProperty("metadataVersion").GetInt32(), Is.EqualTo(15));
        Assert.That(_report.GetProperty("pallets").GetInt32(), Is.GreaterThan(10));
        Assert.That(_report.GetProperty("ss58Format").GetInt32(), Is.EqualTo(42));
        Assert.That(_report.GetProperty("tokenSymbol").GetString(), Is.EqualTo("BITS"));
        Assert.That(_report.GetProperty("rpcMethodCount").GetInt32(), Is.GreaterThan(30));
    }

    [Test]
    public void QuerySystemAccount_Alice_ReadsTheGenesisEndowment()
    {
        Assert.That(_report.GetProperty("aliceAddress").GetString(), Is.EqualTo(ChopsticksNode.AliceAddress));
        Assert.That(_report.GetProperty("aliceNonceBefore").GetInt32(), Is.Zero);
        Assert.That(BigInteger.Parse(_report.GetProperty("aliceFreeBefore").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            Is.EqualTo((BigInteger)Entropy.Simulator.Runtime.Genesis.Endowment));
    }

    [Test]
    public async Task SignAndSend_TransferFromAlice_IsInABlockWithItsEventsAndMovesTheAmount()
    {
        var blockHash = _report.GetProperty("blockHash").GetString()!;
        var block = _chain.Node.GetBlock(blockHash);
        var amount = BigInteger.Parse(_report.GetProperty("amount").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var bobBefore = BigInteger.Parse(_report.GetProperty("bobFreeBefore").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var bobAfter = BigInteger.Parse(_report.GetProperty("bobFreeAfter").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var events = _report.GetProperty("events").EnumerateArray().Select(e => e.GetString()).ToList();
        await using var client = await Entropy.Chain.SubstrateClient.ConnectAsync(_chain.WebSocketEndpoint);
        var alice = await client.GetAccountInfoAsync(Entropy.AccountId.Parse(ChopsticksNode.AliceAddress));

        Assert.That(_report.GetProperty("status").GetString(), Is.EqualTo("InBlock"), _stderr);
        Assert.That(_report.GetProperty("blockContainsTx").GetBoolean(), Is.True);
        Assert.That(block, Is.Not.Null);
        Assert.That(_report.GetProperty("blockNumber").GetInt64(), Is.EqualTo(block!.Number));
        Assert.That(block.Extrinsics.Select(x => "0x" + Convert.ToHexStringLower(Entropy.Hashing.Blake2b.Hash256(x))),
            Does.Contain(_report.GetProperty("txHash").GetString()));
        Assert.That(_report.GetProperty("dispatchError").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(events, Does.Contain("balances.Transfer").And.Contain("system.ExtrinsicSuccess"));
        Assert.That(bobAfter - bobBefore, Is.EqualTo(amount));
        Assert.That(alice.Nonce, Is.EqualTo(1u), "polkadot-js signed with the nonce from system_accountNextIndex");
    }
}
