using Entropy.Fuzz;

// Usage: Entropy.Sdk.Fuzz <target> [file...]   or   Entropy.Sdk.Fuzz --seeds <corpus-dir> (rewrites the seed corpus)
//   or   Entropy.Sdk.Fuzz --list (the target names, one a line; fuzz/run.sh all uses it)
//   Under afl-fuzz (fuzz/run.sh), the inputs come from AFL++ through SharpFuzz's out-of-process driver.
//   Otherwise each file (or stdin when none) is run once; a crash prints the exception and exits 1.
if (args is ["--seeds", var seedDirectory])
{
    FuzzSeeds.Write(seedDirectory);
    return 0;
}

if (args is ["--list"])
{
    foreach (var name in FuzzTargets.All.Keys)
    {
        Console.WriteLine(name);
    }

    return 0;
}

if (args.Length == 0 || !FuzzTargets.All.ContainsKey(args[0]))
{
    Console.Error.WriteLine($"usage: Entropy.Sdk.Fuzz <target> [file...]; targets: {string.Join(", ", FuzzTargets.All.Keys)}");
    return 2;
}

string target = args[0];
if (Environment.GetEnvironmentVariable("FUZZ_VERBOSE") == "1")
{
    FuzzTargets.Refused = ex => Console.Error.WriteLine($"refused: {ex.GetType().Name}: {ex.Message}");
}

if (Environment.GetEnvironmentVariable("__AFL_SHM_ID") is not null)
{
    SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        FuzzTargets.Run(target, buffer.ToArray());
    });
    return 0;
}

var inputs = args.Length > 1 ? args.Skip(1).Select(File.ReadAllBytes) : [ReadStdin()];
foreach (var input in inputs)
{
    FuzzTargets.Run(target, input);
}

return 0;

static byte[] ReadStdin()
{
    using var buffer = new MemoryStream();
    Console.OpenStandardInput().CopyTo(buffer);
    return buffer.ToArray();
}
