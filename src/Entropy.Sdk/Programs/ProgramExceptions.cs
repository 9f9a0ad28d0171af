namespace Entropy;

/// <summary>Why a program call (deploy, remove, change a registration's programs) was refused before anything was signed or sent.</summary>
/// <remarks>Each value names the entropy-core v0.0.10 rule it mirrors (<c>pallets/programs</c>, <c>pallets/relayer</c>).</remarks>
public enum ProgramPreflightFailure
{
    /// <summary>Bytecode plus configuration interface are longer than the runtime's <c>MaxBytecodeLength</c> (<c>ProgramLengthExceeded</c>).</summary>
    LengthExceeded = 0,

    /// <summary>A program with the same bytecode and configuration interface, hence the same pointer, is already stored (<c>ProgramAlreadySet</c>).</summary>
    AlreadySet = 1,

    /// <summary>The deployer owns <c>MaxOwnedPrograms</c> programs already (<c>TooManyProgramsOwned</c>).</summary>
    TooManyProgramsOwned = 2,

    /// <summary>The signer's free balance cannot pay the fee, the deposit (for a deploy) and still keep the existential deposit.</summary>
    InsufficientBalance = 3,

    /// <summary>No program is stored at the pointer (<c>NoProgramDefined</c>, or <c>NoProgramSet</c> when a registration names it).</summary>
    ProgramNotFound = 4,

    /// <summary>The signer did not deploy the program, so it may not remove it (<c>NotAuthorized</c>).</summary>
    NotDeployer = 5,

    /// <summary>Registrations still use the program (its reference count is above 0), so it cannot be removed (<c>ProgramInUse</c>).</summary>
    ProgramInUse = 6,

    /// <summary>No program instance was given; a registration needs at least one (<c>NoProgramSet</c>).</summary>
    NoPrograms = 7,

    /// <summary>More program instances than the runtime's <c>MaxProgramHashes</c> allows (the call would not even decode).</summary>
    TooManyPrograms = 8,

    /// <summary>The signature request account is not registered (<c>NotRegistered</c>).</summary>
    NotRegistered = 9,

    /// <summary>The signer is not the registration's program-modification account (Account Key) (<c>NotAuthorized</c>).</summary>
    NotProgramModificationAccount = 10,
}

/// <summary>A program call was refused before anything was signed, because the chain would reject it.</summary>
public sealed class ProgramPreflightException : EntropyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">Which check failed.</param>
    /// <param name="message">What was wrong and what to do about it.</param>
    /// <param name="pointer">The program concerned, when there is one.</param>
    public ProgramPreflightException(ProgramPreflightFailure failure, string message, ProgramPointer? pointer = null)
        : base(message)
    {
        Failure = failure;
        Pointer = pointer;
    }

    /// <summary>Gets which check failed.</summary>
    public ProgramPreflightFailure Failure { get; }

    /// <summary>Gets the program concerned, when there is one.</summary>
    public ProgramPointer? Pointer { get; }
}
