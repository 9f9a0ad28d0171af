namespace Entropy;

/// <summary>The caller cancelled a wait on an operation that had already reached the chain; carries the operation's id to resume it with.</summary>
/// <remarks>
/// It derives from <see cref="OperationCanceledException"/>, so <c>catch (OperationCanceledException)</c> keeps working. Cancelling stops
/// only the wait: what was submitted stays submitted and goes on on chain. Re-create the operation from <see cref="OperationId"/>
/// (for a registration <see cref="RegisterOperation(string, EntropyClient)"/>) to follow it again.
/// </remarks>
public sealed class EntropyOperationCanceledException : OperationCanceledException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operationId">The id of the operation whose wait was cancelled.</param>
    /// <param name="innerException">The cancellation that stopped the wait, if any.</param>
    /// <param name="cancellationToken">The token that was cancelled.</param>
    /// <exception cref="ArgumentNullException"><paramref name="operationId"/> is <see langword="null"/>.</exception>
    public EntropyOperationCanceledException(string operationId, Exception? innerException, CancellationToken cancellationToken)
        : base($"The wait for operation {operationId} was cancelled; the operation goes on on chain. Resume it from its id.", innerException, cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operationId);
        OperationId = operationId;
    }

    /// <summary>Gets the id of the operation whose wait was cancelled.</summary>
    public string OperationId { get; }
}
