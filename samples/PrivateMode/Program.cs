// Private access mode: register //Alice on the embedded devnet; the SDK joins the key generation and keeps the user's share.
//   dotnet run --project samples/PrivateMode
// Prints the verifying key, never the share.
// Key generation: the client and the devnet's servers run synedrion 0.1.0 (CGGMP'21, ProductionParams), the library Entropy's
// servers and wasm client use; it costs tens of seconds of CPU. (The devnet's --fast-public-dkg stand-in applies to Public mode
// only, and its keys are not interoperable.)
using Entropy;
using Entropy.Crypto;
using Entropy.Simulator;

await using var devnet = new EntropyDevnet(new EntropyDevnetOptions { KeyStoreScryptCost = 1 << 10 });
await devnet.StartAsync();
await using var client = await EntropyClient.ConnectAsync(devnet.Endpoint);

using var signer = Sr25519Signer.FromSecretUri("//Alice");
using var x25519 = X25519KeyPair.Generate();
var request = new RegisterRequest(signer)
{
    AccessMode = AccessMode.Private,
    UserX25519KeyPair = x25519,
};

// The devnet starts without programs: deploy the smallest valid WebAssembly module, "(module)", and register with it.
var deployed = await client.DeployProgramAsync(WaitUntil.Completed, signer, new byte[] { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00 });
request.Programs.Add(new ProgramInstance(deployed.Pointer!.Value, []));

var operation = await client.RegisterAsync(WaitUntil.Completed, request, new Progress<RegistrationProgress>(p => Console.WriteLine(p)));
using var share = operation.KeyShare!;

Console.WriteLine($"Registered {operation.Value.Account} in Private mode");
Console.WriteLine($"Verifying key: {operation.Value.VerifyingKey}");
Console.WriteLine($"Key share: {share}");
return 0;
