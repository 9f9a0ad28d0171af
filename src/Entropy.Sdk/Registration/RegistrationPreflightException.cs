namespace Entropy;

/// <summary>Why a registration was refused before anything was signed or sent.</summary>
public enum RegistrationPreflightFailure
{
    /// <summary>No program was given; the chain needs at least one (<c>NoProgramSet</c>).</summary>
    NoPrograms = 0,

    /// <summary>More programs than the runtime's <c>MaxProgramHashes</c> constant allows.</summary>
    TooManyPrograms = 1,

    /// <summary>A program pointer does not exist in <c>Programs.Programs</c>.</summary>
    ProgramNotFound = 2,

    /// <summary>The account is already registered.</summary>
    AlreadyRegistered = 3,

    /// <summary>The account already has a registration in progress (<c>Registering</c>); wait for it or prune it.</summary>
    AlreadyRegistering = 4,

    /// <summary>The signer's free balance cannot pay the transaction fee.</summary>
    InsufficientBalance = 5,

    /// <summary>The connected runtime does not support the requested access mode.</summary>
    AccessModeNotSupported = 6,

    /// <summary>The Private access mode needs the user's x25519 public key.</summary>
    MissingX25519Key = 7,
}

/// <summary>A registration was refused before anything was signed, because the chain would reject it.</summary>
public sealed class RegistrationPreflightException : EntropyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">Which check failed.</param>
    /// <param name="message">What was wrong and what to do about it.</param>
    public RegistrationPreflightException(RegistrationPreflightFailure failure, string message)
        : base(message)
    {
        Failure = failure;
    }

    /// <summary>Gets which check failed.</summary>
    public RegistrationPreflightFailure Failure { get; }
}
