// Registers an account against a running node from a Native AOT binary (references only Entropy.Sdk).
//   dotnet tool run entropy-devnet -- --port 9944        (or any Entropy node), then:
//   dotnet publish -c Release -r linux-x64 samples/AotRegistration
//   samples/AotRegistration/bin/Release/net10.0/linux-x64/publish/AotRegistration --endpoint ws://127.0.0.1:9944 --suri //Alice//aot
using Entropy;
using Entropy.Crypto;

string? endpoint = null;
var secret = "//Alice//aot";
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--endpoint":
            endpoint = args[i + 1];
            break;
        case "--suri":
            secret = args[i + 1];
            break;
        default:
            Console.Error.WriteLine($"Unknown option {args[i]}. Use --endpoint ws://host:port and --suri //Name.");
            return 2;
    }
}

if (endpoint is null)
{
    Console.Error.WriteLine("Give the node: --endpoint ws://127.0.0.1:9944 (for example an entropy-devnet process).");
    return 2;
}

using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(2));
try
{
    await using var client = await EntropyClient.ConnectAsync(new Uri(endpoint), cancellationToken: cancel.Token);
    using var signer = Sr25519Signer.FromSecretUri(secret);
    // A chain of this design stores no program at genesis: deploy the allow-all program unless it is there.
    var bytecode = ReadProgram("allow-all.wasm");
    var pointer = ProgramPointer.Compute(bytecode, []);
    if (await client.GetProgramAsync(pointer, cancel.Token) is null)
    {
        await client.DeployProgramAsync(WaitUntil.Completed, signer, bytecode, cancellationToken: cancel.Token);
    }

    var request = new RegisterRequest(signer) { AccessMode = AccessMode.Public };
    request.Programs.Add(new ProgramInstance(pointer, []));
    var progress = new Progress<RegistrationProgress>(p => Console.WriteLine($"  {p}"));
    var operation = await client.RegisterAsync(WaitUntil.Completed, request, progress, cancel.Token);
    Console.WriteLine($"Registered {operation.Value.Account}");
    Console.WriteLine($"Verifying key: {operation.Value.VerifyingKey}");
    return 0;
}
catch (EntropyException e)
{
    Console.Error.WriteLine($"Registration failed: {e.Message}");
    return 1;
}

static byte[] ReadProgram(string name)
{
    using var stream = typeof(Program).Assembly.GetManifestResourceStream(name)
        ?? throw new InvalidOperationException($"The sample's embedded program {name} is missing.");
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    return copy.ToArray();
}
