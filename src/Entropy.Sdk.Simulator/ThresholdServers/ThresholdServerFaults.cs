using Entropy;

namespace Entropy.Simulator.ThresholdServers;

/// <summary>Fault switches of one threshold server, for tests (PROTOCOL.md has no such thing; real servers fail on their own).</summary>
public sealed class ThresholdServerFaults
{
    /// <summary>Gets or sets a value indicating whether the server drops every DKG message it should send.</summary>
    public bool DropMessages { get; set; }

    /// <summary>Gets or sets a delay before every DKG message the server sends.</summary>
    public TimeSpan DelayMessages { get; set; }

    /// <summary>Gets or sets a value indicating whether the server confirms a different verifying key than the DKG produced.</summary>
    public bool ConfirmWrongKey { get; set; }

    /// <summary>Gets or sets a value indicating whether the server, as a DKG dealer, sends every peer a secret share that does not match its commitments.</summary>
    public bool SendInconsistentShare { get; set; }

    /// <summary>Gets or sets a value indicating whether the server completes the DKG and stores its share but never submits <c>confirm_register</c>.</summary>
    public bool SkipConfirmation { get; set; }

    /// <summary>
    /// Gets or sets a hook run when a DKG of this server receives its first message from a peer (the account is the one registering),
    /// before the message is processed; the DKG waits for the returned task, which is cancelled when the server stops. Tests use it
    /// to crash the server, or to restart the chain node, at a known point of the DKG.
    /// </summary>
    internal Func<AccountId, CancellationToken, Task>? FirstDkgMessageReceived { get; set; }

    /// <summary>
    /// Gets or sets a hook (tests) run when <c>/user/new</c> verified a message, before the server takes the block (records it and starts
    /// its DKGs): the block number N and a token cancelled when the off-chain worker hangs up, so a test can hold the handler past the
    /// worker's deadline, as a slow key store or a busy machine would.
    /// </summary>
    internal Func<uint, CancellationToken, Task>? AcceptingNewUser { get; set; }

    /// <summary>
    /// Gets or sets a hook (tests) run when <c>/user/new</c> starts verifying a message (it reads the node next): the block number N and a
    /// token cancelled when the off-chain worker hangs up. Holding it past the worker's deadline makes this server miss the block.
    /// </summary>
    internal Func<uint, CancellationToken, Task>? VerifyingNewUser { get; set; }

    /// <summary>Gets or sets a gate (test hook) each account's DKG waits for after <c>/user/new</c> was accepted, before it starts.</summary>
    internal Task? HoldDkg { get; set; }

    /// <summary>Gets or sets a gate (test hook) each account waits for after its share is stored and replicated, before <c>confirm_register</c>: the account stays registering.</summary>
    internal Task? HoldConfirmation { get; set; }

    /// <summary>Gets or sets an observer (test hook) of every <c>/user/receive_key</c> body the server sent, called once the recipient answered: recipient endpoint, body, status.</summary>
    internal Action<string, byte[], int>? KeySent { get; set; }
}
