namespace Entropy.Simulator;

/// <summary>How the devnet's threshold servers handle the registrations of one block.</summary>
public enum ThresholdServerBehavior
{
    /// <summary>
    /// Deliberately more robust than entropy-tss v0.0.10: up to 8 accounts of a block run their DKG at once, a failed account does
    /// not stop the others, and every DKG run ends after <see cref="EntropyDevnetOptions.DkgTimeout"/>, naming the silent parties.
    /// </summary>
    Robust,

    /// <summary>
    /// As the real entropy-tss v0.0.10 servers: the accounts of a block one at a time (each <c>confirm_register</c> in a block before
    /// the next DKG), the rest of the block abandoned at the first failure, and no timeout on the DKG rounds, so one stalled party
    /// blocks every registration of that block (the run ends only when the server stops). For integration suites that must see
    /// the real failure modes.
    /// </summary>
    V0010,
}
