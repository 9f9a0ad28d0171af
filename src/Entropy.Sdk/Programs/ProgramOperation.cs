using Entropy.Extrinsics;

namespace Entropy;

/// <summary>What a <see cref="ProgramOperation"/> does on chain.</summary>
public enum ProgramOperationKind
{
    /// <summary><c>Programs.set_program</c>: stores a program; <see cref="ProgramOperation.Pointer"/> is where.</summary>
    Deploy = 0,

    /// <summary><c>Programs.remove_program</c>: removes a program nobody uses and returns its deposit.</summary>
    Remove = 1,

    /// <summary><c>change_program_instance</c> of the registration pallet: replaces a registration's programs (ProgramsData).</summary>
    ChangePrograms = 2,
}

/// <summary>A program transaction (deploy, remove, or change a registration's programs) submitted by <see cref="EntropyClient"/>, followed into a block.</summary>
/// <remarks>
/// Returned by <see cref="EntropyClient.DeployProgramAsync"/>, <see cref="EntropyClient.RemoveProgramAsync"/> and
/// <see cref="EntropyClient.ChangeProgramsAsync"/>. With <see cref="WaitUntil.Started"/> the node has accepted the transaction;
/// <see cref="WaitForCompletionAsync"/> waits until it is in a block and its effect is checked (for a deploy, the pointer in
/// <c>ProgramCreated</c> must equal the one computed locally). If the connection drops after submission, the transaction is never
/// sent again: the operation completes when chain state shows the effect. The wait gives up after
/// <see cref="EntropyClientOptions.RegistrationTimeout"/> with <see cref="EntropyTimeoutException"/>. Members are virtual and a
/// protected constructor exists for mocking.
/// </remarks>
public class ProgramOperation
{
    private readonly Task? _completion;

    /// <summary>Creates an operation for mocking in tests; every virtual member must be set up.</summary>
    protected ProgramOperation()
    {
        Id = string.Empty;
    }

    internal ProgramOperation(ProgramOperationKind kind, AccountId signer, ProgramPointer? pointer, string id, Func<ProgramOperation, Task> follow)
    {
        Kind = kind;
        Signer = signer;
        Pointer = pointer;
        Id = id;
        _completion = follow(this);
    }

    /// <summary>Gets what the operation does.</summary>
    public virtual ProgramOperationKind Kind { get; }

    /// <summary>Gets the account that signed and paid.</summary>
    public virtual AccountId Signer { get; }

    /// <summary>Gets the program deployed or removed; <see langword="null"/> for <see cref="ProgramOperationKind.ChangePrograms"/>.</summary>
    public virtual ProgramPointer? Pointer { get; }

    /// <summary>Gets the transaction hash (<c>0x</c>-hex).</summary>
    public virtual string Id { get; }

    /// <summary>Gets a value indicating whether the transaction is in a block and its effect was checked.</summary>
    public virtual bool HasCompleted => _completion is { IsCompletedSuccessfully: true };

    /// <summary>Gets the number of the block that included the transaction; <see langword="null"/> until then, or when the
    /// operation completed from chain state after a lost connection.</summary>
    public virtual uint? BlockNumber { get; private set; }

    /// <summary>Gets the hash of the block that included the transaction, when known.</summary>
    public virtual string? BlockHash { get; private set; }

    /// <summary>Waits until the transaction is in a block and its effect was checked.</summary>
    /// <param name="cancellationToken">Stops waiting (the transaction stays submitted).</param>
    /// <returns>A task that completes with the operation.</returns>
    /// <exception cref="DispatchException">The call failed in its block (for example <c>ProgramInUse</c>).</exception>
    /// <exception cref="EntropyException">The transaction left the pool without being included.</exception>
    /// <exception cref="EntropyTimeoutException">Not in a block within <see cref="EntropyClientOptions.RegistrationTimeout"/>.</exception>
    /// <exception cref="EntropyException">The chain reported a different program pointer than the one computed locally.</exception>
    public virtual async Task<ProgramOperation> WaitForCompletionAsync(CancellationToken cancellationToken = default)
    {
        var completion = _completion ?? throw new InvalidOperationException("This ProgramOperation was created for mocking; set up WaitForCompletionAsync.");
        await completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        return this;
    }

    /// <summary>Returns the kind, the pointer and the transaction.</summary>
    /// <returns>A one-line description.</returns>
    public override string ToString() =>
        $"{Kind}{(Pointer is { } p ? " " + p : string.Empty)} by {Signer}: transaction {Id}{(BlockNumber is { } n ? $" in block #{n}" : string.Empty)}";

    internal void SetIncluded(ExtrinsicResult? result)
    {
        if (result is not null)
        {
            BlockNumber = (uint)result.BlockNumber;
            BlockHash = result.BlockHash.ToString();
        }
    }
}
