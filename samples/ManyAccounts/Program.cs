// Many accounts: register several accounts at once from one shared EntropyClient (it is thread-safe; nonces never clash
// because every account signs its own register), then print each verifying key.
//   dotnet run --project samples/ManyAccounts                 (20 accounts on the embedded devnet)
//   dotnet run --project samples/ManyAccounts -- --count 50
using System.Diagnostics;
using Entropy;
using Entropy.Crypto;
using Entropy.Simulator;

var count = 20;
if (args is ["--count", var text] && (!int.TryParse(text, out count) || count is < 1 or > 500))
{
    Console.Error.WriteLine("--count must be a number between 1 and 500.");
    return 2;
}

// The accounts: derived from //Alice so the sample needs no secrets; endowed at genesis of the devnet.
var signers = Enumerable.Range(0, count).Select(i => Sr25519Signer.FromSecretUri($"//Alice//many//{i}")).ToArray();
var options = new EntropyDevnetOptions { BlockInterval = TimeSpan.FromMilliseconds(200), KeyStoreScryptCost = 1 << 10 };
foreach (var signer in signers)
{
    options.EndowedAccounts.Add(new(signer.AccountId.ToArray(), 1_000_000_000_000_000));
}

await using var devnet = new EntropyDevnet(options);
await devnet.StartAsync();
Console.WriteLine($"Devnet: chain {devnet.Endpoint}, threshold servers {string.Join(", ", devnet.ThresholdServerEndpoints)}");
try
{
    #region Snippet:ManyAccountsRegister
    await using var client = await EntropyClient.ConnectAsync(devnet.Endpoint);

    // The devnet, like a real chain of this design, starts without programs: deploy one every account registers with.
    // "(module)": the smallest valid WebAssembly module (see samples/QuickStart for a program with an entry point).
    using (var deployer = Sr25519Signer.FromSecretUri("//Alice"))
    {
        await client.DeployProgramAsync(WaitUntil.Completed, deployer, new byte[] { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00 });
    }

    var program = ProgramPointer.Compute([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], []);
    var clock = Stopwatch.StartNew();
    var operations = await Task.WhenAll(signers.Select(signer => client.RegisterAsync(WaitUntil.Completed, signer, program)));
    #endregion
    foreach (var operation in operations)
    {
        Console.WriteLine($"{operation.Value.Account} -> {operation.Value.VerifyingKey} (register in block #{operation.RegisterBlockNumber})");
    }

    var distinct = operations.Select(o => o.Value.VerifyingKey).Distinct().Count();
    Console.WriteLine($"Registered {operations.Length} accounts in {clock.Elapsed.TotalSeconds:F1} s; {distinct} distinct verifying keys.");
    return distinct == count ? 0 : 1;
}
catch (EntropyException e)
{
    Console.Error.WriteLine($"Registration failed: {e.Message}");
    return 1;
}
finally
{
    foreach (var signer in signers)
    {
        signer.Dispose();
    }
}
