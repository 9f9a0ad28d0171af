// Quick start: deploy a small program, register an account with it on Entropy, and print the program pointer and the verifying key.
// The program is testdata/programs/allow-all.wasm (a WebAssembly module assembled from allow-all.wat next to it), embedded here.
//   dotnet run --project samples/QuickStart                                  (embedded devnet, //Alice)
//   dotnet run --project samples/QuickStart -- --endpoint ws://host:9944 --mnemonic "twelve words ..."
using Entropy;
using Entropy.Crypto;
using Entropy.Simulator;

string? endpoint = null;
string secret = "//Alice";
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--endpoint":
            endpoint = args[i + 1];
            break;
        case "--mnemonic" or "--suri":
            secret = args[i + 1];
            break;
        default:
            Console.Error.WriteLine($"Unknown option {args[i]}. Use --endpoint ws://host:port and --mnemonic \"phrase\" (or --suri //Name).");
            return 2;
    }
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

EntropyDevnet? devnet = null;
try
{
    Uri node;
    if (endpoint is null)
    {
        Console.WriteLine("Starting the embedded Entropy devnet (chain + 2 threshold servers on loopback)...");
        devnet = new EntropyDevnet();
        await devnet.StartAsync(cancel.Token);
        node = devnet.Endpoint;
        Console.WriteLine($"  chain:             {node}");
        Console.WriteLine($"  threshold servers: {string.Join(", ", devnet.ThresholdServerEndpoints)}");
    }
    else
    {
        node = new Uri(endpoint);
    }

    #region Snippet:QuickStartRegister
    await using var client = await EntropyClient.ConnectAsync(node, cancellationToken: cancel.Token);
    using var signer = secret.StartsWith("//", StringComparison.Ordinal) || secret.StartsWith("0x", StringComparison.Ordinal)
        ? Sr25519Signer.FromSecretUri(secret)
        : Sr25519Signer.FromMnemonic(secret);

    // A chain of this design stores no program at genesis: deploy one (or reuse it when it is already there).
    var bytecode = ReadProgram("allow-all.wasm");
    var pointer = ProgramPointer.Compute(bytecode, []);
    if (await client.GetProgramAsync(pointer, cancel.Token) is null)
    {
        Console.WriteLine($"Deploying the allow-all program ({bytecode.Length} bytes)...");
        await client.DeployProgramAsync(WaitUntil.Completed, signer, bytecode, cancellationToken: cancel.Token);
    }

    Console.WriteLine($"Program pointer: {pointer}");
    var request = new RegisterRequest(signer) { AccessMode = AccessMode.Public };
    request.Programs.Add(new ProgramInstance(pointer, []));

    Console.WriteLine($"Registering {signer.AccountId}...");
    var progress = new Progress<RegistrationProgress>(p => Console.WriteLine($"  {p}"));
    var operation = await client.RegisterAsync(WaitUntil.Completed, request, progress, cancel.Token);
    Console.WriteLine($"Registered {operation.Value.Account}");
    Console.WriteLine($"Verifying key: {operation.Value.VerifyingKey}");
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
    if (devnet is not null)
    {
        await devnet.DisposeAsync();
    }
}

static byte[] ReadProgram(string name)
{
    using var stream = typeof(Program).Assembly.GetManifestResourceStream(name)
        ?? throw new InvalidOperationException($"The sample's embedded program {name} is missing.");
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    return copy.ToArray();
}
