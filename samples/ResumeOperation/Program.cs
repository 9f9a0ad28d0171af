// Resume an operation: start a registration, keep only its id, close the client (as if the app restarted), connect again,
// re-create the operation from the id and wait for it. The SDK never submits register twice: it follows chain state.
//   dotnet run --project samples/ResumeOperation
using Entropy;
using Entropy.Crypto;
using Entropy.Simulator;

await using var devnet = new EntropyDevnet(new EntropyDevnetOptions { KeyStoreScryptCost = 1 << 10 });
await devnet.StartAsync();
Console.WriteLine($"Devnet: chain {devnet.Endpoint}");
var idFile = Path.Combine(Path.GetTempPath(), $"entropy-operation-{Guid.NewGuid():N}.txt");
try
{
    #region Snippet:ResumeOperationStart
    using var signer = Sr25519Signer.FromSecretUri("//Alice");
    await using (var client = await EntropyClient.ConnectAsync(devnet.Endpoint))
    {
        // Started: returns once register is in a block; the servers' DKG and confirmations are still to come.
        var operation = await client.RegisterAsync(WaitUntil.Started, signer);
        await File.WriteAllTextAsync(idFile, operation.Id);
        Console.WriteLine($"Started: register in block #{operation.RegisterBlockNumber}; saved the operation id {operation.Id}");
    }
    #endregion

    Console.WriteLine("Client disposed. Reconnecting with a new client...");

    #region Snippet:ResumeOperationResume
    await using var restarted = await EntropyClient.ConnectAsync(devnet.Endpoint);
    var resumed = new RegisterOperation(await File.ReadAllTextAsync(idFile), restarted);
    var registration = await resumed.WaitForCompletionAsync();
    Console.WriteLine($"Registered {registration.Account} with verifying key {registration.VerifyingKey}");
    #endregion
    return 0;
}
catch (EntropyException e)
{
    Console.Error.WriteLine($"Registration failed: {e.Message}");
    return 1;
}
finally
{
    File.Delete(idFile);
}
