namespace Entropy.Simulator;

/// <summary>The devnet command: <c>dotnet run --project src/Entropy.Sdk.Simulator -- --port 9944</c>.</summary>
internal static class Program
{
    private static Task<int> Main(string[] args)
    {
        Console.Error.WriteLine("The Entropy devnet is not implemented yet.");
        _ = args;
        return Task.FromResult(1);
    }
}
