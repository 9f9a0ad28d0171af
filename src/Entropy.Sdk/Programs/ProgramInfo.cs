namespace Entropy;

/// <summary>A program stored on chain (<c>Programs.Programs</c>): its bytecode, configuration interface, deployer and reference count.</summary>
/// <remarks>
/// Built from the runtime's <c>ProgramInfo { bytecode, configuration_interface, deployer, ref_counter }</c> (entropy-core v0.0.10
/// <c>pallets/programs</c>; the 2024-03-21 runtime names the second field <c>interface_description</c>). Create instances in tests with
/// <see cref="EntropyModelFactory.ProgramInfo"/>.
/// </remarks>
public sealed class ProgramInfo
{
    private readonly byte[] _bytecode;
    private readonly byte[] _configurationInterface;

    internal ProgramInfo(ProgramPointer pointer, byte[] bytecode, byte[] configurationInterface, AccountId deployer, UInt128 referenceCount)
    {
        Pointer = pointer;
        _bytecode = bytecode;
        _configurationInterface = configurationInterface;
        Deployer = deployer;
        ReferenceCount = referenceCount;
    }

    /// <summary>Gets the pointer the program is stored under: BlakeTwo256(bytecode ‖ configuration interface).</summary>
    public ProgramPointer Pointer { get; }

    /// <summary>Gets the program's bytecode.</summary>
    public ReadOnlyMemory<byte> Bytecode => _bytecode;

    /// <summary>Gets the program's configuration interface (the description of the configuration it takes; may be empty).</summary>
    public ReadOnlyMemory<byte> ConfigurationInterface => _configurationInterface;

    /// <summary>Gets the account that deployed the program; only it may remove the program.</summary>
    public AccountId Deployer { get; }

    /// <summary>Gets how many registrations (and registrations in progress) use the program; it can be removed only at 0.</summary>
    public UInt128 ReferenceCount { get; }

    /// <summary>Returns the pointer, size, deployer and reference count.</summary>
    /// <returns>A one-line description.</returns>
    public override string ToString() =>
        $"Program {Pointer} ({_bytecode.Length} bytes, {_configurationInterface.Length}-byte interface) deployed by {Deployer}, used by {ReferenceCount}";
}
