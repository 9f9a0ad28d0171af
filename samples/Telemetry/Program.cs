// Traces and metrics of a registration, exported to the console with the OpenTelemetry .NET SDK.
//   dotnet run --project samples/Telemetry                                   (embedded devnet, //Alice//telemetry)
//   dotnet run --project samples/Telemetry -- --endpoint ws://host:9944 --suri //Name
using Entropy;
using Entropy.Crypto;
using Entropy.Simulator;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

string? endpoint = null;
var secret = "//Alice//telemetry";
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

#region Snippet:TelemetryWiring
var resource = ResourceBuilder.CreateDefault().AddService("entropy-telemetry-sample");
using var tracing = Sdk.CreateTracerProviderBuilder()
    .SetResourceBuilder(resource)
    .AddSource(EntropyDiagnostics.ActivitySourceName)      // "Entropy.Sdk": connect, register, waits, JSON-RPC calls
    .AddSource(DevnetDiagnostics.ActivitySourceName)       // "Entropy.Sdk.Simulator": the devnet's key generations
    .AddConsoleExporter()
    .Build();
using var metrics = Sdk.CreateMeterProviderBuilder()
    .SetResourceBuilder(resource)
    .AddMeter(EntropyDiagnostics.MeterName)                // rpc.client.call.duration, entropy.registration.*, ...
    .AddMeter(DevnetDiagnostics.MeterName)                 // entropy.devnet.blocks, pool size, DKG durations, ...
    .AddConsoleExporter()
    .Build();
#endregion

using var signer = Sr25519Signer.FromSecretUri(secret);
EntropyDevnet? devnet = null;
try
{
    Uri node;
    if (endpoint is null)
    {
        var options = new EntropyDevnetOptions();
        options.EndowedAccounts.Add(new(signer.AccountId.AsSpan().ToArray(), UInt128.Parse("1000000000000000000", System.Globalization.CultureInfo.InvariantCulture)));
        devnet = new EntropyDevnet(options);
        await devnet.StartAsync();
        node = devnet.Endpoint;
    }
    else
    {
        node = new Uri(endpoint);
    }

    await using var client = await EntropyClient.ConnectAsync(node);
    // A chain of this design stores no program at genesis: deploy the allow-all program unless it is there.
    var bytecode = ReadProgram("allow-all.wasm");
    var pointer = ProgramPointer.Compute(bytecode, []);
    if (await client.GetProgramAsync(pointer) is null)
    {
        await client.DeployProgramAsync(WaitUntil.Completed, signer, bytecode);
    }

    var request = new RegisterRequest(signer) { AccessMode = AccessMode.Public };
    request.Programs.Add(new ProgramInstance(pointer, []));
    var operation = await client.RegisterAsync(WaitUntil.Completed, request);
    Console.WriteLine($"Registered {operation.Value.Account}; the spans and metrics follow.");
    return 0;
}
catch (EntropyException e)
{
    Console.Error.WriteLine($"Registration failed: {e.Message}");
    return 1;
}
finally
{
    metrics.ForceFlush(); // while the devnet still runs, so that its pool-size gauge is read
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
