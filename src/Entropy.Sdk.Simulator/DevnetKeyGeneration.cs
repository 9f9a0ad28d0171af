namespace Entropy.Simulator;

/// <summary>The key generation an <see cref="EntropyDevnet"/>'s threshold servers run for Public-mode registrations.</summary>
/// <remarks>Private-mode registrations always run synedrion: the user's client (the SDK, or Entropy's wasm client) is a party, and it speaks
/// only what the real servers speak.</remarks>
public enum DevnetKeyGeneration
{
    /// <summary>What Entropy's threshold servers run: synedrion 0.1.0's CGGMP'21 key generation (ProductionParams); the servers store
    /// synedrion <c>KeyShare</c>s, as entropy-tss does. Costs seconds of CPU per server and registration (the Paillier and ring-Pedersen proofs);
    /// the safe primes come from a background pool.</summary>
    Synedrion = 0,

    /// <summary>A fast stand-in for test suites that register many accounts: a Pedersen/Feldman DKG (milliseconds) with a simulator-only share
    /// format. Not interoperable: no Entropy client or server can use its shares, and the chain's verifying key is not a synedrion key.</summary>
    FastStandIn = 1,
}
