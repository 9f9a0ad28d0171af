// Resume an operation: a registration is interrupted after its register transaction reached the chain (here: the app cancels the
// wait once register is in a block, as if it were shutting down), the failure hands back the operation id, the client is closed,
// a new one connects, re-creates the operation from the id and waits for it. The SDK never submits register twice: it follows
// chain state. Timeouts (RegistrationTimeoutException), a lost connection and disposing the client hand the id back the same way.
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
        using var shutdown = new CancellationTokenSource();
        var progress = new Progress<RegistrationProgress>(p =>
        {
            Console.WriteLine($"  {p}");
            if (p.Stage == RegistrationStage.InBlock)
            {
                shutdown.Cancel(); // the app stops waiting; the registration goes on on chain
            }
        });
        try
        {
            // The devnet starts without programs: deploy the smallest valid WebAssembly module, "(module)", to register with.
            var deployed = await client.DeployProgramAsync(WaitUntil.Completed, signer, new byte[] { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00 });
            await client.RegisterAsync(WaitUntil.Completed, signer, deployed.Pointer!.Value, shutdown.Token);
        }
        catch (EntropyOperationCanceledException e)
        {
            // Every failure after submission carries the id (EntropyException.OperationId for timeouts and lost connections).
            await File.WriteAllTextAsync(idFile, e.OperationId);
            Console.WriteLine($"Interrupted; saved the operation id {e.OperationId}");
        }
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
